package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/api"
	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/demo"
	"github.com/tilsyn/tilsyn/internal/i18n"
	"github.com/tilsyn/tilsyn/internal/perftest"
	"github.com/tilsyn/tilsyn/internal/sqldb"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

// benchPlacesFilter is the filtered list the benchmarks ask for: one country
// and a word that a few hundred of its 2,500 places carry in their names.
const benchPlacesFilter = "country=LT&q=pataisos"

// BenchmarkPlacesList measures the places list over the large demo data set
// (10,000 places) on every engine: the JSON API and the HTML page, first page
// and filtered. The handler is called directly, so the figures are the
// server's own time without a network. Besides ns/op it reports the median
// and 95th percentile of the single requests (p50-ms, p95-ms).
//
//	go test ./internal/web/ -run '^$' -bench PlacesList -benchtime 200x -count 1
func BenchmarkPlacesList(b *testing.B) {
	for _, e := range sqldbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			cfg := e.Config(b)
			db, err := sqldb.Open(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			if sum, err := demo.Seed(ctx, db, demo.Large, now); err != nil || sum.Places != demo.Large.Places() {
				b.Fatalf("seed %s: %+v, %v", e.Name, sum, err)
			}
			if cfg.URL != "" {
				benchVacuumAnalyze(b, cfg.URL)
			}
			cat, err := i18n.New()
			if err != nil {
				b.Fatal(err)
			}
			srv, err := NewServer(Deps{Places: db, Accounts: db, Audit: db, Health: db.Ping, Catalog: cat, OpenAPI: api.OpenAPI})
			if err != nil {
				b.Fatal(err)
			}
			u, err := db.UserByEmail(ctx, demo.Coordinator)
			if err != nil {
				b.Fatal(err)
			}
			m, err := db.FirstMembership(ctx, u.ID)
			if err != nil {
				b.Fatal(err)
			}
			token := account.NewSecret("tt_")
			if _, err := db.CreateToken(ctx, account.Token{UserID: u.ID, OrgID: m.Org.ID, Name: "benchmark", Scope: account.ScopeRead}, account.HashSecret(token), now); err != nil {
				b.Fatal(err)
			}
			session := account.NewSecret("ts_")
			if _, err := db.CreateSession(ctx, account.HashSecret(session), account.Session{UserID: u.ID, OrgID: m.Org.ID, MFAOK: true}, now); err != nil {
				b.Fatal(err)
			}
			bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
			cookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: sessionCookie, Value: session}) }
			b.ResetTimer()

			for _, c := range []struct {
				name, target string
				auth         func(*http.Request)
			}{
				{"api", "/api/v1/places", bearer},
				{"api-filtered", "/api/v1/places?" + benchPlacesFilter, bearer},
				{"page", "/places", cookie},
				{"page-filtered", "/places?" + benchPlacesFilter, cookie},
			} {
				b.Run(c.name, func(b *testing.B) {
					// get times ServeHTTP alone, not building the request.
					get := func() (*httptest.ResponseRecorder, time.Duration) {
						r := httptest.NewRequest(http.MethodGet, c.target, nil)
						c.auth(r)
						w := httptest.NewRecorder()
						start := time.Now()
						srv.ServeHTTP(w, r)
						return w, time.Since(start)
					}
					w, _ := get()
					benchCheckList(b, c.target, w)
					b.ReportAllocs()
					var took []time.Duration
					for b.Loop() {
						w, d := get()
						if w.Code != http.StatusOK {
							b.Fatalf("GET %s: status %d: %s", c.target, w.Code, w.Body)
						}
						took = append(took, d)
					}
					perftest.ReportPercentiles(b, took)
				})
			}
		})
	}
}

// benchVacuumAnalyze does on PostgreSQL what autovacuum does within a minute
// of a bulk load: without it, the planner sees a table it believes nearly
// empty, sorts all 10,000 places for every page, and may switch plans in the
// middle of a run. A store in use is always in this state, so the benchmark
// measures it. (SQLite keeps no statistics unless told to; Tilsyn never
// runs ANALYZE there, so neither does the benchmark.)
func benchVacuumAnalyze(b *testing.B, url string) {
	b.Helper()
	pg, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	if _, err := pg.Exec("VACUUM (ANALYZE) places"); err != nil {
		b.Fatalf("vacuum: %v", err)
	}
}

// benchCheckList makes sure, before timing, that a list answers 200 with
// places in it, so the benchmark does not time an empty or failing page.
func benchCheckList(b *testing.B, target string, w *httptest.ResponseRecorder) {
	b.Helper()
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d: %s", target, w.Code, w.Body)
	}
	if strings.HasPrefix(target, "/api/") {
		var l placeList
		if err := json.Unmarshal(w.Body.Bytes(), &l); err != nil || l.Total == 0 || len(l.Items) == 0 {
			b.Fatalf("GET %s: total %d, %d items, %v", target, l.Total, len(l.Items), err)
		}
		if testing.Verbose() {
			b.Logf("GET %s: %d places match, %d on the first page, %d bytes", target, l.Total, len(l.Items), w.Body.Len())
		}
		return
	}
	if !strings.Contains(w.Body.String(), `id="places-table"`) {
		b.Fatalf("GET %s: no table of places in the page:\n%s", target, w.Body)
	}
	if testing.Verbose() {
		b.Logf("GET %s: %d rows, %d bytes", target, strings.Count(w.Body.String(), "<tr>")-1, w.Body.Len())
	}
}
