// Package sqldbtest gives tests real stores: a SQLite file in a temporary
// directory always, and a fresh schema on the PostgreSQL server named by
// TILSYN_TEST_POSTGRES when it is set. There is no mock store.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/tilsyn/tilsyn/internal/sqldb"
)

// EnvPostgres names the variable that holds a PostgreSQL URL for tests.
const EnvPostgres = "TILSYN_TEST_POSTGRES"

// Engine is a storage engine a test can run against.
type Engine struct {
	Name string
	// Config returns a configuration for a new, empty store of this engine.
	Config func(t testing.TB) sqldb.Config
}

// Engines lists SQLite and, when TILSYN_TEST_POSTGRES is set, PostgreSQL.
// A test that loops over them runs the same assertions on both.
func Engines(t testing.TB) []Engine {
	engines := []Engine{{Name: "sqlite", Config: func(t testing.TB) sqldb.Config {
		return sqldb.Config{DataDir: t.TempDir()}
	}}}
	if _, ok := os.LookupEnv(EnvPostgres); ok {
		engines = append(engines, Engine{Name: "postgres", Config: func(t testing.TB) sqldb.Config {
			return sqldb.Config{URL: PostgresURL(t)}
		}})
	} else {
		t.Logf("PostgreSQL suite skipped: %s is not set", EnvPostgres)
	}
	return engines
}

// PostgresURL creates a schema of its own on the test server, dropped when
// the test ends, and returns a URL whose connections use it. It skips the
// test when no server is configured.
func PostgresURL(t testing.TB) string {
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL suite skipped: %s is not set", EnvPostgres)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema on %s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens and migrates a new store of engine e, closed when the test ends.
func Open(t testing.TB, e Engine) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), e.Config(t))
	if err != nil {
		t.Fatalf("open %s store: %v", e.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s store: %v", e.Name, err)
	}
	return db
}
