package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

// AddAttachment stores a cleaned file with org's place.
func (db *DB) AddAttachment(ctx context.Context, orgID string, a place.Attachment, now time.Time) (place.Attachment, error) {
	if err := a.Validate(); err != nil {
		return a, err
	}
	if _, err := db.Place(ctx, orgID, a.PlaceID); err != nil {
		return a, err
	}
	a.ID, a.CreatedAt, a.Size = NewID(), utc(now), int64(len(a.Data))
	_, err := db.w.ExecContext(ctx, db.d.bind(`INSERT INTO place_attachments (id, place_id, name, content_type, size, people_visible, data, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), a.ID, a.PlaceID, a.Name, a.ContentType, a.Size, a.PeopleVisible, a.Data, a.CreatedBy, a.CreatedAt)
	if err != nil {
		return a, fmt.Errorf("insert attachment: %w", err)
	}
	return a, nil
}

// Attachments lists the files of org's place, newest first, without their data.
func (db *DB) Attachments(ctx context.Context, orgID, placeID string) ([]place.Attachment, error) {
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT a.id, a.place_id, a.name, a.content_type, a.size, a.people_visible, COALESCE(u.email, ''), a.created_at
		FROM place_attachments a JOIN places p ON p.id = a.place_id LEFT JOIN users u ON u.id = a.created_by
		WHERE a.place_id = ? AND p.org_id = ? ORDER BY a.created_at DESC, a.id DESC`), placeID, orgID)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	var out []place.Attachment
	for rows.Next() {
		var a place.Attachment
		if err := rows.Scan(&a.ID, &a.PlaceID, &a.Name, &a.ContentType, &a.Size, &a.PeopleVisible, &a.CreatedBy, &a.CreatedAt); err != nil {
			return nil, err
		}
		a.CreatedAt = a.CreatedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// Attachment returns one file of org's place, with its data.
func (db *DB) Attachment(ctx context.Context, orgID, placeID, id string) (place.Attachment, error) {
	var a place.Attachment
	err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT a.id, a.place_id, a.name, a.content_type, a.size, a.people_visible, a.data, a.created_at
		FROM place_attachments a JOIN places p ON p.id = a.place_id WHERE a.id = ? AND a.place_id = ? AND p.org_id = ?`), id, placeID, orgID).
		Scan(&a.ID, &a.PlaceID, &a.Name, &a.ContentType, &a.Size, &a.PeopleVisible, &a.Data, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fault.NotFoundError("attachment")
	}
	return a, err
}
