package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/fault"
)

// CreateOrg stores a new organisation; a taken slug is a conflict.
func (tx *Tx) CreateOrg(ctx context.Context, o account.Org, now time.Time) (account.Org, error) {
	o.ID, o.CreatedAt = NewID(), now.UTC().Truncate(time.Microsecond)
	if o.Lang == "" {
		o.Lang = "en"
	}
	_, err := tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO orgs (id, slug, name, country, lang, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		o.ID, o.Slug, o.Name, o.Country, o.Lang, o.CreatedAt)
	if tx.d.isUnique(err) {
		return o, fault.ConflictError("error.org.exists")
	}
	if err != nil {
		return o, fmt.Errorf("insert org: %w", err)
	}
	return o, nil
}

// OrgBySlug returns the organisation with the given slug.
func (db *DB) OrgBySlug(ctx context.Context, slug string) (account.Org, error) {
	var o account.Org
	err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT id, slug, name, country, lang, created_at FROM orgs WHERE slug = ?`), slug).
		Scan(&o.ID, &o.Slug, &o.Name, &o.Country, &o.Lang, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fault.NotFoundError("org")
	}
	return o, err
}

// CreateUser stores a new user with a membership of orgID in role. The user's
// PasswordHash must already be set; an address in use is a conflict.
func (tx *Tx) CreateUser(ctx context.Context, u account.User, orgID string, role account.Role, now time.Time) (account.User, error) {
	u.ID, u.Email, u.CreatedAt = NewID(), account.NormalizeEmail(u.Email), now.UTC().Truncate(time.Microsecond)
	_, err := tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO users (id, email, name, password_hash, locale, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		u.ID, u.Email, u.Name, u.PasswordHash, u.Locale, u.Disabled, u.CreatedAt)
	if tx.d.isUnique(err) {
		return u, fault.ConflictError("error.account.email_taken")
	}
	if err != nil {
		return u, fmt.Errorf("insert user: %w", err)
	}
	_, err = tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)`),
		u.ID, orgID, string(role), u.CreatedAt)
	if err != nil {
		return u, fmt.Errorf("insert membership: %w", err)
	}
	return u, nil
}

// CreateUser stores a new user with a membership; see Tx.CreateUser.
func (db *DB) CreateUser(ctx context.Context, u account.User, orgID string, role account.Role, now time.Time) (account.User, error) {
	var out account.User
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.CreateUser(ctx, u, orgID, role, now)
		return err
	})
	return out, err
}

const userColumns = "u.id, u.email, u.name, u.password_hash, u.locale, u.disabled, u.created_at"

func scanUser(dst *account.User) []any {
	return []any{&dst.ID, &dst.Email, &dst.Name, &dst.PasswordHash, &dst.Locale, &dst.Disabled, &dst.CreatedAt}
}

