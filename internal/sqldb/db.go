// Package sqldb is Tilsyn's one store: hand-written SQL over database/sql for
// SQLite (embedded, the default) and PostgreSQL. Every difference between the
// two lives in the dialect value; queries are written once with ? placeholders.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Config says which store to open: a PostgreSQL URL, or else a SQLite file in DataDir.
type Config struct {
	DataDir string // directory of the SQLite store; created if missing
	URL     string // postgres://… ; wins over DataDir when set
}

// DB is an open store. Reads go to a pool of readers; writes to one writer
// connection on SQLite (so writers queue instead of failing with "database is
// locked") and to the shared pool on PostgreSQL.
type DB struct {
	w, r *sql.DB
	d    *dialect
}

// SQLiteFile is the name of the store's file inside the data directory.
const SQLiteFile = "tilsyn.db"

// Open opens the store described by cfg. It does not migrate; call Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.URL != "" {
		if !strings.HasPrefix(cfg.URL, "postgres://") && !strings.HasPrefix(cfg.URL, "postgresql://") {
			return nil, errors.New("database URL must start with postgres://")
		}
		return openPostgres(ctx, cfg.URL)
	}
	if cfg.DataDir == "" {
		return nil, errors.New("no data directory and no database URL")
	}
	return openSQLite(ctx, cfg.DataDir)
}

func openSQLite(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, SQLiteFile)
	pragmas := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// The writer creates the file and switches it to WAL before readers open it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{w: w, r: r, d: sqliteDialect}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return &DB{w: db, r: db, d: postgresDialect}, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Engine names the storage engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.d.name }

// Ping checks that the store answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Migrate applies every migration not yet applied, each in its own transaction,
// and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+db.d.name)
	if err != nil {
		return 0, err
	}
	p, err := goose.NewProvider(db.d.goose, db.w, fsys)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// Analyze refreshes PostgreSQL's planner statistics; call it after a bulk
// load, or PostgreSQL plans lists badly until autovacuum catches up. On
// SQLite it does nothing: without statistics SQLite counts and pages the
// lists from their covering indexes, while statistics that show one
// organisation holding every place make it scan the table instead (7 ms
// instead of 1 ms for a 10,000-place count, measured).
func (db *DB) Analyze(ctx context.Context) error {
	if db.d.name == "sqlite" {
		return nil
	}
	_, err := db.w.ExecContext(ctx, "ANALYZE")
	return err
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a transaction: every multi-record change and import runs in one, so
// nothing is half-written.
type Tx struct {
	tx    *sql.Tx
	d     *dialect
	stmts map[string]*sql.Stmt // prepared once per transaction, for bulk work
}

// prepared returns the statement for query (written with ? placeholders),
// preparing it on first use in this transaction. Imports and the demo seed
// run the same few statements thousands of times; preparing each once
// halves their time.
func (tx *Tx) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[query]; ok {
		return st, nil
	}
	st, err := tx.tx.PrepareContext(ctx, tx.d.bind(query))
	if err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[query] = st
	return st, nil
}

// exec runs a prepared statement.
func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := tx.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// queryRow runs a prepared query for one row.
func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := tx.prepared(ctx, query)
	if err != nil {
		return tx.tx.QueryRowContext(ctx, tx.d.bind(query), args...) // reports the same error on Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// WithTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise.
func (db *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&Tx{tx: sqlTx, d: db.d}); err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = errors.Join(err, rbErr)
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
