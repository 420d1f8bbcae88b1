package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/i18n"
)

// profileMaxTokenName is the longest name an API token may have.
const profileMaxTokenName = 100

// profileRoutes are the pages every signed-in person has for their own
// account: password, second factor, sessions and API tokens.
func (s *Server) profileRoutes() []route {
	return []route{
		{"GET /profile", signedIn, false, s.profileShow, gateFull},
		{"POST /profile/org", signedIn, false, s.profileSwitchOrg, gateFull},
		{"POST /profile/locale", signedIn, false, s.profileSetLocale, gateFull},
		{"POST /profile/password", signedIn, false, s.profilePassword, gateFull},
		{"POST /profile/sessions/end-others", signedIn, false, s.profileEndOthers, gateFull},
		{"POST /profile/sessions/{id}/end", signedIn, false, s.profileEndSession, gateFull},
		{"POST /profile/tokens", signedIn, false, s.profileCreateToken, gateFull},
		{"POST /profile/tokens/{id}/revoke", signedIn, false, s.profileRevokeToken, gateFull},
		{"GET /profile/2fa", signedIn, false, s.profileMFA, gateEnrol},
		{"POST /profile/2fa", signedIn, false, s.profileMFAEnable, gateEnrol},
		{"POST /profile/2fa/recovery", signedIn, false, s.profileMFARecovery, gateFull},
		{"POST /profile/2fa/disable", signedIn, false, s.profileMFADisable, gateFull},
	}
}

// profileFieldError is one field's error; id is the input's element id, so
// the error summary can link to it.
func profileFieldError(loc *i18n.Localizer, id, labelID, message string) formError {
	return formError{Field: id, Label: loc.T(labelID), Message: message, ID: id + "-error"}
}

// ---- the profile page ----

// profileForm is what a form on the profile page sends back: errors, what
// was typed (never a password), and a new token to show once.
type profileForm struct {
	Errors     formErrors
	TokenName  string
	TokenScope account.Scope
	NewToken   string // the secret of a token just made; shown on this response only
}

type profilePage struct {
	profileForm
	Memberships   []account.Member
	MFARequired   bool
	RecoveryLeft  int
	Sessions      []account.Session
	OtherSessions int
	Tokens        []account.Token
}

// Scopes lists the token scopes for the form.
func (profilePage) Scopes() []account.Scope {
	return []account.Scope{account.ScopeRead, account.ScopeWrite}
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, code int, form profileForm) error {
	m := reqState(r).member
	ctx := r.Context()
	p := profilePage{profileForm: form, MFARequired: m.MFARequired()}
	if p.TokenScope == "" {
		p.TokenScope = account.ScopeRead
	}
	var err error
	if p.Memberships, err = s.Accounts.Memberships(ctx, m.User.ID); err != nil {
		return err
	}
	if m.User.TOTPEnabled {
		if p.RecoveryLeft, err = s.Accounts.RecoveryCodesLeft(ctx, m.User.ID); err != nil {
			return err
		}
	}
	sessions, err := s.Accounts.Sessions(ctx, m.User.ID)
	if err != nil {
		return err
	}
	now := s.Now()
	for _, sess := range sessions {
		if sess.ID != m.Session.ID && sess.Expired(now, s.Sessions) {
			continue // ended already, though not yet removed
		}
		if sess.ID != m.Session.ID {
			p.OtherSessions++
		}
		p.Sessions = append(p.Sessions, sess)
	}
	if p.Tokens, err = s.Accounts.Tokens(ctx, m.Org.ID, m.User.ID); err != nil {
		return err
	}
	s.render(w, r, code, "profile", "profile", p)
	return nil
}

func (s *Server) profileShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderProfile(w, r, http.StatusOK, profileForm{})
}

