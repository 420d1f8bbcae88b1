package sqldb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

const placeColumns = "id, org_id, parent_id, name, names, type, country, region, municipality, address, lat, lon, " +
	"authority, capacity, status, categories, official_id, website, notes, version, created_at, updated_at"

// placeRow scans the columns of placeColumns.
type placeRow struct {
	p                           place.Place
	parent                      sql.NullString
	names, typ, country, status string
	categories                  string
	lat, lon                    sql.NullFloat64
	capacity                    sql.NullInt64
}

func (pr *placeRow) dest() []any {
	p := &pr.p
	return []any{&p.ID, &p.OrgID, &pr.parent, &p.Name, &pr.names, &pr.typ, &pr.country, &p.Region, &p.Municipality, &p.Address,
		&pr.lat, &pr.lon, &p.Authority, &pr.capacity, &pr.status, &pr.categories, &p.OfficialID, &p.Website, &p.Notes,
		&p.Version, &p.CreatedAt, &p.UpdatedAt}
}

func (pr *placeRow) place() (place.Place, error) {
	p := pr.p
	p.ParentID = pr.parent.String
	p.Type, p.Country, p.Status = place.Type(pr.typ), place.Country(pr.country), place.Status(pr.status)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.Names = []place.LocalName{}
	if err := json.Unmarshal([]byte(pr.names), &p.Names); err != nil {
		return p, fmt.Errorf("place %s names: %w", p.ID, err)
	}
	p.Categories = []place.Category{}
	for _, c := range strings.Split(pr.categories, ",") {
		if c != "" {
			p.Categories = append(p.Categories, place.Category(c))
		}
	}
	if pr.lat.Valid && pr.lon.Valid {
		lat, lon := pr.lat.Float64, pr.lon.Float64
		p.Lat, p.Lon = &lat, &lon
	}
	p.Capacity = intPtr(pr.capacity)
	return p, nil
}

// placeArgs are p's values for the columns after id and org_id, then the
// two search keys.
func placeArgs(p place.Place) []any {
	names, _ := json.Marshal(p.Names)
	if p.Names == nil {
		names = []byte("[]")
	}
	cats := make([]string, len(p.Categories))
	for i, c := range p.Categories {
		cats[i] = string(c)
	}
	var parent, lat, lon any
	if p.ParentID != "" {
		parent = p.ParentID
	}
	if p.Lat != nil && p.Lon != nil {
		lat, lon = *p.Lat, *p.Lon
	}
	capacity := nullInt(p.Capacity)
	return []any{parent, p.Name, string(names), string(p.Type), string(p.Country), p.Region, p.Municipality, p.Address, lat, lon,
		p.Authority, capacity, string(p.Status), strings.Join(cats, ","), p.OfficialID, p.Website, p.Notes,
		place.Fold(p.Name), p.SearchKey()}
}

// NewID returns a new opaque, time-ordered public identifier.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// CreatePlace validates p and stores it in org's registry with a new id.
func (db *DB) CreatePlace(ctx context.Context, orgID string, p place.Place, by string, now time.Time) (place.Place, error) {
	var out place.Place
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.CreatePlace(ctx, orgID, p, by, now)
		return err
	})
	return out, err
}

