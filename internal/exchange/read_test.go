package exchange

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

var update = flag.Bool("update", false, "rewrite the encoded files in testdata from the texts in the tests")

func ptr[T any](v T) *T { return &v }

// encodedFiles are the checked-in files of TestEncodings: the text, and the
// encoding it is stored in. Run `go test -run TestEncodings -update` after
// changing a text.
var encodedFiles = []struct {
	file, enc, text string
}{
	{"utf8-bom-semicolon.csv", encUTF8 + "-bom",
		"Navn;Type;Land;Fylke;Kommune;Adresse;Breddegrad;Lengdegrad;Myndighet;Kapasitet;Status;Kategorier;Org.nr;Navn (en)\r\n" +
			"Bjørgvin fengsel;fengsel;Norge;Vestland;Bergen;Ulsetskogen 1;60,4564;5,3312;Kriminalomsorgen;\"1\u00a0200\";aktiv;menn;974 760 843;Bjørgvin Prison\r\n" +
			"Trandum;utlendingsinternat;Norge;Akershus;Ullensaker;;;;Politiets utlendingsenhet;;midlertidig;\"migranter, menn\";;\r\n"},
	{"windows-1251-russian.csv", encWin1251,
		"Наименование;Тип;Страна;Субъект;Город;Адрес;Широта;Долгота;Ведомство;Лимит наполнения;Статус;Категории;Код\r\n" +
			"СИЗО-1 «Матросская тишина»;СИЗО;Россия;Москва;Москва;ул. Матросская Тишина, д. 18;55,7936;37,7006;ФСИН России;2 000;действующий;подследственные;77-001\r\n" +
			"Спецприёмник № 2;спецприёмник;РФ;Москва;Москва;;;;МВД России;120;закрыто;мужчины; \r\n" +
			"Воспитательная колония;ВОСПИТАТЕЛЬНАЯ КОЛОНИЯ;RU;Калужская область;Калуга;;;;ФСИН России;;временно;дети;40-009\r\n"},
	{"windows-1257-lithuanian.csv", encWin1257,
		"Pavadinimas,Tipas,Šalis,Apskritis,Savivaldybė,Adresas,Talpa,Būsena,Kategorijos,Kodas\r\n" +
			"Šiaulių tardymo izoliatorius,tardymo izoliatorius,Lietuva,Šiaulių apskritis,Šiaulių m. sav.,\"Trakų g. 3, Šiauliai\",400,veikianti,\"suimtieji; vyrai\",188710213\r\n" +
			"Užsieniečių registracijos centras,užsieniečių registracijos centras,LT,Vilniaus apskritis,Švenčionių r. sav.,Vilniaus g. 100,,laikina,migrantai,\r\n" +
			"Vaikų socializacijos centras „Čiauda“,vaikų socializacijos centras,Lietuva,,Kėdainių r. sav.,,,,vaikai,\r\n"},
}

func encodeFile(t *testing.T, enc, text string) []byte {
	t.Helper()
	switch enc {
	case encUTF8 + "-bom":
		return append(append([]byte{}, bomUTF8...), text...)
	case encWin1251, encWin1257:
		cm := charmap.Windows1251
		if enc == encWin1257 {
			cm = charmap.Windows1257
		}
		b, err := cm.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatalf("encoding %s: %v", enc, err)
		}
		return b
	}
	t.Fatalf("unknown encoding %s", enc)
	return nil
}

