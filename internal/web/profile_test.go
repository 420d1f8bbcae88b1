package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/i18n"
)

// profileTestIP is the address httptest requests come from.
const profileTestIP = "192.0.2.1"

// profileSignIn signs in with a password only and returns the session
// cookie and where the sign-in sent the browser.
func (f *fixture) profileSignIn(email, password string) (cookie, location string) {
	f.t.Helper()
	resp := f.do(request{method: "POST", path: "/login", form: url.Values{"email": {email}, "password": {password}, "next": {"/places"}}})
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			cookie = c.Value
		}
	}
	if cookie == "" {
		f.t.Fatalf("sign-in as %s: %d, no session cookie", email, resp.StatusCode)
	}
	return cookie, resp.Header.Get("Location")
}

// profileWorks reports whether a session cookie still opens a page.
func (f *fixture) profileWorks(cookie string) bool {
	f.t.Helper()
	return f.do(request{method: "GET", path: "/profile", cookie: cookie}).StatusCode == http.StatusOK
}

// profileAudit returns the organisation's audit entries of one action.
func (f *fixture) profileAudit(orgID, action string) []audit.Entry {
	f.t.Helper()
	es, err := f.db.AuditEntries(context.Background(), audit.Filter{OrgID: orgID, Action: action, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

// profileLogs captures everything the server logs, at every level.
func (f *fixture) profileLogs() *profileLogBuffer {
	b := &profileLogBuffer{}
	f.srv.Logger = slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return b
}

type profileLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *profileLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *profileLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// profileNoSecret fails when a secret shows up in the logs, the audit log or
// a redirect.
func (f *fixture) profileNoSecret(logs *profileLogBuffer, secrets ...string) {
	f.t.Helper()
	var all []audit.Entry
	for _, org := range []string{f.org.ID, f.other.ID, ""} {
		es, err := f.db.AuditEntries(context.Background(), audit.Filter{OrgID: org, Limit: 500})
		if err != nil {
			f.t.Fatal(err)
		}
		all = append(all, es...)
	}
	if !strings.Contains(logs.String(), "path=/profile") {
		f.t.Error("the server's log was not captured")
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(logs.String(), s) {
			f.t.Errorf("a secret is in the server's log")
		}
		for _, e := range all {
			if strings.Contains(e.Detail+e.TargetID+e.Actor, s) {
				f.t.Errorf("a secret is in audit entry %d (%s)", e.Seq, e.Action)
			}
		}
	}
}

func TestProfilePage(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	ctx := context.Background()
	monitor := f.users["monitor"]
	// The monitor is also a viewer in the other organisation, since later:
	// sign-in lands in the first.
	if _, err := f.db.AddMember(ctx, f.other.ID, account.User{Email: monitor.Email}, account.Viewer, testNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, cookie := f.login(monitor.Email, testPassword)

	resp := f.do(request{method: "GET", path: "/profile", cookie: cookie})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /profile: %d", resp.StatusCode)
	}
	en := f.srv.Catalog.For("en")
	for _, want := range []string{
		`<a href="/profile">monitor@example.org</a>`, // the header links to the profile
		"Test NPM", "Other NGO", en.T("role.monitor"), en.T("role.viewer"),
		`action="/profile/org"`, `action="/profile/locale"`, `action="/profile/password"`,
		en.T("profile.mfa.off"), `href="/profile/2fa"`, en.T("profile.sessions.this"),
		en.T("profile.tokens.none"), `action="/profile/tokens"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("profile page lacks %q", want)
		}
	}

	// Switching to the other organisation shows its places.
	resp = f.do(request{method: "POST", path: "/profile/org", cookie: cookie, form: url.Values{"org": {f.other.ID}}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile?saved=1" {
		t.Fatalf("switch org: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if body := readBody(t, f.do(request{method: "GET", path: "/places", cookie: cookie})); !strings.Contains(body, "Kresty") || strings.Contains(body, "Bergen fengsel") {
		t.Error("after switching, the places are not the other organisation's")
	}
	if len(f.profileAudit(f.org.ID, audit.OrgSwitched)) != 1 {
		t.Error("switching organisation was not audited")
	}
	// An organisation the user does not belong to is not found.
	_, viewer := f.login("viewer@example.org", testPassword)
	if resp := f.do(request{method: "POST", path: "/profile/org", cookie: viewer, form: url.Values{"org": {f.other.ID}}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("switch to a foreign organisation: %d", resp.StatusCode)
	}

	// The interface language follows the profile, then the browser again.
	resp = f.do(request{method: "POST", path: "/profile/locale", cookie: cookie, form: url.Values{"locale": {"ru"}}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set locale: %d", resp.StatusCode)
	}
	body = readBody(t, f.do(request{method: "GET", path: "/profile", cookie: cookie, header: map[string]string{"Accept-Language": "sv"}}))
	if !strings.Contains(body, `<html lang="ru"`) || !strings.Contains(body, f.srv.Catalog.For("ru").T("profile.title")) {
		t.Error("the profile's language ru is not used")
	}
	f.do(request{method: "POST", path: "/profile/locale", cookie: cookie, form: url.Values{"locale": {""}}})
	if body := readBody(t, f.do(request{method: "GET", path: "/profile", cookie: cookie, header: map[string]string{"Accept-Language": "sv"}})); !strings.Contains(body, `<html lang="sv"`) {
		t.Error("with no language in the profile, the browser's is not used")
	}
	if resp := f.do(request{method: "POST", path: "/profile/locale", cookie: cookie, form: url.Values{"locale": {"de"}}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown locale: %d", resp.StatusCode)
	}

	// Signed out, the profile asks for sign-in.
	if resp := f.do(request{method: "GET", path: "/profile"}); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("anonymous GET /profile: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestProfilePasswordChange(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		logs := f.profileLogs()
		monitor := f.users["monitor"]
		_, here := f.login(monitor.Email, testPassword)
		_, elsewhere := f.login(monitor.Email, testPassword)
		const newPassword = "vintage otter mango fjord 42"

		change := func(current, pw, confirm string) (*http.Response, string) {
			resp := f.do(request{method: "POST", path: "/profile/password", cookie: here, form: url.Values{"current": {current}, "new": {pw}, "confirm": {confirm}}})
			return resp, readBody(t, resp)
		}
		en := f.srv.Catalog.For("en")

		// A wrong current password: a field error, audited, and counted as a failed sign-in.
		resp, body := change("not my password", newPassword, newPassword)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="password-current-error"`) || !strings.Contains(body, en.T("profile.error.current_wrong")) {
			t.Errorf("wrong current password: %d", resp.StatusCode)
		}
		if strings.Contains(body, "not my password") || strings.Contains(body, newPassword) {
			t.Error("the form echoes a password")
		}
		if es := f.profileAudit(f.org.ID, audit.LoginFailed); len(es) != 1 || es[0].ActorID != monitor.ID {
			t.Errorf("wrong current password audited as %+v", es)
		}
		if byEmail, _, _, err := f.db.LoginFailures(ctx, monitor.Email, profileTestIP, testNow.Add(-LoginWindow)); err != nil || byEmail != 1 {
			t.Errorf("login failures after a wrong current password: %d, %v", byEmail, err)
		}

		// A common password, a short one, and two that differ.
		resp, body = change(testPassword, "password1234", "password1234")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="password-new-error"`) || !strings.Contains(body, en.T("error.account.password_common")) {
			t.Errorf("common password: %d", resp.StatusCode)
		}
		resp, body = change(testPassword, "short", "short")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, en.T("error.account.password_short")) {
			t.Errorf("short password: %d", resp.StatusCode)
		}
		resp, body = change(testPassword, newPassword, newPassword+"!")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="password-confirm-error"`) || !strings.Contains(body, en.T("profile.error.confirm_mismatch")) ||
			!strings.Contains(body, en.N("form.error_summary", 1)) || !strings.Contains(body, `href="#password-confirm"`) {
			t.Errorf("mismatched confirmation: %d", resp.StatusCode)
		}
		if !f.profileWorks(here) || !f.profileWorks(elsewhere) {
			t.Fatal("a refused change ended a session")
		}

		// Success: this session stays, the others end, the new password signs in.
		resp, _ = change(testPassword, newPassword, newPassword)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile?saved=1" {
			t.Fatalf("change: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if !f.profileWorks(here) {
			t.Error("the session that changed the password ended")
		}
		if f.profileWorks(elsewhere) {
			t.Error("another session survived the password change")
		}
		if len(f.profileAudit(f.org.ID, audit.PasswordChange)) != 1 {
			t.Error("the change was not audited")
		}
		if resp, _ := f.login(monitor.Email, testPassword); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("old password after the change: %d", resp.StatusCode)
		}
		if resp, _ := f.login(monitor.Email, newPassword); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("new password: %d", resp.StatusCode)
		}
		f.profileNoSecret(logs, testPassword, newPassword, "not my password")
	})
}

