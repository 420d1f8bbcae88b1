// Package render draws what Tilsyn prints and charts: server-made SVG charts
// that read without colour and carry their own description (and, later, PDF
// and DOCX documents).
package render

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Series is one line of a chart. Values line up with the chart's labels; a
// NaN is a missing value, and the line breaks there.
type Series struct {
	Name   string
	Values []float64
	Dash   string // SVG stroke-dasharray: "" solid, "6 4" dashed, "2 3" dotted
	Marker string // "circle", "square" or "diamond": shape tells the series apart without colour
}

// LineChart is a small line chart with a title and a description for screen
// readers; the page shows the same numbers as a table beside it.
type LineChart struct {
	Title, Description string
	Labels             []string // along the x axis
	Series             []Series
	Width, Height      int
}

// SVG returns the chart as an inline SVG element. All text is escaped.
func (c LineChart) SVG() string {
	w, h := c.Width, c.Height
	if w == 0 {
		w = 640
	}
	if h == 0 {
		h = 260
	}
	const left, right, top, bottom = 56, 40, 16, 64
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	hi := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) && v > hi {
				hi = v
			}
		}
	}
	hi = niceCeil(hi)
	n := len(c.Labels)
	x := func(i int) float64 {
		if n <= 1 {
			return left + plotW/2
		}
		return left + plotW*float64(i)/float64(n-1)
	}
	y := func(v float64) float64 { return top + plotH - plotH*v/hi }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title chart-desc" class="chart">`, w, h)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title><desc id="chart-desc">%s</desc>`, html.EscapeString(c.Title), html.EscapeString(c.Description))
	// Grid and y axis: four steps.
	for i := 0; i <= 4; i++ {
		v := hi * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="tick" text-anchor="end">%s</text>`, left-6, y(v)+4, formatNumber(v))
	}
	// x labels: at most eight, evenly spread.
	step := max(1, (n+7)/8)
	for i := 0; i < n; i += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`, x(i), h-bottom+18, html.EscapeString(c.Labels[i]))
	}
	for _, s := range c.Series {
		var path strings.Builder
		pen := false
		for i, v := range s.Values {
			if i >= n || math.IsNaN(v) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(i), y(v))
			pen = true
		}
		fmt.Fprintf(&b, `<path d="%s" class="line" fill="none"%s/>`, strings.TrimSpace(path.String()), dash(s.Dash))
		for i, v := range s.Values {
			if i < n && !math.IsNaN(v) {
				b.WriteString(marker(s.Marker, x(i), y(v)))
			}
		}
	}
	// Legend under the axis: a sample of each line and its name.
	lx := float64(left)
	for _, s := range c.Series {
		ly := float64(h - 18)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="line"%s/>`, lx, lx+28, ly, ly, dash(s.Dash))
		b.WriteString(marker(s.Marker, lx+14, ly))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="legend">%s</text>`, lx+34, ly+4, html.EscapeString(s.Name))
		lx += 34 + 8*float64(len([]rune(s.Name))) + 24
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func dash(d string) string {
	if d == "" {
		return ""
	}
	return fmt.Sprintf(` stroke-dasharray="%s"`, html.EscapeString(d))
}

func marker(kind string, x, y float64) string {
	switch kind {
	case "square":
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="7" height="7" class="marker"/>`, x-3.5, y-3.5)
	case "diamond":
		return fmt.Sprintf(`<path d="M%.1f %.1fl4.5 4.5-4.5 4.5-4.5-4.5z" class="marker"/>`, x, y-4.5)
	}
	return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="3.5" class="marker"/>`, x, y)
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, so axis steps are round.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func formatNumber(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}
