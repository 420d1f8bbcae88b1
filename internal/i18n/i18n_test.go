package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func catalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every language has every message of the English catalog.
func TestCatalogsAreComplete(t *testing.T) {
	c := catalog(t)
	for _, lang := range Languages[1:] {
		var missing []string
		for _, id := range c.IDs("en") {
			if !c.Has(lang, id) {
				missing = append(missing, id)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s lacks %d messages: %s", lang, len(missing), strings.Join(missing, ", "))
		}
		for _, id := range c.IDs(lang) {
			if !c.Has("en", id) {
				t.Errorf("%s has %q, which English does not", lang, id)
			}
		}
	}
}

// Every message id the code and templates use is in the English catalog.
func TestUsedMessagesExist(t *testing.T) {
	c := catalog(t)
	ids := map[string]string{} // id → where it is used
	templateCall := regexp.MustCompile(`\b(?:t|tn)\s+"([a-z_.A-Z0-9-]+)"`)
	codeLiteral := regexp.MustCompile(`"((?:error|placetype|country|role|flash)\.[a-z_.A-Z0-9-]+)"`)
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		isTemplate := strings.HasSuffix(p, ".html")
		if !isTemplate && (!strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go")) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		re := codeLiteral
		if isTemplate {
			re = templateCall
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") {
				ids[m[1]] = p
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 40 {
		t.Fatalf("found only %d message ids in use; is the scan broken?", len(ids))
	}
	for id, where := range ids {
		if !c.Has("en", id) {
			t.Errorf("%s uses %q, which is not in locales/en.toml", where, id)
		}
	}
}

func TestPlurals(t *testing.T) {
	c := catalog(t)
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 place"}, {"en", 2, "2 places"},
		{"ru", 1, "1 место"}, {"ru", 3, "3 места"}, {"ru", 5, "5 мест"}, {"ru", 21, "21 место"}, {"ru", 11, "11 мест"},
		{"lt", 1, "1 vieta"}, {"lt", 2, "2 vietos"}, {"lt", 10, "10 vietų"}, {"lt", 21, "21 vieta"},
	}
	for _, tt := range tests {
		if got := c.For(tt.lang).N("places.count", tt.n); got != tt.want {
			t.Errorf("%s N(places.count, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	c := catalog(t)
	tests := []struct {
		prefs []string
		want  string
	}{
		{[]string{"", "ru-RU,ru;q=0.9,en;q=0.8"}, "ru"},
		{[]string{"sv", "ru"}, "sv"},
		{[]string{"", "no"}, "nb"},
		{[]string{"", "nn-NO"}, "nb"},
		{[]string{"", "lt-LT"}, "lt"},
		{[]string{"de", "fr-FR,de"}, "en"},
		{[]string{"", "garbage;;;q=x"}, "en"},
	}
	for _, tt := range tests {
		if got := c.Match(tt.prefs...); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.prefs, got, tt.want)
		}
	}
}

func TestMissingMessageShowsItsID(t *testing.T) {
	if got := catalog(t).For("ru").T("no.such.message"); got != "no.such.message" {
		t.Errorf("missing message rendered as %q", got)
	}
}
