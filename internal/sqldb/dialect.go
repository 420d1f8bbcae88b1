package sqldb

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds every difference between SQLite and PostgreSQL, so queries
// elsewhere are written once.
type dialect struct {
	name        string
	goose       goose.Dialect
	dollarBinds bool // PostgreSQL numbers its placeholders: $1, $2, …
	isUnique    func(error) bool
	// lockAudit serialises appends to the hash-chained audit log inside a
	// transaction; SQLite's single writer serialises them already.
	lockAudit string
}

var sqliteDialect = &dialect{
	name:  "sqlite",
	goose: goose.DialectSQLite3,
	isUnique: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
}

var postgresDialect = &dialect{
	name:        "postgres",
	goose:       goose.DialectPostgres,
	dollarBinds: true,
	lockAudit:   "LOCK TABLE audit_log IN EXCLUSIVE MODE",
	isUnique: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
}

// bind rewrites ? placeholders for the dialect. Queries in this package never
// put a ? inside a string literal.
func (d *dialect) bind(q string) string {
	if !d.dollarBinds {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// likeEscape escapes s for use in a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