// UserByEmail returns the user with the address, in any case.
func (db *DB) UserByEmail(ctx context.Context, email string) (account.User, error) {
	var u account.User
	err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT `+userColumns+` FROM users u WHERE u.email = ?`), account.NormalizeEmail(email)).Scan(scanUser(&u)...)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fault.NotFoundError("user")
	}
	return u, err
}

// memberQuery selects a member, followed by the extra columns named.
func memberQuery(extra string) string {
	return `SELECT ` + userColumns + `, o.id, o.slug, o.name, o.country, o.lang, o.created_at, m.role` + extra + `
	FROM memberships m JOIN users u ON u.id = m.user_id JOIN orgs o ON o.id = m.org_id `
}

// FirstMembership returns the user's oldest membership: the organisation a
// login lands in.
func (db *DB) FirstMembership(ctx context.Context, userID string) (account.Member, error) {
	m, err := scanMember(db.r.QueryRowContext(ctx, db.d.bind(memberQuery("")+`WHERE m.user_id = ? ORDER BY m.created_at, o.slug LIMIT 1`), userID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fault.NotFoundError("membership")
	}
	return m, err
}

// CreateSession stores a new session under the hash of its secret.
func (db *DB) CreateSession(ctx context.Context, secretHash, userID, orgID string, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	_, err := db.w.ExecContext(ctx, db.d.bind(`INSERT INTO sessions (token_hash, user_id, org_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`),
		secretHash, userID, orgID, now, now)
	return err
}

// touchEvery is how stale last-seen and last-used times may get before a
// request writes them again; it keeps most requests free of writes.
const touchEvery = time.Minute

// SessionMember returns who is signed in with the session, or an
// unauthorized fault when it is unknown, expired or its user is disabled.
func (db *DB) SessionMember(ctx context.Context, secretHash string, now time.Time) (account.Member, error) {
	var s account.Session
	row := db.r.QueryRowContext(ctx, db.d.bind(memberQuery(", s.created_at, s.last_seen_at")+`JOIN sessions s ON s.user_id = m.user_id AND s.org_id = m.org_id
		WHERE s.token_hash = ?`), secretHash)
	m, err := scanMember(row, &s.CreatedAt, &s.LastSeenAt)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fault.UnauthorizedError("error.session.none")
	}
	if err != nil {
		return m, fmt.Errorf("session: %w", err)
	}
	if m.User.Disabled || s.Expired(now) {
		_ = db.DeleteSession(ctx, secretHash)
		return account.Member{}, fault.UnauthorizedError("error.session.expired")
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		if _, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`), now.UTC().Truncate(time.Microsecond), secretHash); err != nil {
			return m, fmt.Errorf("touch session: %w", err)
		}
	}
	return m, nil
}

func scanMember(row interface{ Scan(...any) error }, extra ...any) (account.Member, error) {
	var m account.Member
	var role string
	dst := append(scanUser(&m.User), &m.Org.ID, &m.Org.Slug, &m.Org.Name, &m.Org.Country, &m.Org.Lang, &m.Org.CreatedAt, &role)
	err := row.Scan(append(dst, extra...)...)
	m.Role = account.Role(role)
	return m, err
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, secretHash string) error {
	_, err := db.w.ExecContext(ctx, db.d.bind(`DELETE FROM sessions WHERE token_hash = ?`), secretHash)
	return err
}

// CreateToken stores a new API token under the hash of its secret.
func (db *DB) CreateToken(ctx context.Context, t account.Token, secretHash string, now time.Time) (account.Token, error) {
	t.ID, t.CreatedAt = NewID(), now.UTC().Truncate(time.Microsecond)
	_, err := db.w.ExecContext(ctx, db.d.bind(`INSERT INTO api_tokens (id, token_hash, user_id, org_id, name, scope, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		t.ID, secretHash, t.UserID, t.OrgID, t.Name, string(t.Scope), t.CreatedAt)
	if err != nil {
		return t, fmt.Errorf("insert token: %w", err)
	}
	return t, nil
}

// TokenMember returns who an API token acts for, or an unauthorized fault
// when it is unknown, revoked, or its user is disabled.
func (db *DB) TokenMember(ctx context.Context, secretHash string, now time.Time) (account.Member, error) {
	var id, scope string
	var lastUsed sql.NullTime
	row := db.r.QueryRowContext(ctx, db.d.bind(memberQuery(", t.id, t.scope, t.last_used_at")+`JOIN api_tokens t ON t.user_id = m.user_id AND t.org_id = m.org_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL`), secretHash)
	m, err := scanMember(row, &id, &scope, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fault.UnauthorizedError("error.token.invalid")
	}
	if err != nil {
		return m, fmt.Errorf("token: %w", err)
	}
	if m.User.Disabled {
		return account.Member{}, fault.UnauthorizedError("error.token.invalid")
	}
	m.Scope = account.Scope(scope)
	if !lastUsed.Valid || now.Sub(lastUsed.Time) > touchEvery {
		if _, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), now.UTC().Truncate(time.Microsecond), id); err != nil {
			return m, fmt.Errorf("touch token: %w", err)
		}
	}
	return m, nil
}
