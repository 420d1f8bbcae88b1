package sqldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

var now = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// each runs fn against a fresh, migrated store of every engine.
func each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	for _, e := range sqldbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, sqldbtest.Open(t, e))
		})
	}
}

func newOrg(t *testing.T, db *sqldb.DB, slug string) account.Org {
	t.Helper()
	var o account.Org
	err := db.WithTx(context.Background(), func(tx *sqldb.Tx) error {
		var err error
		o, err = tx.CreateOrg(context.Background(), account.Org{Slug: slug, Name: slug}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		n, err := db.Migrate(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestPlaceRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		org := newOrg(t, db, "npm")
		p, err := db.CreatePlace(ctx, org.ID, place.Place{Name: " Šiaulių tardymo izoliatorius ", Type: "ptd", Country: "lt", Region: "Šiaulių apskritis"}, "", now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Place(ctx, org.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Šiaulių tardymo izoliatorius" || got.Type != "PTD" || got.Country != "LT" || got.Version != 1 || !got.CreatedAt.Equal(now) {
			t.Errorf("stored %+v", got)
		}

		got.Address = "Vilniaus g. 1"
		upd, err := db.UpdatePlace(ctx, org.ID, got, "", now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if upd.Version != 2 || upd.Address != "Vilniaus g. 1" || !upd.UpdatedAt.Equal(now.Add(time.Hour)) {
			t.Errorf("updated %+v", upd)
		}
		// An edit based on version 1 must not overwrite version 2.
		got.Name = "Stale"
		if _, err := db.UpdatePlace(ctx, org.ID, got, "", now); !fault.Is(err, fault.Conflict) {
			t.Errorf("stale update: err = %v, want conflict", err)
		}
		if again, _ := db.Place(ctx, org.ID, p.ID); again.Name != upd.Name {
			t.Errorf("stale update wrote %q", again.Name)
		}
	})
}

func TestPlaceBelongsToItsOrg(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a, b := newOrg(t, db, "a"), newOrg(t, db, "b")
		p, err := db.CreatePlace(ctx, a.ID, place.Place{Name: "Kumla", Type: "PRI", Country: "SE"}, "", now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Place(ctx, b.ID, p.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("other org read: err = %v, want not found", err)
		}
		p.Name = "Taken over"
		if _, err := db.UpdatePlace(ctx, b.ID, p, "", now); !fault.Is(err, fault.NotFound) {
			t.Errorf("other org update: err = %v, want not found", err)
		}
		page, err := db.Places(ctx, b.ID, place.Filter{})
		if err != nil || page.Total != 0 {
			t.Errorf("other org list = %d, %v", page.Total, err)
		}
	})
}

func TestInvalidPlaceIsNotWritten(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		org := newOrg(t, db, "npm")
		_, err := db.CreatePlace(ctx, org.ID, place.Place{Name: "", Type: "JAIL", Country: "NO"}, "", now)
		if !fault.Is(err, fault.Invalid) {
			t.Fatalf("err = %v, want invalid", err)
		}
		if page, _ := db.Places(ctx, org.ID, place.Filter{}); page.Total != 0 {
			t.Errorf("%d places written", page.Total)
		}
	})
}

func TestPlacesFilterSearchAndPaging(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		org := newOrg(t, db, "npm")
		fixtures := []place.Place{
			{Name: "Åstorp polisarrest", Type: "POL-CUS", Country: "SE"},
			{Name: "Šiaulių tardymo izoliatorius", Type: "PTD", Country: "LT"},
			{Name: "СИЗО-1 «Кресты»", Type: "PTD", Country: "RU"},
			{Name: "Bergen fengsel", Type: "PRI", Country: "NO"},
			{Name: "100% safe_place", Type: "OTH", Country: "NO"},
		}
		err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
			for _, p := range fixtures {
				if _, err := tx.CreatePlace(ctx, org.ID, p, "", now); err != nil {
					return err
				}
			}
			for i := range 23 {
				if _, err := tx.CreatePlace(ctx, org.ID, place.Place{Name: fmt.Sprintf("Fengsel %02d", i), Type: "PRI", Country: "NO"}, "", now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			f     place.Filter
			total int
			first string
		}{
			{place.Filter{Query: "siauliu"}, 1, "Šiaulių tardymo izoliatorius"},
			{place.Filter{Query: "ASTORP"}, 1, "Åstorp polisarrest"},
			{place.Filter{Query: "кресты"}, 1, "СИЗО-1 «Кресты»"},
			{place.Filter{Query: "%"}, 1, "100% safe_place"},
			{place.Filter{Query: "_"}, 1, "100% safe_place"},
			{place.Filter{Type: "PTD"}, 2, "Šiaulių tardymo izoliatorius"},
			{place.Filter{Country: "NO", Type: "PRI"}, 24, "Bergen fengsel"},
			{place.Filter{Country: "DE"}, 0, ""},
		}
		for _, tt := range tests {
			page, err := db.Places(ctx, org.ID, tt.f)
			if err != nil {
				t.Fatalf("%+v: %v", tt.f, err)
			}
			first := ""
			if len(page.Places) > 0 {
				first = page.Places[0].Name
			}
			if page.Total != tt.total || first != tt.first {
				t.Errorf("%+v: total %d first %q; want %d %q", tt.f, page.Total, first, tt.total, tt.first)
			}
		}

		// Walking the pages returns every place once, in order.
		seen := map[string]bool{}
		f := place.Filter{Limit: 5}
		var last string
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			page, err := db.Places(ctx, org.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page.Places {
				if seen[p.ID] {
					t.Fatalf("%s seen twice", p.Name)
				}
				if k := place.Fold(p.Name); k < last {
					t.Fatalf("%q after %q", k, last)
				} else {
					last = k
				}
				seen[p.ID] = true
			}
			if page.Next == "" {
				break
			}
			f.After = page.Next
		}
		if len(seen) != 28 {
			t.Errorf("paging returned %d places, want 28", len(seen))
		}
		if _, err := db.Places(ctx, org.ID, place.Filter{After: "!!"}); !fault.Is(err, fault.Invalid) {
			t.Errorf("bad cursor: err = %v, want invalid", err)
		}
	})
}

