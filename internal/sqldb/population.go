package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tilsyn/tilsyn/internal/place"
)

// AddPopulation stores a population snapshot of org's place.
func (db *DB) AddPopulation(ctx context.Context, orgID, placeID string, s place.Snapshot, by string, now time.Time) (place.Snapshot, error) {
	if err := s.Validate(now); err != nil {
		return s, err
	}
	if _, err := db.Place(ctx, orgID, placeID); err != nil {
		return s, err
	}
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		s, err = tx.AddPopulation(ctx, placeID, s, by, now)
		return err
	})
	return s, err
}

// AddPopulation stores a snapshot of a place known to exist (imports, demo);
// by is who recorded it.
func (tx *Tx) AddPopulation(ctx context.Context, placeID string, s place.Snapshot, by string, now time.Time) (place.Snapshot, error) {
	if err := s.Validate(now); err != nil {
		return s, err
	}
	s.ID, s.PlaceID, s.CreatedAt = NewID(), placeID, utc(now)
	_, err := tx.exec(ctx, `INSERT INTO place_population (id, place_id, on_date, capacity, headcount, staff, source, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, s.PlaceID, s.Date, nullInt(s.Capacity), nullInt(s.Headcount), nullInt(s.Staff), s.Source, by, s.CreatedAt)
	if err != nil {
		return s, fmt.Errorf("insert population: %w", err)
	}
	return s, nil
}

// Population returns the snapshots of org's place, oldest first.
func (db *DB) Population(ctx context.Context, orgID, placeID string) ([]place.Snapshot, error) {
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT s.id, s.place_id, s.on_date, s.capacity, s.headcount, s.staff, s.source, s.created_at
		FROM place_population s JOIN places p ON p.id = s.place_id WHERE s.place_id = ? AND p.org_id = ? ORDER BY s.on_date, s.created_at`), placeID, orgID)
	if err != nil {
		return nil, fmt.Errorf("population: %w", err)
	}
	defer rows.Close()
	out := []place.Snapshot{}
	for rows.Next() {
		var s place.Snapshot
		var capacity, headcount, staff sql.NullInt64
		if err := rows.Scan(&s.ID, &s.PlaceID, &s.Date, &capacity, &headcount, &staff, &s.Source, &s.CreatedAt); err != nil {
			return nil, err
		}
		s.Capacity, s.Headcount, s.Staff = intPtr(capacity), intPtr(headcount), intPtr(staff)
		s.CreatedAt = s.CreatedAt.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}
