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