// profileSwitchOrg moves the session to another of the user's organisations.
func (s *Server) profileSwitchOrg(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	m := reqState(r).member
	to, err := s.Accounts.Membership(r.Context(), m.User.ID, r.PostForm.Get("org"))
	if fault.Is(err, fault.NotFound) {
		return fault.NotFoundError("org")
	}
	if err != nil {
		return err
	}
	if err := s.Accounts.SwitchSessionOrg(r.Context(), account.HashSecret(sessionSecret(r)), to.Org.ID); err != nil {
		return err
	}
	if err := s.audit(r, audit.OrgSwitched, "org", to.Org.ID, "from "+m.Org.Slug+" to "+to.Org.Slug); err != nil {
		return err
	}
	http.Redirect(w, r, "/profile?saved=1", http.StatusSeeOther)
	return nil
}

// profileSetLocale stores the interface language, "" for the browser's.
func (s *Server) profileSetLocale(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	lang := r.PostForm.Get("locale")
	if lang != "" && !s.Catalog.Supported(lang) {
		return errMalformed{"locale"}
	}
	m := reqState(r).member
	if err := s.Accounts.SetLocale(r.Context(), m.User.ID, lang); err != nil {
		return err
	}
	detail := lang
	if detail == "" {
		detail = "the browser's"
	}
	if err := s.audit(r, audit.LocaleChanged, "user", m.User.ID, detail); err != nil {
		return err
	}
	http.Redirect(w, r, "/profile?saved=1", http.StatusSeeOther)
	return nil
}

// ---- the current password, asked before a change to the account ----

type profilePasswordCheck int

const (
	profilePasswordOK profilePasswordCheck = iota
	profilePasswordWrong
	profilePasswordLocked // sign-in is throttled: the password was not checked
)

// profileCheckPassword checks the member's current password before a change
// to their account. A wrong one counts as a failed sign-in and is audited,
// so these forms cannot be used to guess a password past the lockout; while
// sign-in is locked the password is not checked at all.
func (s *Server) profileCheckPassword(r *http.Request, pw, purpose string) (profilePasswordCheck, time.Duration, error) {
	m := reqState(r).member
	if wait, err := s.throttled(r, m.User.Email); err != nil {
		return 0, 0, err
	} else if wait > 0 {
		if err := s.audit(r, audit.LoginLocked, "user", m.User.ID, "refused while locked: "+purpose); err != nil {
			return 0, 0, err
		}
		return profilePasswordLocked, wait, nil
	}
	if account.CheckPassword(m.User.PasswordHash, pw) {
		return profilePasswordOK, 0, nil
	}
	if err := s.Accounts.RecordLoginFailure(r.Context(), m.User.Email, clientIP(r), s.Now()); err != nil {
		return 0, 0, err
	}
	if err := s.audit(r, audit.LoginFailed, "user", m.User.ID, "wrong current password: "+purpose); err != nil {
		return 0, 0, err
	}
	if wait, err := s.throttled(r, m.User.Email); err != nil {
		return 0, 0, err
	} else if wait > 0 {
		if err := s.audit(r, audit.LoginLocked, "user", m.User.ID, "locked after repeated failures"); err != nil {
			return 0, 0, err
		}
	}
	return profilePasswordWrong, 0, nil
}

// profilePasswordError turns a failed check into the field's error and the
// status to answer with; ok is false when there is nothing wrong.
func profilePasswordError(w http.ResponseWriter, loc *i18n.Localizer, id string, chk profilePasswordCheck, wait time.Duration) (formError, int, bool) {
	switch chk {
	case profilePasswordLocked:
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		minutes := int((wait + time.Minute - 1) / time.Minute)
		return profileFieldError(loc, id, "profile.password.current", loc.N("profile.error.locked", minutes)), http.StatusTooManyRequests, true
	case profilePasswordWrong:
		return profileFieldError(loc, id, "profile.password.current", loc.T("profile.error.current_wrong")), http.StatusUnprocessableEntity, true
	}
	return formError{}, 0, false
}