func TestEncodings(t *testing.T) {
	want := map[string][]Row{
		"utf8-bom-semicolon.csv": {
			{Line: 2, Place: place.Place{Name: "Bjørgvin fengsel", Names: []place.LocalName{{Lang: "en", Name: "Bjørgvin Prison"}},
				Type: "PRI", Country: "NO", Region: "Vestland", Municipality: "Bergen", Address: "Ulsetskogen 1",
				Lat: ptr(60.4564), Lon: ptr(5.3312), Authority: "Kriminalomsorgen", Capacity: ptr(1200), Status: "active",
				Categories: []place.Category{"men"}, OfficialID: "974 760 843"}},
			{Line: 3, Place: place.Place{Name: "Trandum", Type: "MIG", Country: "NO", Region: "Akershus", Municipality: "Ullensaker",
				Authority: "Politiets utlendingsenhet", Status: "temporary", Categories: []place.Category{"men", "migrants"}}},
		},
		"windows-1251-russian.csv": {
			{Line: 2, Place: place.Place{Name: "СИЗО-1 «Матросская тишина»", Type: "PTD", Country: "RU", Region: "Москва",
				Municipality: "Москва", Address: "ул. Матросская Тишина, д. 18", Lat: ptr(55.7936), Lon: ptr(37.7006),
				Authority: "ФСИН России", Capacity: ptr(2000), Status: "active", Categories: []place.Category{"remand"}, OfficialID: "77-001"}},
			{Line: 3, Place: place.Place{Name: "Спецприёмник № 2", Type: "POL-ADM", Country: "RU", Region: "Москва", Municipality: "Москва",
				Authority: "МВД России", Capacity: ptr(120), Status: "closed", Categories: []place.Category{"men"}}},
			{Line: 4, Place: place.Place{Name: "Воспитательная колония", Type: "JUV", Country: "RU", Region: "Калужская область",
				Municipality: "Калуга", Authority: "ФСИН России", Status: "temporary", Categories: []place.Category{"children"}, OfficialID: "40-009"}},
		},
		"windows-1257-lithuanian.csv": {
			{Line: 2, Place: place.Place{Name: "Šiaulių tardymo izoliatorius", Type: "PTD", Country: "LT", Region: "Šiaulių apskritis",
				Municipality: "Šiaulių m. sav.", Address: "Trakų g. 3, Šiauliai", Capacity: ptr(400), Status: "active",
				Categories: []place.Category{"men", "remand"}, OfficialID: "188710213"}},
			{Line: 3, Place: place.Place{Name: "Užsieniečių registracijos centras", Type: "MIG", Country: "LT", Region: "Vilniaus apskritis",
				Municipality: "Švenčionių r. sav.", Address: "Vilniaus g. 100", Status: "temporary", Categories: []place.Category{"migrants"}}},
			{Line: 4, Place: place.Place{Name: "Vaikų socializacijos centras „Čiauda“", Type: "JUV", Country: "LT",
				Municipality: "Kėdainių r. sav.", Status: "active", Categories: []place.Category{"children"}}},
		},
	}
	for _, f := range encodedFiles {
		t.Run(f.file, func(t *testing.T) {
			path := filepath.Join("testdata", f.file)
			if *update {
				if err := os.WriteFile(path, encodeFile(t, f.enc, f.text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, encodeFile(t, f.enc, f.text)) {
				t.Fatalf("%s is not the text of the test in %s; run go test -run TestEncodings -update", path, f.enc)
			}
			_, enc, ok := decodeText(data)
			if wantEnc := strings.TrimSuffix(f.enc, "-bom"); !ok || enc != wantEnc {
				t.Errorf("decodeText: encoding %q, %v; want %q", enc, ok, wantEnc)
			}
			rows, problems := read(t, data, f.file)
			if len(problems) > 0 {
				t.Errorf("problems: %+v", problems)
			}
			comparePlaces(t, rows, want[f.file])
		})
	}
}

// The encoding guess on short texts, one word against the other.
func TestGuessEncoding(t *testing.T) {
	tests := []struct{ text, enc string }{
		{"Šiauliai", encWin1257},
		{"Kėdainių r. sav.", encWin1257},
		{"ąžuolas; Vilnius", encWin1257},
		{"Kumla anstalt, Örebro län", encWin1257}, // Swedish letters sit where Windows-1252 has them
		{"Москва", encWin1251},
		{"ИК-2; ФСИН", encWin1251},
		{"Name;ИВС", encWin1251},
	}
	for _, tt := range tests {
		b := encodeFile(t, tt.enc, tt.text)
		text, enc, ok := decodeText(b)
		if !ok || enc != tt.enc || text != tt.text {
			t.Errorf("decodeText(%q in %s) = %q, %s, %v", tt.text, tt.enc, text, enc, ok)
		}
	}
}

// read reads a file that must be readable, failing the test otherwise.
func read(t testing.TB, data []byte, name string) ([]Row, []Problem) {
	t.Helper()
	rows, problems, err := ReadPlaces(bytes.NewReader(data), name, ReadOptions{})
	if err != nil {
		t.Fatalf("ReadPlaces(%s): %v", name, err)
	}
	return rows, problems
}

func comparePlaces(t *testing.T, got, want []Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d rows, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Line != w.Line || g.ParentOfficialID != w.ParentOfficialID {
			t.Errorf("row %d: line %d, parent %q; want line %d, parent %q", i, g.Line, g.ParentOfficialID, w.Line, w.ParentOfficialID)
		}
		if !reflect.DeepEqual(g.Place, w.Place) {
			t.Errorf("row %d (line %d):\n got %s\nwant %s", i, g.Line, show(g.Place), show(w.Place))
		}
	}
}

func show(p place.Place) string {
	s := fmt.Sprintf("%+v", p)
	if p.Lat != nil && p.Lon != nil {
		s += fmt.Sprintf(" lat=%v lon=%v", *p.Lat, *p.Lon)
	}
	if p.Capacity != nil {
		s += fmt.Sprintf(" capacity=%d", *p.Capacity)
	}
	return s
}

// A header in each language, with its synonyms, reads the same place.
func TestHeaders(t *testing.T) {
	want := place.Place{Name: "Kumla", Names: []place.LocalName{{Lang: "ru", Name: "Кумла"}}, Type: "PRI", Country: "SE",
		Region: "Örebro län", Municipality: "Kumla", Address: "Box 1", Lat: ptr(59.13), Lon: ptr(15.14), Authority: "Kriminalvården",
		Capacity: ptr(450), Status: "active", Categories: []place.Category{"men", "sentenced"}, OfficialID: "202100-0225",
		Website: "https://www.kriminalvarden.se", Notes: "Klass 1"}
	row := "Kumla,PRI,SE,Örebro län,Kumla,Box 1,59.13,15.14,Kriminalvården,450,active,men;sentenced,202100-0225,SE-0,https://www.kriminalvarden.se,Klass 1,Кумла\n"
	headers := map[string]string{
		"en":       "Name,Type,Country,Region,Municipality,Address,Latitude,Longitude,Operating authority,Capacity,Status,Categories,Official ID,Parent official ID,Website,Notes,Name (ru)",
		"en-snake": "name,type,country,region,municipality,address,lat,lon,authority,capacity,status,categories,official_id,parent_official_id,website,notes,name_ru",
		"nb":       "Navn,Type,Land,Fylke,Kommune,Adresse,Breddegrad,Lengdegrad,Myndighet,Kapasitet,Status,Kategorier,Org.nr,Overordnet,Nettside,Merknader,Navn (ru)",
		"sv":       "Namn,Typ,Land,Län,Kommun,Adress,Latitud,Longitud,Huvudman,Kapacitet,Status,Kategorier,Organisationsnummer,Överordnad,Webbplats,Anteckningar,Namn (ru)",
		"lt":       "Pavadinimas,Tipas,Šalis,Apskritis,Savivaldybė,Adresas,Platuma,Ilguma,Institucija,Talpa,Būsena,Kategorijos,Kodas,Pagrindinės įstaigos kodas,Svetainė,Pastabos,Pavadinimas (ru)",
		"lt-plain": "PAVADINIMAS,TIPAS,SALIS,APSKRITIS,SAVIVALDYBE,ADRESAS,PLATUMA,ILGUMA,INSTITUCIJA,TALPA,BUSENA,KATEGORIJOS,KODAS,TEVINE,SVETAINE,PASTABOS,PAVADINIMAS_RU",
		"ru":       "Название,Тип,Страна,Регион,Муниципалитет,Адрес,Широта,Долгота,Ведомство,Лимит наполнения,Статус,Категории,Код,Код головного учреждения,Сайт,Примечания,Название (ru)",
		"ru-syn":   "Наименование,тип,страна,Субъект РФ,Город,адрес,широта,долгота,ведомство,Вместимость,статус,категория,КОД,головное учреждение,сайт,примечание,наименование ru",
	}
	for lang, h := range headers {
		t.Run(lang, func(t *testing.T) {
			rows, problems, err := ReadPlaces(strings.NewReader(h+"\n"+row), "places.csv", ReadOptions{})
			if lang == "lt-plain" { // "TEVINE" is no column name: reported, ignored
				if err != nil || len(problems) != 1 || problems[0].Code != CodeUnknownColumn || problems[0].Column != "TEVINE" {
					t.Fatalf("err %v, problems %+v; want one unknown column TEVINE", err, problems)
				}
				problems = nil
				rows[0].ParentOfficialID = "SE-0"
			}
			if err != nil || len(problems) > 0 {
				t.Fatalf("err %v, problems %+v", err, problems)
			}
			comparePlaces(t, rows, []Row{{Line: 2, Place: want, ParentOfficialID: "SE-0"}})
		})
	}
}

// Types are codes or national terms; countries codes or names; statuses,
// categories, capacities and coordinates are written in many ways.
func TestValues(t *testing.T) {
	tests := []struct {
		cells string // type, country, capacity, lat, lon, status, categories
		check func(p place.Place) bool
	}{
		{"pri,no,,,,,", func(p place.Place) bool { return p.Type == "PRI" && p.Country == "NO" }},
		{"pol-cus,Sverige,,,,,", func(p place.Place) bool { return p.Type == "POL-CUS" && p.Country == "SE" }},
		{"POL CUS,Švedija,,,,,", func(p place.Place) bool { return p.Type == "POL-CUS" && p.Country == "SE" }},
		{"Politiarrest,Norvegija,,,,,", func(p place.Place) bool { return p.Type == "POL-CUS" && p.Country == "NO" }},
		{"ШИЗО,Россия,,,,,", func(p place.Place) bool { return p.Type == "PRI-ISO" && p.Country == "RU" }},
		{"шизо / пкт,russland,,,,,", func(p place.Place) bool { return p.Type == "PRI-ISO" && p.Country == "RU" }},
		{"arrestlokale,Норвегия,,,,,", func(p place.Place) bool { return p.Type == "MIL" && p.Country == "NO" }},
		{"hakte,Швеция,,,,,", func(p place.Place) bool { return p.Type == "PTD" && p.Country == "SE" }},
		{"fengsel,Литва,,,,,", func(p place.Place) bool { return p.Type == "PRI" && p.Country == "LT" }}, // another country's term
		{"PRI,Litauen,1 200,,,,", func(p place.Place) bool { return p.Country == "LT" && *p.Capacity == 1200 }},
		{"PRI,LT,\"1,200\",,,,", func(p place.Place) bool { return *p.Capacity == 1200 }},
		{"PRI,LT,1.200,,,,", func(p place.Place) bool { return *p.Capacity == 1200 }},
		{"PRI,LT,120.0,,,,", func(p place.Place) bool { return *p.Capacity == 120 }},
		{"PRI,LT,1\u202f200,,,,", func(p place.Place) bool { return *p.Capacity == 1200 }},
		{"PRI,LT,,\"54,6872\",\"25,2797\",,", func(p place.Place) bool { return *p.Lat == 54.6872 && *p.Lon == 25.2797 }},
		{"PRI,LT,,54.6872°,-25.2797,,", func(p place.Place) bool { return *p.Lat == 54.6872 && *p.Lon == -25.2797 }},
		{"PRI,LT,,,,Laikina,", func(p place.Place) bool { return p.Status == "temporary" }},
		{"PRI,LT,,,,STÄNGD,", func(p place.Place) bool { return p.Status == "closed" }},
		{"PRI,LT,,,,Действующий,", func(p place.Place) bool { return p.Status == "active" }},
		{"PRI,LT,,,,,", func(p place.Place) bool { return p.Status == "active" }},
		{"PRI,LT,,,,,\"Kvinner, barn\"", func(p place.Place) bool {
			return reflect.DeepEqual(p.Categories, []place.Category{"women", "children"})
		}},
		{"PRI,LT,,,,,осужденные;ОСУЖДЁННЫЕ;nuteistieji", func(p place.Place) bool {
			return reflect.DeepEqual(p.Categories, []place.Category{"sentenced"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.cells, func(t *testing.T) {
			rows, problems := read(t, []byte("name,type,country,capacity,lat,lon,status,categories\nX,"+tt.cells+"\n"), "v.csv")
			if len(problems) > 0 || len(rows) != 1 {
				t.Fatalf("rows %d, problems %+v", len(rows), problems)
			}
			if !tt.check(rows[0].Place) {
				t.Errorf("place %s", show(rows[0].Place))
			}
		})
	}
}

// Every kind of problem, with its line, column, field and value.
func TestProblems(t *testing.T) {
	long := strings.Repeat("ж", 301)
	file := strings.Join([]string{
		"Name,Type,Country,Capacity,Latitude,Longitude,Status,Categories,Official ID,Parent official ID,Website,Other names,Mystery,Navn",
		"Kumla,PRI,SE,,,,,,A1,,,,,",            // 2: fine
		"X,JAIL,SE,,,,,,,,,,,",                 // 3
		"X,PRI,Germany,,,,,,,,,,,",             // 4
		"X,PRI,SE,many,,,,,,,,,,",              // 5
		"X,PRI,SE,,north,10.5,,,,,,,,",         // 6
		"X,PRI,SE,,59.1,,,,,,,,,",              // 7: latitude without longitude
		"X,PRI,SE,,,,open-ish,,,,,,,",          // 8
		"X,PRI,SE,,,,,men;dogs,,,,,,",          // 9
		"Kumla 2,PRI,SE,,,,,,A1,,,,,",          // 10: A1 again
		"X,PRI,SE,,,,,,B2,B2,,,,",              // 11
		"X,PRI,SE,,,,,,,,www.example.org,,,",   // 12
		",PRI,SE,,,,,,,,,,,",                   // 13
		"X,PRI,SE",                             // 14
		"Bad\"quote,PRI,SE,,,,,,,,,,,",         // 15
		"X,PRI,SE,,,,,,,,,just a name,,",       // 16
		",,,,,,,,,,,,,",                        // 17: empty, skipped
		long + ",PRI,SE,-5,,,,,,,,,,",          // 18: two problems
		"\"multi\nline\",,SE,,,,,,,,,,,",       // 19-20: no type
		"Last,PRI,SE,,,,,,,,,,,,,",             // 21: extra empty cells are fine
		"X,PRI,SE,,10,200,,,,,,,,",             // 22: longitude out of range
		"X,PRI,SE,,,,,,,,,\"en: X; ru: Х;\",,", // 23: fine
		"X,PRI,SE,,,,,,,,,,,",                  // 24: fine
	}, "\n") + "\n"
	rows, problems := read(t, []byte(file), "problems.csv")
	want := []Problem{
		{Line: 1, Column: "Mystery", Code: CodeUnknownColumn, Value: "Mystery"},
		{Line: 1, Column: "Navn", Field: "name", Code: CodeDuplicateColumn, Value: "Navn"},
		{Line: 3, Column: "Type", Field: "type", Code: CodeUnknownType, Value: "JAIL"},
		{Line: 4, Column: "Country", Field: "country", Code: CodeUnknownCountry, Value: "Germany"},
		{Line: 5, Column: "Capacity", Field: "capacity", Code: CodeBadNumber, Value: "many"},
		{Line: 6, Column: "Latitude", Field: "lat", Code: CodeBadCoordinate, Value: "north"},
		{Line: 7, Column: "Latitude", Field: "lat", Code: "error.place.bad_coordinates", Value: "59.1"},
		{Line: 8, Column: "Status", Field: "status", Code: CodeUnknownStatus, Value: "open-ish"},
		{Line: 9, Column: "Categories", Field: "categories", Code: CodeUnknownCategory, Value: "dogs"},
		{Line: 10, Column: "Official ID", Field: "official_id", Code: CodeDuplicateID, Value: "2"},
		{Line: 11, Column: "Parent official ID", Field: "parent_official_id", Code: CodeOwnParent, Value: "B2"},
		{Line: 12, Column: "Website", Field: "website", Code: "error.place.bad_website", Value: "www.example.org"},
		{Line: 13, Column: "Name", Field: "name", Code: "error.required"},
		{Line: 14, Code: CodeColumnCount, Value: "3"},
		{Line: 15, Code: CodeBadQuotes, Value: "Bad\"quote,PRI,SE,,,,,,,,,,,"},
		{Line: 16, Column: "Other names", Field: "names", Code: CodeBadNames, Value: "just a name"},
		{Line: 18, Column: "Name", Field: "name", Code: "error.too_long", Value: strings.Repeat("ж", 99) + "…"},
		{Line: 18, Column: "Capacity", Field: "capacity", Code: "error.place.bad_capacity", Value: "-5"},
		{Line: 19, Column: "Type", Field: "type", Code: "error.place.type_required"},
		{Line: 22, Column: "Longitude", Field: "lon", Code: "error.place.bad_coordinates", Value: "200"},
	}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("problems:")
		for i := range max(len(problems), len(want)) {
			var g, w Problem
			if i < len(problems) {
				g = problems[i]
			}
			if i < len(want) {
				w = want[i]
			}
			mark := "  "
			if g != w {
				mark = "≠ "
			}
			t.Logf("%s got  %+v\n   want %+v", mark, g, w)
		}
	}
	if len(rows) != 4 || rows[0].Line != 2 || rows[1].Line != 21 || rows[2].Line != 23 || rows[3].Line != 24 {
		t.Fatalf("rows: %+v", rows)
	}
	if names := rows[2].Place.Names; !reflect.DeepEqual(names, []place.LocalName{{Lang: "en", Name: "X"}, {Lang: "ru", Name: "Х"}}) {
		t.Errorf("names %+v", names)
	}
}

// A title above the header, an empty line and a tab-separated UTF-16 file.
func TestLayouts(t *testing.T) {
	t.Run("title rows", func(t *testing.T) {
		rows, problems := read(t, []byte("Places of detention, 2025\n\nname;type;country\nKumla;PRI;SE\n"), "t.csv")
		if len(problems) > 0 || len(rows) != 1 || rows[0].Line != 4 {
			t.Errorf("rows %+v, problems %+v", rows, problems)
		}
	})
	t.Run("utf-16 tabs", func(t *testing.T) {
		text := "name\ttype\tcountry\r\nKumla\tanstalt\tSverige\r\n"
		u := []byte{0xFF, 0xFE}
		for _, r := range text {
			u = append(u, byte(r), byte(r>>8))
		}
		rows, problems := read(t, u, "t.txt")
		if len(problems) > 0 || len(rows) != 1 || rows[0].Place.Type != "PRI" {
			t.Errorf("rows %+v, problems %+v", rows, problems)
		}
	})
}

// Files that are no list of places are errors naming the file.
func TestFileErrors(t *testing.T) {
	var pngFile bytes.Buffer
	if err := png.Encode(&pngFile, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	xlsx := xlsxFile(t, [][]any{{"Name", "Type", "Country"}, {"Kumla", "PRI", "SE"}})
	docx := zipFile(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
	tests := []struct {
		name   string
		data   []byte
		code   string
		fields []string
	}{
		{"empty", nil, CodeEmpty, nil},
		{"blank", []byte("\xEF\xBB\xBF \r\n"), CodeEmpty, nil},
		{"png", pngFile.Bytes(), CodeNotATable, nil},
		{"random", random, CodeNotATable, nil},
		{"xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), CodeOldExcel, nil},
		{"truncated xlsx", xlsx[:len(xlsx)/2], CodeBrokenXLSX, nil},
		{"xlsx without its end", xlsx[:len(xlsx)-10], CodeBrokenXLSX, nil},
		{"docx", docx, CodeNotATable, nil},
		{"bad sheet xml", zipFile(t, map[string]string{"[Content_Types].xml": "<Types", "xl/workbook.xml": "<<<"}), CodeBrokenXLSX, nil},
		{"prose", []byte("Dear colleagues,\nplease find the list attached.\n"), CodeNoHeader, []string{"name", "type", "country"}},
		{"no type", []byte("name;country;region\nKumla;SE;Örebro\n"), CodeNoHeader, []string{"type"}},
		{"quoted header", []byte("\"name; official\",type,country\n\"A;B\",PRI,SE\n"), CodeNoHeader, []string{"name"}},
		{"header only", []byte("name,type,country\r\n"), CodeNoRows, nil},
		{"header and empty rows", []byte("name,type,country\r\n,,\r\n , ,\t\r\n\r\n"), CodeNoRows, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, problems, err := ReadPlaces(bytes.NewReader(tt.data), "upload-"+tt.name, ReadOptions{})
			checkFileError(t, err, "upload-"+tt.name, tt.code, tt.fields)
			if rows != nil || problems != nil {
				t.Errorf("rows %v, problems %v with an error", rows, problems)
			}
		})
	}
}

func checkFileError(t *testing.T, err error, name, code string, fields []string) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != name {
		t.Fatalf("error %v, want a FileError for %s", err, name)
	}
	e, ok := fault.As(err)
	if !ok || e.Kind != fault.Invalid || e.Code != code {
		t.Fatalf("error %v, want invalid %s", err, code)
	}
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Field)
		if f.Code != CodeMissingColumn {
			t.Errorf("field %s: code %s", f.Field, f.Code)
		}
	}
	if !reflect.DeepEqual(got, fields) {
		t.Errorf("fields %v, want %v", got, fields)
	}
	if !strings.Contains(err.Error(), name) {
		t.Errorf("error %q does not name the file", err)
	}
}

// limitReader hands out an endless CSV and fails the test when asked for
// more than limit bytes in all.
type limitReader struct {
	t     *testing.T
	limit int64
	n     int64
}

func (r *limitReader) Read(p []byte) (int, error) {
	if r.n >= r.limit {
		r.t.Errorf("read past %d bytes", r.limit)
		return 0, io.ErrUnexpectedEOF
	}
	p = p[:min(int64(len(p)), r.limit-r.n)]
	line := "Kumla,PRI,SE\n"
	for i := range p {
		p[i] = line[(r.n+int64(i))%int64(len(line))]
	}
	r.n += int64(len(p))
	return len(p), nil
}

func TestSizeLimit(t *testing.T) {
	for _, lim := range []int64{1000, 1 << 20} {
		r := &limitReader{t: t, limit: lim + 1}
		_, _, err := ReadPlaces(r, "big.csv", ReadOptions{MaxBytes: lim})
		checkFileError(t, err, "big.csv", CodeTooLarge, nil)
	}
	// The default limit, 20 MiB.
	r := &limitReader{t: t, limit: DefaultMaxBytes + 1}
	_, _, err := ReadPlaces(r, "big.csv", ReadOptions{})
	checkFileError(t, err, "big.csv", CodeTooLarge, nil)
	// Exactly at the limit is fine.
	data := []byte("name,type,country\nKumla,PRI,SE\n")
	if _, _, err := ReadPlaces(bytes.NewReader(data), "ok.csv", ReadOptions{MaxBytes: int64(len(data))}); err != nil {
		t.Errorf("a file of exactly MaxBytes: %v", err)
	}
}

func TestProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,type,country\n")
	for i := range 2500 {
		fmt.Fprintf(&b, "Place %d,PRI,SE\n", i)
	}
	var calls [][2]int
	rows, _, err := ReadPlaces(strings.NewReader(b.String()), "p.csv", ReadOptions{Progress: func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}})
	if err != nil || len(rows) != 2500 {
		t.Fatalf("rows %d, err %v", len(rows), err)
	}
	want := [][2]int{{0, 2500}, {1000, 2500}, {2000, 2500}, {2500, 2500}}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("progress calls %v, want %v", calls, want)
	}
}

