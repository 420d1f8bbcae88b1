package sqldb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

const placeColumns = "id, org_id, name, type, country, region, address, version, created_at, updated_at"

func scanPlace(row interface{ Scan(...any) error }) (place.Place, error) {
	var p place.Place
	var typ, country string
	err := row.Scan(&p.ID, &p.OrgID, &p.Name, &typ, &country, &p.Region, &p.Address, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	p.Type, p.Country = place.Type(typ), place.Country(country)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// NewID returns a new opaque, time-ordered public identifier.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// CreatePlace validates p and stores it in org's registry with a new id.
func (db *DB) CreatePlace(ctx context.Context, orgID string, p place.Place, now time.Time) (place.Place, error) {
	var out place.Place
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.CreatePlace(ctx, orgID, p, now)
		return err
	})
	return out, err
}

// CreatePlace validates p and stores it in org's registry with a new id.
func (tx *Tx) CreatePlace(ctx context.Context, orgID string, p place.Place, now time.Time) (place.Place, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return place.Place{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	p.ID, p.OrgID, p.Version, p.CreatedAt, p.UpdatedAt = NewID(), orgID, 1, now, now
	_, err := tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO places (`+placeColumns+`, name_fold)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		p.ID, p.OrgID, p.Name, string(p.Type), string(p.Country), p.Region, p.Address, p.Version, p.CreatedAt, p.UpdatedAt, place.Fold(p.Name))
	if err != nil {
		return place.Place{}, fmt.Errorf("insert place: %w", err)
	}
	return p, nil
}

// Place returns org's place id, or a not-found fault.
func (db *DB) Place(ctx context.Context, orgID, id string) (place.Place, error) {
	p, err := scanPlace(db.r.QueryRowContext(ctx, db.d.bind(`SELECT `+placeColumns+` FROM places WHERE id = ? AND org_id = ?`), id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return place.Place{}, fault.NotFoundError("place")
	}
	if err != nil {
		return place.Place{}, fmt.Errorf("place %s: %w", id, err)
	}
	return p, nil
}

// UpdatePlace validates p and replaces the stored record, provided the stored
// version is still p.Version; otherwise it returns a conflict fault, so one
// person's edit never silently overwrites another's.
func (db *DB) UpdatePlace(ctx context.Context, orgID string, p place.Place, now time.Time) (place.Place, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return place.Place{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	res, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE places
		SET name = ?, name_fold = ?, type = ?, country = ?, region = ?, address = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND org_id = ? AND version = ?`),
		p.Name, place.Fold(p.Name), string(p.Type), string(p.Country), p.Region, p.Address, now, p.ID, orgID, p.Version)
	if err != nil {
		return place.Place{}, fmt.Errorf("update place %s: %w", p.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return place.Place{}, err
	} else if n == 0 {
		if _, err := db.Place(ctx, orgID, p.ID); err != nil {
			return place.Place{}, err
		}
		return place.Place{}, fault.ConflictError("error.place.changed")
	}
	return db.Place(ctx, orgID, p.ID)
}

// Places returns one page of org's places matching f, ordered by name.
func (db *DB) Places(ctx context.Context, orgID string, f place.Filter) (place.Page, error) {
	where := []string{"org_id = ?"}
	args := []any{orgID}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, `name_fold LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(place.Fold(q))+"%")
	}
	if f.Country != "" {
		where = append(where, "country = ?")
		args = append(args, string(f.Country))
	}
	if f.Type != "" {
		where = append(where, "type = ?")
		args = append(args, string(f.Type))
	}
	cond := strings.Join(where, " AND ")

	var page place.Page
	if err := db.r.QueryRowContext(ctx, db.d.bind("SELECT COUNT(*) FROM places WHERE "+cond), args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count places: %w", err)
	}
	if f.After != "" {
		fold, id, ok := decodeCursor(f.After)
		if !ok {
			var fe fault.Fields
			fe.Add("cursor", "error.bad_cursor")
			return page, fe.Err()
		}
		cond += " AND (name_fold > ? OR (name_fold = ? AND id > ?))"
		args = append(args, fold, fold, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT `+placeColumns+`, name_fold FROM places WHERE `+cond+
		` ORDER BY name_fold, id LIMIT ?`), append(args, limit+1)...)
	if err != nil {
		return page, fmt.Errorf("list places: %w", err)
	}
	defer rows.Close()
	var lastFold string
	for rows.Next() {
		var p place.Place
		var typ, country, fold string
		if err := rows.Scan(&p.ID, &p.OrgID, &p.Name, &typ, &country, &p.Region, &p.Address, &p.Version, &p.CreatedAt, &p.UpdatedAt, &fold); err != nil {
			return page, err
		}
		p.Type, p.Country = place.Type(typ), place.Country(country)
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		if len(page.Places) == limit {
			page.Next = encodeCursor(lastFold, page.Places[limit-1].ID)
			break
		}
		page.Places = append(page.Places, p)
		lastFold = fold
	}
	return page, rows.Err()
}

func encodeCursor(fold, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fold + "\x00" + id))
}

func decodeCursor(c string) (fold, id string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", false
	}
	fold, id, ok = strings.Cut(string(b), "\x00")
	return fold, id, ok && id != ""
}
