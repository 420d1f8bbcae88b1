package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/tilsyn/tilsyn/internal/demo"
	"github.com/tilsyn/tilsyn/internal/exchange"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

// storeArgs are the flags that name an engine's test store.
func storeArgs(cfg sqldb.Config) []string {
	if cfg.URL != "" {
		return []string{"--db", cfg.URL}
	}
	return []string{"--data", cfg.DataDir}
}

func placeTotal(t *testing.T, cfg sqldb.Config) int {
	t.Helper()
	db, err := sqldb.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	o, err := db.OrgBySlug(context.Background(), demo.OrgSlug)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := db.Places(context.Background(), o.ID, place.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return pg.Total
}

// TestImportIsAllOrNothing exports the demo registry, imports it back (every
// row an update), then imports a Lithuanian Windows-1257 file with one bad
// row among good ones: it names the line and column and writes nothing.
func TestImportIsAllOrNothing(t *testing.T) {
	for _, e := range sqldbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			cfg := e.Config(t)
			store := storeArgs(cfg)
			dir := t.TempDir()
			if _, _, err := runCmd(t, noEnv, "", append([]string{"seed"}, store...)...); err != nil {
				t.Fatal(err)
			}
			before := placeTotal(t, cfg)
			for _, format := range exchange.Formats {
				out := filepath.Join(dir, "places."+format)
				if _, _, err := runCmd(t, noEnv, "", append([]string{"export", "places", "--format", format, "--output", out}, store...)...); err != nil {
					t.Fatalf("export %s: %v", format, err)
				}
				if fi, err := os.Stat(out); err != nil || fi.Size() < 1000 {
					t.Fatalf("export %s wrote %v bytes", format, fi)
				}
			}
			out, _, err := runCmd(t, noEnv, "", append([]string{"import", "places", filepath.Join(dir, "places.xlsx")}, store...)...)
			if err != nil || !strings.Contains(out, "0 places created, 60 updated") {
				t.Fatalf("re-import of the export: %v %q", err, out)
			}

			text := "Pavadinimas;Tipas;Šalis;Apskritis;Kodas\n" +
				"Marijampolės pataisos namai;pataisos namai;Lietuva;Marijampolės apskritis;LT-X-1\n" +
				"Kybartų kolonija;kolonija;Lietuva;Marijampolės apskritis;LT-X-2\n" +
				"Šiaulių areštinė;areštinė;Lietuva;Šiaulių apskritis;LT-X-3\n"
			enc, err := charmap.Windows1257.NewEncoder().String(text)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "vietos.csv")
			if err := os.WriteFile(file, []byte(enc), 0o644); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			err = run(context.Background(), append([]string{"tilsyn", "import", "places", file}, store...), noEnv, strings.NewReader(""), &bytes.Buffer{}, &stderr)
			if err == nil || !strings.Contains(err.Error(), "1 problem; nothing was imported") {
				t.Fatalf("import with a bad row: %v", err)
			}
			if !strings.Contains(stderr.String(), "vietos.csv:3: Tipas:") || !strings.Contains(stderr.String(), `"kolonija"`) {
				t.Errorf("the problem does not name line 3, column Tipas and the value:\n%s", stderr.String())
			}
			if after := placeTotal(t, cfg); after != before {
				t.Errorf("%d places after a refused import, want %d", after, before)
			}
			// The same file without the bad row goes in whole.
			good := strings.Replace(text, "Kybartų kolonija;kolonija;", "Kybartų kolonija;pataisos namai;", 1)
			enc, _ = charmap.Windows1257.NewEncoder().String(good)
			if err := os.WriteFile(file, []byte(enc), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, _, err := runCmd(t, noEnv, "", append([]string{"import", "places", file, "--dry-run"}, store...)...); err != nil || !strings.Contains(out, "3 places would be created") {
				t.Fatalf("dry run: %v %q", err, out)
			}
			if after := placeTotal(t, cfg); after != before {
				t.Errorf("the dry run wrote: %d places", after)
			}
			if out, _, err := runCmd(t, noEnv, "", append([]string{"import", "places", file}, store...)...); err != nil || !strings.Contains(out, "3 places created") {
				t.Fatalf("import: %v %q", err, out)
			}
			if after := placeTotal(t, cfg); after != before+3 {
				t.Errorf("%d places after importing 3, want %d", after, before+3)
			}
		})
	}
}

func TestImportRefusesWhatIsNotATable(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCmd(t, noEnv, "", "seed", "--data", dir); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "photo.csv")
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(big, bytes.Repeat([]byte("a,b,c\n"), 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "places", png, "--data", dir}, "photo.csv"},
		{[]string{"import", "places", big, "--data", dir, "--max-size", "1000"}, "big.csv"},
		{[]string{"import", "places", filepath.Join(dir, "missing.csv"), "--data", dir}, "missing.csv"},
		{[]string{"import", "places", "--data", dir}, "give FILE"},
		{[]string{"export", "places", "--format", "pdf", "--data", dir}, "--format"},
	} {
		if _, _, err := runCmd(t, noEnv, "", c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("tilsyn %s: %v, want an error naming %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}
