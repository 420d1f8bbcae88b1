package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/exchange"
	"github.com/tilsyn/tilsyn/internal/i18n"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb"
)

// upload posts a file as the import form does, multipart with the field
// "file", as the session.
func (f *fixture) upload(cookie, fileName string, data []byte) (*http.Response, string) {
	f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", fileName)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		f.t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		f.t.Fatal(err)
	}
	resp := f.do(request{method: "POST", path: "/places/import", cookie: cookie, body: buf.String(),
		header: map[string]string{"Content-Type": mw.FormDataContentType()}})
	return resp, readBody(f.t, resp)
}

var importTokenRE = regexp.MustCompile(`name="token" value="(im_[a-z0-9]+)"`)

// importToken is the confirmation token a preview offers, or "".
func importToken(body string) string {
	if m := importTokenRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// orgPlaces is every place of the fixture's organisation, by name.
func (f *fixture) orgPlaces() map[string]place.Place {
	f.t.Helper()
	out := map[string]place.Place{}
	flt := place.Filter{Limit: 500}
	for {
		pg, err := f.db.Places(context.Background(), f.org.ID, flt)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, p := range pg.Places {
			out[p.Name] = p
		}
		if pg.Next == "" {
			return out
		}
		flt.After = pg.Next
	}
}

var (
	rowRE  = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRE = regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	tagRE  = regexp.MustCompile(`<[^>]*>`)
)

// tableRow reports whether the page has a table row whose cells' texts
// are exactly cells.
func tableRow(body string, cells ...string) bool {
	for _, row := range rowRE.FindAllStringSubmatch(body, -1) {
		var got []string
		for _, c := range cellRE.FindAllStringSubmatch(row[1], -1) {
			got = append(got, html.UnescapeString(strings.TrimSpace(tagRE.ReplaceAllString(c[1], ""))))
		}
		if slices.Equal(got, cells) {
			return true
		}
	}
	return false
}

// csvNames reads the names column of a CSV export.
func csvNames(t *testing.T, body string) []string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	if len(rows) == 0 || rows[0][0] != "Name" {
		t.Fatalf("export has no header row: %q", rows)
	}
	var names []string
	for _, r := range rows[1:] {
		names = append(names, r[0])
	}
	slices.Sort(names)
	return names
}

const formulaName = `=HYPERLINK("https://evil.example","Bergen")`