// zipFile makes a zip archive of files.
func zipFile(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xlsxFile makes a workbook whose first sheet has rows.
func xlsxFile(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	// A second sheet first in the workbook's order would be read instead,
	// so the data goes on the first sheet, and a note on the second.
	if _, err := f.NewSheet("Notes"); err != nil {
		t.Fatal(err)
	}
	_ = f.SetCellValue("Notes", "A1", "name,type,country")
	rows := [][]any{
		{"Реестр мест принудительного содержания"}, // a title row
		{},
		{"Название", "Тип", "Страна", "Лимит наполнения", "Широта", "Долгота", "Код", "Статус", "Неизвестно"},
		{"ИК-2", "исправительная колония", "Россия", 1200, 54.5293, 36.2754, 40002, "действующий"},
		{"Тюрьма", "JAIL", "Россия", nil, nil, nil, 40003},
		{},
		{"=HYPERLINK(\"http://x\")", "ИВС", "RU"},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	// Shown with a thousands separator: read as the user sees it.
	style, err := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle("Sheet1", "D4", "D4", style); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, problems := read(t, buf.Bytes(), "реестр.xlsx")
	want := []Row{
		{Line: 4, Place: place.Place{Name: "ИК-2", Type: "PRI", Country: "RU", Capacity: ptr(1200), Lat: ptr(54.5293), Lon: ptr(36.2754),
			OfficialID: "40002", Status: "active"}},
		{Line: 7, Place: place.Place{Name: "=HYPERLINK(\"http://x\")", Type: "POL-CUS", Country: "RU", Status: "active"}},
	}
	comparePlaces(t, got, want)
	wantProblems := []Problem{
		{Line: 3, Column: "I", Code: CodeUnknownColumn, Value: "Неизвестно"},
		{Line: 5, Column: "B", Field: "type", Code: CodeUnknownType, Value: "JAIL"},
	}
	if !reflect.DeepEqual(problems, wantProblems) {
		t.Errorf("problems %+v\nwant %+v", problems, wantProblems)
	}
}
