package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"
)

// login signs in through the form, and through the second-factor step when
// the user has one, and returns the last response and the session cookie.
func (f *fixture) login(email, password string) (*http.Response, string) {
	f.t.Helper()
	resp := f.do(request{method: "POST", path: "/login", form: url.Values{"email": {email}, "password": {password}, "next": {"/places"}}})
	var secret string
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			secret = c.Value
		}
	}
	if secret != "" && strings.HasPrefix(resp.Header.Get("Location"), "/login/2fa") {
		code, err := totp.GenerateCode(f.totp, f.now)
		if err != nil {
			f.t.Fatal(err)
		}
		resp = f.do(request{method: "POST", path: "/login/2fa", cookie: secret, form: url.Values{"code": {code}, "next": {"/places"}}})
	}
	return resp, secret
}

func TestLogin(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		resp := f.do(request{method: "GET", path: "/places?country=LT"})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fplaces%3Fcountry%3DLT" {
			t.Errorf("anonymous page: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}

		for _, wrong := range []struct{ email, pw string }{{"admin@example.org", "not the password"}, {"nobody@example.org", testPassword}, {"", ""}} {
			resp, cookie := f.login(wrong.email, wrong.pw)
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusUnauthorized || cookie != "" || !strings.Contains(body, "The email address or password is not right") {
				t.Errorf("login %q/%q: %d, cookie %q", wrong.email, wrong.pw, resp.StatusCode, cookie)
			}
			if wrong.email != "" && !strings.Contains(body, `value="`+wrong.email+`"`) {
				t.Errorf("login form lost the typed address %q", wrong.email)
			}
		}

		resp, cookie := f.login("ADMIN@example.org", testPassword)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/places" || cookie == "" {
			t.Fatalf("login: %d to %q, cookie %q", resp.StatusCode, resp.Header.Get("Location"), cookie)
		}
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode) {
				t.Errorf("session cookie %+v is not HttpOnly and SameSite=Lax", c)
			}
		}
		page := f.do(request{method: "GET", path: "/places", cookie: cookie})
		if body := readBody(t, page); page.StatusCode != 200 || !strings.Contains(body, "Šiaulių tardymo izoliatorius") || strings.Contains(body, "Kresty") {
			t.Errorf("places page: %d", page.StatusCode)
		}
		if page.Header.Get("Cache-Control") != "no-store" || !strings.Contains(page.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("headers %v", page.Header)
		}

		// A session planted before login is not the one that comes out of it.
		planted := "ts_planted"
		resp = f.do(request{method: "POST", path: "/login", cookie: planted, form: url.Values{"email": {"admin@example.org"}, "password": {testPassword}}})
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie && c.Value == planted {
				t.Error("login kept the planted session id")
			}
		}

		// After logout the cookie opens nothing.
		f.do(request{method: "POST", path: "/logout", cookie: cookie})
		if resp := f.do(request{method: "GET", path: "/places", cookie: cookie}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("cookie after logout: %d", resp.StatusCode)
		}
	})
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	for _, next := range []string{"https://evil.example/", "//evil.example/", `/\evil.example`} {
		resp := f.do(request{method: "POST", path: "/login", form: url.Values{"email": {"monitor@example.org"}, "password": {testPassword}, "next": {next}}})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

func TestPlacePages(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		_, admin := f.login("admin@example.org", testPassword)
		_, viewer := f.login("viewer@example.org", testPassword)
		lt := f.places["Šiaulių tardymo izoliatorius"]

		// An empty form comes back with every field's error and nothing written.
		resp := f.do(request{method: "POST", path: "/places", cookie: admin, form: url.Values{"name": {""}, "type": {"JAIL"}, "country": {""}, "region": {"Kept region"}}})
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid form: %d", resp.StatusCode)
		}
		for _, want := range []string{`id="name-error"`, `id="type-error"`, `id="country-error"`, "Choose one of the place types.", `value="Kept region"`, "There are 3 problems with this form"} {
			if !strings.Contains(body, want) {
				t.Errorf("invalid form lacks %q", want)
			}
		}

		// A script in a name is shown as text.
		resp = f.do(request{method: "POST", path: "/places", cookie: admin, form: url.Values{"name": {`<script>alert(1)</script>`}, "type": {"MIG"}, "country": {"NO"}}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "?saved=1") {
			t.Fatalf("create: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		show := f.do(request{method: "GET", path: resp.Header.Get("Location"), cookie: admin})
		body = readBody(t, show)
		if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(body, "Saved.") {
			t.Errorf("place page does not show the name as text, or misses the flash")
		}
		if !strings.Contains(body, "utlendingsinternat") {
			t.Error("place page lacks the national term for the type")
		}
		list := f.do(request{method: "GET", path: "/places", cookie: admin})
		if body := readBody(t, list); !strings.Contains(body, "4 places") {
			t.Errorf("list after one valid and one invalid create does not count 4 places")
		}

		// Editing from a stale version is refused and keeps what was typed.
		resp = f.do(request{method: "POST", path: "/places/" + lt.ID, cookie: admin, form: url.Values{"name": {"Renamed"}, "type": {"PTD"}, "country": {"LT"}, "version": {"1"}}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d", resp.StatusCode)
		}
		resp = f.do(request{method: "POST", path: "/places/" + lt.ID, cookie: admin, form: url.Values{"name": {"Stale rename"}, "type": {"PTD"}, "country": {"LT"}, "version": {"1"}}})
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `value="Stale rename"`) || !strings.Contains(body, "Someone else changed this place") {
			t.Errorf("stale update: %d", resp.StatusCode)
		}

		// A viewer reads but does not write.
		if resp := f.do(request{method: "GET", path: "/places/" + lt.ID, cookie: viewer}); resp.StatusCode != 200 {
			t.Errorf("viewer read: %d", resp.StatusCode)
		} else if strings.Contains(readBody(t, resp), "/edit") {
			t.Error("viewer is offered an edit link")
		}
		for _, r := range []request{{method: "GET", path: "/places/new"}, {method: "POST", path: "/places", form: url.Values{"name": {"V"}, "type": {"PRI"}, "country": {"NO"}}}} {
			r.cookie = viewer
			if resp := f.do(r); resp.StatusCode != http.StatusForbidden {
				t.Errorf("viewer %s %s: %d", r.method, r.path, resp.StatusCode)
			}
		}

		// Another organisation's place does not exist for this one.
		if resp := f.do(request{method: "GET", path: "/places/" + f.places["other"].ID, cookie: admin}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("other org's place: %d", resp.StatusCode)
		}
	})
}

func TestPagesSpeakTheUsersLanguage(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	_, admin := f.login("admin@example.org", testPassword)
	ru := f.srv.Catalog.For("ru")
	resp := f.do(request{method: "GET", path: "/places", cookie: admin, header: map[string]string{"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}})
	body := readBody(t, resp)
	if !strings.Contains(body, `<html lang="ru"`) || !strings.Contains(body, ru.T("places.title")) || !strings.Contains(body, ru.N("places.count", 3)) {
		t.Errorf("Accept-Language ru did not give a Russian page")
	}

	// The language form sets a cookie that wins over Accept-Language.
	resp = f.do(request{method: "POST", path: "/language", cookie: admin, form: url.Values{"lang": {"lt"}, "next": {"/places"}}})
	var lang string
	for _, c := range resp.Cookies() {
		if c.Name == langCookie {
			lang = c.Value
		}
	}
	if resp.StatusCode != http.StatusSeeOther || lang != "lt" || resp.Header.Get("Location") != "/places" {
		t.Fatalf("language form: %d, cookie %q", resp.StatusCode, lang)
	}
	req := request{method: "GET", path: "/nowhere", header: map[string]string{"Accept-Language": "ru", "Cookie": langCookie + "=lt"}}
	resp = f.do(req)
	body = readBody(t, resp)
	if resp.StatusCode != 404 || !strings.Contains(body, `<html lang="lt"`) || !strings.Contains(body, f.srv.Catalog.For("lt").T("error.page.not_found_title")) {
		t.Errorf("404 page in Lithuanian: %d", resp.StatusCode)
	}
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	u := f.srv.urls["app.css"]
	if !strings.HasPrefix(u, "/static/app.") || u == "/static/app.css" {
		t.Fatalf("app.css served as %q", u)
	}
	resp := f.do(request{method: "GET", path: u})
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s: %d %v", u, resp.StatusCode, resp.Header)
	}
	if resp := f.do(request{method: "GET", path: "/static/app.css"}); resp.StatusCode != 404 {
		t.Errorf("unhashed name: %d", resp.StatusCode)
	}
}

func TestHealthz(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	if resp := f.do(request{method: "GET", path: "/healthz"}); resp.StatusCode != 200 {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	f.db.Close()
	if resp := f.do(request{method: "GET", path: "/healthz"}); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz with the store closed: %d", resp.StatusCode)
	}
}

func TestWrongMethod(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	resp := f.do(request{method: "DELETE", path: "/api/v1/places/" + f.places["Bergen fengsel"].ID, token: "admin/write"})
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Content-Type") != "application/problem+json" || resp.Header.Get("Allow") != "GET, HEAD, PATCH" {
		t.Errorf("DELETE on the API: %d %q allow %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Allow"))
	}
	resp = f.do(request{method: "PUT", path: "/login"})
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("PUT /login: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// A number that does not parse is reported beside its field alone: the
// empty other-name rows of the form are not errors, and do not multiply.
func TestPlaceFormKeepsRowsAndReportsOnlyRealErrors(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	_, monitor := f.login("monitor@example.org", testPassword)
	form := url.Values{"name": {"Kumla"}, "type": {"PRI"}, "country": {"SE"}, "capacity": {"many"},
		"name_lang": {"en", "", ""}, "name_other": {"Kumla prison", "", ""}}
	resp := f.do(request{method: "POST", path: "/places", cookie: monitor, form: form})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="capacity-error"`) || strings.Contains(body, `id="names-error"`) {
		t.Errorf("bad capacity: %d; errors shown for names: %v", resp.StatusCode, strings.Contains(body, `id="names-error"`))
	}
	if n := strings.Count(body, `name="name_other"`); n != 1+extraNameRows {
		t.Errorf("%d other-name rows, want %d", n, 1+extraNameRows)
	}
	if !strings.Contains(body, `value="many"`) || !strings.Contains(body, `value="Kumla prison"`) {
		t.Error("the form lost what was typed")
	}
}
