package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/sqldb"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

// TestAuditVerifyFindsTampering writes a few entries, then changes and
// removes stored rows behind Tilsyn's back, as someone with the database
// file or a superuser login could, and expects `tilsyn audit verify` to
// exit with an error naming the first broken entry.
func TestAuditVerifyFindsTampering(t *testing.T) {
	for _, e := range sqldbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			cfg := e.Config(t)
			args := []string{"audit", "verify", "--data", cfg.DataDir}
			driver, dsn := "sqlite", "file:"+filepath.Join(cfg.DataDir, sqldb.SQLiteFile)
			unlock := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
			if cfg.URL != "" {
				args = []string{"audit", "verify", "--db", cfg.URL}
				driver, dsn = "pgx", cfg.URL
				unlock = []string{"ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"}
			}
			ctx := context.Background()
			db, err := sqldb.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				if _, err := db.AppendAudit(ctx, audit.Entry{At: time.Now(), Actor: fmt.Sprintf("user%d@example.org", i), Action: audit.LoginFailed, IP: "192.0.2.7"}); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()

			out, _, err := runCmd(t, noEnv, "", args...)
			head := regexp.MustCompile(`head (\d+:[0-9a-f]{64})`).FindStringSubmatch(out)
			if err != nil || !strings.Contains(out, "intact: 5 entries") || head == nil {
				t.Fatalf("verify of an intact log: %v %q", err, out)
			}

			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			// The log refuses changes while its triggers stand.
			if _, err := raw.Exec("UPDATE audit_log SET actor = 'someone else' WHERE seq = 3"); err == nil {
				t.Fatal("the audit log accepted an UPDATE")
			}
			if _, err := raw.Exec("DELETE FROM audit_log WHERE seq = 3"); err == nil {
				t.Fatal("the audit log accepted a DELETE")
			}
			for _, q := range unlock {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}

			// Removing the last entry leaves a valid chain: only a recorded head shows it.
			if _, err := raw.Exec("DELETE FROM audit_log WHERE seq = 5"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := runCmd(t, noEnv, "", append(args, "--head", head[1])...); err == nil || !strings.Contains(err.Error(), "entry 5") {
				t.Errorf("verify against the recorded head after removing the last entry: %v", err)
			}

			if _, err := raw.Exec("UPDATE audit_log SET actor = 'someone else' WHERE seq = 3"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := runCmd(t, noEnv, "", args...); err == nil || !strings.Contains(err.Error(), "broken at entry 3") {
				t.Errorf("verify after altering entry 3: %v", err)
			}
			if _, err := raw.Exec("DELETE FROM audit_log WHERE seq = 2"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := runCmd(t, noEnv, "", args...); err == nil || !strings.Contains(err.Error(), "broken at entry 2") {
				t.Errorf("verify after removing entry 2: %v", err)
			}
		})
	}
}