// CreatePlace validates p and stores it in org's registry with a new id;
// by is who did it, for the place's history.
func (tx *Tx) CreatePlace(ctx context.Context, orgID string, p place.Place, by string, now time.Time) (place.Place, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return place.Place{}, err
	}
	if err := tx.checkParent(ctx, orgID, p); err != nil {
		return place.Place{}, err
	}
	now = utc(now)
	p.ID, p.OrgID, p.Version, p.CreatedAt, p.UpdatedAt = NewID(), orgID, 1, now, now
	if p.Names == nil {
		p.Names = []place.LocalName{}
	}
	if p.Categories == nil {
		p.Categories = []place.Category{}
	}
	args := append([]any{p.ID, p.OrgID}, placeArgs(p)...)
	args = append(args, p.Version, p.CreatedAt, p.UpdatedAt)
	_, err := tx.exec(ctx, `INSERT INTO places (id, org_id, parent_id, name, names, type, country, region, municipality, address, lat, lon,
		authority, capacity, status, categories, official_id, website, notes, name_fold, search_fold, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if tx.d.isUnique(err) {
		return place.Place{}, duplicateOfficialID()
	}
	if err != nil {
		return place.Place{}, fmt.Errorf("insert place: %w", err)
	}
	return p, tx.recordVersion(ctx, p, by)
}

func duplicateOfficialID() error {
	return &fault.Error{Kind: fault.Invalid, Code: "error.invalid", Fields: []fault.FieldError{{Field: "official_id", Code: "error.place.official_id_taken"}}}
}

// checkParent makes sure a sub-unit's parent is a place of the same organisation.
func (tx *Tx) checkParent(ctx context.Context, orgID string, p place.Place) error {
	if p.ParentID == "" {
		return nil
	}
	var n int
	if err := tx.tx.QueryRowContext(ctx, tx.d.bind(`SELECT COUNT(*) FROM places WHERE id = ? AND org_id = ? AND parent_id IS NULL`), p.ParentID, orgID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		var f fault.Fields
		f.Add("parent_id", "error.place.bad_parent")
		return f.Err()
	}
	return nil
}

func (tx *Tx) recordVersion(ctx context.Context, p place.Place, by string) error {
	snap, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO place_history (place_id, version, changed_at, changed_by, snapshot) VALUES (?, ?, ?, ?, ?)`,
		p.ID, p.Version, p.UpdatedAt, by, string(snap))
	if err != nil {
		return fmt.Errorf("place history: %w", err)
	}
	return nil
}

// Place returns org's place id, or a not-found fault.
func (db *DB) Place(ctx context.Context, orgID, id string) (place.Place, error) {
	return placeByID(ctx, db.r, db.d, orgID, id)
}

func placeByID(ctx context.Context, q querier, d *dialect, orgID, id string) (place.Place, error) {
	var pr placeRow
	err := q.QueryRowContext(ctx, d.bind(`SELECT `+placeColumns+` FROM places WHERE id = ? AND org_id = ?`), id, orgID).Scan(pr.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return place.Place{}, fault.NotFoundError("place")
	}
	if err != nil {
		return place.Place{}, fmt.Errorf("place %s: %w", id, err)
	}
	return pr.place()
}

// UpdatePlace validates p and replaces the stored record, provided the stored
// version is still p.Version; otherwise it returns a conflict fault, so one
// person's edit never silently overwrites another's.
func (db *DB) UpdatePlace(ctx context.Context, orgID string, p place.Place, by string, now time.Time) (place.Place, error) {
	var out place.Place
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.UpdatePlace(ctx, orgID, p, by, now)
		return err
	})
	return out, err
}

// UpdatePlace is UpdatePlace inside a transaction.
func (tx *Tx) UpdatePlace(ctx context.Context, orgID string, p place.Place, by string, now time.Time) (place.Place, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return place.Place{}, err
	}
	if err := tx.checkParent(ctx, orgID, p); err != nil {
		return place.Place{}, err
	}
	args := append(placeArgs(p), utc(now), p.ID, orgID, p.Version)
	res, err := tx.tx.ExecContext(ctx, tx.d.bind(`UPDATE places SET parent_id = ?, name = ?, names = ?, type = ?, country = ?, region = ?,
		municipality = ?, address = ?, lat = ?, lon = ?, authority = ?, capacity = ?, status = ?, categories = ?, official_id = ?,
		website = ?, notes = ?, name_fold = ?, search_fold = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND org_id = ? AND version = ?`), args...)
	if tx.d.isUnique(err) {
		return place.Place{}, duplicateOfficialID()
	}
	if err != nil {
		return place.Place{}, fmt.Errorf("update place %s: %w", p.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return place.Place{}, err
	} else if n == 0 {
		if _, err := placeByID(ctx, tx.tx, tx.d, orgID, p.ID); err != nil {
			return place.Place{}, err
		}
		return place.Place{}, fault.ConflictError("error.place.changed")
	}
	out, err := placeByID(ctx, tx.tx, tx.d, orgID, p.ID)
	if err != nil {
		return out, err
	}
	return out, tx.recordVersion(ctx, out, by)
}

