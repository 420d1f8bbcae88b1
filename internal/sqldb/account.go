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

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ---- organisations ----

const orgColumns = "o.id, o.slug, o.name, o.kind, o.country, o.lang, o.require_2fa, o.created_at"

func orgDest(o *account.Org) []any {
	return []any{&o.ID, &o.Slug, &o.Name, (*string)(&o.Kind), &o.Country, &o.Lang, &o.Require2FA, &o.CreatedAt}
}

// CreateOrg validates and stores a new organisation; a taken slug is a conflict.
func (tx *Tx) CreateOrg(ctx context.Context, o account.Org, now time.Time) (account.Org, error) {
	o.ID, o.CreatedAt = NewID(), utc(now)
	if o.Lang == "" {
		o.Lang = "en"
	}
	if o.Kind == "" {
		o.Kind = "ngo"
	}
	if err := o.Validate(); err != nil {
		return o, err
	}
	_, err := tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO orgs (id, slug, name, kind, country, lang, require_2fa, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		o.ID, o.Slug, o.Name, string(o.Kind), o.Country, o.Lang, o.Require2FA, o.CreatedAt)
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
	err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT `+orgColumns+` FROM orgs o WHERE o.slug = ?`), slug).Scan(orgDest(&o)...)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fault.NotFoundError("org")
	}
	return o, err
}

// UpdateOrg changes an organisation's settings (not its slug).
func (db *DB) UpdateOrg(ctx context.Context, o account.Org) error {
	if err := o.Validate(); err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE orgs SET name = ?, kind = ?, country = ?, lang = ?, require_2fa = ? WHERE id = ?`),
		o.Name, string(o.Kind), o.Country, o.Lang, o.Require2FA, o.ID)
	if err != nil {
		return fmt.Errorf("update org: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFoundError("org")
	}
	return nil
}

// ---- users and memberships ----

// CreateUser stores a new user with a membership of orgID in role. The user's
// PasswordHash must already be set; an address in use is a conflict.
func (tx *Tx) CreateUser(ctx context.Context, u account.User, orgID string, role account.Role, now time.Time) (account.User, error) {
	u.ID, u.Email, u.CreatedAt = NewID(), account.NormalizeEmail(u.Email), utc(now)
	if err := account.ValidateEmail(u.Email); err != nil {
		return u, err
	}
	if !role.Valid() {
		var f fault.Fields
		f.Add("role", "error.account.bad_role")
		return u, f.Err()
	}
	_, err := tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO users (id, email, name, password_hash, locale, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		u.ID, u.Email, u.Name, u.PasswordHash, u.Locale, u.Disabled, u.CreatedAt)
	if tx.d.isUnique(err) {
		return u, &fault.Error{Kind: fault.Conflict, Code: "error.account.email_taken", Fields: []fault.FieldError{{Field: "email", Code: "error.account.email_taken"}}}
	}
	if err != nil {
		return u, fmt.Errorf("insert user: %w", err)
	}
	if err := tx.AddMembership(ctx, u.ID, orgID, role, now); err != nil {
		return u, err
	}
	return u, nil
}

// AddMembership makes an existing user a member of orgID in role.
func (tx *Tx) AddMembership(ctx context.Context, userID, orgID string, role account.Role, now time.Time) error {
	_, err := tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)`),
		userID, orgID, string(role), utc(now))
	if tx.d.isUnique(err) {
		return fault.ConflictError("error.account.already_member")
	}
	if err != nil {
		return fmt.Errorf("insert membership: %w", err)
	}
	return nil
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

const userColumns = "u.id, u.email, u.name, u.password_hash, u.locale, u.disabled, u.totp_secret, u.totp_enabled, u.created_at"

func userDest(u *account.User) []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Locale, &u.Disabled, &u.TOTPSecret, &u.TOTPEnabled, &u.CreatedAt}
}

// UserByEmail returns the user with the address, in any case.
func (db *DB) UserByEmail(ctx context.Context, email string) (account.User, error) {
	var u account.User
	err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT `+userColumns+` FROM users u WHERE u.email = ?`), account.NormalizeEmail(email)).Scan(userDest(&u)...)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fault.NotFoundError("user")
	}
	return u, err
}

