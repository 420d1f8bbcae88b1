// Package demo fills an empty store with a fictional but realistic data set:
// the demo organisation, its users and places in all four countries. The
// same scale always gives the same records (identifiers aside).
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb"
)

// Scale is the size of a demo data set.
type Scale string

const (
	Small  Scale = "small"  // the demo and the tests
	Medium Scale = "medium" // a tenth of large, for benchmarks
	Large  Scale = "large"  // what a big network holds after years of work
)

// Places is how many places each scale has.
func (s Scale) Places() int {
	switch s {
	case Medium:
		return 1_000
	case Large:
		return 10_000
	}
	return 60
}

// ParseScale reads a scale name.
func ParseScale(s string) (Scale, error) {
	switch Scale(s) {
	case Small, Medium, Large:
		return Scale(s), nil
	}
	return "", fmt.Errorf("unknown scale %q: use small, medium or large", s)
}

// The demo organisation and its accounts.
const (
	OrgSlug = "demo"
	OrgName = "Demo Monitoring Network"
	Admin   = "admin@demo.example"
	// Coordinator is the login the demo offers first: administrators must
	// set up a second factor before anything else, a coordinator need not.
	Coordinator = "coordinator@demo.example"
	Password    = "tilsyn-demo-2026" // demo data only
)

// Users are the demo accounts, one per role worth trying.
var Users = []struct {
	Email string
	Name  string
	Role  account.Role
}{
	{Admin, "Ada Administrator", account.Admin},
	{Coordinator, "Kari Koordinator", account.Coordinator},
	{"monitor@demo.example", "Mikael Monitor", account.Monitor},
	{"viewer@demo.example", "Vera Viewer", account.Viewer},
}

// Summary says what Seed created.
type Summary struct {
	Created   bool // false when the store already had the demo organisation
	Places    int
	Snapshots int
}

// Seed creates the demo data set at scale in one transaction, unless the
// store already has the demo organisation.
func Seed(ctx context.Context, db *sqldb.DB, scale Scale, now time.Time) (Summary, error) {
	if _, err := db.OrgBySlug(ctx, OrgSlug); err == nil {
		return Summary{}, nil
	} else if !fault.Is(err, fault.NotFound) {
		return Summary{}, err
	}
	hash, err := account.HashPassword(Password)
	if err != nil {
		return Summary{}, err
	}
	places := Places(scale)
	err = db.WithTx(ctx, func(tx *sqldb.Tx) error {
		org, err := tx.CreateOrg(ctx, account.Org{Slug: OrgSlug, Name: OrgName, Country: "NO", Lang: "en"}, now)
		if err != nil {
			return err
		}
		for i, u := range Users {
			// Memberships are made in order, a microsecond apart, so the
			// first is each user's landing organisation.
			if _, err := tx.CreateUser(ctx, account.User{Email: u.Email, Name: u.Name, PasswordHash: hash}, org.ID, u.Role, now.Add(time.Duration(i)*time.Microsecond)); err != nil {
				return err
			}
		}
		rng := rand.New(rand.NewPCG(7, uint64(scale.Places())))
		for _, p := range places {
			created, err := tx.CreatePlace(ctx, org.ID, p, "", now)
			if err != nil {
				return fmt.Errorf("demo place %q: %w", p.Name, err)
			}
			for _, snap := range population(rng, created, scale.Snapshots(), now) {
				if _, err := tx.AddPopulation(ctx, created.ID, snap, "", now); err != nil {
					return fmt.Errorf("demo population: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	if err := db.Analyze(ctx); err != nil {
		return Summary{}, fmt.Errorf("analyze: %w", err)
	}
	return Summary{Created: true, Places: len(places), Snapshots: len(places) * scale.Snapshots()}, nil
}

// Places returns the demo places of a scale: every country, every type that
// exists there, fictional names that read like real ones.
func Places(scale Scale) []place.Place {
	rng := rand.New(rand.NewPCG(2026, uint64(scale.Places())))
	n := scale.Places()
	out := make([]place.Place, 0, n)
	used := map[string]int{}
	for i := 0; len(out) < n; i++ {
		c := place.Countries[i%len(place.Countries)]
		ts := typesIn[c]
		t := ts[rng.IntN(len(ts))]
		if i < 4*len(place.Types) { // first rounds: every type of every country
			t = ts[(i/len(place.Countries))%len(ts)]
		}
		town := towns[c][rng.IntN(len(towns[c]))]
		name := nameFor(c, t, town, rng)
		used[name]++
		if k := used[name]; k > 1 {
			name = fmt.Sprintf("%s (%d)", name, k)
		}
		p := place.Place{Name: name, Type: t, Country: c, Region: town.region, Address: town.address(rng),
			Authority: authorities[c][t], Status: place.Active, OfficialID: fmt.Sprintf("%s-%s-%05d", c, t, i+1)}
		p.Categories = held[t].categories
		capacity := held[t].capacity/2 + rng.IntN(held[t].capacity+1)
		p.Capacity = &capacity
		if ll, ok := where[town.name]; ok {
			lat := math.Round((ll[0]+rng.Float64()*0.1-0.05)*1e5) / 1e5
			lon := math.Round((ll[1]+rng.Float64()*0.2-0.1)*1e5) / 1e5
			p.Lat, p.Lon = &lat, &lon
		}
		en := town.name
		if l, ok := latin[town.name]; ok {
			en = l
		}
		p.Names = []place.LocalName{{Lang: "en", Name: en + ": " + englishType[t]}}
		if rng.IntN(20) == 0 {
			p.Status = place.Closed
		}
		out = append(out, p)
	}
	return out
}

// englishType is each type's English name, for the places' English names.
var englishType = map[place.Type]string{
	"POL-CUS": "police custody", "POL-ADM": "administrative detention", "PTD": "remand prison", "PRI": "prison", "PRI-ISO": "isolation unit",
	"PRI-MED": "prison hospital", "JUV": "closed institution for children", "MIG": "immigration detention centre", "PSY": "psychiatric ward",
	"SOC": "care home", "SUB": "addiction treatment centre", "MIL": "military detention", "OTH": "holding facility",
}

// Snapshots is how many yearly population snapshots each demo place gets.
func (s Scale) Snapshots() int {
	if s == Large {
		return 10 // 100,000 in all
	}
	return 4
}

// population makes yearly snapshots ending last year, around the capacity.
func population(rng *rand.Rand, p place.Place, n int, now time.Time) []place.Snapshot {
	var out []place.Snapshot
	capacity := 10
	if p.Capacity != nil {
		capacity = *p.Capacity
	}
	for y := n; y >= 1; y-- {
		head := capacity*(80+rng.IntN(45))/100 + 1
		staff := max(1, capacity/(3+rng.IntN(3)))
		c := capacity
		out = append(out, place.Snapshot{Date: fmt.Sprintf("%d-01-15", now.Year()-y), Capacity: &c, Headcount: &head, Staff: &staff, Source: "demo"})
	}
	return out
}

// typesIn lists the place types that exist in each country.
var typesIn = func() map[place.Country][]place.Type {
	m := map[place.Country][]place.Type{}
	for _, ti := range place.Types {
		for c := range ti.National {
			m[c] = append(m[c], ti.Code)
		}
	}
	for _, c := range place.Countries { // map order is random: sort by vocabulary order
		var sorted []place.Type
		for _, ti := range place.Types {
			for _, t := range m[c] {
				if t == ti.Code {
					sorted = append(sorted, t)
				}
			}
		}
		m[c] = sorted
	}
	return m
}()
