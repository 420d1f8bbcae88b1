package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/perftest"
	"github.com/tilsyn/tilsyn/internal/sqldb"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

// BenchmarkSessionAndPolicy measures what authentication adds to a request:
// finding the session (or API token) in the store, then the policy decision.
// The target is ≤ 1 ms.
func BenchmarkSessionAndPolicy(b *testing.B) {
	for _, e := range sqldbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			db := sqldbtest.Open(b, e)
			var org account.Org
			var u account.User
			err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
				var err error
				if org, err = tx.CreateOrg(ctx, account.Org{Slug: "bench", Name: "Bench"}, time.Now()); err != nil {
					return err
				}
				u, err = tx.CreateUser(ctx, account.User{Email: "bench@example.org", PasswordHash: "x"}, org.ID, account.Monitor, time.Now())
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			secret, token := account.NewSecret("ts_"), account.NewSecret("tt_")
			if _, err := db.CreateSession(ctx, account.HashSecret(secret), account.Session{UserID: u.ID, OrgID: org.ID, MFAOK: true}, time.Now()); err != nil {
				b.Fatal(err)
			}
			if _, err := db.CreateToken(ctx, account.Token{UserID: u.ID, OrgID: org.ID, Name: "b", Scope: account.ScopeWrite}, account.HashSecret(token), time.Now()); err != nil {
				b.Fatal(err)
			}
			s := &Server{Deps: Deps{Accounts: db, Now: time.Now, Sessions: account.DefaultLimits}}
			for _, kind := range []string{"session", "token"} {
				b.Run(kind, func(b *testing.B) {
					r := httptest.NewRequest("GET", "/places", nil)
					if kind == "session" {
						r.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
					} else {
						r.Header.Set("Authorization", "Bearer "+token)
					}
					var durations []time.Duration
					for b.Loop() {
						start := time.Now()
						m, err := s.authenticate(r, kind == "token")
						if err != nil || !m.Can(account.PlaceWrite) {
							b.Fatalf("authenticate: %v", err)
						}
						durations = append(durations, time.Since(start))
					}
					perftest.ReportPercentiles(b, durations)
				})
			}
		})
	}
}