// memberQuery selects a member, followed by the extra columns named.
func memberQuery(extra string) string {
	return `SELECT ` + userColumns + `, ` + orgColumns + `, m.role` + extra + `
	FROM memberships m JOIN users u ON u.id = m.user_id JOIN orgs o ON o.id = m.org_id `
}

func scanMember(row interface{ Scan(...any) error }, extra ...any) (account.Member, error) {
	var m account.Member
	var role string
	dst := append(append(userDest(&m.User), orgDest(&m.Org)...), &role)
	err := row.Scan(append(dst, extra...)...)
	m.Role = account.Role(role)
	return m, err
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

// Membership returns the user's membership of orgID.
func (db *DB) Membership(ctx context.Context, userID, orgID string) (account.Member, error) {
	m, err := scanMember(db.r.QueryRowContext(ctx, db.d.bind(memberQuery("")+`WHERE m.user_id = ? AND m.org_id = ?`), userID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fault.NotFoundError("membership")
	}
	return m, err
}

// Memberships returns every organisation the user belongs to, by name.
func (db *DB) Memberships(ctx context.Context, userID string) ([]account.Member, error) {
	return db.members(ctx, `WHERE m.user_id = ? ORDER BY o.name, o.slug`, userID)
}

// Members returns every member of orgID, by email.
func (db *DB) Members(ctx context.Context, orgID string) ([]account.Member, error) {
	return db.members(ctx, `WHERE m.org_id = ? ORDER BY u.email`, orgID)
}

func (db *DB) members(ctx context.Context, where string, args ...any) ([]account.Member, error) {
	rows, err := db.r.QueryContext(ctx, db.d.bind(memberQuery("")+where), args...)
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	var out []account.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetRole changes a member's role and ends the user's sessions, so the new
// role applies at once.
func (db *DB) SetRole(ctx context.Context, orgID, userID string, role account.Role) error {
	if !role.Valid() {
		var f fault.Fields
		f.Add("role", "error.account.bad_role")
		return f.Err()
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, tx.d.bind(`UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?`), string(role), orgID, userID)
		if err != nil {
			return fmt.Errorf("set role: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundError("user")
		}
		return tx.endSessions(ctx, userID, "")
	})
}

// SetDisabled disables or enables a user; disabling ends every session.
func (db *DB) SetDisabled(ctx context.Context, userID string, disabled bool) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, tx.d.bind(`UPDATE users SET disabled = ? WHERE id = ?`), disabled, userID)
		if err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundError("user")
		}
		if disabled {
			return tx.endSessions(ctx, userID, "")
		}
		return nil
	})
}

// SetPassword replaces a user's password hash and ends their other
// sessions (all but keepSessionID, which may be "").
func (db *DB) SetPassword(ctx context.Context, userID, hash, keepSessionID string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.setPassword(ctx, userID, hash, keepSessionID) })
}

func (tx *Tx) setPassword(ctx context.Context, userID, hash, keepSessionID string) error {
	res, err := tx.tx.ExecContext(ctx, tx.d.bind(`UPDATE users SET password_hash = ? WHERE id = ?`), hash, userID)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFoundError("user")
	}
	return tx.endSessions(ctx, userID, keepSessionID)
}