func TestPlaceExport(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		// A name a spreadsheet would run, and more Russian places than one
		// page of the store holds, so the export must read every page.
		var many []string
		err := f.db.WithTx(ctx, func(tx *sqldb.Tx) error {
			lat, lon := 60.39, 5.32
			if _, err := tx.CreatePlace(ctx, f.org.ID, place.Place{Name: formulaName, Type: "PRI", Country: "NO", Lat: &lat, Lon: &lon}, "", testNow); err != nil {
				return err
			}
			for i := range exportPageSize + 7 {
				name := fmt.Sprintf("Колония %03d", i)
				if _, err := tx.CreatePlace(ctx, f.org.ID, place.Place{Name: name, Type: "PRI", Country: "RU"}, "", testNow); err != nil {
					return err
				}
				many = append(many, name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		monitor := f.userCookie("monitor")

		// CSV of a filtered list: exactly the filtered places, the formula neutralised.
		resp, body := f.get(monitor, "/places/export?format=csv&country=NO&cursor=bogus&limit=1")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("csv export: %d %s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("csv content type %q", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="places-2026-05-04.csv"` {
			t.Errorf("csv disposition %q", cd)
		}
		if got, want := csvNames(t, body), []string{"'" + formulaName, "Bergen fengsel"}; !slices.Equal(got, want) {
			t.Errorf("csv of country=NO has %q, want %q", got, want)
		}
		if strings.Contains(body, "\n"+formulaName) || strings.Contains(body, `"`+formulaName) {
			t.Error("the formula-looking name is not neutralised")
		}
		// Read back, the name is as it was.
		rows, problems, err := exchange.ReadPlaces(strings.NewReader(body), "export.csv", exchange.ReadOptions{})
		if err != nil || len(problems) != 0 || len(rows) != 2 || !slices.ContainsFunc(rows, func(r exchange.Row) bool { return r.Place.Name == formulaName }) {
			t.Errorf("export read back: %v %v %d rows", err, problems, len(rows))
		}

		// Every page of the list, not one.
		_, body = f.get(monitor, "/places/export?format=csv&country=RU")
		if got := csvNames(t, body); !slices.Equal(got, many) {
			t.Errorf("csv of country=RU has %d places, want %d", len(got), len(many))
		}
		_, body = f.get(monitor, "/places/export?format=csv&q="+url.QueryEscape("колония 00"))
		if got := csvNames(t, body); len(got) != 10 {
			t.Errorf("csv of q=колония 00 has %d places, want 10", len(got))
		}

		// XLSX is a workbook.
		resp, body = f.get(monitor, "/places/export?format=xlsx&country=NO")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="places-2026-05-04.xlsx"` {
			t.Errorf("xlsx export: %d %v", resp.StatusCode, resp.Header)
		}
		zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("xlsx export is not a zip: %v", err)
		}
		if !slices.ContainsFunc(zr.File, func(zf *zip.File) bool { return zf.Name == "xl/workbook.xml" }) {
			t.Error("xlsx export has no xl/workbook.xml")
		}
		rows, problems, err = exchange.ReadPlaces(strings.NewReader(body), "export.xlsx", exchange.ReadOptions{})
		if err != nil || len(problems) != 0 || len(rows) != 2 {
			t.Errorf("xlsx read back: %v %v %d rows", err, problems, len(rows))
		}

		// GeoJSON parses, a feature per place.
		resp, body = f.get(monitor, "/places/export?format=geojson&country=NO")
		var fc struct {
			Type     string `json:"type"`
			Features []struct {
				Geometry   *struct{ Coordinates []float64 } `json:"geometry"`
				Properties map[string]any                   `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal([]byte(body), &fc); err != nil || resp.Header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("geojson export: %v %q", err, resp.Header.Get("Content-Type"))
		}
		if fc.Type != "FeatureCollection" || len(fc.Features) != 2 {
			t.Errorf("geojson: %s with %d features", fc.Type, len(fc.Features))
		}
		for _, ft := range fc.Features {
			if ft.Properties["name"] == formulaName && (ft.Geometry == nil || ft.Geometry.Coordinates[0] != 5.32) {
				t.Errorf("geojson geometry of the place with coordinates: %+v", ft.Geometry)
			}
		}

		// An unknown format, or none, is a page error.
		for _, p := range []string{"/places/export?format=pdf", "/places/export"} {
			resp, body = f.get(monitor, p)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose CSV, XLSX or GeoJSON.") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s: %d", p, resp.StatusCode)
			}
		}
		if resp, _ := f.get(monitor, "/places/export?format=csv&country=XX"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("unknown country: %d", resp.StatusCode)
		}

		// The list links to the downloads of what it shows.
		_, body = f.get(monitor, "/places?country=NO&q=bergen&cursor=x")
		for _, want := range []string{`href="/places/export?format=csv&amp;country=NO&amp;q=bergen"`, `href="/places/export?format=xlsx&amp;country=NO&amp;q=bergen"`, `href="/places/export?format=geojson&amp;country=NO&amp;q=bergen"`} {
			if !strings.Contains(body, want) {
				t.Errorf("places page lacks %s", want)
			}
		}
		_, body = f.get(monitor, "/places")
		if !strings.Contains(body, `href="/places/export?format=csv"`) {
			t.Error("unfiltered places page lacks the plain CSV link")
		}
	})
}