func TestProfilePasswordLockout(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	_, cookie := f.login("monitor@example.org", testPassword)
	form := func(current string) url.Values {
		return url.Values{"current": {current}, "new": {"vintage otter mango fjord 42"}, "confirm": {"vintage otter mango fjord 42"}}
	}
	for i := range MaxLoginFailures {
		if resp := f.do(request{method: "POST", path: "/profile/password", cookie: cookie, form: form("wrong guess")}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d", i+1, resp.StatusCode)
		}
	}
	// Locked: even the right password is not checked, here or at sign-in.
	resp := f.do(request{method: "POST", path: "/profile/password", cookie: cookie, form: form(testPassword)})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, f.srv.Catalog.For("en").N("profile.error.locked", 15)) {
		t.Errorf("after %d wrong passwords: %d, Retry-After %q", MaxLoginFailures, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := f.do(request{method: "POST", path: "/login", form: url.Values{"email": {"monitor@example.org"}, "password": {testPassword}}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sign-in after wrong current passwords: %d", resp.StatusCode)
	}
	if len(f.profileAudit(f.org.ID, audit.LoginLocked)) == 0 {
		t.Error("the lockout was not audited")
	}
}

var (
	profileRecoveryCode = regexp.MustCompile(`<code class="secret">([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>`)
	profileTokenValue   = regexp.MustCompile(`value="(tt_[a-z2-7]+)"`)
)

func TestProfileTOTPEnrolment(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		logs := f.profileLogs()
		email := "monitor@example.org"
		_, cookie := f.login(email, testPassword)

		// The enrolment page shows a QR code and the key, the same on a reload.
		resp := f.do(request{method: "GET", path: "/profile/2fa", cookie: cookie})
		body := readBody(t, resp)
		u, err := f.db.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		secret := u.TOTPSecret
		if resp.StatusCode != http.StatusOK || secret == "" || u.TOTPEnabled {
			t.Fatalf("GET /profile/2fa: %d, secret stored %v, enabled %v", resp.StatusCode, secret != "", u.TOTPEnabled)
		}
		for _, want := range []string{`<img class="qr" src="data:image/png;base64,`, `alt="` + f.srv.Catalog.For("en").T("profile.mfa.qr_alt") + `"`, profileGroups(secret), `action="/profile/2fa"`} {
			if !strings.Contains(body, want) {
				t.Errorf("enrolment page lacks %q", want)
			}
		}
		if strings.Contains(body, f.srv.Catalog.For("en").T("profile.mfa.must_enrol")) {
			t.Error("a monitor is told enrolment is required")
		}
		if body := readBody(t, f.do(request{method: "GET", path: "/profile/2fa", cookie: cookie})); !strings.Contains(body, profileGroups(secret)) {
			t.Error("a reload shows another key")
		}

		// A wrong code is a field error.
		resp = f.do(request{method: "POST", path: "/profile/2fa", cookie: cookie, form: url.Values{"code": {"000000"}}})
		if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="code-error"`) || !strings.Contains(body, profileGroups(secret)) {
			t.Errorf("wrong code: %d", resp.StatusCode)
		}

		// The right code turns it on and shows ten recovery codes once.
		code, err := totp.GenerateCode(secret, testNow)
		if err != nil {
			t.Fatal(err)
		}
		resp = f.do(request{method: "POST", path: "/profile/2fa", cookie: cookie, form: url.Values{"code": {code}}})
		body = readBody(t, resp)
		var recovery []string
		for _, m := range profileRecoveryCode.FindAllStringSubmatch(body, -1) {
			recovery = append(recovery, m[1])
		}
		if resp.StatusCode != http.StatusOK || len(recovery) != account.RecoveryCodeCount || !strings.Contains(body, `href="/profile"`) {
			t.Fatalf("enable: %d, %d recovery codes", resp.StatusCode, len(recovery))
		}
		if len(f.profileAudit(f.org.ID, audit.MFAEnabled)) != 1 {
			t.Error("enabling was not audited")
		}
		if !f.profileWorks(cookie) {
			t.Error("the session that enrolled must give its code again")
		}
		if body := readBody(t, f.do(request{method: "GET", path: "/profile/2fa", cookie: cookie})); strings.Contains(body, recovery[0]) || strings.Contains(body, profileGroups(secret)) ||
			!strings.Contains(body, f.srv.Catalog.For("en").N("profile.mfa.recovery_left", 10)) {
			t.Error("the second-factor page shows a secret again, or not the codes left")
		}
		// Posting a code again does not make new codes without the password.
		if resp := f.do(request{method: "POST", path: "/profile/2fa", cookie: cookie, form: url.Values{"code": {code}}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("second enrolment: %d", resp.StatusCode)
		}

		// The next sign-in needs the code.
		second, to := f.profileSignIn(email, testPassword)
		if !strings.HasPrefix(to, "/login/2fa") {
			t.Fatalf("sign-in after enrolment goes to %q", to)
		}
		if resp := f.do(request{method: "GET", path: "/places", cookie: second}); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login/2fa") {
			t.Errorf("before the code: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// A recovery code works once, and only once.
		resp = f.do(request{method: "POST", path: "/login/2fa", cookie: second, form: url.Values{"code": {recovery[3]}, "next": {"/places"}}})
		if resp.StatusCode != http.StatusSeeOther || !f.profileWorks(second) {
			t.Fatalf("recovery code: %d", resp.StatusCode)
		}
		third, _ := f.profileSignIn(email, testPassword)
		if resp := f.do(request{method: "POST", path: "/login/2fa", cookie: third, form: url.Values{"code": {recovery[3]}}}); resp.StatusCode != http.StatusUnauthorized || f.profileWorks(third) {
			t.Errorf("a spent recovery code: %d", resp.StatusCode)
		}
		if resp := f.do(request{method: "POST", path: "/login/2fa", cookie: third, form: url.Values{"code": {code}}}); resp.StatusCode != http.StatusSeeOther || !f.profileWorks(third) {
			t.Errorf("authenticator code: %d", resp.StatusCode)
		}

		// New recovery codes need the password, and replace the old ones.
		resp = f.do(request{method: "POST", path: "/profile/2fa/recovery", cookie: cookie, form: url.Values{"password": {"wrong"}}})
		if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="recovery-password-error"`) || profileRecoveryCode.MatchString(body) {
			t.Errorf("new codes with a wrong password: %d", resp.StatusCode)
		}
		resp = f.do(request{method: "POST", path: "/profile/2fa/recovery", cookie: cookie, form: url.Values{"password": {testPassword}}})
		body = readBody(t, resp)
		fresh := profileRecoveryCode.FindAllStringSubmatch(body, -1)
		if resp.StatusCode != http.StatusOK || len(fresh) != account.RecoveryCodeCount || fresh[0][1] == recovery[0] {
			t.Fatalf("new codes: %d, %d codes", resp.StatusCode, len(fresh))
		}
		if ok, err := f.db.UseRecoveryCode(ctx, u.ID, account.HashRecoveryCode(recovery[0]), testNow); err != nil || ok {
			t.Errorf("an old recovery code still works after new ones: %v %v", ok, err)
		}
		if len(f.profileAudit(f.org.ID, audit.RecoveryCodes)) != 1 {
			t.Error("new recovery codes were not audited")
		}

		// A monitor may turn it off, with the password.
		resp = f.do(request{method: "POST", path: "/profile/2fa/disable", cookie: cookie, form: url.Values{"password": {"wrong"}}})
		if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="disable-password-error"`) {
			t.Errorf("disable with a wrong password: %d", resp.StatusCode)
		}
		resp = f.do(request{method: "POST", path: "/profile/2fa/disable", cookie: cookie, form: url.Values{"password": {testPassword}}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d", resp.StatusCode)
		}
		if u, _ := f.db.UserByEmail(ctx, email); u.TOTPEnabled || u.TOTPSecret != "" {
			t.Error("the second factor is still on")
		}
		if len(f.profileAudit(f.org.ID, audit.MFADisabled)) != 1 {
			t.Error("disabling was not audited")
		}
		if _, to := f.profileSignIn(email, testPassword); to != "/places" {
			t.Errorf("sign-in after disabling goes to %q", to)
		}

		secrets := []string{secret, testPassword}
		for _, c := range recovery {
			secrets = append(secrets, c)
		}
		for _, c := range fresh {
			secrets = append(secrets, c[1])
		}
		f.profileNoSecret(logs, secrets...)
	})
}

func TestProfileAdminMustEnrol(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := f.users["admin"]
		if err := f.db.SetTOTP(ctx, admin.ID, "", false, nil); err != nil {
			t.Fatal(err)
		}
		cookie, to := f.profileSignIn(admin.Email, testPassword)
		if to != "/profile/2fa?next=%2Fplaces" {
			t.Fatalf("an admin without a second factor signs in to %q", to)
		}
		// Nothing else is open until enrolled.
		for _, r := range []request{
			{method: "GET", path: "/places"}, {method: "GET", path: "/"}, {method: "GET", path: "/profile"},
			{method: "GET", path: "/places/new"}, {method: "GET", path: "/places/" + f.places["Bergen fengsel"].ID},
			{method: "POST", path: "/places", form: url.Values{"name": {"X"}, "type": {"PRI"}, "country": {"NO"}}},
			{method: "POST", path: "/profile/password", form: url.Values{"current": {testPassword}, "new": {"vintage otter mango fjord 42"}, "confirm": {"vintage otter mango fjord 42"}}},
			{method: "POST", path: "/profile/tokens", form: url.Values{"name": {"x"}, "scope": {"write"}}},
			{method: "POST", path: "/profile/sessions/end-others"},
			{method: "POST", path: "/profile/2fa/recovery", form: url.Values{"password": {testPassword}}},
		} {
			r.cookie = cookie
			want := "/profile/2fa"
			if r.method == http.MethodGet {
				want += "?next=" + url.QueryEscape(r.path)
			}
			if resp := f.do(r); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
				t.Errorf("%s %s before enrolment: %d %q", r.method, r.path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		en := f.srv.Catalog.For("en")
		resp := f.do(request{method: "GET", path: "/profile/2fa?next=%2Fplaces", cookie: cookie})
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, en.T("profile.mfa.must_enrol")) || !strings.Contains(body, `name="next" value="/places"`) {
			t.Fatalf("enrolment page: %d", resp.StatusCode)
		}
		u, err := f.db.UserByEmail(ctx, admin.Email)
		if err != nil {
			t.Fatal(err)
		}
		code, err := totp.GenerateCode(u.TOTPSecret, testNow)
		if err != nil {
			t.Fatal(err)
		}
		resp = f.do(request{method: "POST", path: "/profile/2fa", cookie: cookie, form: url.Values{"code": {code}, "next": {"/places"}}})
		if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/places"`) || !profileRecoveryCode.MatchString(body) {
			t.Fatalf("enrol: %d", resp.StatusCode)
		}
		if resp := f.do(request{method: "GET", path: "/places", cookie: cookie}); resp.StatusCode != http.StatusOK {
			t.Errorf("places after enrolment: %d", resp.StatusCode)
		}
		// An administrator cannot turn it off.
		if body := readBody(t, f.do(request{method: "GET", path: "/profile/2fa", cookie: cookie})); strings.Contains(body, `action="/profile/2fa/disable"`) || !strings.Contains(body, en.T("profile.error.mfa_required")) {
			t.Error("an administrator is offered to turn the second factor off")
		}
		if resp := f.do(request{method: "POST", path: "/profile/2fa/disable", cookie: cookie, form: url.Values{"password": {testPassword}}}); resp.StatusCode != http.StatusConflict {
			t.Errorf("an administrator turns the second factor off: %d", resp.StatusCode)
		}
		if u, _ := f.db.UserByEmail(ctx, admin.Email); !u.TOTPEnabled {
			t.Error("the administrator's second factor is off")
		}
	})
}