// profilePassword changes the password. The current one must be given; the
// new one must pass the password rules and be typed twice alike. Every other
// session of the user ends.
func (s *Server) profilePassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	m, loc := st.member, st.loc
	pw, confirm := r.PostForm.Get("new"), r.PostForm.Get("confirm")
	var errs formErrors
	code := http.StatusUnprocessableEntity
	chk, wait, err := s.profileCheckPassword(r, r.PostForm.Get("current"), "password change")
	if err != nil {
		return err
	}
	if fe, c, bad := profilePasswordError(w, loc, "password-current", chk, wait); bad {
		errs, code = append(errs, fe), c
	}
	if f, ok := fault.As(account.ValidatePassword(pw)); ok {
		for _, fe := range f.Fields {
			errs = append(errs, profileFieldError(loc, "password-new", "profile.password.new", loc.T(fe.Code)))
		}
	} else if pw != confirm {
		errs = append(errs, profileFieldError(loc, "password-confirm", "profile.password.confirm", loc.T("profile.error.confirm_mismatch")))
	}
	if len(errs) > 0 {
		return s.renderProfile(w, r, code, profileForm{Errors: errs})
	}
	hash, err := account.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := s.Accounts.SetPassword(r.Context(), m.User.ID, hash, m.Session.ID); err != nil {
		return err
	}
	if err := s.audit(r, audit.PasswordChange, "user", m.User.ID, "other sessions ended"); err != nil {
		return err
	}
	http.Redirect(w, r, "/profile?saved=1", http.StatusSeeOther)
	return nil
}

// ---- sessions ----

// profileEndSession ends one of the user's own sessions; another user's
// session is not found. Ending this session is signing out.
func (s *Server) profileEndSession(w http.ResponseWriter, r *http.Request) error {
	m := reqState(r).member
	id := r.PathValue("id")
	if id == m.Session.ID { // ending this session is signing out
		return s.logout(w, r)
	}
	if err := s.Accounts.EndSession(r.Context(), m.User.ID, id); err != nil {
		return err
	}
	if err := s.audit(r, audit.Logout, "session", id, "ended from another session"); err != nil {
		return err
	}
	http.Redirect(w, r, "/profile?saved=1", http.StatusSeeOther)
	return nil
}

// profileEndOthers ends every session of the user but this one.
func (s *Server) profileEndOthers(w http.ResponseWriter, r *http.Request) error {
	m := reqState(r).member
	if err := s.Accounts.EndSessions(r.Context(), m.User.ID, m.Session.ID); err != nil {
		return err
	}
	if err := s.audit(r, audit.LogoutAll, "user", m.User.ID, "every session but the current one"); err != nil {
		return err
	}
	http.Redirect(w, r, "/profile?saved=1", http.StatusSeeOther)
	return nil
}

// ---- API tokens ----

// profileCreateToken makes an API token for the user in the session's
// organisation and shows its secret on this response only.
func (s *Server) profileCreateToken(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	m, loc := st.member, st.loc
	form := profileForm{TokenName: strings.TrimSpace(r.PostForm.Get("name")), TokenScope: account.Scope(r.PostForm.Get("scope"))}
	switch name := form.TokenName; {
	case name == "":
		form.Errors = append(form.Errors, profileFieldError(loc, "token-name", "profile.tokens.name", loc.T("error.required")))
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		form.Errors = append(form.Errors, profileFieldError(loc, "token-name", "profile.tokens.name", loc.T("error.bad_text")))
	case utf8.RuneCountInString(name) > profileMaxTokenName:
		form.Errors = append(form.Errors, profileFieldError(loc, "token-name", "profile.tokens.name", loc.T("error.too_long")))
	}
	if !form.TokenScope.Valid() {
		form.Errors = append(form.Errors, profileFieldError(loc, "token-scope", "profile.tokens.scope", loc.T("profile.error.scope")))
	}
	if len(form.Errors) > 0 {
		if !utf8.ValidString(form.TokenName) {
			form.TokenName = ""
		}
		return s.renderProfile(w, r, http.StatusUnprocessableEntity, form)
	}
	secret := account.NewSecret("tt_")
	t, err := s.Accounts.CreateToken(r.Context(), account.Token{UserID: m.User.ID, OrgID: m.Org.ID, Name: form.TokenName, Scope: form.TokenScope}, account.HashSecret(secret), s.Now())
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.TokenCreated, "token", t.ID, "scope "+string(t.Scope)); err != nil {
		return err
	}
	return s.renderProfile(w, r, http.StatusOK, profileForm{NewToken: secret})
}