func TestPlaceExportAPI(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		for _, tk := range []string{"admin/read", "viewer/write"} {
			resp := f.do(request{method: "GET", path: "/api/v1/places/export?format=csv&country=LT", token: tk})
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("%s: API csv export: %d %s", tk, resp.StatusCode, body)
			}
			if got := csvNames(t, body); !slices.Equal(got, []string{"Šiaulių tardymo izoliatorius"}) {
				t.Errorf("%s: API export has %q", tk, got)
			}
		}
		resp := f.do(request{method: "GET", path: "/api/v1/places/export?format=geojson", token: "admin/read"})
		if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"FeatureCollection"`) {
			t.Errorf("API geojson: %d", resp.StatusCode)
		}
		resp = f.do(request{method: "GET", path: "/api/v1/places/export?format=xlsx", token: "admin/read"})
		if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") {
			t.Errorf("API xlsx: %d", resp.StatusCode)
		}
		// Another organisation's token exports only its own places.
		resp = f.do(request{method: "GET", path: "/api/v1/places/export?format=csv", token: "other/write"})
		if got := csvNames(t, readBody(t, resp)); !slices.Equal(got, []string{"Kresty"}) {
			t.Errorf("other org's export: %q", got)
		}
		for _, tt := range []struct {
			path, token string
			status      int
			check       func(*testing.T, string)
		}{
			{"/api/v1/places/export", "admin/read", 422, wantFields("format")},
			{"/api/v1/places/export?format=pdf", "admin/read", 422, wantProblemCode(exchange.CodeUnknownFormat)},
			{"/api/v1/places/export?format=csv&type=JAIL", "admin/read", 422, wantFields("type")},
			{"/api/v1/places/export?format=csv", "", 401, wantProblemCode("error.session.none")},
		} {
			resp := f.do(request{method: "GET", path: tt.path, token: tt.token})
			body := readBody(t, resp)
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s", tt.path, resp.StatusCode, body)
				continue
			}
			tt.check(t, body)
		}
	})
}

func TestViewerExportsButDoesNotImport(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	viewer := f.userCookie("viewer")
	if resp, _ := f.get(viewer, "/places/export?format=csv"); resp.StatusCode != http.StatusOK {
		t.Errorf("viewer export: %d", resp.StatusCode)
	}
	if _, body := f.get(viewer, "/places"); strings.Contains(body, `href="/places/import"`) || !strings.Contains(body, "/places/export?format=csv") {
		t.Error("the viewer's list offers import, or no download")
	}
	if resp, _ := f.get(viewer, "/places/import"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer import form: %d", resp.StatusCode)
	}
	resp, _ := f.upload(viewer, "places.csv", []byte("Name,Type,Country\nViewer's place,PRI,NO\n"))
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer import: %d", resp.StatusCode)
	}
	if resp, _ := f.post(viewer, "/places/import/confirm", url.Values{"token": {"im_x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer confirm: %d", resp.StatusCode)
	}
	if _, ok := f.orgPlaces()["Viewer's place"]; ok {
		t.Error("the viewer's upload was written")
	}
	_, body := f.get(f.userCookie("monitor"), "/places")
	if !strings.Contains(body, `href="/places/import"`) {
		t.Error("a monitor's list does not link to the import")
	}
}

func TestPlaceImport(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		existing, err := f.db.CreatePlace(ctx, f.org.ID, place.Place{Name: "Ila fengsel", Type: "PRI", Country: "NO", OfficialID: "NO-PRI-7"}, "", testNow)
		if err != nil {
			t.Fatal(err)
		}
		before := f.orgPlaces()
		monitor := f.userCookie("monitor")
		_, form := f.get(monitor, "/places/import")
		for _, want := range []string{`enctype="multipart/form-data"`, `accept=".csv,.xlsx`, `data-busy="Reading the file…"`, "data-busy-status", "Windows-1257", "A large file takes a few seconds"} {
			if !strings.Contains(form, want) {
				t.Errorf("import form lacks %q", want)
			}
		}
		file := "Navn;Type;Land;Official ID;Kapasitet\n" +
			"Ila fengsel og forvaringsanstalt;fengsel;Norge;NO-PRI-7;125\n" +
			"Trondheim fengsel;PRI;NO;NO-PRI-8;\n" +
			"Trondheim fengsel, avdeling Leira;PRI;NO;NO-PRI-9;\n"

		// The preview says what would happen and writes nothing.
		resp, body := f.upload(monitor, "places.csv", []byte(file))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("preview: %d %s", resp.StatusCode, body)
		}
		for _, want := range []string{"places.csv", "2 places will be created.", "1 place will be updated.", "Import 3 places",
			"<td>Ila fengsel og forvaringsanstalt</td>", "<td>NO-PRI-7</td>", "<td>Update</td>", "<td>Create</td>", `data-busy="Importing the places…"`} {
			if !strings.Contains(body, want) {
				t.Errorf("preview lacks %q", want)
			}
		}
		if !tableRow(body, "2", "Ila fengsel og forvaringsanstalt", "NO-PRI-7", "Update") || !tableRow(body, "3", "Trondheim fengsel", "NO-PRI-8", "Create") {
			t.Error("preview rows do not show line, name, official id and action")
		}
		token := importToken(body)
		if token == "" {
			t.Fatal("a clean preview offers no confirmation")
		}
		if after := f.orgPlaces(); len(after) != len(before) || after["Ila fengsel"].Version != existing.Version {
			t.Fatalf("the preview wrote: %d places before, %d after", len(before), len(after))
		}

		// Confirming imports every row, audits, and the list says so.
		resp, _ = f.post(monitor, "/places/import/confirm", url.Values{"token": {token}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/places?imported=2+1" {
			t.Fatalf("confirm: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		after := f.orgPlaces()
		if len(after) != len(before)+2 {
			t.Errorf("after import %d places, want %d", len(after), len(before)+2)
		}
		ila := after["Ila fengsel og forvaringsanstalt"]
		if ila.ID != existing.ID || ila.Capacity == nil || *ila.Capacity != 125 || ila.Version != existing.Version+1 {
			t.Errorf("updated place %+v", ila)
		}
		if p := after["Trondheim fengsel, avdeling Leira"]; p.OfficialID != "NO-PRI-9" || p.Country != "NO" {
			t.Errorf("created place %+v", p)
		}
		entries := f.adminEntries(audit.Filter{Action: audit.PlacesImported})
		if len(entries) != 1 || entries[0].Detail != "2 created, 1 updated" || entries[0].ActorID != f.users["monitor"].ID {
			t.Errorf("audit entries %+v", entries)
		}
		_, body = f.get(monitor, resp.Header.Get("Location"))
		if !strings.Contains(body, "The import is done: 2 places created, 1 place updated.") {
			t.Error("the list does not say what the import did")
		}

		// A token works once.
		resp, body = f.post(monitor, "/places/import/confirm", url.Values{"token": {token}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The upload has expired. Upload the file again.") {
			t.Errorf("second confirm: %d", resp.StatusCode)
		}
		if len(f.adminEntries(audit.Filter{Action: audit.PlacesImported})) != 1 {
			t.Error("a second confirm imported again")
		}
	})
}

func TestPlaceImportWithAProblemImportsNothing(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		before := f.orgPlaces()
		monitor := f.userCookie("monitor")
		file := "Name,Type,Country,Official ID\n" +
			"Good place,PRI,SE,SE-1\n" +
			"Bad place,JAIL,SE,SE-2\n" +
			"Another good place,POL-CUS,SE,SE-3\n"
		resp, body := f.upload(monitor, "places.csv", []byte(file))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("preview with a problem: %d", resp.StatusCode)
		}
		msg := f.srv.Catalog.For("en").T(exchange.CodeUnknownType)
		if !tableRow(body, "3", "Type", "JAIL", msg) {
			t.Error("the problem is not shown with its line, column, value and message")
		}
		for _, want := range []string{"The file has 1 problem", "Nothing will be imported.", "Upload a corrected file", `enctype="multipart/form-data"`} {
			if !strings.Contains(body, want) {
				t.Errorf("preview with a problem lacks %q", want)
			}
		}
		if importToken(body) != "" || strings.Contains(body, "/places/import/confirm") {
			t.Fatal("a file with a problem is offered a confirmation")
		}
		// Someone posting a confirmation anyway gets nothing imported.
		for _, tok := range []string{"", "im_" + strings.Repeat("a", 52), "../../etc"} {
			resp, body = f.post(monitor, "/places/import/confirm", url.Values{"token": {tok}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The upload has expired") {
				t.Errorf("confirm %q: %d", tok, resp.StatusCode)
			}
		}
		if after := f.orgPlaces(); len(after) != len(before) {
			t.Errorf("%d places after a refused import, want %d", len(after), len(before))
		}
		if len(f.adminEntries(audit.Filter{Action: audit.PlacesImported})) != 0 {
			t.Error("a refused import was audited as an import")
		}

		// A row the store refuses (an identifier another place has) is a
		// problem too, found in the preview.
		if _, err := f.db.CreatePlace(context.Background(), f.org.ID, place.Place{Name: "Holder", Type: "PRI", Country: "SE", OfficialID: "SE-9"}, "", testNow); err != nil {
			t.Fatal(err)
		}
		resp, body = f.upload(monitor, "places.csv", []byte("Name,Type,Country,Parent official ID\nSub-unit,PRI-ISO,SE,SE-404\n"))
		if resp.StatusCode != http.StatusUnprocessableEntity || importToken(body) != "" ||
			!tableRow(body, "2", "Part of", "", f.srv.Catalog.For("en").T("error.import.unknown_parent")) {
			t.Errorf("store problem: %d", resp.StatusCode)
		}
	})
}