// SetLocale stores the user's interface language ("" for the browser's).
func (db *DB) SetLocale(ctx context.Context, userID, locale string) error {
	_, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE users SET locale = ? WHERE id = ?`), locale, userID)
	return err
}

// ---- second factor ----

// SetTOTP stores a user's TOTP secret and whether it is in use. Enabling
// replaces the recovery codes with the hashes given; disabling removes them.
func (db *DB) SetTOTP(ctx context.Context, userID, secret string, enabled bool, recoveryHashes []string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, tx.d.bind(`UPDATE users SET totp_secret = ?, totp_enabled = ? WHERE id = ?`), secret, enabled, userID); err != nil {
			return fmt.Errorf("set totp: %w", err)
		}
		if _, err := tx.tx.ExecContext(ctx, tx.d.bind(`DELETE FROM recovery_codes WHERE user_id = ?`), userID); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h); err != nil {
				return fmt.Errorf("insert recovery code: %w", err)
			}
		}
		return nil
	})
}

// UseRecoveryCode spends one recovery code; it reports false when the code
// is unknown or spent.
func (db *DB) UseRecoveryCode(ctx context.Context, userID, codeHash string, now time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`), utc(now), userID, codeHash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecoveryCodesLeft counts a user's unspent recovery codes.
func (db *DB) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`), userID).Scan(&n)
	return n, err
}

// ---- sessions ----

// CreateSession stores a new session under the hash of its secret.
func (db *DB) CreateSession(ctx context.Context, secretHash string, s account.Session, now time.Time) (account.Session, error) {
	s.ID, s.CreatedAt, s.LastSeenAt = NewID(), utc(now), utc(now)
	_, err := db.w.ExecContext(ctx, db.d.bind(`INSERT INTO sessions (token_hash, id, user_id, org_id, mfa_ok, ip, user_agent, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		secretHash, s.ID, s.UserID, s.OrgID, s.MFAOK, s.IP, s.UserAgent, s.CreatedAt, s.LastSeenAt)
	if err != nil {
		return s, fmt.Errorf("insert session: %w", err)
	}
	return s, nil
}

// touchEvery is how stale last-seen and last-used times may get before a
// request writes them again; it keeps most requests free of writes.
const touchEvery = time.Minute

const sessionColumns = ", s.id, s.user_id, s.org_id, s.mfa_ok, s.ip, s.user_agent, s.created_at, s.last_seen_at"

func sessionDest(s *account.Session) []any {
	return []any{&s.ID, &s.UserID, &s.OrgID, &s.MFAOK, &s.IP, &s.UserAgent, &s.CreatedAt, &s.LastSeenAt}
}

// SessionMember returns who is signed in with the session, or an
// unauthorized fault when it is unknown, expired or its user is disabled.
func (db *DB) SessionMember(ctx context.Context, secretHash string, now time.Time, limits account.SessionLimits) (account.Member, error) {
	var s account.Session
	row := db.r.QueryRowContext(ctx, db.d.bind(memberQuery(sessionColumns)+`JOIN sessions s ON s.user_id = m.user_id AND s.org_id = m.org_id
		WHERE s.token_hash = ?`), secretHash)
	m, err := scanMember(row, sessionDest(&s)...)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fault.UnauthorizedError("error.session.none")
	}
	if err != nil {
		return m, fmt.Errorf("session: %w", err)
	}
	if m.User.Disabled || s.Expired(now, limits) {
		_ = db.DeleteSession(ctx, secretHash)
		return account.Member{}, fault.UnauthorizedError("error.session.expired")
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		if _, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`), utc(now), secretHash); err != nil {
			return m, fmt.Errorf("touch session: %w", err)
		}
	}
	m.Session = &s
	return m, nil
}

// SetSessionMFA records that the session's second factor was given.
func (db *DB) SetSessionMFA(ctx context.Context, secretHash string) error {
	_, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE sessions SET mfa_ok = ? WHERE token_hash = ?`), true, secretHash)
	return err
}

