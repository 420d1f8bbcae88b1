package render

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

func TestLineChartIsWellFormedAndEscaped(t *testing.T) {
	c := LineChart{
		Title: "Population <of> Kumla", Description: "Headcount & capacity",
		Labels: []string{"2024-01-01", "2024-06-01", "2025-01-01"},
		Series: []Series{
			{Name: "Headcount", Values: []float64{410, math.NaN(), 455}, Marker: "circle"},
			{Name: "Capacity <b>", Values: []float64{400, 400, 420}, Dash: "6 4", Marker: "square"},
		},
	}
	svg := c.SVG()
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, svg)
	}
	for _, want := range []string{"Population &lt;of&gt; Kumla", "Capacity &lt;b&gt;", `stroke-dasharray="6 4"`, "<rect", "<circle", "500"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	// The missing value breaks the line: the headcount path starts twice.
	start := strings.Index(svg, `<path d="`) + len(`<path d="`)
	path := svg[start : start+strings.Index(svg[start:], `"`)]
	if strings.Count(path, "M") != 2 || strings.Contains(path, "L") {
		t.Errorf("headcount path %q: want two separate points", path)
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 3: 5, 455: 500, 1320: 2000, 10: 10, 0.3: 0.5} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", in, got, want)
		}
	}
}
