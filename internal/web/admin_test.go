package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/i18n"
)

// adminCookie signs the fixture's administrator in, second factor included.
func (f *fixture) adminCookie() string {
	f.t.Helper()
	resp, cookie := f.login("admin@example.org", testPassword)
	if resp.StatusCode != http.StatusSeeOther || cookie == "" {
		f.t.Fatalf("admin login: %d", resp.StatusCode)
	}
	return cookie
}

// userCookie signs in one of the fixture's users without a second factor.
func (f *fixture) userCookie(key string) string {
	f.t.Helper()
	resp, cookie := f.login(key+"@example.org", testPassword)
	if resp.StatusCode != http.StatusSeeOther || cookie == "" {
		f.t.Fatalf("%s login: %d", key, resp.StatusCode)
	}
	return cookie
}

// adminEntries is the organisation's audit log under a filter.
func (f *fixture) adminEntries(flt audit.Filter) []audit.Entry {
	f.t.Helper()
	if flt.OrgID == "" {
		flt.OrgID = f.org.ID
	}
	flt.Limit = 500
	entries, err := f.db.AuditEntries(context.Background(), flt)
	if err != nil {
		f.t.Fatal(err)
	}
	return entries
}

// post sends a form as the session.
func (f *fixture) post(cookie, path string, form url.Values) (*http.Response, string) {
	f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	resp := f.do(request{method: "POST", path: path, cookie: cookie, form: form})
	return resp, readBody(f.t, resp)
}

// get fetches a page as the session.
func (f *fixture) get(cookie, path string) (*http.Response, string) {
	f.t.Helper()
	resp := f.do(request{method: "GET", path: path, cookie: cookie})
	return resp, readBody(f.t, resp)
}

// signedOut reports whether the session cookie no longer opens a page.
func (f *fixture) signedOut(cookie string) bool {
	f.t.Helper()
	resp := f.do(request{method: "GET", path: "/places", cookie: cookie})
	return resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
}

var resetLinkRE = regexp.MustCompile(`value="(http://tilsyn\.test/reset/(pr_[a-z0-9]{40,}))"`)

// resetLink finds the one-time link on a page: the path to follow and the secret.
func resetLink(t *testing.T, body string) (path, secret string) {
	t.Helper()
	m := resetLinkRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page shows no reset link")
	}
	return "/reset/" + m[2], m[2]
}

func TestAdminRoutesAreRefusedToOtherRoles(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		var adminRoutes []route
		for _, rt := range f.srv.routes {
			if strings.Contains(rt.pattern, " /admin/") {
				adminRoutes = append(adminRoutes, rt)
			}
		}
		if len(adminRoutes) < 12 {
			t.Fatalf("only %d admin routes", len(adminRoutes))
		}
		for _, who := range []string{"monitor", "viewer"} {
			cookie := f.userCookie(who)
			for _, rt := range adminRoutes {
				method, pattern, _ := strings.Cut(rt.pattern, " ")
				p := strings.ReplaceAll(pattern, "{id}", f.users["viewer"].ID)
				r := request{method: method, path: p, cookie: cookie}
				if method == http.MethodPost {
					r.form = url.Values{"role": {"admin"}, "name": {"Taken over"}, "kind": {"ngo"}, "lang": {"en"}, "slug": {"x"}}
				}
				if resp := f.do(r); resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s: %d, want 403", who, rt.pattern, resp.StatusCode)
				}
			}
			denied := map[string]bool{}
			for _, e := range f.adminEntries(audit.Filter{Action: audit.AccessDenied, Actor: who + "@example.org"}) {
				if e.ActorID == f.users[who].ID && e.TargetKind == "route" {
					denied[e.TargetID] = true
				}
			}
			for _, rt := range adminRoutes {
				if !denied[rt.pattern] {
					t.Errorf("%s %s: the refusal is not in the audit log", who, rt.pattern)
				}
			}
			// Nor is the administration offered to them.
			if _, body := f.get(cookie, "/places"); strings.Contains(body, `href="/admin/`) {
				t.Errorf("%s is offered the administration", who)
			}
		}
		// Nothing they sent changed anything.
		if m, err := f.db.Membership(context.Background(), f.users["viewer"].ID, f.org.ID); err != nil || m.Role != account.Viewer || m.User.Disabled {
			t.Errorf("viewer after the refused requests: %+v %v", m, err)
		}
		// An administrator's API token does not open the pages either.
		for _, rt := range adminRoutes {
			method, pattern, _ := strings.Cut(rt.pattern, " ")
			r := request{method: method, path: strings.ReplaceAll(pattern, "{id}", f.users["viewer"].ID), token: "admin/write"}
			if method == http.MethodPost {
				r.form = url.Values{"role": {"admin"}}
			}
			resp := f.do(r)
			toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
			if resp.StatusCode != http.StatusForbidden && !toLogin {
				t.Errorf("admin's API token on %s: %d, want 403 or the sign-in page", rt.pattern, resp.StatusCode)
			}
		}
		// The administrator is, and sees the entry in the navigation.
		if _, body := f.get(f.adminCookie(), "/places"); !strings.Contains(body, `href="/admin/users"`) {
			t.Error("the administrator is not offered the administration")
		}
	})
}