// PlaceByOfficialID returns org's place with the official identifier.
func (tx *Tx) PlaceByOfficialID(ctx context.Context, orgID, officialID string) (place.Place, error) {
	var pr placeRow
	err := tx.queryRow(ctx, `SELECT `+placeColumns+` FROM places WHERE org_id = ? AND official_id = ? AND official_id <> ''`, orgID, officialID).Scan(pr.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return place.Place{}, fault.NotFoundError("place")
	}
	if err != nil {
		return place.Place{}, err
	}
	return pr.place()
}

// ArchivePlace takes a place out of the lists (it stays readable by id, with
// its history); archived reports the new state.
func (db *DB) ArchivePlace(ctx context.Context, orgID, id string, archived bool, now time.Time) error {
	var at any
	if archived {
		at = utc(now)
	}
	res, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE places SET archived_at = ? WHERE id = ? AND org_id = ?`), at, id, orgID)
	if err != nil {
		return fmt.Errorf("archive place: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFoundError("place")
	}
	return nil
}

// Places returns one page of org's places matching f, ordered by name.
func (db *DB) Places(ctx context.Context, orgID string, f place.Filter) (place.Page, error) {
	where := []string{"org_id = ?", "archived_at IS NULL"}
	args := []any{orgID}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, `search_fold LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(place.Fold(q))+"%")
	}
	for _, eq := range []struct{ col, v string }{
		{"country", string(f.Country)}, {"type", string(f.Type)}, {"region", f.Region}, {"authority", f.Authority}, {"status", string(f.Status)},
	} {
		if eq.v != "" {
			where = append(where, eq.col+" = ?")
			args = append(args, eq.v)
		}
	}
	cond := strings.Join(where, " AND ")

	var page place.Page
	if err := db.r.QueryRowContext(ctx, db.d.bind("SELECT COUNT(*) FROM places WHERE "+cond), args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count places: %w", err)
	}
	spec, ok := placeSorts[f.Sort]
	if !ok {
		var fe fault.Fields
		fe.Add("sort", "error.bad_sort")
		return page, fe.Err()
	}
	if f.After != "" {
		c, ok := decodeCursor(f.After)
		if !ok || c.Sort != f.Sort || len(c.Keys) != len(spec.cols) {
			var fe fault.Fields
			fe.Add("cursor", "error.bad_cursor")
			return page, fe.Err()
		}
		keys := make([]any, len(c.Keys))
		for i, k := range c.Keys {
			keys[i] = k
			if spec.cols[i] == "updated_at" {
				t, err := time.Parse(time.RFC3339Nano, k)
				if err != nil {
					var fe fault.Fields
					fe.Add("cursor", "error.bad_cursor")
					return page, fe.Err()
				}
				keys[i] = t
			}
		}
		keyCond, keyArgs := spec.after(keys, c.ID)
		cond += " AND " + keyCond
		args = append(args, keyArgs...)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT `+placeColumns+`, name_fold FROM places WHERE `+cond+
		` ORDER BY `+spec.orderBy()+` LIMIT ?`), append(args, limit+1)...)
	if err != nil {
		return page, fmt.Errorf("list places: %w", err)
	}
	defer rows.Close()
	var last place.Place
	var lastFold string
	for rows.Next() {
		var pr placeRow
		var fold string
		if err := rows.Scan(append(pr.dest(), &fold)...); err != nil {
			return page, err
		}
		if len(page.Places) == limit {
			page.Next = encodeCursor(cursor{Sort: f.Sort, Keys: spec.keys(last, lastFold), ID: last.ID})
			break
		}
		p, err := pr.place()
		if err != nil {
			return page, err
		}
		page.Places = append(page.Places, p)
		last, lastFold = p, fold
	}
	return page, rows.Err()
}

// sortSpec is one order of the places list: its columns (then id), and
// whether it runs newest first.
type sortSpec struct {
	cols []string
	desc bool
}

// placeSorts are the orders a list can have; "" is by name.
var placeSorts = map[string]sortSpec{
	"":        {cols: []string{"name_fold"}},
	"name":    {cols: []string{"name_fold"}},
	"country": {cols: []string{"country", "name_fold"}},
	"type":    {cols: []string{"type", "name_fold"}},
	"updated": {cols: []string{"updated_at"}, desc: true},
}

func (s sortSpec) orderBy() string {
	dir := ""
	if s.desc {
		dir = " DESC"
	}
	var parts []string
	for _, c := range append(append([]string{}, s.cols...), "id") {
		parts = append(parts, c+dir)
	}
	return strings.Join(parts, ", ")
}

// after is the keyset condition for the rows after keys and id:
// (a > ?) OR (a = ? AND b > ?) OR … OR (a = ? AND … AND id > ?).
func (s sortSpec) after(keys []any, id string) (string, []any) {
	op := " > "
	if s.desc {
		op = " < "
	}
	cols := append(append([]string{}, s.cols...), "id")
	vals := append(append([]any{}, keys...), id)
	var ors []string
	var args []any
	for i := range cols {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, cols[j]+" = ?")
			args = append(args, vals[j])
		}
		ands = append(ands, cols[i]+op+"?")
		args = append(args, vals[i])
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// keys are a place's values of the sort's columns, as cursor text.
func (s sortSpec) keys(p place.Place, fold string) []string {
	var out []string
	for _, c := range s.cols {
		switch c {
		case "name_fold":
			out = append(out, fold)
		case "country":
			out = append(out, string(p.Country))
		case "type":
			out = append(out, string(p.Type))
		case "updated_at":
			out = append(out, p.UpdatedAt.UTC().Format(time.RFC3339Nano))
		}
	}
	return out
}

// cursor marks where a page ended, for the next one. It is opaque to clients.
type cursor struct {
	Sort string   `json:"s"`
	Keys []string `json:"k"`
	ID   string   `json:"i"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(text string) (cursor, bool) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, false
	}
	return c, true
}

