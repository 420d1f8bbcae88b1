package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
)

// ResetLinkTTL is how long a one-time password link works.
const ResetLinkTTL = 72 * time.Hour

// ---- the list of members, and adding one ----

type adminNewMember struct {
	Email, Name string
	Role        account.Role
}

type adminUsersPage struct {
	Members []account.Member
	Roles   []account.Role
	Form    adminNewMember // the add form, as typed
	Errors  formErrors
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminUsers(w, r, http.StatusOK, adminNewMember{}, nil)
}

func (s *Server) renderAdminUsers(w http.ResponseWriter, r *http.Request, code int, form adminNewMember, errs formErrors) error {
	members, err := s.Accounts.Members(r.Context(), reqState(r).member.Org.ID)
	if err != nil {
		return err
	}
	s.render(w, r, code, "admin_users", "admin", adminUsersPage{Members: members, Roles: account.Roles, Form: form, Errors: errs})
	return nil
}

// adminUserAdd makes a person a member of the organisation. Someone new gets
// an account without a usable password, and the answer shows a one-time
// link with which they set one; someone with an account keeps theirs.
func (s *Server) adminUserAdd(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	in := adminNewMember{
		Email: strings.TrimSpace(r.PostForm.Get("email")),
		Name:  strings.TrimSpace(r.PostForm.Get("name")),
		Role:  account.Role(r.PostForm.Get("role")),
	}
	var f fault.Fields
	if account.ValidateEmail(account.NormalizeEmail(in.Email)) != nil {
		f.Add("email", "error.account.bad_email")
	}
	if adminBadText(in.Name) {
		f.Add("name", "error.bad_text")
	} else if utf8.RuneCountInString(in.Name) > 300 {
		f.Add("name", "error.too_long")
	}
	if !in.Role.Valid() {
		f.Add("role", "error.account.bad_role")
	}
	err := f.Err()
	var u account.User
	if err == nil {
		u, err = s.Accounts.AddMember(r.Context(), st.member.Org.ID, account.User{Email: in.Email, Name: in.Name}, in.Role, s.Now())
	}
	if errs, ok := formErrorsOf(err, st.loc, "admin.users.field."); ok {
		return s.renderAdminUsers(w, r, http.StatusUnprocessableEntity, in, errs)
	}
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Conflict { // a member already, or the address taken meanwhile
		return s.renderAdminUsers(w, r, http.StatusConflict, in, formErrors{adminFieldError(st.loc, "email", fe.Code, "admin.users.field.email")})
	}
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.UserAdded, "user", u.ID, "as "+string(in.Role)); err != nil {
		return err
	}
	target, err := s.Accounts.Membership(r.Context(), u.ID, st.member.Org.ID)
	if err != nil {
		return err
	}
	p := adminUserPage{Target: target, Added: true}
	if u.PasswordHash != "" || target.User.Disabled {
		p.Existing = true
		return s.renderAdminUser(w, r, http.StatusCreated, p)
	}
	// New, or never set a password: they need a link. Not, though, when the
	// account (added elsewhere, link not yet used) opens another
	// organisation too: that would let this administrator take it over.
	if refused, err := s.adminSharedAccount(r.Context(), st.member, u.ID); err != nil {
		return err
	} else if refused {
		p.Alert = st.loc.T("admin.user.error.shared")
		return s.renderAdminUser(w, r, http.StatusCreated, p)
	}
	link, err := s.adminIssueReset(r, target.User)
	if err != nil {
		return err
	}
	p.Reset = &link
	return s.renderAdminUser(w, r, http.StatusCreated, p)
}

// ---- one member ----

type adminUserPage struct {
	Target   account.Member
	Self     bool // the member is the administrator looking
	Roles    []account.Role
	Role     account.Role // the role form's choice
	Errors   formErrors   // the role form's errors
	Alert    string       // why a change was refused, translated
	Added    bool         // the member was just added
	Existing bool         // … and had an account already
	Reset    *adminResetLink
}

// adminResetLink is a one-time password link, shown once to the
// administrator who issued it and never stored or logged.
type adminResetLink struct {
	URL     string
	Expires time.Time
}