func TestAdminAddsMemberWhoSetsPasswordOnce(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		admin := f.adminCookie()

		// Mistakes come back beside their fields, with what was typed.
		resp, body := f.post(admin, "/admin/users", url.Values{"email": {"not an address"}, "name": {"Kept Name"}, "role": {"boss"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid add: %d", resp.StatusCode)
		}
		for _, want := range []string{`id="email-error"`, `id="role-error"`, `value="not an address"`, `value="Kept Name"`, "There are 2 problems with this form"} {
			if !strings.Contains(body, want) {
				t.Errorf("invalid add lacks %q", want)
			}
		}

		resp, body = f.post(admin, "/admin/users", url.Values{"email": {"New.Person@Example.org"}, "name": {"Nina Nilsen"}, "role": {"monitor"}})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("add: %d\n%s", resp.StatusCode, body)
		}
		link, secret := resetLink(t, body)
		u, err := f.db.UserByEmail(context.Background(), "new.person@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if m, err := f.db.Membership(context.Background(), u.ID, f.org.ID); err != nil || m.Role != account.Monitor {
			t.Fatalf("new member: %+v %v", m, err)
		}
		if len(f.adminEntries(audit.Filter{Action: audit.UserAdded, TargetID: u.ID})) != 1 || len(f.adminEntries(audit.Filter{Action: audit.PasswordReset, TargetID: u.ID})) != 1 {
			t.Error("adding and the link are not both in the audit log")
		}
		for _, e := range f.adminEntries(audit.Filter{}) {
			if strings.Contains(e.Detail, secret) {
				t.Error("the audit log holds the link's secret")
			}
		}
		// No password opens the account until the link is used.
		if resp, cookie := f.login("new.person@example.org", ""); resp.StatusCode != http.StatusUnauthorized || cookie != "" {
			t.Errorf("new person signs in without a password: %d", resp.StatusCode)
		}

		// Adding the same person again is refused beside the address.
		resp, body = f.post(admin, "/admin/users", url.Values{"email": {"new.person@example.org"}, "role": {"viewer"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="email-error"`) || !strings.Contains(body, "is a member of the organisation already") {
			t.Errorf("adding twice: %d", resp.StatusCode)
		}

		// The request log must not learn the secret.
		var logs bytes.Buffer
		f.srv.Logger = slog.New(slog.NewTextHandler(&logs, nil))

		resp, body = f.get("", link)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "new.person@example.org") || !strings.Contains(body, `autocomplete="new-password"`) {
			t.Fatalf("reset form: %d", resp.StatusCode)
		}
		resp, body = f.post("", link, url.Values{"password": {"short"}, "confirm": {"other"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="password-error"`) || !strings.Contains(body, `id="confirm-error"`) {
			t.Errorf("bad new password: %d", resp.StatusCode)
		}
		newPassword := "harbour lantern quietly 42"
		resp, _ = f.post("", link, url.Values{"password": {newPassword}, "confirm": {newPassword}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/reset/done" {
			t.Fatalf("set password: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, body := f.get("", "/reset/done"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Your password is set") {
			t.Errorf("done page: %d", resp.StatusCode)
		}
		if resp, cookie := f.login("new.person@example.org", newPassword); resp.StatusCode != http.StatusSeeOther || cookie == "" {
			t.Errorf("sign in with the new password: %d", resp.StatusCode)
		}
		// The link works once.
		for _, r := range []request{{method: "GET", path: link}, {method: "POST", path: link, form: url.Values{"password": {"another fine password"}, "confirm": {"another fine password"}}}} {
			resp := f.do(r)
			if body := readBody(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "This link is not valid") {
				t.Errorf("%s of a used link: %d", r.method, resp.StatusCode)
			}
		}
		if strings.Contains(logs.String(), secret) || !strings.Contains(logs.String(), "/reset/…") {
			t.Errorf("request log:\n%s", logs.String())
		}
		set := f.adminEntries(audit.Filter{Action: audit.PasswordSet, TargetID: u.ID})
		if len(set) != 1 || set[0].Actor != "new.person@example.org" || set[0].ActorID != u.ID {
			t.Errorf("password set audited as %+v", set)
		}

		// A link for an existing member ends after 72 hours.
		resp, body = f.post(admin, "/admin/users/"+f.users["monitor"].ID+"/reset", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("issue link: %d", resp.StatusCode)
		}
		link, _ = resetLink(t, body)
		f.now = f.now.Add(ResetLinkTTL + time.Minute)
		if resp := f.do(request{method: "GET", path: link}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("expired link: %d", resp.StatusCode)
		}
	})
}

func TestAdminAddsPersonWithAnAccount(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		admin := f.adminCookie()
		other := f.users["other"] // a monitor of the other organisation
		resp, body := f.post(admin, "/admin/users", url.Values{"email": {other.Email}, "role": {"viewer"}})
		if resp.StatusCode != http.StatusCreated || resultHasLink(body) || !strings.Contains(body, "signs in with their own password") {
			t.Fatalf("adding someone with an account: %d", resp.StatusCode)
		}
		// Their account also opens an organisation this administrator does
		// not run: it may not be locked or taken over from here.
		for _, action := range []string{"reset", "disable"} {
			resp, body := f.post(admin, "/admin/users/"+other.ID+"/"+action, nil)
			if resp.StatusCode != http.StatusConflict || resultHasLink(body) || !strings.Contains(body, "organisation you do not administer") {
				t.Errorf("%s of a shared account: %d", action, resp.StatusCode)
			}
		}
		if u, _ := f.db.UserByEmail(context.Background(), other.Email); u.Disabled {
			t.Error("the shared account was disabled")
		}
		// Nor does adding someone whose password link elsewhere is still
		// unused give this administrator a link to their account.
		if _, err := f.db.CreateUser(context.Background(), account.User{Email: "pending@example.org"}, f.other.ID, account.Monitor, f.now); err != nil {
			t.Fatal(err)
		}
		resp, body = f.post(admin, "/admin/users", url.Values{"email": {"pending@example.org"}, "role": {"viewer"}})
		if resp.StatusCode != http.StatusCreated || resultHasLink(body) || !strings.Contains(body, "organisation you do not administer") {
			t.Errorf("adding someone with a pending account elsewhere: %d", resp.StatusCode)
		}
	})
}

func resultHasLink(body string) bool { return resetLinkRE.MatchString(body) }

// hasRow reports whether a table row of the page holds every cell text given.
func hasRow(body string, cells ...string) bool {
	for _, row := range strings.Split(body, "<tr>")[1:] {
		row, _, _ = strings.Cut(row, "</tr>")
		found := true
		for _, c := range cells {
			found = found && strings.Contains(row, "<td>"+c)
		}
		if found {
			return true
		}
	}
	return false
}

func TestAdminRoleChangeEndsSessions(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		admin := f.adminCookie()
		monitor := f.userCookie("monitor")
		id := f.users["monitor"].ID

		resp, body := f.post(admin, "/admin/users/"+id+"/role", url.Values{"role": {"chief"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="role-error"`) {
			t.Errorf("unknown role: %d", resp.StatusCode)
		}
		resp, _ = f.post(admin, "/admin/users/"+id+"/role", url.Values{"role": {"viewer"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("role change: %d", resp.StatusCode)
		}
		if m, _ := f.db.Membership(context.Background(), id, f.org.ID); m.Role != account.Viewer {
			t.Errorf("role is %q", m.Role)
		}
		if !f.signedOut(monitor) {
			t.Error("the member's session outlived the role change")
		}
		entries := f.adminEntries(audit.Filter{Action: audit.UserRole, TargetID: id})
		if len(entries) != 1 || entries[0].Detail != "monitor → viewer" || entries[0].TargetKind != "user" {
			t.Errorf("role change audited as %+v", entries)
		}
		if _, body := f.get(admin, "/admin/users/"+id+"?saved=1"); !strings.Contains(body, "Saved.") || !strings.Contains(body, `<option value="viewer" selected>`) {
			t.Error("the member's page does not show the new role")
		}

		// The administrator cannot give up their own role.
		self := f.users["admin"].ID
		resp, body = f.post(admin, "/admin/users/"+self+"/role", url.Values{"role": {"monitor"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "You cannot give up your own administrator role") || !strings.Contains(body, `id="role-error"`) {
			t.Errorf("own role: %d", resp.StatusCode)
		}
		if m, _ := f.db.Membership(context.Background(), self, f.org.ID); m.Role != account.Admin || f.signedOut(admin) {
			t.Error("the administrator lost their role or session")
		}
	})
}

func TestAdminDisablesAndEnables(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		admin := f.adminCookie()
		monitor := f.userCookie("monitor")
		id := f.users["monitor"].ID

		if resp, _ := f.post(admin, "/admin/users/"+id+"/disable", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d", resp.StatusCode)
		}
		if !f.signedOut(monitor) {
			t.Error("the session outlived disabling")
		}
		if resp, cookie := f.login("monitor@example.org", testPassword); resp.StatusCode != http.StatusUnauthorized || cookie != "" {
			t.Errorf("disabled login: %d", resp.StatusCode)
		}
		if _, body := f.get(admin, "/admin/users"); !strings.Contains(body, "Disabled") {
			t.Error("the list does not show the account disabled")
		}
		// No link for a disabled account: it would not work.
		if resp, body := f.post(admin, "/admin/users/"+id+"/reset", nil); resp.StatusCode != http.StatusConflict || resultHasLink(body) {
			t.Errorf("link for a disabled account: %d", resp.StatusCode)
		}
		if resp, _ := f.post(admin, "/admin/users/"+id+"/enable", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("enable: %d", resp.StatusCode)
		}
		if resp, cookie := f.login("monitor@example.org", testPassword); resp.StatusCode != http.StatusSeeOther || cookie == "" {
			t.Errorf("login after enabling: %d", resp.StatusCode)
		}
		if len(f.adminEntries(audit.Filter{Action: audit.UserDisabled, TargetID: id})) != 1 || len(f.adminEntries(audit.Filter{Action: audit.UserEnabled, TargetID: id})) != 1 {
			t.Error("disabling and enabling are not in the audit log")
		}

		// Not oneself.
		self := f.users["admin"].ID
		resp, body := f.post(admin, "/admin/users/"+self+"/disable", nil)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "You cannot disable your own account") {
			t.Errorf("disable oneself: %d", resp.StatusCode)
		}
		if f.signedOut(admin) {
			t.Error("the administrator was signed out")
		}
		if _, body := f.get(admin, "/admin/users/"+self); strings.Contains(body, "/disable") {
			t.Error("the administrator is offered to disable themself")
		}
	})
}

func TestAdminOtherOrganisationsUserIsNotFound(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		admin := f.adminCookie()
		other := f.users["other"].ID
		if resp, _ := f.get(admin, "/admin/users/"+other); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET: %d", resp.StatusCode)
		}
		for _, action := range []string{"role", "disable", "enable", "reset"} {
			resp, body := f.post(admin, "/admin/users/"+other+"/"+action, url.Values{"role": {"viewer"}})
			if resp.StatusCode != http.StatusNotFound || resultHasLink(body) {
				t.Errorf("%s: %d", action, resp.StatusCode)
			}
		}
		if u, _ := f.db.UserByEmail(context.Background(), "other@example.org"); u.Disabled {
			t.Error("the other organisation's user was disabled")
		}
		if m, _ := f.db.Membership(context.Background(), other, f.other.ID); m.Role != account.Monitor {
			t.Error("the other organisation's user changed role")
		}
	})
}

func TestAdminOrgSettings(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := f.adminCookie()
		if resp, body := f.get(admin, "/admin/org"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "National preventive mechanism") {
			t.Errorf("org page: %d", resp.StatusCode)
		}

		resp, body := f.post(admin, "/admin/org", url.Values{"name": {"Typed name"}, "kind": {"cartel"}, "country": {"NO"}, "lang": {"nb"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="kind-error"`) || !strings.Contains(body, "Choose a kind of organisation.") || !strings.Contains(body, `value="Typed name"`) {
			t.Errorf("bad kind: %d", resp.StatusCode)
		}
		if o, _ := f.db.OrgBySlug(ctx, "npm"); o.Name != "Test NPM" || o.Lang != "en" {
			t.Errorf("the refused change was saved: %+v", o)
		}

		resp, _ = f.post(admin, "/admin/org", url.Values{"name": {"Sivilombudet NPM"}, "kind": {"npm"}, "country": {"NO"}, "lang": {"nb"}, "require_2fa": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d", resp.StatusCode)
		}
		o, _ := f.db.OrgBySlug(ctx, "npm")
		if o.Name != "Sivilombudet NPM" || o.Kind != "npm" || o.Country != "NO" || o.Lang != "nb" || !o.Require2FA {
			t.Errorf("saved %+v", o)
		}
		if e := f.adminEntries(audit.Filter{Action: audit.OrgChanged}); len(e) != 1 || e[0].Detail != "name, kind, country, lang, require_2fa" {
			t.Errorf("org change audited as %+v", e)
		}

		// A taken short name is refused beside the field.
		resp, body = f.post(admin, "/admin/orgs", url.Values{"slug": {"ngo"}, "name": {"Copy"}, "kind": {"ngo"}, "lang": {"en"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="new_slug-error"`) || !strings.Contains(body, "An organisation with this short name exists already.") || !strings.Contains(body, `value="Copy"`) {
			t.Errorf("taken slug: %d", resp.StatusCode)
		}
		resp, body = f.post(admin, "/admin/orgs", url.Values{"slug": {"Bad Slug"}, "name": {""}, "kind": {""}, "lang": {"en"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="new_slug-error"`) || !strings.Contains(body, `id="new_name-error"`) || !strings.Contains(body, `id="new_kind-error"`) || !strings.Contains(body, `href="#new_slug"`) {
			t.Errorf("invalid new org: %d", resp.StatusCode)
		}

		resp, _ = f.post(admin, "/admin/orgs", url.Values{"slug": {"helsinki"}, "name": {"Helsinki Monitors"}, "kind": {"ngo"}, "country": {""}, "lang": {"en"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create org: %d", resp.StatusCode)
		}
		created, err := f.db.OrgBySlug(ctx, "helsinki")
		if err != nil {
			t.Fatal(err)
		}
		if m, err := f.db.Membership(ctx, f.users["admin"].ID, created.ID); err != nil || m.Role != account.Admin {
			t.Errorf("the creator is not its administrator: %+v %v", m, err)
		}
		if len(f.adminEntries(audit.Filter{Action: audit.OrgCreated, TargetID: created.ID})) != 1 {
			t.Error("creation is not in the audit log")
		}
	})
}

func TestAdminRevokesToken(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := f.adminCookie()
		if resp := f.do(request{method: "GET", path: "/api/v1/places", token: "viewer/write"}); resp.StatusCode != http.StatusOK {
			t.Fatalf("token before: %d", resp.StatusCode)
		}
		tokens, err := f.db.Tokens(ctx, f.org.ID, f.users["viewer"].ID)
		if err != nil || len(tokens) != 1 {
			t.Fatalf("viewer's tokens: %v %v", tokens, err)
		}
		if resp, body := f.get(admin, "/admin/tokens"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "viewer@example.org") || !strings.Contains(body, "/admin/tokens/"+tokens[0].ID+"/revoke") {
			t.Errorf("tokens page: %d", resp.StatusCode)
		}
		if resp, _ := f.post(admin, "/admin/tokens/"+tokens[0].ID+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if resp := f.do(request{method: "GET", path: "/api/v1/places", token: "viewer/write"}); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("revoked token: %d", resp.StatusCode)
		}
		if e := f.adminEntries(audit.Filter{Action: audit.TokenRevoked, TargetID: tokens[0].ID}); len(e) != 1 {
			t.Errorf("revoke audited %d times", len(e))
		}
		// Revoking again changes nothing; another organisation's token is not found.
		f.post(admin, "/admin/tokens/"+tokens[0].ID+"/revoke", nil)
		if e := f.adminEntries(audit.Filter{Action: audit.TokenRevoked}); len(e) != 1 {
			t.Errorf("revoking twice audited %d times", len(e))
		}
		theirs, _ := f.db.Tokens(ctx, f.other.ID, "")
		if resp, _ := f.post(admin, "/admin/tokens/"+theirs[0].ID+"/revoke", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("other org's token: %d", resp.StatusCode)
		}
		if resp := f.do(request{method: "GET", path: "/api/v1/places", token: "other/write"}); resp.StatusCode != http.StatusOK {
			t.Errorf("other org's token after the attempt: %d", resp.StatusCode)
		}
	})
}

func TestAdminAuditPage(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		admin := f.adminCookie()
		if resp, _ := f.login("monitor@example.org", "not the password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failed login: %d", resp.StatusCode)
		}
		// A failure on an address that is no member's is not this organisation's business.
		f.login("stranger@example.org", "guess")

		resp, body := f.get(admin, "/admin/audit")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("audit page: %d", resp.StatusCode)
		}
		if !hasRow(body, "monitor@example.org", "Sign-in failed") || strings.Contains(body, "stranger@example.org") {
			t.Error("audit page does not list the failure, or lists a stranger's")
		}
		if !hasRow(body, "admin@example.org", "Signed in") {
			t.Error("audit page does not list the administrator's sign-in")
		}
		for _, tt := range []struct {
			query    string
			failure  bool // the monitor's failure is listed
			signedIn bool // the administrator's sign-in is listed
		}{
			{"action=login.", true, true},
			{"action=login.failed", true, false},
			{"action=place.", false, false},
			{"actor=MONITOR", true, false},
			{"actor=admin%40", false, true},
			{"action=login.&actor=admin", false, true},
			{"target=" + f.users["monitor"].ID, false, false},
		} {
			resp, body := f.get(admin, "/admin/audit?"+tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", tt.query, resp.StatusCode)
				continue
			}
			if got := hasRow(body, "monitor@example.org", "Sign-in failed"); got != tt.failure {
				t.Errorf("%s: failure listed %v, want %v", tt.query, got, tt.failure)
			}
			if got := hasRow(body, "admin@example.org", "Signed in"); got != tt.signedIn {
				t.Errorf("%s: sign-in listed %v, want %v", tt.query, got, tt.signedIn)
			}
		}
		if resp, body := f.get(admin, "/admin/audit?action=drop.table"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="action-error"`) {
			t.Errorf("unknown action: %d", resp.StatusCode)
		}

		// A hundred entries a page, and older ones behind a link.
		for i := range 120 {
			if _, err := f.db.AppendAudit(context.Background(), audit.Entry{At: f.now, OrgID: f.org.ID, Actor: "script@example.org", Action: audit.PlaceChanged, TargetKind: "place", TargetID: "p" + strconv.Itoa(i)}); err != nil {
				t.Fatal(err)
			}
		}
		_, body = f.get(admin, "/admin/audit")
		if n := strings.Count(body, "<tr>") - 1; n != AuditPageSize {
			t.Errorf("first page has %d entries", n)
		}
		older := regexp.MustCompile(`href="(/admin/audit\?before=\d+)" rel="next"`).FindStringSubmatch(body)
		if older == nil {
			t.Fatal("no link to older entries")
		}
		_, body = f.get(admin, strings.ReplaceAll(older[1], "&amp;", "&"))
		if !hasRow(body, "monitor@example.org", "Sign-in failed") || !strings.Contains(body, ">p0<") || strings.Contains(body, ">p119<") {
			t.Error("the older page does not continue the first")
		}
	})
}

func TestAdminPagesShowNamesAsText(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		admin := f.adminCookie()
		script := `<script>alert(1)</script>`
		resp, body := f.post(admin, "/admin/users", url.Values{"email": {"xss@example.org"}, "name": {script}, "role": {"viewer"}})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("add: %d", resp.StatusCode)
		}
		_, list := f.get(admin, "/admin/users")
		for name, b := range map[string]string{"answer": body, "list": list} {
			if strings.Contains(b, "<script>alert") || !strings.Contains(b, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s does not show the name as text", name)
			}
		}
		// An organisation's name, on the settings page and in the header.
		f.post(admin, "/admin/org", url.Values{"name": {script}, "kind": {"ngo"}, "lang": {"en"}})
		if _, body := f.get(admin, "/admin/org"); strings.Contains(body, "<script>alert") {
			t.Error("the organisation page runs the name")
		}
	})
}

// Every administration page renders in every language with no message id
// showing through.
func TestAdminPagesInEveryLanguage(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	admin := f.adminCookie()
	resp, body := f.post(admin, "/admin/users/"+f.users["monitor"].ID+"/reset", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	link, _ := resetLink(t, body)
	f.login("monitor@example.org", "wrong") // an entry for the log
	idLike := regexp.MustCompile(`\b(admin|reset|orgkind|role|error)\.[a-z_]+`)
	for _, lang := range i18n.Languages {
		for _, p := range []string{"/admin/users", "/admin/users/" + f.users["monitor"].ID, "/admin/org", "/admin/tokens", "/admin/audit", link, "/reset/done"} {
			resp := f.do(request{method: "GET", path: p, cookie: admin, header: map[string]string{"Accept-Language": lang}})
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s %s: %d", lang, p, resp.StatusCode)
			}
			text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")
			if m := idLike.FindString(text); m != "" {
				t.Errorf("%s %s shows the message id %q", lang, p, m)
			}
			if strings.Count(body, "<h1") != 1 {
				t.Errorf("%s %s has %d h1", lang, p, strings.Count(body, "<h1"))
			}
		}
	}
}

// Every audit action has a label on the audit page, in every language.
func TestEveryAuditActionHasALabel(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range audit.Actions {
		for _, lang := range i18n.Languages {
			if !cat.Has(lang, "admin.audit.action."+a) {
				t.Errorf("%s has no label for audit action %q", lang, a)
			}
		}
	}
}
