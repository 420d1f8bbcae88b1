package main

// The administrator's browser test: the demo administrator signs in, is made
// to enrol a second factor first, keeps a recovery code, goes through the
// administration pages (axe-core on each, as in browser_test.go), adds a
// member, and later signs in with the recovery code, which works once.

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/demo"
)

// recoveryCodeForm is how a recovery code is shown: four groups of four
// base32 characters, in lower case.
var recoveryCodeForm = regexp.MustCompile(`^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$`)

// follow clicks the link sel, expects to arrive with 200 at path with the
// heading of message headingID (when not ""), and checks the page.
func (b *browser) follow(name, sel, path, headingID string) {
	b.t.Helper()
	resp := b.load("follow the link to "+name, chromedp.Click(chromedp.CSS(sel)))
	if u := b.location(); resp.Status != 200 || u.Path != path {
		b.t.Fatalf("the link to %s (%s): %d at %s, want 200 at %s", name, sel, resp.Status, u, path)
	}
	if headingID != "" {
		if got, want := b.text("main h1"), b.en.T(headingID); got != want {
			b.t.Errorf("%s heading = %q, want %q", name, got, want)
		}
	}
	b.checkPage(name)
}

// signOut uses the button in the page header and expects the sign-in page.
func (b *browser) signOut() {
	b.t.Helper()
	resp := b.load("sign out", chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button[type="submit"]`)))
	if u := b.location(); resp.Status != 200 || u.Path != "/login" {
		b.t.Fatalf("after signing out: %d at %s, want 200 at /login", resp.Status, u)
	}
}

// signInToSecondStep signs in as the demo administrator, who has a second
// factor by now, and expects its step of sign-in.
func (b *browser) signInToSecondStep() {
	b.t.Helper()
	resp := b.submitSignIn(demo.Admin)
	if u := b.location(); resp.Status != 200 || u.Path != "/login/2fa" {
		b.t.Fatalf("signing in with a second factor: %d at %s, want 200 at /login/2fa", resp.Status, u)
	}
	if got, want := b.text("main h1"), b.en.T("login.mfa_title"); got != want {
		b.t.Errorf("second-step heading = %q, want %q", got, want)
	}
	b.checkPage("second step of sign-in")
}

// submitSecondFactor types code at the second step of sign-in and sends it.
func (b *browser) submitSecondFactor(code string) (status int64, path string) {
	b.t.Helper()
	b.do("type the code", chromedp.SendKeys(chromedp.ID("code"), code))
	resp := b.load("send the code", chromedp.Click(chromedp.CSS(`main form[action="/login/2fa"] button[type="submit"]`)))
	return resp.Status, b.location().Path
}

func TestBrowserAdministratorEnrolsAndAdministers(t *testing.T) {
	b := newBrowser(t)
	start := time.Now()
	defer func() { t.Logf("browser steps took %s", time.Since(start).Round(time.Millisecond)) }()

	// 1. An administrator without a second factor lands on its enrolment,
	// and nothing else opens until it is done.
	resp := b.submitSignIn(demo.Admin)
	enrol := b.location()
	if resp.Status != 200 || enrol.Path != "/profile/2fa" {
		t.Fatalf("after signing in as %s: %d at %s, want 200 at /profile/2fa", demo.Admin, resp.Status, enrol)
	}
	if got := enrol.Query().Get("next"); got != "/" {
		t.Errorf("the enrolment page's next = %q, want /", got)
	}
	if got, want := b.text("main h1"), b.en.T("profile.mfa.title"); got != want {
		t.Errorf("enrolment heading = %q, want %q", got, want)
	}
	if got, want := b.text("main p.notice"), b.en.T("profile.mfa.must_enrol"); got != want {
		t.Errorf("enrolment notice = %q, want %q", got, want)
	}
	b.checkPage("enrolment page")
	b.teamShot("admin-2fa-enrol")
	shown := b.text("main code.secret")

	resp = b.load("open /places before enrolling", chromedp.Navigate(b.base+"/places"))
	if u := b.location(); resp.Status != 200 || u.Path != "/profile/2fa" {
		t.Fatalf("/places before enrolling: %d at %s, want to be sent back to /profile/2fa", resp.Status, u)
	}
	if again := b.text("main code.secret"); again != shown {
		t.Errorf("the enrolment page shows a new key on a second visit: %q, then %q", shown, again)
	}

	// 2. Enrol with the key typed by hand, and keep a recovery code. (Back
	// to the page sign-in led to: its next leads to the dashboard.)
	b.load("return to the enrolment page", chromedp.Navigate(enrol.String()))
	secret := strings.Join(strings.Fields(b.text("main code.secret")), "")
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(secret) {
		t.Fatalf("the key for typing by hand is %q, want 32 base32 characters", secret)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatalf("make a code from the key %q: %v", secret, err)
	}
	b.do("type the code", chromedp.SendKeys(chromedp.ID("code"), code))
	resp = b.load("turn the second factor on", chromedp.Click(chromedp.CSS(`main form[action="/profile/2fa"] button[type="submit"]`)))
	if u := b.location(); resp.Status != 200 || u.Path != "/profile/2fa" {
		t.Fatalf("after sending the code: %d at %s, want 200 (the recovery codes) at /profile/2fa", resp.Status, u)
	}
	if got, want := b.text("main h1"), b.en.T("profile.codes.title"); got != want {
		t.Fatalf("after enrolling, heading = %q, want %q", got, want)
	}
	if got, want := b.text(`main .flash[role="status"]`), b.en.T("profile.codes.enabled"); got != want {
		t.Errorf("after enrolling, flash = %q, want %q", got, want)
	}
	codes := eval[[]string](b, "read the recovery codes",
		`[...document.querySelectorAll('main ol.recovery-codes li code')].map(c => c.textContent.trim())`)
	if len(codes) != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d: %q", len(codes), account.RecoveryCodeCount, codes)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !recoveryCodeForm.MatchString(c) || seen[c] {
			t.Errorf("recovery code %q: malformed or shown twice (all: %q)", c, codes)
		}
		seen[c] = true
	}
	recovery := codes[len(codes)/2]
	b.checkPage("recovery codes page")
	b.teamShot("admin-recovery-codes")

	// 3. In: the dashboard, with the Admin entry; then every administration
	// page, and the profile.
	b.load("continue after the recovery codes", chromedp.Click(chromedp.CSS(`main a.button`)))
	if u := b.location(); u.Path != "/" {
		t.Fatalf("Continue after the recovery codes led to %s, want /", u)
	}
	if got, want := b.text("main h1"), b.en.T("dashboard.title"); got != want {
		t.Errorf("dashboard heading = %q, want %q", got, want)
	}
	if got, want := b.text(`nav.main-nav a[href="/admin/users"]`), b.en.T("admin.nav.main"); got != want {
		t.Errorf("the Admin entry of the main navigation reads %q, want %q", got, want)
	}
	b.checkPage("administrator's dashboard")

	b.follow("members list", `nav.main-nav a[href="/admin/users"]`, "/admin/users", "admin.users.title")
	b.teamShot("admin-users")
	var monitor string
	for _, u := range demo.Users {
		if u.Role == account.Monitor {
			monitor = u.Email
		}
	}
	var href string
	for _, a := range eval[[][]string](b, "read the members table's links",
		`[...document.querySelectorAll('#members-table tbody a')].map(a => [a.textContent.trim(), a.getAttribute('href')])`) {
		if len(a) == 2 && a[0] == monitor {
			href = a[1]
		}
	}
	if !regexp.MustCompile(`^/admin/users/[^/]+$`).MatchString(href) {
		t.Fatalf("the members table has no link to %s (found %q)", monitor, href)
	}
	b.follow("monitor's page", `#members-table a[href="`+href+`"]`, href, "")
	if got := b.text("main h1"); got != monitor {
		t.Errorf("member page heading = %q, want %q", got, monitor)
	}
	if facts := b.text("main dl.facts"); !strings.Contains(facts, b.en.T("role.monitor")) {
		t.Errorf("the monitor's page says %q, without the role %q", facts, b.en.T("role.monitor"))
	}

	b.follow("organisation page", `main nav.admin-nav a[href="/admin/org"]`, "/admin/org", "admin.org.title")
	if got := eval[string](b, "read the organisation's name", `document.getElementById('name').value`); got != demo.OrgName {
		t.Errorf("the organisation form holds the name %q, want %q", got, demo.OrgName)
	}
	b.follow("API tokens page", `main nav.admin-nav a[href="/admin/tokens"]`, "/admin/tokens", "admin.tokens.title")
	b.follow("audit log", `main nav.admin-nav a[href="/admin/audit"]`, "/admin/audit", "admin.audit.title")
	b.teamShot("admin-audit")
	rows := eval[[][]string](b, "read the audit log",
		`[...document.querySelectorAll('#audit-table tbody tr')].map(tr => [...tr.cells].map(c => c.textContent.trim()))`)
	for _, action := range []string{"login.ok", "mfa.enabled"} {
		label, found := b.en.T("admin.audit.action."+action), false
		for _, r := range rows {
			found = found || len(r) > 2 && r[1] == demo.Admin && r[2] == label
		}
		if !found {
			t.Errorf("the audit log has no %q (%s) by %s; it lists %q", label, action, demo.Admin, rows)
		}
	}

	b.follow("profile", `header.top .who a[href="/profile"]`, "/profile", "profile.title")
	if got, want := b.text(`main section[aria-labelledby="mfa-heading"]`), b.en.N("profile.mfa.recovery_left", 10); !strings.Contains(got, want) {
		t.Errorf("the profile's second-factor section says %q, want it to include %q", got, want)
	}
	b.teamShot("admin-profile")

	// 4. Add a member: the page shows the one-time link for their password.
	// No Ё in the name: chromedp's SendKeys types U+0401 as its Clear key
	// (and Ђ Є Ї Ј Љ Њ, and U+0301–U+0308, as other special keys).
	const email, name = "new.monitor@demo.example", "Надежда Щукина-Зайцева"
	b.load("go back to the members list", chromedp.Click(chromedp.CSS(`nav.main-nav a[href="/admin/users"]`)))
	b.do("fill in the new member",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SetValue(chromedp.ID("role"), string(account.Monitor)),
	)
	if got := eval[string](b, "read the name field", `document.getElementById('name').value`); got != name {
		t.Fatalf("typed %q into the name field, it holds %q", name, got)
	}
	resp = b.load("add the member", chromedp.Click(chromedp.CSS(`main form[action="/admin/users"] button[type="submit"]`)))
	if u := b.location(); resp.Status != 201 || u.Path != "/admin/users" {
		t.Fatalf("after adding a member: %d at %s, want 201 (the new member's page) at /admin/users", resp.Status, u)
	}
	if got := b.text("main h1"); got != email {
		t.Errorf("new member's page heading = %q, want %q", got, email)
	}
	if got, want := b.text(`main .flash[role="status"]`), b.en.T("admin.user.added", "Role", b.en.T("role.monitor")); got != want {
		t.Errorf("after adding, flash = %q, want %q", got, want)
	}
	if got, want := b.text("main #reset-title"), b.en.T("admin.user.reset_title"); got != want {
		t.Errorf("reset link heading = %q, want %q", got, want)
	}
	link := eval[string](b, "read the one-time link", `document.getElementById('reset-link').value`)
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(b.base) + `/reset/pr_\S{20,}$`).MatchString(link) {
		t.Errorf("the one-time link is %q, want %s/reset/pr_…", link, b.base)
	}
	if facts := b.text("main dl.facts"); !strings.Contains(facts, name) {
		t.Errorf("the new member's page says %q, without the name %q", facts, name)
	}
	b.checkPage("new member's page")

	// 5. A recovery code signs in once, and only once.
	b.signOut()
	b.signInToSecondStep()
	if status, path := b.submitSecondFactor(recovery); status != 200 || path != "/" {
		t.Fatalf("signing in with recovery code %q: %d at %s, want 200 at /", recovery, status, path)
	}
	if got, want := b.text("main h1"), b.en.T("dashboard.title"); got != want {
		t.Errorf("after the recovery code, heading = %q, want %q", got, want)
	}
	b.load("open the profile", chromedp.Click(chromedp.CSS(`header.top .who a[href="/profile"]`)))
	if got, want := b.text(`main section[aria-labelledby="mfa-heading"]`), b.en.N("profile.mfa.recovery_left", 9); !strings.Contains(got, want) {
		t.Errorf("after using a recovery code, the profile says %q, want it to include %q", got, want)
	}

	b.signOut()
	b.signInToSecondStep()
	if status, path := b.submitSecondFactor(recovery); status != 401 || path != "/login/2fa" {
		t.Fatalf("the same recovery code again: %d at %s, want 401 at /login/2fa", status, path)
	}
	if got, want := b.text(`main .error-summary[role="alert"]`), b.en.T("login.mfa_failed"); got != want {
		t.Errorf("a spent recovery code: message %q, want %q", got, want)
	}
	b.checkPage("second step after a spent recovery code")
	resp = b.load("open /places after the failure", chromedp.Navigate(b.base+"/places"))
	if u := b.location(); u.Path != "/login/2fa" {
		t.Errorf("/places after a spent recovery code: %d at %s, want to be held at /login/2fa", resp.Status, u)
	}
}
