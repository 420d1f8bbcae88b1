package demo

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

func TestPlacesAreDeterministicAndCoverEveryTypeAndCountry(t *testing.T) {
	a, b := Places(Small), Places(Small)
	if len(a) != Small.Places() {
		t.Fatalf("%d places, want %d", len(a), Small.Places())
	}
	seen := map[place.Country]map[place.Type]bool{}
	names := map[string]bool{}
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Fatalf("place %d differs between runs: %+v vs %+v", i, a[i], b[i])
		}
		if err := a[i].Validate(); err != nil {
			t.Errorf("%+v: %v", a[i], err)
		}
		if names[a[i].Name] {
			t.Errorf("name %q used twice", a[i].Name)
		}
		names[a[i].Name] = true
		if seen[a[i].Country] == nil {
			seen[a[i].Country] = map[place.Type]bool{}
		}
		seen[a[i].Country][a[i].Type] = true
	}
	for _, c := range place.Countries {
		if len(seen[c]) != len(typesIn[c]) {
			t.Errorf("%s: %d of its %d types", c, len(seen[c]), len(typesIn[c]))
		}
	}
}

func TestSeedOnceOnEveryEngine(t *testing.T) {
	for _, e := range sqldbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := sqldbtest.Open(t, e)
			now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
			sum, err := Seed(ctx, db, Small, now)
			if err != nil || !sum.Created || sum.Places != Small.Places() {
				t.Fatalf("Seed = %+v, %v", sum, err)
			}
			again, err := Seed(ctx, db, Small, now)
			if err != nil || again.Created {
				t.Fatalf("second Seed = %+v, %v; want nothing created", again, err)
			}
			u, err := db.UserByEmail(ctx, Admin)
			if err != nil || !account.CheckPassword(u.PasswordHash, Password) {
				t.Fatalf("demo admin: %v", err)
			}
			m, err := db.FirstMembership(ctx, u.ID)
			if err != nil || m.Org.Slug != OrgSlug || m.Role != account.Admin {
				t.Errorf("demo admin membership = %+v, %v", m, err)
			}
			counts, err := db.PlaceCounts(ctx, m.Org.ID)
			if err != nil || counts["NO"]+counts["SE"]+counts["LT"]+counts["RU"] != Small.Places() || counts["RU"] == 0 {
				t.Errorf("counts = %v, %v", counts, err)
			}
		})
	}
}
