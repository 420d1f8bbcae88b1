package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/api"
	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/i18n"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

var testNow = time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)

const testPassword = "a long enough password"

// fixture is a server over a real store with two organisations: "npm" with
// an admin, a monitor and a viewer, and "ngo" with a monitor of its own.
type fixture struct {
	t      *testing.T
	now    time.Time // the server's clock; tests may move it
	db     *sqldb.DB
	srv    *Server
	org    account.Org
	other  account.Org
	tokens map[string]string // "admin/write", "admin/read", "viewer/write", "other/write"
	places map[string]place.Place
	users  map[string]account.User // "admin", "monitor", "viewer", "other"
	totp   string                  // the admin's second-factor secret
	spec   *specChecker
}

func newFixture(t *testing.T, e sqldbtest.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.Open(t, e)
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, now: testNow, tokens: map[string]string{}, places: map[string]place.Place{}, users: map[string]account.User{}, spec: newSpecChecker(t)}
	f.srv, err = NewServer(Deps{Logger: testLogger(t), Places: db, Accounts: db, Audit: db, Health: db.Ping, Catalog: cat, Now: func() time.Time { return f.now }, OpenAPI: api.OpenAPI})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := account.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	users := f.users
	err = db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if f.org, err = tx.CreateOrg(ctx, account.Org{Slug: "npm", Name: "Test NPM"}, testNow); err != nil {
			return err
		}
		if f.other, err = tx.CreateOrg(ctx, account.Org{Slug: "ngo", Name: "Other NGO"}, testNow); err != nil {
			return err
		}
		for _, u := range []struct {
			key  string
			org  string
			role account.Role
		}{{"admin", f.org.ID, account.Admin}, {"monitor", f.org.ID, account.Monitor}, {"viewer", f.org.ID, account.Viewer}, {"other", f.other.ID, account.Monitor}} {
			if users[u.key], err = tx.CreateUser(ctx, account.User{Email: u.key + "@example.org", PasswordHash: hash}, u.org, u.role, testNow); err != nil {
				return err
			}
		}
		for _, p := range []place.Place{
			{Name: "Šiaulių tardymo izoliatorius", Type: "PTD", Country: "LT"},
			{Name: "Åstorp polisarrest", Type: "POL-CUS", Country: "SE"},
			{Name: "Bergen fengsel", Type: "PRI", Country: "NO"},
		} {
			created, err := tx.CreatePlace(ctx, f.org.ID, p, "", testNow)
			if err != nil {
				return err
			}
			f.places[p.Name] = created
		}
		created, err := tx.CreatePlace(ctx, f.other.ID, place.Place{Name: "Kresty", Type: "PTD", Country: "RU"}, "", testNow)
		f.places["other"] = created
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Administrators must use a second factor: the admin has one set up.
	key, err := account.NewTOTPKey("admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	f.totp = key.Secret
	if err := db.SetTOTP(ctx, users["admin"].ID, key.Secret, true, nil); err != nil {
		t.Fatal(err)
	}
	for _, tk := range []struct {
		user  string
		org   string
		scope account.Scope
	}{{"admin", f.org.ID, account.ScopeWrite}, {"admin", f.org.ID, account.ScopeRead}, {"viewer", f.org.ID, account.ScopeWrite}, {"other", f.other.ID, account.ScopeWrite}} {
		secret := account.NewSecret("tt_")
		if _, err := db.CreateToken(ctx, account.Token{UserID: users[tk.user].ID, OrgID: tk.org, Name: "test", Scope: tk.scope}, account.HashSecret(secret), testNow); err != nil {
			t.Fatal(err)
		}
		f.tokens[tk.user+"/"+string(tk.scope)] = secret
	}
	return f
}

// request is one HTTP exchange in a scenario.
type request struct {
	method, path string
	body         string
	token        string            // API token key in fixture.tokens
	cookie       string            // session secret
	header       map[string]string // extra headers
	form         url.Values        // a form body, instead of body
}

