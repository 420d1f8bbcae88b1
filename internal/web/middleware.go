package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/i18n"
)

// Cookie names.
const (
	sessionCookie = "tilsyn_session"
	langCookie    = "tilsyn_lang"
)

// state is what the middleware learns about a request.
type state struct {
	loc    *i18n.Localizer
	member *account.Member
}

type stateKey struct{}

func reqState(r *http.Request) *state {
	if st, ok := r.Context().Value(stateKey{}).(*state); ok {
		return st
	}
	return &state{}
}

// middleware wraps the routes in what every request goes through: recovery,
// the request log, security headers, cross-origin protection and the
// language choice.
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, strings.HasPrefix(r.URL.Path, "/api/"), fault.ForbiddenError())
	}))
	h := cop.Handler(next)
	h = s.withLocale(h)
	h = securityHeaders(h)
	h = s.logRequests(h)
	return s.recoverPanics(h)
}

func (s *Server) withLocale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var fromCookie string
		if c, err := r.Cookie(langCookie); err == nil {
			fromCookie = c.Value
		}
		lang := s.Catalog.Match(fromCookie, r.Header.Get("Accept-Language"))
		st := &state{loc: s.Catalog.For(lang)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)))
	})
}

// csp allows nothing inline and nothing from elsewhere.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one line per request. It logs the path, never the query
// string, a body, a cookie or a token.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", loggedPath(r.URL.Path)),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)))
	})
}

// secretPaths are path prefixes whose next segment is a secret (a one-time
// link): the log shows the prefix only.
var secretPaths = []string{"/reset/"}

func loggedPath(p string) string {
	for _, prefix := range secretPaths {
		if strings.HasPrefix(p, prefix) && len(p) > len(prefix) {
			return prefix + "…"
		}
	}
	return p
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", "path", r.URL.Path, "panic", v)
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// authenticate finds who makes the request. The API takes an API token in
// the Authorization header, or else the session cookie (for the pages' own
// scripts); pages take only the session cookie, so a token — perhaps a
// read-only one — can never act through a page.
func (s *Server) authenticate(r *http.Request, api bool) (*account.Member, error) {
	now := s.Now()
	if h := r.Header.Get("Authorization"); h != "" && api {
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return nil, fault.UnauthorizedError("error.token.invalid")
		}
		m, err := s.Accounts.TokenMember(r.Context(), account.HashSecret(strings.TrimSpace(secret)), now)
		if err != nil {
			return nil, err
		}
		return &m, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, fault.UnauthorizedError("error.session.none")
	}
	m, err := s.Accounts.SessionMember(r.Context(), account.HashSecret(c.Value), now, s.Sessions)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// sessionSecret is the request's session cookie value, or "".
func sessionSecret(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// gateRedirect says where a browser session that has not finished signing in
// must go before it may reach a route with gate g, or "" when it may.
func gateRedirect(m *account.Member, g gate) string {
	if m.Session == nil { // an API token
		return ""
	}
	switch {
	case !m.Session.MFAOK && m.User.TOTPEnabled:
		if g != gatePending {
			return "/login/2fa"
		}
	case m.MustEnrolMFA():
		if g != gateEnrol {
			return "/profile/2fa"
		}
	case g == gatePending:
		return "/" // already through
	}
	return ""
}

// wrap turns a route into an http.Handler: it authenticates, applies the
// policy, then runs the handler and maps any error to a response.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := reqState(r)
		if rt.action != public {
			m, err := s.authenticate(r, rt.api)
			if err != nil {
				s.fail(w, r, rt.api, err)
				return
			}
			st.member = m
			if m.User.Locale != "" && s.Catalog.Supported(m.User.Locale) {
				st.loc = s.Catalog.For(m.User.Locale)
			}
			if to := gateRedirect(m, rt.gate); to != "" {
				if rt.api {
					s.fail(w, r, true, fault.UnauthorizedError("error.session.mfa"))
					return
				}
				if r.Method == http.MethodGet {
					to += "?next=" + url.QueryEscape(r.URL.RequestURI())
				}
				http.Redirect(w, r, to, http.StatusSeeOther)
				return
			}
			if rt.action != signedIn && !m.Can(rt.action) {
				if err := s.audit(r, audit.AccessDenied, "route", rt.pattern, ""); err != nil {
					s.Logger.Error("audit", "err", err)
				}
				s.fail(w, r, rt.api, fault.ForbiddenError())
				return
			}
		} else if !rt.api {
			// Public pages still show who is signed in, when someone has.
			if m, err := s.authenticate(r, false); err == nil && gateRedirect(m, gateFull) == "" {
				st.member = m
			}
		}
		if err := rt.h(w, r); err != nil {
			s.fail(w, r, rt.api, err)
		}
	})
}

var (
	errNoRoute = errors.New("no such route")
	errMethod  = errors.New("method not allowed")
)
