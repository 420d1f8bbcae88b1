package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
)

type loginPage struct {
	Email  string
	Next   string
	Failed bool
}

// safeNext keeps a post-login destination on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "login", "", loginPage{Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

// login checks the password and starts a new session with a new secret, so a
// session fixed before login is worth nothing after it. A wrong address and a
// wrong password get the same answer.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return errMalformed{"form"}
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	pw := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	failed := func() error {
		s.render(w, r, http.StatusUnauthorized, "login", "", loginPage{Email: email, Next: next, Failed: true})
		return nil
	}
	u, err := s.Accounts.UserByEmail(r.Context(), email)
	if err != nil {
		account.CheckPassword("", pw) // spend the same time as a real check
		return failed()
	}
	if !account.CheckPassword(u.PasswordHash, pw) || u.Disabled {
		return failed()
	}
	m, err := s.Accounts.FirstMembership(r.Context(), u.ID)
	if err != nil {
		return failed()
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.Accounts.DeleteSession(r.Context(), account.HashSecret(c.Value))
	}
	secret := account.NewSecret("ts_")
	if err := s.Accounts.CreateSession(r.Context(), account.HashSecret(secret), u.ID, m.Org.ID, s.Now()); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: int(account.SessionAbsolute / time.Second),
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Accounts.DeleteSession(r.Context(), account.HashSecret(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// setLanguage keeps the chosen interface language in a cookie for a year.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return errMalformed{"form"}
	}
	if lang := r.PostForm.Get("lang"); s.Catalog.Supported(lang) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	}
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	if s.Health != nil {
		if err := s.Health(r.Context()); err != nil {
			s.Logger.Error("health check", "err", err)
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return nil
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
	return nil
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	a, ok := s.assets[r.PathValue("file")]
	if !ok {
		return errNoRoute
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(a.body)
	return nil
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(s.OpenAPI)
	return nil
}
