package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tilsyn/tilsyn/internal/place"
)

// DueCandidates returns org's places in use (not closed, not archived),
// filtered by country and type when given, with what ranking needs: the
// latest population figures. Visits, findings and allegations join in as
// those capabilities land.
func (db *DB) DueCandidates(ctx context.Context, orgID string, country place.Country, typ place.Type) ([]place.Candidate, error) {
	where := []string{"p.org_id = ?", "p.archived_at IS NULL", "p.status <> 'closed'"}
	args := []any{orgID}
	if country != "" {
		where = append(where, "p.country = ?")
		args = append(args, string(country))
	}
	if typ != "" {
		where = append(where, "p.type = ?")
		args = append(args, string(typ))
	}
	latest := `(SELECT s.%s FROM place_population s WHERE s.place_id = p.id AND s.headcount IS NOT NULL AND s.capacity IS NOT NULL ORDER BY s.on_date DESC LIMIT 1)`
	cols := "p." + strings.ReplaceAll(placeColumns, ", ", ", p.")
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT `+cols+`, `+fmt.Sprintf(latest, "headcount")+`, `+fmt.Sprintf(latest, "capacity")+`
		FROM places p WHERE `+strings.Join(where, " AND ")), args...)
	if err != nil {
		return nil, fmt.Errorf("due candidates: %w", err)
	}
	defer rows.Close()
	var out []place.Candidate
	for rows.Next() {
		var pr placeRow
		var head, capacity sql.NullInt64
		if err := rows.Scan(append(pr.dest(), &head, &capacity)...); err != nil {
			return nil, err
		}
		p, err := pr.place()
		if err != nil {
			return nil, err
		}
		c := place.Candidate{Place: p, Occupancy: -1}
		if head.Valid && capacity.Valid && capacity.Int64 > 0 {
			c.Occupancy = int(head.Int64 * 100 / capacity.Int64)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Intervals returns the organisation's visit interval, in months, for each
// place type it has set.
func (db *DB) Intervals(ctx context.Context, orgID string) (map[place.Type]int, error) {
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT type, months FROM visit_intervals WHERE org_id = ?`), orgID)
	if err != nil {
		return nil, fmt.Errorf("intervals: %w", err)
	}
	defer rows.Close()
	out := map[place.Type]int{}
	for rows.Next() {
		var t string
		var m int
		if err := rows.Scan(&t, &m); err != nil {
			return nil, err
		}
		out[place.Type(t)] = m
	}
	return out, rows.Err()
}

// SetIntervals replaces the organisation's visit intervals, in one transaction.
func (db *DB) SetIntervals(ctx context.Context, orgID string, months map[place.Type]int) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, tx.d.bind(`DELETE FROM visit_intervals WHERE org_id = ?`), orgID); err != nil {
			return err
		}
		for t, m := range months {
			if _, err := tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO visit_intervals (org_id, type, months) VALUES (?, ?, ?)`), orgID, string(t), m); err != nil {
				return fmt.Errorf("set interval: %w", err)
			}
		}
		return nil
	})
}