func TestTxRollsBackEverything(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		org := newOrg(t, db, "npm")
		err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.CreatePlace(ctx, org.ID, place.Place{Name: "First", Type: "PRI", Country: "NO"}, "", now); err != nil {
				return err
			}
			_, err := tx.CreatePlace(ctx, org.ID, place.Place{Name: "Second", Type: "NOPE", Country: "NO"}, "", now)
			return err
		})
		if !fault.Is(err, fault.Invalid) {
			t.Fatalf("err = %v", err)
		}
		if page, _ := db.Places(ctx, org.ID, place.Filter{}); page.Total != 0 {
			t.Errorf("%d places survived the rollback", page.Total)
		}
	})
}

func TestSessionsAndTokens(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		org := newOrg(t, db, "npm")
		u, err := db.CreateUser(ctx, account.User{Email: "Anna@Example.org", PasswordHash: "x"}, org.ID, account.Monitor, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, account.User{Email: "anna@example.org", PasswordHash: "x"}, org.ID, account.Viewer, now); !fault.Is(err, fault.Conflict) {
			t.Errorf("duplicate email: err = %v, want conflict", err)
		}
		if got, err := db.UserByEmail(ctx, " ANNA@example.org"); err != nil || got.ID != u.ID {
			t.Errorf("UserByEmail = %v, %v", got.ID, err)
		}

		secret := account.NewSecret("ts_")
		if _, err := db.CreateSession(ctx, account.HashSecret(secret), account.Session{UserID: u.ID, OrgID: org.ID, MFAOK: true}, now); err != nil {
			t.Fatal(err)
		}
		m, err := db.SessionMember(ctx, account.HashSecret(secret), now.Add(10*time.Minute), account.DefaultLimits)
		if err != nil || m.User.ID != u.ID || m.Org.ID != org.ID || m.Role != account.Monitor {
			t.Fatalf("SessionMember = %+v, %v", m, err)
		}
		// Activity at 10 minutes keeps it alive at 35 minutes.
		if _, err := db.SessionMember(ctx, account.HashSecret(secret), now.Add(35*time.Minute), account.DefaultLimits); err != nil {
			t.Errorf("active session refused: %v", err)
		}
		if _, err := db.SessionMember(ctx, account.HashSecret(secret), now.Add(80*time.Minute), account.DefaultLimits); !fault.Is(err, fault.Unauthorized) {
			t.Errorf("idle session: err = %v, want unauthorized", err)
		}
		if _, err := db.SessionMember(ctx, account.HashSecret(secret), now.Add(36*time.Minute), account.DefaultLimits); !fault.Is(err, fault.Unauthorized) {
			t.Errorf("an expired session came back: err = %v", err)
		}

		tok := account.NewSecret("tt_")
		if _, err := db.CreateToken(ctx, account.Token{UserID: u.ID, OrgID: org.ID, Name: "cli", Scope: account.ScopeRead}, account.HashSecret(tok), now); err != nil {
			t.Fatal(err)
		}
		m, err = db.TokenMember(ctx, account.HashSecret(tok), now)
		if err != nil || m.Scope != account.ScopeRead || m.User.ID != u.ID {
			t.Errorf("TokenMember = %+v, %v", m, err)
		}
		if _, err := db.TokenMember(ctx, account.HashSecret("tt_wrong"), now); !fault.Is(err, fault.Unauthorized) {
			t.Errorf("unknown token: err = %v", err)
		}
	})
}

