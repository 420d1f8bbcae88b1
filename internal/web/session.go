package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
)

type loginPage struct {
	Email       string
	Next        string
	Failed      bool
	LockMinutes int // > 0 when sign-in is throttled
}

// Throttling of sign-in: after MaxLoginFailures for one address or one IP
// within LoginWindow, further attempts are refused until the window passes.
const (
	MaxLoginFailures = 5
	LoginWindow      = 15 * time.Minute
)

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

// throttled reports, before any password is checked, whether sign-in for
// the address or from the IP is locked, and for how long.
func (s *Server) throttled(r *http.Request, email string) (time.Duration, error) {
	now := s.Now()
	byEmail, byIP, oldest, err := s.Accounts.LoginFailures(r.Context(), email, clientIP(r), now.Add(-LoginWindow))
	if err != nil || (byEmail < MaxLoginFailures && byIP < MaxLoginFailures) {
		return 0, err
	}
	return max(time.Second, oldest.Add(LoginWindow).Sub(now)), nil
}

// refuseThrottled answers a locked sign-in with 429 and Retry-After.
func (s *Server) refuseThrottled(w http.ResponseWriter, r *http.Request, email, orgID, next string, wait time.Duration) error {
	if err := s.auditAs(r, audit.Entry{OrgID: orgID, Actor: account.NormalizeEmail(email), Action: audit.LoginLocked, Detail: "refused while locked"}); err != nil {
		return err
	}
	w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	s.render(w, r, http.StatusTooManyRequests, "login", "", loginPage{Email: email, Next: next, LockMinutes: int((wait + time.Minute - 1) / time.Minute)})
	return nil
}

// loginFailed records a failed attempt and answers with the same generic
// message whatever was wrong. The audit entry belongs to the organisation
// the account signs in to (orgID), or to none for an unknown address.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, email, orgID, next, why string) error {
	now := s.Now()
	if err := s.Accounts.RecordLoginFailure(r.Context(), email, clientIP(r), now); err != nil {
		return err
	}
	if err := s.auditAs(r, audit.Entry{OrgID: orgID, Actor: account.NormalizeEmail(email), Action: audit.LoginFailed, Detail: why}); err != nil {
		return err
	}
	if wait, err := s.throttled(r, email); err != nil {
		return err
	} else if wait > 0 {
		if err := s.auditAs(r, audit.Entry{OrgID: orgID, Actor: account.NormalizeEmail(email), Action: audit.LoginLocked, Detail: "locked after repeated failures"}); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusUnauthorized, "login", "", loginPage{Email: email, Next: next, Failed: true})
	return nil
}

// login checks the password and starts a new session with a new secret, so a
// session fixed before login is worth nothing after it. A wrong address and a
// wrong password get the same answer; repeated failures lock sign-in.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	pw := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	u, userErr := s.Accounts.UserByEmail(r.Context(), email)
	var m account.Member
	var memberErr error = userErr
	if userErr == nil {
		m, memberErr = s.Accounts.FirstMembership(r.Context(), u.ID)
	}
	orgID := m.Org.ID // "" when the address or its organisation is unknown
	if wait, err := s.throttled(r, email); err != nil {
		return err
	} else if wait > 0 {
		return s.refuseThrottled(w, r, email, orgID, next, wait)
	}
	if userErr != nil {
		account.CheckPassword("", pw) // spend the same time as a real check
		return s.loginFailed(w, r, email, "", next, "unknown address")
	}
	if !account.CheckPassword(u.PasswordHash, pw) {
		return s.loginFailed(w, r, email, orgID, next, "wrong password")
	}
	if u.Disabled {
		return s.loginFailed(w, r, email, orgID, next, "disabled account")
	}
	if memberErr != nil {
		return s.loginFailed(w, r, email, "", next, "no organisation")
	}
	if err := s.Accounts.ClearLoginFailures(r.Context(), email); err != nil {
		return err
	}
	if old := sessionSecret(r); old != "" {
		_ = s.Accounts.DeleteSession(r.Context(), account.HashSecret(old))
	}
	secret := account.NewSecret("ts_")
	sess, err := s.Accounts.CreateSession(r.Context(), account.HashSecret(secret), account.Session{
		UserID: u.ID, OrgID: m.Org.ID, MFAOK: !u.TOTPEnabled, IP: clientIP(r), UserAgent: truncate(r.UserAgent(), 200),
	}, s.Now())
	if err != nil {
		return err
	}
	m.Session = &sess
	reqState(r).member = &m
	if err := s.audit(r, audit.LoginOK, "session", sess.ID, ""); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.Sessions.Absolute / time.Second),
	})
	if to := gateRedirect(&m, gateFull); to != "" {
		next = to + "?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

type mfaPage struct {
	Next   string
	Failed bool
}

func (s *Server) mfaForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "login_2fa", "", mfaPage{Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

// mfaVerify takes the second factor: a code from the authenticator app, or
// one of the recovery codes. Failures count towards the sign-in lockout.
func (s *Server) mfaVerify(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	m := reqState(r).member
	next := safeNext(r.PostForm.Get("next"))
	if wait, err := s.throttled(r, m.User.Email); err != nil {
		return err
	} else if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
		s.render(w, r, http.StatusTooManyRequests, "login_2fa", "", mfaPage{Next: next, Failed: true})
		return nil
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	step, ok := account.TOTPStep(m.User.TOTPSecret, code, s.Now())
	if ok { // each code works once
		var err error
		if ok, err = s.Accounts.UseTOTPStep(r.Context(), m.User.ID, step); err != nil {
			return err
		}
	}
	how := "authenticator code"
	if !ok && len(code) > 6 {
		var err error
		if ok, err = s.Accounts.UseRecoveryCode(r.Context(), m.User.ID, account.HashRecoveryCode(code), s.Now()); err != nil {
			return err
		}
		how = "recovery code"
	}
	if !ok {
		if err := s.Accounts.RecordLoginFailure(r.Context(), m.User.Email, clientIP(r), s.Now()); err != nil {
			return err
		}
		if err := s.audit(r, audit.LoginMFAFailed, "session", m.Session.ID, ""); err != nil {
			return err
		}
		s.render(w, r, http.StatusUnauthorized, "login_2fa", "", mfaPage{Next: next, Failed: true})
		return nil
	}
	if err := s.Accounts.SetSessionMFA(r.Context(), account.HashSecret(sessionSecret(r))); err != nil {
		return err
	}
	if err := s.Accounts.ClearLoginFailures(r.Context(), m.User.Email); err != nil {
		return err
	}
	if err := s.audit(r, audit.LoginOK, "session", m.Session.ID, "second factor: "+how); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if secret := sessionSecret(r); secret != "" {
		m := reqState(r).member
		if m == nil || m.Session == nil {
			m, _ = s.authenticate(r, false)
			reqState(r).member = m
		}
		if m != nil && m.Session != nil {
			if err := s.audit(r, audit.Logout, "session", m.Session.ID, ""); err != nil {
				return err
			}
		}
		if err := s.Accounts.DeleteSession(r.Context(), account.HashSecret(secret)); err != nil {
			return err
		}
	}
	clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// clearSessionCookie tells the browser to forget its session.
func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// setLanguage keeps the chosen interface language in a cookie for a year.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
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