// profileRevokeToken revokes one of the user's tokens in this organisation.
func (s *Server) profileRevokeToken(w http.ResponseWriter, r *http.Request) error {
	m := reqState(r).member
	id := r.PathValue("id")
	if err := s.Accounts.RevokeToken(r.Context(), m.Org.ID, m.User.ID, id, m.User.ID, s.Now()); err != nil {
		return err
	}
	if err := s.audit(r, audit.TokenRevoked, "token", id, ""); err != nil {
		return err
	}
	http.Redirect(w, r, "/profile?saved=1", http.StatusSeeOther)
	return nil
}

// ---- the second factor ----

// profileMFAPage is the second-factor page: enrolment while the factor is
// off, its state and the forms to change it once on.
type profileMFAPage struct {
	Enabled   bool
	MustEnrol bool
	Next      string // where to go once enrolled
	Errors    formErrors

	// Enrolment.
	QR     template.URL // data: URL of the QR code's PNG
	Secret string       // the key in groups of four, for typing by hand

	// Once enabled.
	RecoveryLeft int
	CanDisable   bool
}

// profileCodesPage shows new recovery codes, once.
type profileCodesPage struct {
	Codes    []string
	Replaced bool // new codes for old, rather than a new second factor
	Next     string
}

// profileNext is where to go after enrolment: the next parameter when one
// is given, else the profile.
func profileNext(v string) string {
	if v == "" {
		return "/profile"
	}
	return safeNext(v)
}

// profileGroups writes a key in groups of four characters.
func profileGroups(secret string) string {
	var b strings.Builder
	for i, c := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// profileMFARequiredAnywhere reports whether any of the user's memberships
// requires a second factor: turning it off in one organisation turns it off
// in all of them.
func (s *Server) profileMFARequiredAnywhere(r *http.Request) (bool, error) {
	m := reqState(r).member
	if m.MFARequired() {
		return true, nil
	}
	all, err := s.Accounts.Memberships(r.Context(), m.User.ID)
	if err != nil {
		return false, err
	}
	for _, o := range all {
		if o.MFARequired() {
			return true, nil
		}
	}
	return false, nil
}

func (s *Server) profileMFA(w http.ResponseWriter, r *http.Request) error {
	next := profileNext(r.URL.Query().Get("next"))
	if reqState(r).member.User.TOTPEnabled {
		return s.renderMFAManage(w, r, http.StatusOK, nil)
	}
	return s.renderMFAEnrol(w, r, http.StatusOK, nil, next)
}

// renderMFAEnrol shows the enrolment form. The user's pending secret is
// kept (unenabled) so that reloading the page shows the same key; a new one
// is made when there is none.
func (s *Server) renderMFAEnrol(w http.ResponseWriter, r *http.Request, code int, errs formErrors, next string) error {
	m := reqState(r).member
	var key account.TOTPKey
	var err error
	if m.User.TOTPSecret == "" {
		if key, err = account.NewTOTPKey(m.User.Email); err != nil {
			return err
		}
		if err := s.Accounts.SetTOTP(r.Context(), m.User.ID, key.Secret, false, nil); err != nil {
			return err
		}
		m.User.TOTPSecret = key.Secret
	} else if key, err = account.TOTPKeyFromSecret(url.PathEscape(m.User.Email), m.User.TOTPSecret); err != nil {
		return err
	}
	s.render(w, r, code, "profile_2fa", "profile", profileMFAPage{
		MustEnrol: m.MustEnrolMFA(), Next: next, Errors: errs,
		QR:     template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(key.PNG)),
		Secret: profileGroups(key.Secret),
	})
	return nil
}

// renderMFAManage shows the state of an enabled second factor and the forms
// to change it.
func (s *Server) renderMFAManage(w http.ResponseWriter, r *http.Request, code int, errs formErrors) error {
	m := reqState(r).member
	left, err := s.Accounts.RecoveryCodesLeft(r.Context(), m.User.ID)
	if err != nil {
		return err
	}
	required, err := s.profileMFARequiredAnywhere(r)
	if err != nil {
		return err
	}
	s.render(w, r, code, "profile_2fa", "profile", profileMFAPage{Enabled: true, Errors: errs, RecoveryLeft: left, CanDisable: !required})
	return nil
}

