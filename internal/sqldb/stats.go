package sqldb

import (
	"context"
	"fmt"

	"github.com/tilsyn/tilsyn/internal/place"
)

// PlaceCounts returns how many places org has in each country.
func (db *DB) PlaceCounts(ctx context.Context, orgID string) (map[place.Country]int, error) {
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT country, COUNT(*) FROM places WHERE org_id = ? GROUP BY country`), orgID)
	if err != nil {
		return nil, fmt.Errorf("count places: %w", err)
	}
	defer rows.Close()
	out := map[place.Country]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[place.Country(c)] = n
	}
	return out, rows.Err()
}

// PlaceValues returns the distinct non-empty values of a place column
// ("region" or "authority") in org's registry, for filter lists.
func (db *DB) PlaceValues(ctx context.Context, orgID, column string) ([]string, error) {
	if column != "region" && column != "authority" {
		return nil, fmt.Errorf("place values: no column %q", column)
	}
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT DISTINCT `+column+` FROM places WHERE org_id = ? AND archived_at IS NULL AND `+column+` <> '' ORDER BY `+column), orgID)
	if err != nil {
		return nil, fmt.Errorf("place values: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