func TestPlaceImportRefusesWhatIsNotAList(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	monitor := f.userCookie("monitor")
	en := f.srv.Catalog.For("en")

	// Over the limit: 413 and a clear message, before or after the framing's room.
	for _, size := range []int{exchange.DefaultMaxBytes + 1, exchange.DefaultMaxBytes + importFraming + 10} {
		resp, body := f.upload(monitor, "big.csv", bytes.Repeat([]byte("a"), size))
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "The file is larger than 20 MB.") || !strings.Contains(body, `type="file"`) {
			t.Errorf("upload of %d bytes: %d", size, resp.StatusCode)
		}
	}

	// A body over the request's limit before the file is even reached.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("note", strings.Repeat("n", exchange.DefaultMaxBytes+importFraming))
	fw, _ := mw.CreateFormFile("file", "places.csv")
	_, _ = fw.Write([]byte("Name,Type,Country\nSneaked,PRI,NO\n"))
	_ = mw.Close()
	resp := f.do(request{method: "POST", path: "/places/import", cookie: monitor, body: buf.String(), header: map[string]string{"Content-Type": mw.FormDataContentType()}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "The file is larger than 20 MB.") {
		t.Errorf("body over the request limit: %d", resp.StatusCode)
	}

	// A picture is not a table.
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	resp, body := f.upload(monitor, "places.png", img.Bytes())
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, en.T(exchange.CodeNotATable)) || importToken(body) != "" {
		t.Errorf("png: %d", resp.StatusCode)
	}

	// A header without the needed columns names what is missing.
	resp, body = f.upload(monitor, "places.csv", []byte("Name,Region\nX,Y\n"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, en.T(exchange.CodeNoHeader)) ||
		!strings.Contains(body, "Type: "+en.T(exchange.CodeMissingColumn)) {
		t.Errorf("no header: %d", resp.StatusCode)
	}

	// No file at all.
	resp, body = f.post(monitor, "/places/import", url.Values{})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a file to import.") {
		t.Errorf("no file: %d", resp.StatusCode)
	}
	resp, body = f.upload(monitor, "", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a file to import.") {
		t.Errorf("empty file field: %d", resp.StatusCode)
	}
	if len(f.orgPlaces()) != 3 {
		t.Error("a refused upload wrote places")
	}
}

