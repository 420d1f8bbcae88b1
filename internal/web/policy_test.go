package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/sqldb"
)

// TestEveryRouteFollowsThePolicy walks every registered route with every
// role and with no one signed in, and compares what happens with the policy
// table in internal/account: a role the policy allows is let through (any
// answer but 401 and 403), one it does not gets 403, no one gets 401 (API)
// or a redirect to the login page. A route whose action the policy does not
// know fails.
func TestEveryRouteFollowsThePolicy(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	ctx := context.Background()
	known := map[account.Action]bool{public: true, signedIn: true}
	for _, a := range account.Actions() {
		known[a] = true
	}

	// A user of every role in the organisation, with a write token each.
	users := map[account.Role]account.User{account.Admin: f.users["admin"], account.Monitor: f.users["monitor"], account.Viewer: f.users["viewer"]}
	tokens := map[account.Role]string{account.Admin: f.tokens["admin/write"], account.Viewer: f.tokens["viewer/write"]}
	for _, role := range account.Roles {
		if _, ok := users[role]; !ok {
			u, err := f.db.CreateUser(ctx, account.User{Email: string(role) + "-walk@example.org", PasswordHash: "x"}, f.org.ID, role, testNow)
			if err != nil {
				t.Fatal(err)
			}
			users[role] = u
		}
		if _, ok := tokens[role]; !ok {
			secret := account.NewSecret("tt_")
			if _, err := f.db.CreateToken(ctx, account.Token{UserID: users[role].ID, OrgID: f.org.ID, Name: "walk", Scope: account.ScopeWrite}, account.HashSecret(secret), testNow); err != nil {
				t.Fatal(err)
			}
			tokens[role] = secret
		}
	}
	target, err := f.db.CreateUser(ctx, account.User{Email: "target@example.org", PasswordHash: "x"}, f.org.ID, account.Monitor, testNow)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh session per request, so a route that ends sessions cannot
	// spoil the next.
	session := func(role account.Role) string {
		secret := account.NewSecret("ts_")
		if _, err := f.db.CreateSession(ctx, account.HashSecret(secret), account.Session{UserID: users[role].ID, OrgID: f.org.ID, MFAOK: true}, f.now); err != nil {
			t.Fatal(err)
		}
		return secret
	}
	path := func(pattern string) string {
		p := pattern
		switch {
		case strings.HasPrefix(p, "/places/"), strings.HasPrefix(p, "/api/v1/places/"):
			p = strings.Replace(p, "{id}", f.places["Bergen fengsel"].ID, 1)
		case strings.HasPrefix(p, "/admin/users/"):
			p = strings.Replace(p, "{id}", target.ID, 1)
		}
		return strings.NewReplacer("{id}", sqldb.NewID(), "{file}", "none.css", "{token}", "pr_none", "{$}", "").Replace(p)
	}

	walked := 0
	for _, rt := range f.srv.routes {
		method, pattern, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			continue // the catch-alls
		}
		if !known[rt.action] {
			t.Errorf("%s: action %q has no entry in the policy", rt.pattern, rt.action)
			continue
		}
		walked++
		p := path(pattern)
		req := func(role account.Role) request {
			r := request{method: method, path: p}
			if role == "" {
				return r
			}
			if rt.api {
				r.header = map[string]string{"Authorization": "Bearer " + tokens[role]}
			} else {
				r.cookie = session(role)
			}
			if method == http.MethodPost || method == http.MethodPatch {
				if rt.api {
					r.body = "{}"
				} else {
					r.form = map[string][]string{}
				}
			}
			return r
		}

		resp := f.do(req(""))
		switch {
		case resp.StatusCode >= 500:
			t.Errorf("%s anonymous: %d", rt.pattern, resp.StatusCode)
		case rt.action == public:
			// 401 is a public route's own answer (a failed sign-in), not the policy's.
			if resp.StatusCode == 403 {
				t.Errorf("%s is public but anonymous got %d", rt.pattern, resp.StatusCode)
			}
		case rt.api && resp.StatusCode != 401:
			t.Errorf("%s anonymous: %d, want 401", rt.pattern, resp.StatusCode)
		case !rt.api && (resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login")):
			t.Errorf("%s anonymous: %d to %q, want a redirect to the login page", rt.pattern, resp.StatusCode, resp.Header.Get("Location"))
		}
		if rt.action == public {
			continue
		}
		for _, role := range account.Roles {
			resp := f.do(req(role))
			allowed := rt.action == signedIn || (account.Member{Role: role}).Can(rt.action)
			denied := resp.StatusCode == 401 || resp.StatusCode == 403
			switch {
			case resp.StatusCode >= 500:
				t.Errorf("%s as %s: %d", rt.pattern, role, resp.StatusCode)
			case allowed && denied:
				t.Errorf("%s as %s: %d, but the policy allows it", rt.pattern, role, resp.StatusCode)
			case !allowed && resp.StatusCode != 403:
				t.Errorf("%s as %s: %d, want 403", rt.pattern, role, resp.StatusCode)
			}
		}
	}
	if walked < 15 {
		t.Errorf("walked only %d routes", walked)
	}
	if !slices.Contains(account.Actions(), account.PlaceWrite) {
		t.Error("the policy lost place.write")
	}
}

func TestReadScopedTokenCannotWrite(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	resp := f.do(request{method: "PATCH", path: "/api/v1/places/" + f.places["Bergen fengsel"].ID, token: "admin/read", body: `{"region":"Vestland"}`})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("read token PATCH: %d", resp.StatusCode)
	}
}
