package exchange

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

// Formats are the formats WritePlaces writes.
var Formats = []string{"csv", "xlsx", "geojson"}

// ContentType is the media type and the file extension of an export
// format; ok is false for an unknown format.
func ContentType(format string) (mediaType, ext string, ok bool) {
	switch format {
	case "csv":
		return "text/csv; charset=utf-8", ".csv", true
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", true
	case "geojson":
		return "application/geo+json", ".geojson", true
	}
	return "", "", false
}

// exportColumns are the columns of a CSV or XLSX export, in order, with
// their English headers; ReadPlaces reads them all back.
var exportColumns = []struct {
	header string
	field  field
	width  float64 // XLSX column width, in characters
}{
	{"Name", fName, 40},
	{"Type", fType, 10},
	{"Country", fCountry, 9},
	{"Region", fRegion, 20},
	{"Municipality", fMunicipality, 20},
	{"Address", fAddress, 30},
	{"Latitude", fLat, 11},
	{"Longitude", fLon, 11},
	{"Authority", fAuthority, 25},
	{"Capacity", fCapacity, 9},
	{"Status", fStatus, 10},
	{"Categories", fCategories, 20},
	{"Official ID", fOfficialID, 15},
	{"Parent official ID", fParent, 15},
	{"Website", fWebsite, 30},
	{"Other names", fNames, 40},
	{"Notes", fNotes, 40},
}

// WritePlaces writes places in format:
//
//   - "csv": UTF-8 with a byte-order mark (so spreadsheet programs see the
//     encoding), comma-separated, CRLF line ends, a header row of English
//     column names, one row per place; other-language names as
//     "lang: name; lang: name", categories joined by ";".
//   - "xlsx": one sheet "Places" with the same columns, the header row bold
//     and frozen; coordinates and capacity as numbers, the rest as text.
//   - "geojson": a FeatureCollection, one Point feature per place with the
//     coordinates [lon, lat] (geometry null without coordinates) and the
//     fields as properties.
//
// A text that a spreadsheet would run as a formula (starting with = + - @,
// a tab or a carriage return) gets a leading apostrophe in CSV, which
// ReadPlaces removes again, and is a plain string cell in XLSX.
//
// The parent of a place is written as its official id when the parent is
// among places and has one; otherwise the column is empty. An unknown
// format is an Invalid fault with CodeUnknownFormat.
func WritePlaces(w io.Writer, format string, places []place.Place) error {
	switch format {
	case "csv":
		return writeCSV(w, places)
	case "xlsx":
		return writeXLSX(w, places)
	case "geojson":
		return writeGeoJSON(w, places)
	}
	return &fault.Error{Kind: fault.Invalid, Code: CodeUnknownFormat}
}

// parentIDs maps each place's id to its official id, for the parent column.
func parentIDs(places []place.Place) map[string]string {
	m := make(map[string]string, len(places))
	for _, p := range places {
		if p.ID != "" && p.OfficialID != "" {
			m[p.ID] = p.OfficialID
		}
	}
	return m
}

// cellText is the text of field f of p in a CSV or XLSX export.
func cellText(p *place.Place, f field, parents map[string]string) string {
	switch f {
	case fName:
		return p.Name
	case fType:
		return string(p.Type)
	case fCountry:
		return string(p.Country)
	case fRegion:
		return p.Region
	case fMunicipality:
		return p.Municipality
	case fAddress:
		return p.Address
	case fLat:
		return formatFloat(p.Lat)
	case fLon:
		return formatFloat(p.Lon)
	case fAuthority:
		return p.Authority
	case fCapacity:
		if p.Capacity == nil {
			return ""
		}
		return strconv.Itoa(*p.Capacity)
	case fStatus:
		return string(p.Status)
	case fCategories:
		cats := make([]string, len(p.Categories))
		for i, c := range p.Categories {
			cats[i] = string(c)
		}
		return strings.Join(cats, ";")
	case fOfficialID:
		return p.OfficialID
	case fParent:
		if p.ParentID == "" {
			return ""
		}
		return parents[p.ParentID]
	case fWebsite:
		return p.Website
	case fNames:
		var b strings.Builder
		for i, n := range p.Names {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(n.Lang)
			b.WriteString(": ")
			b.WriteString(n.Name)
		}
		return b.String()
	case fNotes:
		return p.Notes
	}
	return ""
}