func TestPlaceImportTokenIsTheUploaders(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		monitor := f.userCookie("monitor")
		resp, body := f.upload(monitor, "places.csv", []byte("Name,Type,Country\nNew place,PRI,LT\n"))
		token := importToken(body)
		if resp.StatusCode != http.StatusOK || token == "" {
			t.Fatalf("preview: %d", resp.StatusCode)
		}
		// Another user of the same organisation, and a user of another one,
		// cannot use it.
		for _, other := range []string{f.adminCookie(), f.userCookie("other")} {
			resp, body := f.post(other, "/places/import/confirm", url.Values{"token": {token}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The upload has expired") {
				t.Errorf("another user's confirm: %d", resp.StatusCode)
			}
		}
		if _, ok := f.orgPlaces()["New place"]; ok {
			t.Fatal("another user's confirm imported")
		}
		// It is still the uploader's.
		resp, _ = f.post(monitor, "/places/import/confirm", url.Values{"token": {token}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("uploader's confirm after the refused ones: %d", resp.StatusCode)
		}
		if _, ok := f.orgPlaces()["New place"]; !ok {
			t.Error("the uploader's confirm did not import")
		}
	})
}

func TestPlaceImportUploadExpires(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	monitor := f.userCookie("monitor")
	_, body := f.upload(monitor, "places.csv", []byte("Name,Type,Country\nLate place,PRI,LT\n"))
	token := importToken(body)
	f.now = f.now.Add(importTTL)
	monitor = f.userCookie("monitor") // the session of before may have gone idle
	resp, body := f.post(monitor, "/places/import/confirm", url.Values{"token": {token}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The upload has expired") {
		t.Errorf("confirm after %v: %d", importTTL, resp.StatusCode)
	}
	if _, ok := f.orgPlaces()["Late place"]; ok {
		t.Error("an expired upload was imported")
	}
}

func TestImportCacheIsBounded(t *testing.T) {
	c := newImportCache(importTTL, 3, 10)
	now := testNow
	var tokens []string
	for i := range 4 {
		tokens = append(tokens, c.put(importUpload{orgID: "o", userID: "u", data: []byte{byte(i)}}, now))
	}
	if c.len() != 3 {
		t.Errorf("%d entries kept, want 3", c.len())
	}
	if _, ok := c.take(tokens[0], "o", "u", now); ok {
		t.Error("the oldest entry was not dropped")
	}
	big := c.put(importUpload{orgID: "o", userID: "u", data: make([]byte, 9)}, now)
	if c.len() != 2 || c.bytes != 10 { // the two oldest made room
		t.Errorf("after a large entry: %d entries, %d bytes", c.len(), c.bytes)
	}
	if _, ok := c.take(big, "o", "x", now); ok {
		t.Error("another user took an entry")
	}
	if _, ok := c.take(big, "o", "u", now.Add(importTTL)); ok {
		t.Error("an expired entry was taken")
	}
	if c.len() != 0 || c.bytes != 0 {
		t.Errorf("after expiry: %d entries, %d bytes", c.len(), c.bytes)
	}
	if !strings.HasPrefix(tokens[1], "im_") || len(tokens[1]) < 3+51 {
		t.Errorf("token %q is not a 256-bit secret", tokens[1])
	}
}

func TestImportPagesInEveryLanguage(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	monitor := f.userCookie("monitor")
	idLike := regexp.MustCompile(`\b(import|error)\.[a-z_]+`)
	tag := regexp.MustCompile(`<[^>]*>`)
	clean := []byte("Name,Type,Country\nA,PRI,NO\nB,PRI,SE\n")
	bad := []byte("Name,Type,Country\nA,JAIL,NO\nB,PRI,XX\n")
	for _, lang := range i18n.Languages {
		h := map[string]string{"Accept-Language": lang}
		pages := map[string]*http.Response{
			"form":  f.do(request{method: "GET", path: "/places/import", cookie: monitor, header: h}),
			"list":  f.do(request{method: "GET", path: "/places?imported=3+21", cookie: monitor, header: h}),
			"error": f.do(request{method: "GET", path: "/places/export?format=pdf", cookie: monitor, header: h}),
		}
		for name, data := range map[string][]byte{"clean": clean, "problems": bad} {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, _ := mw.CreateFormFile("file", "places.csv")
			_, _ = fw.Write(data)
			_ = mw.Close()
			pages[name] = f.do(request{method: "POST", path: "/places/import", cookie: monitor, body: buf.String(),
				header: map[string]string{"Accept-Language": lang, "Content-Type": mw.FormDataContentType()}})
		}
		for name, resp := range pages {
			body := readBody(t, resp)
			if !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s %s is not in the language", lang, name)
			}
			if m := idLike.FindString(tag.ReplaceAllString(body, " ")); m != "" {
				t.Errorf("%s %s shows the message id %q", lang, name, m)
			}
			if strings.Count(body, "<h1") != 1 {
				t.Errorf("%s %s has %d h1", lang, name, strings.Count(body, "<h1"))
			}
		}
	}
	// Plural forms of the counts.
	ru := f.srv.Catalog.For("ru")
	if got := importedNote(ru, "3 21"); got != "Импорт завершён: создано 3 места, обновлено 21 место." {
		t.Errorf("ru note %q", got)
	}
	if got := importedNote(f.srv.Catalog.For("lt"), "12 2"); got != "Importas baigtas: sukurta 12 vietų, atnaujintos 2 vietos." {
		t.Errorf("lt note %q", got)
	}
	for _, v := range []string{"", "1", "a b", "-1 2", "1 2 3"} {
		if got := importedNote(ru, v); got != "" {
			t.Errorf("importedNote(%q) = %q", v, got)
		}
	}
}

