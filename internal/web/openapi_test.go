package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/tilsyn/tilsyn/api"
)

// specChecker validates real API responses against api/openapi.yaml, so
// the document cannot drift from what the server does.
type specChecker struct {
	t  *testing.T
	mu sync.Mutex
	v  validator.Validator
}

var (
	specOnce sync.Once
	specDoc  libopenapi.Document
	specErr  error
)

func loadSpec() (libopenapi.Document, error) {
	specOnce.Do(func() { specDoc, specErr = libopenapi.NewDocument(api.OpenAPI) })
	return specDoc, specErr
}

func newSpecChecker(t *testing.T) *specChecker {
	doc, err := loadSpec()
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("api/openapi.yaml: %v", errs)
	}
	return &specChecker{t: t, v: v}
}

// check validates resp against the document and leaves its body readable.
// A 404 for a path the document does not have, or a 405 for a method it
// does not list, answers an operation the document does not describe, so
// there is nothing to check it against.
func (c *specChecker) check(req *http.Request, resp *http.Response) {
	c.t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if (resp.StatusCode == http.StatusNotFound && strings.Contains(string(body), `"error.page.not_found"`)) ||
		(resp.StatusCode == http.StatusMethodNotAllowed && strings.Contains(string(body), `"error.method"`)) {
		return
	}
	c.mu.Lock()
	ok, errs := c.v.ValidateHttpResponse(req, resp)
	c.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if !ok {
		for _, e := range errs {
			msg := e.Message + ": " + e.Reason
			for _, se := range e.SchemaValidationErrors {
				msg += "; " + se.FieldPath + " " + se.Reason
			}
			c.t.Errorf("%s %s → %d does not match api/openapi.yaml: %s", req.Method, req.URL.Path, resp.StatusCode, msg)
		}
	}
}

// TestOpenAPIDescribesEveryRoute fails when an /api/v1 route is missing from
// the document, or the document names an operation no route serves.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	if v := model.Model.Version; v != "3.1.0" {
		t.Errorf("openapi %s, want 3.1.0", v)
	}
	documented := map[string]bool{}
	for p, item := range model.Model.Paths.PathItems.FromOldest() {
		for m := range item.GetOperations().FromOldest() {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	s := &Server{}
	served := map[string]bool{}
	for _, rt := range s.routeTable() {
		method, p, ok := strings.Cut(rt.pattern, " ")
		if !ok || !strings.HasPrefix(p, "/api/v1/") {
			continue
		}
		served[rt.pattern] = true
		if !documented[method+" "+p] {
			t.Errorf("route %s is not in api/openapi.yaml", rt.pattern)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("api/openapi.yaml describes %s, which no route serves", op)
		}
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	f := newFixture(t, sqliteOnly(t))
	resp := f.do(request{method: "GET", path: "/api/v1/openapi.yaml"})
	if body := readBody(t, resp); resp.StatusCode != 200 || body != string(api.OpenAPI) {
		t.Errorf("GET /api/v1/openapi.yaml: %d, %d bytes", resp.StatusCode, len(body))
	}
}