// On SQLite every write goes through one connection, so concurrent writers
// queue rather than fail with "database is locked".
func TestConcurrentWriters(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		org := newOrg(t, db, "npm")
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			wg.Go(func() {
				_, err := db.CreatePlace(ctx, org.ID, place.Place{Name: fmt.Sprintf("P%d", i), Type: "PRI", Country: "NO"}, "", now)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if page, _ := db.Places(ctx, org.ID, place.Filter{}); page.Total != 40 {
			t.Errorf("total %d, want 40", page.Total)
		}
	})
}

// Every order pages through every place once, in that order.
func TestPlacesSortsAndPages(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		org := newOrg(t, db, "npm")
		types := []place.Type{"PRI", "PTD", "MIG"}
		for i := range 17 {
			c := place.Countries[i%4]
			if _, err := db.CreatePlace(ctx, org.ID, place.Place{Name: fmt.Sprintf("Place %02d", 16-i), Type: types[i%3], Country: c}, "", now.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		for _, sort := range []string{"name", "country", "type", "updated"} {
			var all []place.Place
			f := place.Filter{Sort: sort, Limit: 4}
			for range 10 {
				pg, err := db.Places(ctx, org.ID, f)
				if err != nil {
					t.Fatalf("%s: %v", sort, err)
				}
				all = append(all, pg.Places...)
				if pg.Next == "" {
					break
				}
				f.After = pg.Next
			}
			if len(all) != 17 {
				t.Fatalf("%s: paged %d places, want 17", sort, len(all))
			}
			for i := 1; i < len(all); i++ {
				a, b := all[i-1], all[i]
				var ok bool
				switch sort {
				case "name":
					ok = a.Name < b.Name
				case "country":
					ok = a.Country < b.Country || (a.Country == b.Country && a.Name < b.Name)
				case "type":
					ok = a.Type < b.Type || (a.Type == b.Type && a.Name < b.Name)
				case "updated":
					ok = !a.UpdatedAt.Before(b.UpdatedAt)
				}
				if !ok {
					t.Errorf("%s: %q (%s %s) before %q (%s %s)", sort, a.Name, a.Country, a.Type, b.Name, b.Country, b.Type)
				}
			}
		}
		if _, err := db.Places(ctx, org.ID, place.Filter{Sort: "size"}); !fault.Is(err, fault.Invalid) {
			t.Errorf("unknown sort: %v", err)
		}
		pg, _ := db.Places(ctx, org.ID, place.Filter{Sort: "name", Limit: 4})
		if _, err := db.Places(ctx, org.ID, place.Filter{Sort: "type", After: pg.Next}); !fault.Is(err, fault.Invalid) {
			t.Errorf("a cursor of another order: %v", err)
		}
	})
}