// profileMFAEnable confirms enrolment with a code from the app, turns the
// second factor on, and shows the recovery codes once.
func (s *Server) profileMFAEnable(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	m, loc := st.member, st.loc
	next := profileNext(r.PostForm.Get("next"))
	if m.User.TOTPEnabled || m.User.TOTPSecret == "" {
		// On already (new recovery codes need the password), or no key was
		// shown yet: start from the page.
		http.Redirect(w, r, "/profile/2fa", http.StatusSeeOther)
		return nil
	}
	if !account.CheckTOTP(m.User.TOTPSecret, r.PostForm.Get("code"), s.Now()) {
		errs := formErrors{profileFieldError(loc, "code", "profile.mfa.code", loc.T("profile.error.code_wrong"))}
		return s.renderMFAEnrol(w, r, http.StatusUnprocessableEntity, errs, next)
	}
	codes, hashes := account.NewRecoveryCodes()
	if err := s.Accounts.SetTOTP(r.Context(), m.User.ID, m.User.TOTPSecret, true, hashes); err != nil {
		return err
	}
	if err := s.Accounts.SetSessionMFA(r.Context(), account.HashSecret(sessionSecret(r))); err != nil {
		return err
	}
	m.User.TOTPEnabled, m.Session.MFAOK = true, true
	if err := s.audit(r, audit.MFAEnabled, "user", m.User.ID, ""); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "profile_codes", "profile", profileCodesPage{Codes: codes, Next: next})
	return nil
}

// profileMFARecovery replaces the recovery codes with new ones, shown once.
func (s *Server) profileMFARecovery(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	m, loc := st.member, st.loc
	if !m.User.TOTPEnabled {
		http.Redirect(w, r, "/profile/2fa", http.StatusSeeOther)
		return nil
	}
	chk, wait, err := s.profileCheckPassword(r, r.PostForm.Get("password"), "new recovery codes")
	if err != nil {
		return err
	}
	if fe, code, bad := profilePasswordError(w, loc, "recovery-password", chk, wait); bad {
		return s.renderMFAManage(w, r, code, formErrors{fe})
	}
	codes, hashes := account.NewRecoveryCodes()
	if err := s.Accounts.SetTOTP(r.Context(), m.User.ID, m.User.TOTPSecret, true, hashes); err != nil {
		return err
	}
	if err := s.audit(r, audit.RecoveryCodes, "user", m.User.ID, ""); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "profile_codes", "profile", profileCodesPage{Codes: codes, Replaced: true, Next: "/profile/2fa"})
	return nil
}

// profileMFADisable turns the second factor off, when no organisation of
// the user requires it.
func (s *Server) profileMFADisable(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	m, loc := st.member, st.loc
	if !m.User.TOTPEnabled {
		http.Redirect(w, r, "/profile/2fa", http.StatusSeeOther)
		return nil
	}
	if required, err := s.profileMFARequiredAnywhere(r); err != nil {
		return err
	} else if required {
		// Not a matter of the policy (the route is open to everyone signed
		// in) but of the account's state: a conflict, not 403.
		if err := s.audit(r, audit.AccessDenied, "user", m.User.ID, "turning off a required second factor"); err != nil {
			return err
		}
		return fault.ConflictError("profile.error.mfa_required")
	}
	chk, wait, err := s.profileCheckPassword(r, r.PostForm.Get("password"), "turning off the second factor")
	if err != nil {
		return err
	}
	if fe, code, bad := profilePasswordError(w, loc, "disable-password", chk, wait); bad {
		return s.renderMFAManage(w, r, code, formErrors{fe})
	}
	if err := s.Accounts.SetTOTP(r.Context(), m.User.ID, "", false, nil); err != nil {
		return err
	}
	if err := s.audit(r, audit.MFADisabled, "user", m.User.ID, ""); err != nil {
		return err
	}
	http.Redirect(w, r, "/profile?saved=1", http.StatusSeeOther)
	return nil
}