func TestProfileTokens(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		logs := f.profileLogs()
		monitor := f.users["monitor"]
		_, cookie := f.login(monitor.Email, testPassword)
		en := f.srv.Catalog.For("en")

		// Errors come back beside the fields, keeping what was typed.
		resp := f.do(request{method: "POST", path: "/profile/tokens", cookie: cookie, form: url.Values{"name": {""}, "scope": {"admin"}}})
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="token-name-error"`) || !strings.Contains(body, `id="token-scope-error"`) || !strings.Contains(body, en.N("form.error_summary", 2)) {
			t.Errorf("invalid token form: %d", resp.StatusCode)
		}
		resp = f.do(request{method: "POST", path: "/profile/tokens", cookie: cookie, form: url.Values{"name": {strings.Repeat("n", 101)}, "scope": {"read"}}})
		if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, en.T("error.too_long")) {
			t.Errorf("long token name: %d", resp.StatusCode)
		}

		// A new token is shown once, and works on the API.
		resp = f.do(request{method: "POST", path: "/profile/tokens", cookie: cookie, form: url.Values{"name": {"Statistics <export>"}, "scope": {"read"}}})
		body = readBody(t, resp)
		m := profileTokenValue.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil || strings.Count(body, m[1]) != 1 || !strings.Contains(body, en.T("profile.tokens.created_warning")) {
			t.Fatalf("create token: %d", resp.StatusCode)
		}
		secret := m[1]
		if !strings.Contains(body, "Statistics &lt;export&gt;") || resp.Header.Get("Location") != "" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Error("the token list lacks the new token, or the response may be kept")
		}
		if body := readBody(t, f.do(request{method: "GET", path: "/profile", cookie: cookie})); strings.Contains(body, secret) {
			t.Error("the token is shown a second time")
		}
		api := request{method: "GET", path: "/api/v1/places", header: map[string]string{"Authorization": "Bearer " + secret}}
		if resp := f.do(api); resp.StatusCode != http.StatusOK {
			t.Fatalf("API with the new token: %d", resp.StatusCode)
		}
		tokens, err := f.db.Tokens(ctx, f.org.ID, monitor.ID)
		if err != nil || len(tokens) != 1 || tokens[0].Scope != account.ScopeRead {
			t.Fatalf("tokens %+v, %v", tokens, err)
		}
		id := tokens[0].ID
		if es := f.profileAudit(f.org.ID, audit.TokenCreated); len(es) != 1 || es[0].TargetKind != "token" || es[0].TargetID != id {
			t.Errorf("token creation audited as %+v", es)
		}

		// A token cannot reach the profile — pages take only the session
		// cookie — so a read token cannot mint a write one.
		for _, r := range []request{
			{method: "POST", path: "/profile/tokens", form: url.Values{"name": {"escalate"}, "scope": {"write"}}},
			{method: "GET", path: "/profile"},
			{method: "POST", path: "/profile/sessions/end-others"},
		} {
			r.header = api.header
			if resp := f.do(r); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("%s %s with an API token: %d to %q, want the login page", r.method, r.path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if tokens, _ := f.db.Tokens(ctx, f.org.ID, monitor.ID); len(tokens) != 1 {
			t.Error("an API token made a token")
		}

		// Another user's token is not found; revoking one's own closes the API.
		others, err := f.db.Tokens(ctx, f.org.ID, f.users["admin"].ID)
		if err != nil || len(others) == 0 {
			t.Fatal(others, err)
		}
		if resp := f.do(request{method: "POST", path: "/profile/tokens/" + others[0].ID + "/revoke", cookie: cookie}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("revoke another user's token: %d", resp.StatusCode)
		}
		if resp := f.do(request{method: "GET", path: "/api/v1/places", token: "admin/write"}); resp.StatusCode != http.StatusOK {
			t.Errorf("the admin's token after a refused revoke: %d", resp.StatusCode)
		}
		resp = f.do(request{method: "POST", path: "/profile/tokens/" + id + "/revoke", cookie: cookie})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if resp := f.do(api); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("API with a revoked token: %d", resp.StatusCode)
		}
		if es := f.profileAudit(f.org.ID, audit.TokenRevoked); len(es) != 1 || es[0].TargetKind != "token" || es[0].TargetID != id {
			t.Errorf("revocation audited as %+v", es)
		}
		body = readBody(t, f.do(request{method: "GET", path: "/profile", cookie: cookie}))
		if strings.Contains(body, `action="/profile/tokens/`+id+`/revoke"`) || !strings.Contains(body, en.T("profile.tokens.revoked", "At", fmtTestTime())) {
			t.Error("the revoked token is still offered for revoking, or not shown as revoked")
		}
		f.profileNoSecret(logs, secret)
	})
}

func fmtTestTime() string { return testNow.UTC().Format("2006-01-02 15:04") + " UTC" }

func TestProfileSessions(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		monitor := f.users["monitor"]
		_, here := f.login(monitor.Email, testPassword)
		_, elsewhere := f.login(monitor.Email, testPassword)
		_, viewer := f.login("viewer@example.org", testPassword)

		body := readBody(t, f.do(request{method: "GET", path: "/profile", cookie: here}))
		if strings.Count(body, `action="/profile/sessions/`) != 2 || !strings.Contains(body, `action="/profile/sessions/end-others"`) {
			t.Errorf("the sessions table does not offer to end the one other session and all others")
		}

		// Another user's session is not found, and keeps working.
		vs, err := f.db.Sessions(ctx, f.users["viewer"].ID)
		if err != nil || len(vs) != 1 {
			t.Fatal(vs, err)
		}
		if resp := f.do(request{method: "POST", path: "/profile/sessions/" + vs[0].ID + "/end", cookie: here}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("ending another user's session: %d", resp.StatusCode)
		}
		if resp := f.do(request{method: "POST", path: "/profile/sessions/nope/end", cookie: here}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("ending no session: %d", resp.StatusCode)
		}
		if !f.profileWorks(viewer) {
			t.Error("the viewer's session ended")
		}

		// Sign out everywhere else.
		resp := f.do(request{method: "POST", path: "/profile/sessions/end-others", cookie: here})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("end others: %d", resp.StatusCode)
		}
		if !f.profileWorks(here) || f.profileWorks(elsewhere) || !f.profileWorks(viewer) {
			t.Error("sign out everywhere else ended the wrong sessions")
		}
		if len(f.profileAudit(f.org.ID, audit.LogoutAll)) != 1 {
			t.Error("sign out everywhere else was not audited")
		}

		// End one other session: the one button "again" sees is for "here".
		_, again := f.login(monitor.Email, testPassword)
		buttons := regexp.MustCompile(`action="/profile/sessions/([^"/]+)/end"`).FindAllStringSubmatch(readBody(t, f.do(request{method: "GET", path: "/profile", cookie: again})), -1)
		if len(buttons) != 1 {
			t.Fatalf("%d sessions offered to end, want 1", len(buttons))
		}
		id := buttons[0][1]
		resp = f.do(request{method: "POST", path: "/profile/sessions/" + id + "/end", cookie: again})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile?saved=1" {
			t.Fatalf("end one: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if f.profileWorks(here) || !f.profileWorks(again) {
			t.Error("ending one session ended the wrong one")
		}
		if len(f.profileAudit(f.org.ID, audit.Logout)) != 1 {
			t.Error("ending a session was not audited")
		}
	})
}

// Every message id profile.go uses is in the English catalog (the i18n
// tests check the templates' ids and the other languages).
func TestProfileMessagesExist(t *testing.T) {
	src, err := os.ReadFile("profile.go")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`"((?:profile|error)\.[a-z_.]+[a-z_])"`).FindAllStringSubmatch(string(src), -1)
	if len(ids) < 10 {
		t.Fatalf("found only %d message ids in profile.go", len(ids))
	}
	for _, m := range ids {
		if !cat.Has("en", m[1]) {
			t.Errorf("profile.go uses %q, which is not in the English catalog", m[1])
		}
	}
	for _, s := range (profilePage{}).Scopes() {
		if !cat.Has("en", "profile.scope."+string(s)) {
			t.Errorf("no message for scope %q", s)
		}
	}
}