// SwitchSessionOrg moves a session to another of the user's organisations.
func (db *DB) SwitchSessionOrg(ctx context.Context, secretHash, orgID string) error {
	_, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE sessions SET org_id = ? WHERE token_hash = ?`), orgID, secretHash)
	return err
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, secretHash string) error {
	_, err := db.w.ExecContext(ctx, db.d.bind(`DELETE FROM sessions WHERE token_hash = ?`), secretHash)
	return err
}

// Sessions lists a user's sessions, newest first.
func (db *DB) Sessions(ctx context.Context, userID string) ([]account.Session, error) {
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT `+sessionColumns[2:]+` FROM sessions s WHERE s.user_id = ? ORDER BY s.last_seen_at DESC`), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Session
	for rows.Next() {
		var s account.Session
		if err := rows.Scan(sessionDest(&s)...); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// EndSession ends one of the user's sessions by its shown id.
func (db *DB) EndSession(ctx context.Context, userID, sessionID string) error {
	res, err := db.w.ExecContext(ctx, db.d.bind(`DELETE FROM sessions WHERE user_id = ? AND id = ?`), userID, sessionID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFoundError("session")
	}
	return nil
}

// EndSessions ends every session of the user but keepSessionID ("" for all):
// "log out everywhere".
func (db *DB) EndSessions(ctx context.Context, userID, keepSessionID string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.endSessions(ctx, userID, keepSessionID) })
}

func (tx *Tx) endSessions(ctx context.Context, userID, keepSessionID string) error {
	_, err := tx.tx.ExecContext(ctx, tx.d.bind(`DELETE FROM sessions WHERE user_id = ? AND id <> ?`), userID, keepSessionID)
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// ---- login throttling ----

// RecordLoginFailure notes a failed login for the address and the IP, and
// forgets failures older than a day.
func (db *DB) RecordLoginFailure(ctx context.Context, email, ip string, now time.Time) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO login_failures (email, ip, at) VALUES (?, ?, ?)`), account.NormalizeEmail(email), ip, utc(now)); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		_, err := tx.tx.ExecContext(ctx, tx.d.bind(`DELETE FROM login_failures WHERE at < ?`), utc(now.Add(-24*time.Hour)))
		return err
	})
}

// LoginFailures counts the failures since a time for the address and for
// the IP, and gives the oldest of those, from which a lockout ends.
func (db *DB) LoginFailures(ctx context.Context, email, ip string, since time.Time) (byEmail, byIP int, oldest time.Time, err error) {
	count := func(col, v string) (int, error) {
		var n int
		err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT COUNT(*) FROM login_failures WHERE `+col+` = ? AND at >= ?`), v, utc(since)).Scan(&n)
		if err != nil || n == 0 {
			return n, err
		}
		var first time.Time
		err = db.r.QueryRowContext(ctx, db.d.bind(`SELECT at FROM login_failures WHERE `+col+` = ? AND at >= ? ORDER BY at LIMIT 1`), v, utc(since)).Scan(&first)
		if err == nil && (oldest.IsZero() || first.Before(oldest)) {
			oldest = first
		}
		return n, err
	}
	if byEmail, err = count("email", account.NormalizeEmail(email)); err != nil {
		return
	}
	byIP, err = count("ip", ip)
	return
}

// ClearLoginFailures forgets an address's failures after a good login.
func (db *DB) ClearLoginFailures(ctx context.Context, email string) error {
	_, err := db.w.ExecContext(ctx, db.d.bind(`DELETE FROM login_failures WHERE email = ?`), account.NormalizeEmail(email))
	return err
}

// ---- password resets ----

// CreatePasswordReset stores a one-time reset link's secret hash for a user.
func (db *DB) CreatePasswordReset(ctx context.Context, secretHash, userID, createdBy string, now, expires time.Time) error {
	_, err := db.w.ExecContext(ctx, db.d.bind(`INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		secretHash, userID, createdBy, utc(now), utc(expires))
	return err
}

// PasswordResetUser returns the user a valid, unused reset link is for.
func (db *DB) PasswordResetUser(ctx context.Context, secretHash string, now time.Time) (account.User, error) {
	var u account.User
	err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT `+userColumns+` FROM password_resets r JOIN users u ON u.id = r.user_id
		WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ? AND NOT u.disabled`), secretHash, utc(now)).Scan(userDest(&u)...)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fault.NotFoundError("reset")
	}
	return u, err
}

