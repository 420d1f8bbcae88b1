package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/i18n"
)

// handler is a route's handler: it returns an error instead of writing one.
type handler func(w http.ResponseWriter, r *http.Request) error

// errMalformed marks a request body that could not be read as JSON or a form.
type errMalformed struct{ detail string }

func (e errMalformed) Error() string { return "malformed request: " + e.detail }

// errStale marks an If-Match that no longer matches.
var errStale = errors.New("precondition failed")

// status maps an error to an HTTP status and a message id safe to show.
func status(err error) (int, string) {
	var tooBig *http.MaxBytesError
	var bad errMalformed
	switch {
	case errors.Is(err, errNoRoute):
		return http.StatusNotFound, "error.page.not_found"
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, "error.method"
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, "error.too_large"
	case errors.As(err, &bad):
		return http.StatusBadRequest, "error.malformed"
	case errors.Is(err, errStale):
		return http.StatusPreconditionFailed, "error.stale"
	}
	e, ok := fault.As(err)
	if !ok {
		return http.StatusInternalServerError, "error.internal"
	}
	code := e.Code
	switch e.Kind {
	case fault.Invalid:
		return http.StatusUnprocessableEntity, code
	case fault.NotFound:
		return http.StatusNotFound, code
	case fault.Conflict:
		return http.StatusConflict, code
	case fault.Forbidden:
		return http.StatusForbidden, code
	case fault.Unauthorized:
		return http.StatusUnauthorized, code
	case fault.Sealed:
		return http.StatusLocked, code
	case fault.TooMany:
		return http.StatusTooManyRequests, code
	}
	return http.StatusInternalServerError, "error.internal"
}

// fail answers with err: problem+json for the API, a page otherwise. Internal
// errors are logged once here, and their detail is never shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, api bool, err error) {
	code, msgID := status(err)
	if code == http.StatusInternalServerError {
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	loc := reqState(r).loc
	if loc == nil {
		loc = s.Catalog.For("en")
	}
	if api {
		p := problem{Type: "about:blank", Title: http.StatusText(code), Status: code, Detail: loc.T(msgID), Code: msgID}
		if f, ok := fault.As(err); ok {
			for _, fe := range f.Fields {
				p.Errors = append(p.Errors, problemField{Field: fe.Field, Code: fe.Code, Message: loc.T(fe.Code)})
			}
		}
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tilsyn"`)
		}
		writeProblem(w, p)
		return
	}
	if code == http.StatusUnauthorized {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	titleID := "error.page.title"
	switch code {
	case http.StatusNotFound:
		titleID = "error.page.not_found_title"
	case http.StatusForbidden:
		titleID = "error.page.forbidden_title"
	}
	s.render(w, r, code, "error", "", errorPage{Title: loc.T(titleID), Message: loc.T(msgID)})
}

type errorPage struct{ Title, Message string }

// problem is an RFC 9457 problem detail, with the fields at fault.
type problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Code   string         `json:"code,omitempty"`
	Errors []problemField `json:"errors,omitempty"`
}

type problemField struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeProblem(w http.ResponseWriter, p problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, code int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// maxBody limits what a request body may hold.
const maxBody = 1 << 20

// decodeJSON reads one JSON object into dst, refusing unknown fields; a
// problem names the field where it can.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errMalformed{"content type must be application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			return errMalformed{"more than one JSON value"}
		}
		return nil
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var f fault.Fields
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.As(err, &typeErr):
		f.Add(typeErr.Field, "error.json.type")
		return f.Err()
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f.Add(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "error.json.unknown_field")
		return f.Err()
	}
	return errMalformed{err.Error()}
}

// page is what every page template sees.
type page struct {
	Member  *account.Member
	Pending bool   // signed in, but not through the second factor yet: no navigation
	Section string // the navigation entry to mark current
	Path    string // this page's path, to come back to after changing language
	Flash   string
	Data    any
}

// Can reports whether the signed-in member may take action a.
func (p page) Can(a string) bool { return p.Member != nil && p.Member.Can(account.Action(a)) }

// render executes a page template in the request's language into a buffer,
// so a template error becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name, section string, data any) {
	st := reqState(r)
	loc := st.loc
	if loc == nil {
		loc = s.Catalog.For("en")
	}
	p := page{Member: st.member, Section: section, Path: r.URL.RequestURI(), Data: data}
	p.Pending = st.member != nil && gateRedirect(st.member, gateFull) != ""
	if r.Method != http.MethodGet {
		p.Path = "/"
	}
	if r.URL.Query().Get("saved") == "1" {
		p.Flash = loc.T("flash.saved")
	}
	var buf bytes.Buffer
	if err := s.pages[loc.Lang()][name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Logger.Error("render", "page", name, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

// formError is one field's error, ready for a form.
type formError struct {
	Field, Code, Label, Message, ID string
}

type formErrors []formError

// For returns the errors of one field.
func (e formErrors) For(field string) formErrors {
	var out formErrors
	for _, fe := range e {
		if fe.Field == field {
			out = append(out, fe)
		}
	}
	return out
}

// formErrorsOf turns an invalid fault into form errors in loc's language;
// labelPrefix + field is the message id of each field's label.
func formErrorsOf(err error, loc *i18n.Localizer, labelPrefix string) (formErrors, bool) {
	f, ok := fault.As(err)
	if !ok || f.Kind != fault.Invalid {
		return nil, false
	}
	var out formErrors
	for _, fe := range f.Fields {
		out = append(out, formError{Field: fe.Field, Code: fe.Code, Label: loc.T(labelPrefix + fe.Field), Message: loc.T(fe.Code), ID: fe.Field + "-error"})
	}
	return out, true
}

// invalidParam reports a bad query parameter as a field error.
func invalidParam(name, code string) error {
	var f fault.Fields
	f.Add(name, code)
	return f.Err()
}

// parseForm reads a posted form of at most maxBody bytes. A larger body is
// answered 413, an unreadable one 400.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return tooBig
		}
		return errMalformed{"form"}
	}
	return nil
}
