package exchange

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/fault"
)

func FuzzReadPlaces(f *testing.F) {
	seeds := []string{
		"name,type,country\nKumla,PRI,SE\n",
		"Navn;Type;Land;Kapasitet;Breddegrad;Lengdegrad\r\nBjørgvin;fengsel;Norge;\"1 200\";60,45;5,33\r\n;;;;;\r\n",
		"name,type,country,official id,parent official id,other names\nA,PRI,SE,1,1,ru: А; en: A\nB,XX,DE,1,,bad\n",
		"name,type,country\n\"multi\nline\",\"PRI\",SE\nbad\"quote,PRI,SE\n\"open,PRI,SE\n",
		"title\n\nname\ttype\tcountry\nx\tshizo\tru\n",
		"name,type,country\n'=1+2,PRI,SE\n",
		"\xEF\xBB\xBFname,type,country\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, fe := range encodedFiles {
		if data, err := os.ReadFile(filepath.Join("testdata", fe.file)); err == nil {
			f.Add(data)
		}
	}
	f.Add(xlsxFile(f, [][]any{{"Name", "Type", "Country", "Capacity"}, {"Kumla", "PRI", "SE", 400}, {"X", "Y", "Z", "w"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, problems, err := ReadPlaces(bytes.NewReader(data), "fuzz", ReadOptions{MaxBytes: 1 << 20})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fault.KindOf(err) != fault.Invalid || !strings.HasPrefix(fe.Fault.Code, "error.import.") {
				t.Fatalf("error %v is not an import fault", err)
			}
			if rows != nil || problems != nil {
				t.Fatal("rows or problems with an error")
			}
			return
		}
		// A file with a header and at least one data row says something
		// about each row: it became a place, or it has a problem.
		if len(rows) == 0 && len(problems) == 0 {
			t.Fatal("no rows and no problems")
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Errorf("row on line %d", r.Line)
			}
			if err := r.Place.Validate(); err != nil {
				t.Errorf("line %d: invalid place returned: %v", r.Line, err)
			}
		}
		for _, p := range problems {
			if p.Line < 1 || !strings.HasPrefix(p.Code, "error.") || utf8.RuneCountInString(p.Value) > maxValue {
				t.Errorf("problem %+v", p)
			}
		}
	})
}