// UsePasswordReset sets the password through a reset link, once: the link is
// spent and every session of the user ends.
func (db *DB) UsePasswordReset(ctx context.Context, secretHash, passwordHash string, now time.Time) (account.User, error) {
	u, err := db.PasswordResetUser(ctx, secretHash, now)
	if err != nil {
		return u, err
	}
	err = db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, tx.d.bind(`UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`), utc(now), secretHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundError("reset")
		}
		return tx.setPassword(ctx, u.ID, passwordHash, "")
	})
	return u, err
}

// ---- API tokens ----

// CreateToken stores a new API token under the hash of its secret.
func (db *DB) CreateToken(ctx context.Context, t account.Token, secretHash string, now time.Time) (account.Token, error) {
	t.ID, t.CreatedAt = NewID(), utc(now)
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
		if _, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), utc(now), id); err != nil {
			return m, fmt.Errorf("touch token: %w", err)
		}
	}
	return m, nil
}

// Tokens lists an organisation's tokens, of one user when userID is not "",
// newest first; revoked ones are included.
func (db *DB) Tokens(ctx context.Context, orgID, userID string) ([]account.Token, error) {
	q := `SELECT t.id, t.user_id, u.email, t.org_id, t.name, t.scope, t.created_at, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.org_id = ?`
	args := []any{orgID}
	if userID != "" {
		q += ` AND t.user_id = ?`
		args = append(args, userID)
	}
	rows, err := db.r.QueryContext(ctx, db.d.bind(q+` ORDER BY t.created_at DESC, t.id DESC`), args...)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer rows.Close()
	var out []account.Token
	for rows.Next() {
		var t account.Token
		var scope string
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.UserEmail, &t.OrgID, &t.Name, &scope, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, err
		}
		t.Scope = account.Scope(scope)
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		if revoked.Valid {
			t.RevokedAt = &revoked.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token of the organisation (of one user when userID
// is not ""); revoking a revoked token is not an error.
func (db *DB) RevokeToken(ctx context.Context, orgID, userID, tokenID, by string, now time.Time) error {
	q := `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?), revoked_by = ? WHERE id = ? AND org_id = ?`
	args := []any{utc(now), by, tokenID, orgID}
	if userID != "" {
		q += ` AND user_id = ?`
		args = append(args, userID)
	}
	res, err := db.w.ExecContext(ctx, db.d.bind(q), args...)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFoundError("token")
	}
	return nil
}

// CreateOrgWithAdmin creates an organisation and makes the user its first
// administrator, in one transaction.
func (db *DB) CreateOrgWithAdmin(ctx context.Context, o account.Org, adminUserID string, now time.Time) (account.Org, error) {
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		if o, err = tx.CreateOrg(ctx, o, now); err != nil {
			return err
		}
		return tx.AddMembership(ctx, adminUserID, o.ID, account.Admin, now)
	})
	return o, err
}

// AddMember makes the person with u.Email a member of orgID in role,
// creating the user when the address is new. A new user has no usable
// password until they follow a reset link.
func (db *DB) AddMember(ctx context.Context, orgID string, u account.User, role account.Role, now time.Time) (account.User, error) {
	err := db.WithTx(ctx, func(tx *Tx) error {
		existing, err := db.UserByEmail(ctx, u.Email)
		switch {
		case err == nil:
			if !role.Valid() {
				var f fault.Fields
				f.Add("role", "error.account.bad_role")
				return f.Err()
			}
			u = existing
			return tx.AddMembership(ctx, u.ID, orgID, role, now)
		case fault.Is(err, fault.NotFound):
			u, err = tx.CreateUser(ctx, u, orgID, role, now)
			return err
		default:
			return err
		}
	})
	return u, err
}

// UseTOTPStep records that the user signed in with the code of time step
// step; it reports false when that step or a later one was used already, so
// a code seen over someone's shoulder cannot be used again.
func (db *DB) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	res, err := db.w.ExecContext(ctx, db.d.bind(`UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`), step, userID, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Orgs returns every organisation, by slug.
func (db *DB) Orgs(ctx context.Context) ([]account.Org, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+orgColumns+` FROM orgs o ORDER BY o.slug`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Org
	for rows.Next() {
		var o account.Org
		if err := rows.Scan(orgDest(&o)...); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
