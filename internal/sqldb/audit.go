package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
)

const auditColumns = "seq, at, org_id, actor_id, actor, action, target_kind, target_id, ip, detail, prev_hash, hash"

func auditDest(e *audit.Entry) []any {
	return []any{&e.Seq, &e.At, &e.OrgID, &e.ActorID, &e.Actor, &e.Action, &e.TargetKind, &e.TargetID, &e.IP, &e.Detail, &e.PrevHash, &e.Hash}
}

// AppendAudit adds an entry to the end of the audit log, chained to the one
// before it, and returns it as stored.
func (db *DB) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		e, err = tx.AppendAudit(ctx, e)
		return err
	})
	return e, err
}

// AppendAudit adds an entry inside the transaction, so the entry and the
// change it records are written together or not at all.
func (tx *Tx) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	if tx.d.lockAudit != "" {
		if _, err := tx.tx.ExecContext(ctx, tx.d.lockAudit); err != nil {
			return e, fmt.Errorf("lock audit log: %w", err)
		}
	}
	var prev audit.Entry
	err := tx.tx.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(auditDest(&prev)...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("audit head: %w", err)
	}
	e.Seal(prev)
	_, err = tx.tx.ExecContext(ctx, tx.d.bind(`INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Seq, e.At, e.OrgID, e.ActorID, e.Actor, e.Action, e.TargetKind, e.TargetID, e.IP, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return e, fmt.Errorf("append audit: %w", err)
	}
	return e, nil
}

// AuditEntries returns a page of an organisation's audit log, newest first.
func (db *DB) AuditEntries(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	where := []string{"org_id = ?"}
	args := []any{f.OrgID}
	if f.Action != "" {
		if f.Prefix() {
			where = append(where, `action LIKE ? ESCAPE '\'`)
			args = append(args, likeEscape(f.Action)+"%")
		} else {
			where = append(where, "action = ?")
			args = append(args, f.Action)
		}
	}
	if f.Actor != "" {
		where = append(where, `actor LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(strings.ToLower(f.Actor))+"%")
	}
	if f.TargetID != "" {
		where = append(where, "target_id = ?")
		args = append(args, f.TargetID)
	}
	if f.Before > 0 {
		where = append(where, "seq < ?")
		args = append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, db.d.bind(`SELECT `+auditColumns+` FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY seq DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("audit entries: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(auditDest(&e)...); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit walks the whole audit log in order and checks the chain. It
// returns the verifier (count and head) and an *audit.Break at the first
// broken entry.
func (db *DB) VerifyAudit(ctx context.Context) (*audit.Verifier, error) {
	v := &audit.Verifier{}
	rows, err := db.r.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return v, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(auditDest(&e)...); err != nil {
			return v, err
		}
		if err := v.Next(e); err != nil {
			return v, err
		}
	}
	return v, rows.Err()
}

// PlaceExists reports whether a place with the id exists in any
// organisation: a request for another organisation's place is answered as
// not found, but audited as a denied access.
func (db *DB) PlaceExists(ctx context.Context, id string) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT COUNT(*) FROM places WHERE id = ?`), id).Scan(&n)
	return n > 0, err
}

// AuditEntry returns the entry with sequence number seq.
func (db *DB) AuditEntry(ctx context.Context, seq int64) (audit.Entry, error) {
	var e audit.Entry
	err := db.r.QueryRowContext(ctx, db.d.bind(`SELECT `+auditColumns+` FROM audit_log WHERE seq = ?`), seq).Scan(auditDest(&e)...)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fault.NotFoundError("audit")
	}
	return e, err
}