func formatFloat(v *float64) string {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// numeric reports whether a column holds numbers, which are never
// neutralised: "-70.5" is a longitude, not a formula.
func numeric(f field) bool { return f == fLat || f == fLon || f == fCapacity }

func writeCSV(w io.Writer, places []place.Place) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.Write(bomUTF8); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	rec := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		rec[i] = c.header
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	parents := parentIDs(places)
	for i := range places {
		for j, c := range exportColumns {
			v := cellText(&places[i], c.field, parents)
			if !numeric(c.field) {
				v = neutralise(v)
			}
			rec[j] = v
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

const sheetName = "Places"

func writeXLSX(w io.Writer, places []place.Place) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), sheetName); err != nil {
		return fmt.Errorf("exchange: xlsx: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("exchange: xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return fmt.Errorf("exchange: xlsx: %w", err)
	}
	for i, c := range exportColumns {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fmt.Errorf("exchange: xlsx: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("exchange: xlsx: %w", err)
	}
	row := make([]any, len(exportColumns))
	for i, c := range exportColumns {
		row[i] = excelize.Cell{StyleID: bold, Value: c.header}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return fmt.Errorf("exchange: xlsx: %w", err)
	}
	parents := parentIDs(places)
	for i := range places {
		p := &places[i]
		for j, c := range exportColumns {
			switch {
			case c.field == fLat && p.Lat != nil && !math.IsNaN(*p.Lat) && !math.IsInf(*p.Lat, 0):
				row[j] = *p.Lat
			case c.field == fLon && p.Lon != nil && !math.IsNaN(*p.Lon) && !math.IsInf(*p.Lon, 0):
				row[j] = *p.Lon
			case c.field == fCapacity && p.Capacity != nil:
				row[j] = *p.Capacity
			default:
				// A string value is always written as a string cell, never
				// as a formula, whatever it starts with.
				if v := cellText(p, c.field, parents); v != "" {
					row[j] = v
				} else {
					row[j] = nil
				}
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("exchange: xlsx: %w", err)
		}
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("exchange: xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("exchange: xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("exchange: xlsx: %w", err)
	}
	return nil
}

// feature is a GeoJSON Feature (RFC 7946) of a place.
type feature struct {
	Type       string     `json:"type"`
	ID         string     `json:"id,omitempty"`
	Geometry   *point     `json:"geometry"`
	Properties properties `json:"properties"`
}

type point struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"` // longitude, latitude
}

type properties struct {
	Name             string            `json:"name"`
	Names            []place.LocalName `json:"names,omitempty"`
	Type             place.Type        `json:"type"`
	Country          place.Country     `json:"country"`
	Region           string            `json:"region,omitempty"`
	Municipality     string            `json:"municipality,omitempty"`
	Address          string            `json:"address,omitempty"`
	Authority        string            `json:"authority,omitempty"`
	Capacity         *int              `json:"capacity,omitempty"`
	Status           place.Status      `json:"status"`
	Categories       []place.Category  `json:"categories,omitempty"`
	OfficialID       string            `json:"official_id,omitempty"`
	ParentID         string            `json:"parent_id,omitempty"`
	ParentOfficialID string            `json:"parent_official_id,omitempty"`
	Website          string            `json:"website,omitempty"`
	Notes            string            `json:"notes,omitempty"`
}

func writeGeoJSON(w io.Writer, places []place.Place) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(`{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	parents := parentIDs(places)
	for i := range places {
		p := &places[i]
		ft := feature{Type: "Feature", ID: p.ID, Properties: properties{
			Name: p.Name, Type: p.Type, Country: p.Country, Region: p.Region, Municipality: p.Municipality,
			Address: p.Address, Authority: p.Authority, Capacity: p.Capacity, Status: p.Status,
			Names: p.Names, Categories: p.Categories, OfficialID: p.OfficialID, ParentID: p.ParentID,
			ParentOfficialID: parents[p.ParentID], Website: p.Website, Notes: p.Notes,
		}}
		if p.Lat != nil && p.Lon != nil && finite(*p.Lat) && finite(*p.Lon) {
			ft.Geometry = &point{Type: "Point", Coordinates: [2]float64{*p.Lon, *p.Lat}}
		}
		if i > 0 {
			if err := bw.WriteByte(','); err != nil {
				return err
			}
		}
		if err := enc.Encode(ft); err != nil { // Encode ends each feature with a newline
			return err
		}
	}
	if _, err := bw.WriteString("]}\n"); err != nil {
		return err
	}
	return bw.Flush()
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