// Every message id place_exchange.go uses is in the English catalog.
func TestImportMessagesExist(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"import.done", "import.done_created", "import.done_updated", "import.too_large", "import.no_file", "import.expired"} {
		for _, lang := range i18n.Languages {
			if !cat.Has(lang, id) {
				t.Errorf("%s lacks %q", lang, id)
			}
		}
	}
}

// When the registry changes between preview and confirmation so that a row
// no longer fits, the confirmation imports nothing and shows the problem.
func TestPlaceImportConfirmRechecks(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	ctx := context.Background()
	parent, err := f.db.CreatePlace(ctx, f.org.ID, place.Place{Name: "Kumla anstalt", Type: "PRI", Country: "SE", OfficialID: "SE-KUM"}, "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	monitor := f.userCookie("monitor")
	_, body := f.upload(monitor, "places.csv", []byte("Name,Type,Country,Parent official ID\n\"Kumla, isolering\",PRI-ISO,SE,SE-KUM\nNew,PRI,SE,\n"))
	token := importToken(body)
	if token == "" {
		t.Fatalf("no confirmation offered:\n%s", body)
	}
	parent.OfficialID = "SE-KUMLA"
	if _, err := f.db.UpdatePlace(ctx, f.org.ID, parent, "", testNow); err != nil {
		t.Fatal(err)
	}
	resp, body := f.post(monitor, "/places/import/confirm", url.Values{"token": {token}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !tableRow(body, "2", "Part of", "", f.srv.Catalog.For("en").T("error.import.unknown_parent")) || importToken(body) != "" {
		t.Errorf("confirm after the parent changed: %d", resp.StatusCode)
	}
	if _, ok := f.orgPlaces()["New"]; ok {
		t.Error("a confirmation with a problem imported the other rows")
	}
}

// The upload limit is the server's to set (serve --max-upload).
func TestPlaceImportLimitIsConfigurable(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	monitor := f.userCookie("monitor")
	d := f.srv.Deps
	d.MaxUpload = 1 << 20
	small, err := NewServer(d)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = small
	resp, body := f.upload(monitor, "big.csv", bytes.Repeat([]byte("a"), 1<<20+1))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "The file is larger than 1 MB.") {
		t.Errorf("upload over a 1 MB limit: %d", resp.StatusCode)
	}
}