func (f *fixture) do(r request) *http.Response {
	f.t.Helper()
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	} else if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, "http://tilsyn.test"+r.path, body)
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[r.token])
	}
	if r.cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: r.cookie})
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	resp := rec.Result()
	if strings.HasPrefix(r.path, "/api/") {
		f.spec.check(req, resp)
	}
	return resp
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// forEngine runs fn on a fresh fixture of every engine.
func forEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, e := range sqldbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, newFixture(t, e))
		})
	}
}

type problemBody struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Errors []struct {
		Field string `json:"field"`
		Code  string `json:"code"`
	} `json:"errors"`
}

func fieldsOf(p problemBody) string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return strings.Join(out, ",")
}

func TestAPIPlaces(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		lt := f.places["Šiaulių tardymo izoliatorius"]
		tests := []struct {
			name   string
			req    request
			status int
			// check inspects the decoded body (a place list, a place or a problem).
			check func(t *testing.T, body string)
		}{
			{"anonymous", request{method: "GET", path: "/api/v1/places"}, 401, wantProblemCode("error.session.none")},
			{"wrong token", request{method: "GET", path: "/api/v1/places", header: map[string]string{"Authorization": "Bearer tt_nope"}}, 401, wantProblemCode("error.token.invalid")},
			{"list", request{method: "GET", path: "/api/v1/places", token: "admin/read"}, 200, wantTotal(3, "Åstorp polisarrest")},
			{"list by country", request{method: "GET", path: "/api/v1/places?country=LT", token: "admin/read"}, 200, wantTotal(1, "Šiaulių tardymo izoliatorius")},
			{"list by type", request{method: "GET", path: "/api/v1/places?type=POL-CUS", token: "admin/read"}, 200, wantTotal(1, "Åstorp polisarrest")},
			{"search without diacritics", request{method: "GET", path: "/api/v1/places?q=siauliu", token: "admin/read"}, 200, wantTotal(1, "Šiaulių tardymo izoliatorius")},
			{"paged", request{method: "GET", path: "/api/v1/places?limit=2", token: "admin/read"}, 200, wantNextCursor},
			{"unknown type filter", request{method: "GET", path: "/api/v1/places?type=JAIL", token: "admin/read"}, 422, wantFields("type")},
			{"bad limit", request{method: "GET", path: "/api/v1/places?limit=0", token: "admin/read"}, 422, wantFields("limit")},
			{"other org sees only its own", request{method: "GET", path: "/api/v1/places", token: "other/write"}, 200, wantTotal(1, "Kresty")},
			{"get", request{method: "GET", path: "/api/v1/places/" + lt.ID, token: "admin/read"}, 200, wantPlace("Šiaulių tardymo izoliatorius", 1)},
			{"get other org's", request{method: "GET", path: "/api/v1/places/" + f.places["other"].ID, token: "admin/read"}, 404, wantProblemCode("error.not_found.place")},
			{"get missing", request{method: "GET", path: "/api/v1/places/nope", token: "admin/read"}, 404, wantProblemCode("error.not_found.place")},
			{"create with read token", request{method: "POST", path: "/api/v1/places", token: "admin/read", body: `{"name":"X","type":"PRI","country":"NO"}`}, 403, wantProblemCode("error.forbidden")},
			{"viewer creates", request{method: "POST", path: "/api/v1/places", token: "viewer/write", body: `{"name":"X","type":"PRI","country":"NO"}`}, 403, wantProblemCode("error.forbidden")},
			{"create invalid", request{method: "POST", path: "/api/v1/places", token: "admin/write", body: `{"name":"  ","type":"JAIL"}`}, 422, wantFields("name,type,country")},
			{"create malformed", request{method: "POST", path: "/api/v1/places", token: "admin/write", body: `{"name":`}, 400, wantProblemCode("error.malformed")},
			{"create wrong type", request{method: "POST", path: "/api/v1/places", token: "admin/write", body: `{"name":5}`}, 422, wantFields("name")},
			{"create unknown field", request{method: "POST", path: "/api/v1/places", token: "admin/write", body: `{"name":"X","type":"PRI","country":"NO","beds":3}`}, 422, wantFields("beds")},
			{"create too large", request{method: "POST", path: "/api/v1/places", token: "admin/write", body: `{"name":"` + strings.Repeat("x", maxBody) + `"}`}, 413, nil},
			{"patch stale", request{method: "PATCH", path: "/api/v1/places/" + lt.ID, token: "admin/write", header: map[string]string{"If-Match": `"v7"`}, body: `{"region":"R"}`}, 412, wantProblemCode("error.stale")},
			{"patch invalid", request{method: "PATCH", path: "/api/v1/places/" + lt.ID, token: "admin/write", body: `{"country":"DE"}`}, 422, wantFields("country")},
			{"patch other org's", request{method: "PATCH", path: "/api/v1/places/" + f.places["other"].ID, token: "admin/write", body: `{"region":"R"}`}, 404, nil},
			{"patch", request{method: "PATCH", path: "/api/v1/places/" + lt.ID, token: "admin/write", header: map[string]string{"If-Match": `"v1"`}, body: `{"address":"Trakų g. 1"}`}, 200, wantPlace("Šiaulių tardymo izoliatorius", 2)},
			{"unknown route", request{method: "GET", path: "/api/v1/nowhere", token: "admin/read"}, 404, wantProblemCode("error.page.not_found")},
			{"cross-site post", request{method: "POST", path: "/api/v1/places", token: "admin/write", body: `{"name":"X","type":"PRI","country":"NO"}`,
				header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}}, 403, nil},
		}
		for _, tt := range tests {
			resp := f.do(tt.req)
			body := readBody(t, resp)
			if resp.StatusCode != tt.status {
				t.Errorf("%s: status %d, want %d\n%s", tt.name, resp.StatusCode, tt.status, body)
				continue
			}
			if tt.status >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: content type %q, want problem+json", tt.name, resp.Header.Get("Content-Type"))
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		}
		// Nothing the refused requests sent was written.
		resp := f.do(request{method: "GET", path: "/api/v1/places", token: "admin/read"})
		wantTotal(3, "Åstorp polisarrest")(t, readBody(t, resp))
	})
}

