package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/internal/audit"
)

// auditHas reports whether the organisation's audit log has an entry with
// the action (and target, when not "").
func (f *fixture) auditHas(orgID, action, target string) bool {
	f.t.Helper()
	entries, err := f.db.AuditEntries(context.Background(), audit.Filter{OrgID: orgID, Action: action, TargetID: target})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(entries) > 0
}

func TestWrongPasswordsAtRateAreThrottled(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		for i := range MaxLoginFailures {
			if resp, _ := f.login("monitor@example.org", "wrong password "+strconv.Itoa(i)); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
			}
		}
		// Locked: even the right password is refused, with Retry-After.
		resp, cookie := f.login("monitor@example.org", testPassword)
		body := readBody(t, resp)
		retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if resp.StatusCode != http.StatusTooManyRequests || cookie != "" || retry < 60 || retry > int(LoginWindow/time.Second) {
			t.Fatalf("locked login: %d, Retry-After %q, cookie %q", resp.StatusCode, resp.Header.Get("Retry-After"), cookie)
		}
		if !strings.Contains(body, "Too many failed attempts") {
			t.Error("the locked page does not say why")
		}
		entries, err := f.db.AuditEntries(context.Background(), audit.Filter{OrgID: f.org.ID, Action: "login."})
		if err != nil {
			t.Fatal(err)
		}
		var failed, locked int
		for _, e := range entries {
			switch e.Action {
			case audit.LoginFailed:
				failed++
			case audit.LoginLocked:
				locked++
			}
		}
		if failed != MaxLoginFailures || locked < 2 {
			t.Errorf("audit has %d failures and %d lockouts, want %d and at least 2", failed, locked, MaxLoginFailures)
		}
		// The same address from the same IP locks other accounts too…
		if resp, _ := f.login("viewer@example.org", testPassword); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("another account from the locked address: %d", resp.StatusCode)
		}
		// …until the window has passed.
		f.now = f.now.Add(LoginWindow + time.Second)
		if resp, cookie := f.login("monitor@example.org", testPassword); resp.StatusCode != http.StatusSeeOther || cookie == "" {
			t.Errorf("login after the window: %d", resp.StatusCode)
		}
	})
}

func TestOverlongPasswordIsAPlainFailure(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	for _, pw := range []string{strings.Repeat("я", 5000), strings.Repeat("x", maxBody)} {
		resp, cookie := f.login("monitor@example.org", pw)
		if cookie != "" || (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusRequestEntityTooLarge) {
			t.Errorf("%d-byte password: %d", len(pw), resp.StatusCode)
		}
	}
}

func TestDisabledUsersOpenSessionAndTokenStop(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		_, viewer := f.login("viewer@example.org", testPassword)
		if resp := f.do(request{method: "GET", path: "/places", cookie: viewer}); resp.StatusCode != 200 {
			t.Fatalf("before: %d", resp.StatusCode)
		}
		if err := f.db.SetDisabled(context.Background(), f.users["viewer"].ID, true); err != nil {
			t.Fatal(err)
		}
		if resp := f.do(request{method: "GET", path: "/places", cookie: viewer}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("disabled user's session: %d", resp.StatusCode)
		}
		if resp := f.do(request{method: "GET", path: "/api/v1/places", token: "viewer/write"}); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("disabled user's token: %d", resp.StatusCode)
		}
		if resp, cookie := f.login("viewer@example.org", testPassword); resp.StatusCode != http.StatusUnauthorized || cookie != "" {
			t.Errorf("disabled user's login: %d", resp.StatusCode)
		}
	})
}

func TestOtherOrganisationsPlaceIsNotFoundAndAudited(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		_, monitor := f.login("monitor@example.org", testPassword)
		id := f.places["other"].ID
		for _, r := range []request{
			{method: "GET", path: "/places/" + id, cookie: monitor},
			{method: "GET", path: "/places/" + id + "/edit", cookie: monitor},
			{method: "GET", path: "/api/v1/places/" + id, token: "admin/read"},
		} {
			if resp := f.do(r); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", r.method, r.path, resp.StatusCode)
			}
		}
		if !f.auditHas(f.org.ID, audit.AccessDenied, id) {
			t.Error("the attempt on another organisation's place is not in the audit log")
		}
		// A place that exists nowhere is not found too, and no denial is recorded.
		f.do(request{method: "GET", path: "/places/no-such-place", cookie: monitor})
		if f.auditHas(f.org.ID, audit.AccessDenied, "no-such-place") {
			t.Error("a missing place was audited as a denied access")
		}
	})
}

func TestCrossSitePagePostIsRefused(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	_, monitor := f.login("monitor@example.org", testPassword)
	resp := f.do(request{method: "POST", path: "/places", cookie: monitor,
		form:   url.Values{"name": {"Planted"}, "type": {"PRI"}, "country": {"NO"}},
		header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site form post: %d", resp.StatusCode)
	}
	if list := f.do(request{method: "GET", path: "/places?q=planted", cookie: monitor}); strings.Contains(readBody(t, list), "Planted") {
		t.Error("the cross-site post created a place")
	}
}

// TestScriptInEveryPlaceFieldIsInert writes a script into every text field
// of a place and reads every page and API answer that shows them.
func TestScriptInEveryPlaceFieldIsInert(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	_, monitor := f.login("monitor@example.org", testPassword)
	payload := `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	resp := f.do(request{method: "POST", path: "/places", cookie: monitor,
		form: url.Values{"name": {"N" + payload}, "type": {"PRI"}, "country": {"NO"}, "region": {"R" + payload}, "address": {"A" + payload}}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(resp.Header.Get("Location"), "/places/"), "?saved=1")
	for _, path := range []string{"/places/" + id, "/places/" + id + "/edit", "/places", "/places?q=" + url.QueryEscape("N\"><script>")} {
		body := readBody(t, f.do(request{method: "GET", path: path, cookie: monitor}))
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s renders the payload as markup", path)
		}
	}
	// The form with errors shows what was typed, escaped.
	body := readBody(t, f.do(request{method: "POST", path: "/places", cookie: monitor, form: url.Values{"name": {payload}, "type": {"NOPE"}}}))
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") {
		t.Error("the form with errors does not escape what was typed")
	}
	api := f.do(request{method: "GET", path: "/api/v1/places/" + id, token: "admin/read"})
	if b := readBody(t, api); strings.Contains(b, "<script>") || api.Header.Get("Content-Type") != "application/json" {
		t.Errorf("the API answers the payload unescaped or as %q", api.Header.Get("Content-Type"))
	}
}

// An authenticator code works once: seen over a shoulder, it is worthless.
func TestSecondFactorCodeWorksOnce(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		if resp, cookie := f.login("admin@example.org", testPassword); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/places" || cookie == "" {
			t.Fatalf("first sign-in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// The same code again, within its 30 seconds.
		resp, cookie := f.login("admin@example.org", testPassword)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("replayed code: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if page := f.do(request{method: "GET", path: "/places", cookie: cookie}); page.StatusCode != http.StatusSeeOther || !strings.HasPrefix(page.Header.Get("Location"), "/login/2fa") {
			t.Errorf("the session of a replayed code reaches %d %q", page.StatusCode, page.Header.Get("Location"))
		}
		// The next code is fine.
		f.now = f.now.Add(30 * time.Second)
		if resp, _ := f.login("admin@example.org", testPassword); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("next code: %d", resp.StatusCode)
		}
	})
}