// PlaceVersion is one stored version of a place, for its history.
type PlaceVersion struct {
	Version   int
	ChangedAt time.Time
	ChangedBy string // email of who changed it, "" when unknown
	Place     place.Place
}

// PlaceHistory returns every stored version of org's place, newest first,
// with the email of whoever made it.
func (db *DB) PlaceHistory(ctx context.Context, orgID, placeID string) ([]PlaceVersion, error) {
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT h.version, h.changed_at, COALESCE(u.email, ''), h.snapshot
		FROM place_history h JOIN places p ON p.id = h.place_id LEFT JOIN users u ON u.id = h.changed_by
		WHERE h.place_id = ? AND p.org_id = ? ORDER BY h.version DESC`), placeID, orgID)
	if err != nil {
		return nil, fmt.Errorf("place history: %w", err)
	}
	defer rows.Close()
	var out []PlaceVersion
	for rows.Next() {
		var v PlaceVersion
		var snap string
		if err := rows.Scan(&v.Version, &v.ChangedAt, &v.ChangedBy, &snap); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(snap), &v.Place); err != nil {
			return nil, fmt.Errorf("place history snapshot: %w", err)
		}
		v.ChangedAt = v.ChangedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// SubUnits returns the sub-units of org's place, by name.
func (db *DB) SubUnits(ctx context.Context, orgID, parentID string) ([]place.Place, error) {
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT `+placeColumns+` FROM places WHERE org_id = ? AND parent_id = ? ORDER BY name_fold, id`), orgID, parentID)
	if err != nil {
		return nil, fmt.Errorf("sub-units: %w", err)
	}
	defer rows.Close()
	var out []place.Place
	for rows.Next() {
		var pr placeRow
		if err := rows.Scan(pr.dest()...); err != nil {
			return nil, err
		}
		p, err := pr.place()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