func TestAPICreateThenRead(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		resp := f.do(request{method: "POST", path: "/api/v1/places", token: "admin/write",
			body: `{"name":"СИЗО-1 «Кресты»","type":"PTD","country":"RU","region":"Санкт-Петербург","address":"Арсенальная наб., 7"}`})
		body := readBody(t, resp)
		if resp.StatusCode != 201 {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		var p place.Place
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		if p.ID == "" || p.Version != 1 || !p.CreatedAt.Equal(testNow) || resp.Header.Get("Location") != "/api/v1/places/"+p.ID {
			t.Errorf("created %+v, Location %q", p, resp.Header.Get("Location"))
		}
		got := f.do(request{method: "GET", path: "/api/v1/places/" + p.ID, token: "admin/read"})
		if b := readBody(t, got); got.StatusCode != 200 || !strings.Contains(b, "Арсенальная наб., 7") || got.Header.Get("ETag") != `"v1"` {
			t.Errorf("read back: %d %s ETag %s", got.StatusCode, b, got.Header.Get("ETag"))
		}
	})
}

func wantProblemCode(code string) func(*testing.T, string) {
	return func(t *testing.T, body string) {
		t.Helper()
		var p problemBody
		if err := json.Unmarshal([]byte(body), &p); err != nil || p.Code != code {
			t.Errorf("problem code %q, want %q (%s)", p.Code, code, body)
		}
	}
}

func wantFields(fields string) func(*testing.T, string) {
	return func(t *testing.T, body string) {
		t.Helper()
		var p problemBody
		if err := json.Unmarshal([]byte(body), &p); err != nil || fieldsOf(p) != fields {
			t.Errorf("problem fields %q, want %q (%s)", fieldsOf(p), fields, body)
		}
	}
}