func (s *Server) renderAdminUser(w http.ResponseWriter, r *http.Request, code int, p adminUserPage) error {
	p.Self = p.Target.User.ID == reqState(r).member.User.ID
	p.Roles = account.Roles
	if p.Role == "" {
		p.Role = p.Target.Role
	}
	s.render(w, r, code, "admin_user", "admin", p)
	return nil
}

// adminTarget is the member named by the path, in the administrator's
// organisation: anyone else does not exist here.
func (s *Server) adminTarget(r *http.Request) (account.Member, error) {
	m, err := s.Accounts.Membership(r.Context(), r.PathValue("id"), reqState(r).member.Org.ID)
	if fault.Is(err, fault.NotFound) {
		return m, fault.NotFoundError("user")
	}
	return m, err
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request) error {
	target, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	return s.renderAdminUser(w, r, http.StatusOK, adminUserPage{Target: target})
}

// adminUserRole changes a member's role; the store ends the person's
// sessions so the new role applies at once. Administrators cannot give up
// their own role, so an organisation is never left without one by mistake.
func (s *Server) adminUserRole(w http.ResponseWriter, r *http.Request) error {
	target, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	role := account.Role(r.PostForm.Get("role"))
	refuse := func(code string) error {
		return s.renderAdminUser(w, r, http.StatusUnprocessableEntity, adminUserPage{Target: target, Role: role,
			Errors: formErrors{adminFieldError(st.loc, "role", code, "admin.users.field.role")}})
	}
	switch {
	case !role.Valid():
		return refuse("error.account.bad_role")
	case target.User.ID == st.member.User.ID && role != account.Admin:
		return refuse("admin.user.error.own_role")
	case role == target.Role:
		http.Redirect(w, r, "/admin/users/"+url.PathEscape(target.User.ID), http.StatusSeeOther)
		return nil
	}
	if err := s.Accounts.SetRole(r.Context(), st.member.Org.ID, target.User.ID, role); err != nil {
		return err
	}
	if err := s.audit(r, audit.UserRole, "user", target.User.ID, string(target.Role)+" → "+string(role)); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users/"+url.PathEscape(target.User.ID)+"?saved=1", http.StatusSeeOther)
	return nil
}

// adminUserDisabled disables (ending every session) or enables an account.
func (s *Server) adminUserDisabled(disabled bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		target, err := s.adminTarget(r)
		if err != nil {
			return err
		}
		if err := parseForm(w, r); err != nil {
			return err
		}
		me := reqState(r).member
		if disabled && target.User.ID == me.User.ID {
			return s.adminRefuse(w, r, target, "admin.user.error.own_disable")
		}
		if target.User.Disabled != disabled {
			if refused, err := s.adminSharedAccount(r.Context(), me, target.User.ID); err != nil {
				return err
			} else if refused {
				return s.adminRefuse(w, r, target, "admin.user.error.shared")
			}
			if err := s.Accounts.SetDisabled(r.Context(), target.User.ID, disabled); err != nil {
				return err
			}
			action := audit.UserEnabled
			if disabled {
				action = audit.UserDisabled
			}
			if err := s.audit(r, action, "user", target.User.ID, ""); err != nil {
				return err
			}
		}
		http.Redirect(w, r, "/admin/users/"+url.PathEscape(target.User.ID)+"?saved=1", http.StatusSeeOther)
		return nil
	}
}

// adminUserReset issues a one-time password link and shows it, once.
func (s *Server) adminUserReset(w http.ResponseWriter, r *http.Request) error {
	target, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if target.User.Disabled {
		return s.adminRefuse(w, r, target, "admin.user.error.reset_disabled")
	}
	if refused, err := s.adminSharedAccount(r.Context(), reqState(r).member, target.User.ID); err != nil {
		return err
	} else if refused {
		return s.adminRefuse(w, r, target, "admin.user.error.shared")
	}
	link, err := s.adminIssueReset(r, target.User)
	if err != nil {
		return err
	}
	return s.renderAdminUser(w, r, http.StatusOK, adminUserPage{Target: target, Reset: &link})
}