func wantTotal(total int, first string) func(*testing.T, string) {
	return func(t *testing.T, body string) {
		t.Helper()
		var l placeList
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			t.Fatal(err)
		}
		if l.Total != total || len(l.Items) == 0 || l.Items[0].Name != first {
			t.Errorf("total %d, items %v; want %d starting with %q", l.Total, l.Items, total, first)
		}
	}
}

func wantNextCursor(t *testing.T, body string) {
	t.Helper()
	var l placeList
	if err := json.Unmarshal([]byte(body), &l); err != nil || len(l.Items) != 2 || l.NextCursor == "" {
		t.Errorf("page of 2 with a cursor, got %s", body)
	}
}

func wantPlace(name string, version int) func(*testing.T, string) {
	return func(t *testing.T, body string) {
		t.Helper()
		var p place.Place
		if err := json.Unmarshal([]byte(body), &p); err != nil || p.Name != name || p.Version != version {
			t.Errorf("place %+v, want %q version %d", p, name, version)
		}
	}
}

// sqliteOnly is the SQLite engine, for tests about HTTP rather than storage.
func sqliteOnly(t *testing.T) sqldbtest.Engine { return sqldbtest.Engines(t)[0] }

// testLogger logs through t, so a failing test shows the server's errors.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

func TestAPIPlaceRecordAndPopulation(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		body := `{"name":"Pravieniškių pataisos namai-atviroji kolonija","names":[{"lang":"ru","name":"Правенишкская исправительная колония"},{"lang":"en","name":"Pravieniškės Correction House"}],
			"type":"PRI","country":"LT","region":"Kauno apskritis","municipality":"Kaišiadorių r.","lat":54.93,"lon":24.21,"authority":"Kalėjimų departamentas",
			"capacity":1200,"status":"active","categories":["sentenced","men"],"official_id":"LT-PRI-007","website":"https://www.kaldep.lt","notes":"Open colony unit."}`
		resp := f.do(request{method: "POST", path: "/api/v1/places", token: "admin/write", body: body})
		created := readBody(t, resp)
		if resp.StatusCode != 201 {
			t.Fatalf("create: %d %s", resp.StatusCode, created)
		}
		var p place.Place
		if err := json.Unmarshal([]byte(created), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Names) != 2 || p.Capacity == nil || *p.Capacity != 1200 || p.Lat == nil || *p.Lon != 24.21 ||
			strings.Join([]string{string(p.Categories[0]), string(p.Categories[1])}, ",") != "men,sentenced" {
			t.Errorf("stored %+v", p)
		}
		// Found by its Russian name, without the diacritics of any script.
		wantTotal(1, p.Name)(t, readBody(t, f.do(request{method: "GET", path: "/api/v1/places?q=" + url.QueryEscape("правенишкская"), token: "admin/read"})))
		wantTotal(1, p.Name)(t, readBody(t, f.do(request{method: "GET", path: "/api/v1/places?q=pravieniskiu", token: "admin/read"})))

		// The same official identifier twice is refused, naming the field.
		resp = f.do(request{method: "POST", path: "/api/v1/places", token: "admin/write", body: `{"name":"Copy","type":"PRI","country":"LT","official_id":"LT-PRI-007"}`})
		wantFields("official_id")(t, readBody(t, resp))

		// null clears capacity; absent fields stay.
		resp = f.do(request{method: "PATCH", path: "/api/v1/places/" + p.ID, token: "admin/write", body: `{"capacity":null,"status":"temporary"}`})
		var upd place.Place
		if err := json.Unmarshal([]byte(readBody(t, resp)), &upd); err != nil || upd.Capacity != nil || upd.Status != "temporary" || upd.Authority != "Kalėjimų departamentas" {
			t.Errorf("patched %+v (%v)", upd, err)
		}
		for _, bad := range []struct{ body, fields string }{
			{`{"lat":91}`, "lat"}, {`{"status":"open"}`, "status"}, {`{"categories":["guards"]}`, "categories"}, {`{"website":"javascript:alert(1)"}`, "website"},
			{`{"capacity":-1}`, "capacity"}, {`{"names":[{"lang":"Russian!","name":"x"}]}`, "names"},
		} {
			resp := f.do(request{method: "PATCH", path: "/api/v1/places/" + p.ID, token: "admin/write", body: bad.body})
			wantFields(bad.fields)(t, readBody(t, resp))
		}

		// Filters on region, authority and status.
		for _, q := range []struct {
			query string
			total int
		}{{"region=" + url.QueryEscape("Kauno apskritis"), 1}, {"authority=" + url.QueryEscape("Kalėjimų departamentas"), 1}, {"status=temporary", 1}, {"status=closed", 0}, {"region=Nowhere", 0}} {
			var l placeList
			if err := json.Unmarshal([]byte(readBody(t, f.do(request{method: "GET", path: "/api/v1/places?" + q.query, token: "admin/read"}))), &l); err != nil || l.Total != q.total {
				t.Errorf("?%s: %d places (%v), want %d", q.query, l.Total, err, q.total)
			}
		}
		wantFields("status")(t, readBody(t, f.do(request{method: "GET", path: "/api/v1/places?status=open", token: "admin/read"})))

		// Population over time.
		for _, snap := range []string{`{"date":"2025-01-01","capacity":1200,"headcount":1320,"staff":180,"source":"management"}`, `{"date":"2024-06-01","headcount":1100}`} {
			if resp := f.do(request{method: "POST", path: "/api/v1/places/" + p.ID + "/population", token: "admin/write", body: snap}); resp.StatusCode != 201 {
				t.Fatalf("population: %d %s", resp.StatusCode, readBody(t, resp))
			}
		}
		resp = f.do(request{method: "POST", path: "/api/v1/places/" + p.ID + "/population", token: "admin/write", body: `{"date":"2099-01-01","headcount":5}`})
		wantFields("date")(t, readBody(t, resp))
		var pop populationList
		if err := json.Unmarshal([]byte(readBody(t, f.do(request{method: "GET", path: "/api/v1/places/" + p.ID + "/population", token: "admin/read"}))), &pop); err != nil {
			t.Fatal(err)
		}
		if len(pop.Items) != 2 || pop.Items[0].Date != "2024-06-01" || pop.Items[1].Occupancy() != 110 {
			t.Errorf("population %+v", pop.Items)
		}

		// Archived places leave the lists but stay readable.
		if resp := f.do(request{method: "POST", path: "/api/v1/places/" + p.ID + "/archive", token: "admin/write"}); resp.StatusCode != 204 {
			t.Fatalf("archive: %d", resp.StatusCode)
		}
		if b := readBody(t, f.do(request{method: "GET", path: "/api/v1/places?q=pravieniskiu", token: "admin/read"})); !strings.Contains(b, `"total":0`) {
			t.Errorf("archived place still listed: %s", b)
		}
		if resp := f.do(request{method: "GET", path: "/api/v1/places/" + p.ID, token: "admin/read"}); resp.StatusCode != 200 {
			t.Errorf("archived place by id: %d", resp.StatusCode)
		}
		if resp := f.do(request{method: "POST", path: "/api/v1/places/" + p.ID + "/archive", token: "viewer/write"}); resp.StatusCode != 403 {
			t.Errorf("viewer archives: %d", resp.StatusCode)
		}
		history, err := f.db.PlaceHistory(context.Background(), f.org.ID, p.ID)
		if err != nil || len(history) != 2 || history[0].Version != 2 || history[1].Place.Capacity == nil || history[0].ChangedBy != "admin@example.org" {
			t.Errorf("history %+v, %v", history, err)
		}
	})
}