// adminRefuse answers a change the administrator may not make with the
// member's page and the reason.
func (s *Server) adminRefuse(w http.ResponseWriter, r *http.Request, target account.Member, msgID string) error {
	return s.renderAdminUser(w, r, http.StatusConflict, adminUserPage{Target: target, Alert: reqState(r).loc.T(msgID)})
}

// adminSharedAccount reports whether the user also belongs to an
// organisation that the administrator does not administer. Disabling and
// reset links act on the whole account, not one membership: an
// administrator of one organisation must not lock out, or take over, a
// person whose account opens another organisation's records.
func (s *Server) adminSharedAccount(ctx context.Context, admin *account.Member, userID string) (bool, error) {
	theirs, err := s.Accounts.Memberships(ctx, userID)
	if err != nil {
		return false, err
	}
	mine, err := s.Accounts.Memberships(ctx, admin.User.ID)
	if err != nil {
		return false, err
	}
	administered := map[string]bool{}
	for _, m := range mine {
		if m.Role == account.Admin {
			administered[m.Org.ID] = true
		}
	}
	for _, m := range theirs {
		if !administered[m.Org.ID] {
			return true, nil
		}
	}
	return false, nil
}

// adminIssueReset stores a new one-time link for u (only its hash is kept),
// records that it was issued, and returns the link to show.
func (s *Server) adminIssueReset(r *http.Request, u account.User) (adminResetLink, error) {
	me := reqState(r).member
	secret := account.NewSecret("pr_")
	now := s.Now()
	expires := now.Add(ResetLinkTTL)
	if err := s.Accounts.CreatePasswordReset(r.Context(), account.HashSecret(secret), u.ID, me.User.Email, now, expires); err != nil {
		return adminResetLink{}, err
	}
	if err := s.audit(r, audit.PasswordReset, "user", u.ID, "valid until "+expires.UTC().Format("2006-01-02 15:04")+" UTC"); err != nil {
		return adminResetLink{}, err
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return adminResetLink{URL: scheme + "://" + r.Host + "/reset/" + secret, Expires: expires}, nil
}

// ---- the reset page ----

type resetPage struct {
	Email  string // whose password is set
	Errors formErrors
	Done   bool
}

// resetForm shows the form to set a password through a one-time link; a
// used, expired or unknown link is not found.
func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	u, err := s.Accounts.PasswordResetUser(r.Context(), account.HashSecret(r.PathValue("token")), s.Now())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "reset", "", resetPage{Email: u.Email})
	return nil
}

// resetSubmit sets the password and spends the link; the store ends every
// session of the person.
func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) error {
	hash := account.HashSecret(r.PathValue("token"))
	now := s.Now()
	u, err := s.Accounts.PasswordResetUser(r.Context(), hash, now)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	loc := reqState(r).loc
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
	errs, _ := formErrorsOf(account.ValidatePassword(pw), loc, "reset.field.")
	if pw != confirm {
		errs = append(errs, adminFieldError(loc, "confirm", "reset.error.mismatch", "reset.field.confirm"))
	}
	if len(errs) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "reset", "", resetPage{Email: u.Email, Errors: errs})
		return nil
	}
	pwHash, err := account.HashPassword(pw)
	if err != nil {
		return err
	}
	if u, err = s.Accounts.UsePasswordReset(r.Context(), hash, pwHash, now); err != nil {
		return err
	}
	// A lockout from earlier failed attempts need not outlast a new password.
	if err := s.Accounts.ClearLoginFailures(r.Context(), u.Email); err != nil {
		return err
	}
	// Recorded in the log of every organisation the person belongs to.
	orgs, err := s.Accounts.Memberships(r.Context(), u.ID)
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		orgs = []account.Member{{}}
	}
	for _, m := range orgs {
		e := audit.Entry{OrgID: m.Org.ID, ActorID: u.ID, Actor: u.Email, Action: audit.PasswordSet, TargetKind: "user", TargetID: u.ID}
		if err := s.auditAs(r, e); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/reset/done", http.StatusSeeOther)
	return nil
}

// resetDone tells the person their password is set. (The sign-in page
// cannot say so itself without a field in loginPage.)
func (s *Server) resetDone(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "reset", "", resetPage{Done: true})
	return nil
}
