package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/i18n"
)

// adminRoutes are the administrators' pages: users, organisations, tokens
// and the audit log; and the public page where a one-time password link is
// used.
func (s *Server) adminRoutes() []route {
	return []route{
		{"GET /admin/users", account.UsersManage, false, s.adminOnly(s.adminUsers), gateFull},
		{"POST /admin/users", account.UsersManage, false, s.adminOnly(s.adminUserAdd), gateFull},
		{"GET /admin/users/{id}", account.UsersManage, false, s.adminOnly(s.adminUser), gateFull},
		{"POST /admin/users/{id}/role", account.UsersManage, false, s.adminOnly(s.adminUserRole), gateFull},
		{"POST /admin/users/{id}/disable", account.UsersManage, false, s.adminOnly(s.adminUserDisabled(true)), gateFull},
		{"POST /admin/users/{id}/enable", account.UsersManage, false, s.adminOnly(s.adminUserDisabled(false)), gateFull},
		{"POST /admin/users/{id}/reset", account.UsersManage, false, s.adminOnly(s.adminUserReset), gateFull},

		{"GET /admin/org", account.OrgManage, false, s.adminOnly(s.adminOrg), gateFull},
		{"POST /admin/org", account.OrgManage, false, s.adminOnly(s.adminOrgUpdate), gateFull},
		{"POST /admin/orgs", account.OrgManage, false, s.adminOnly(s.adminOrgCreate), gateFull},

		{"GET /admin/tokens", account.TokensManage, false, s.adminOnly(s.adminTokens), gateFull},
		{"POST /admin/tokens/{id}/revoke", account.TokensManage, false, s.adminOnly(s.adminTokenRevoke), gateFull},

		{"GET /admin/audit", account.AuditRead, false, s.adminOnly(s.adminAudit), gateFull},

		{"GET /reset/done", public, false, s.resetDone, gateFull},
		{"GET /reset/{token}", public, false, s.resetForm, gateFull},
		{"POST /reset/{token}", public, false, s.resetSubmit, gateFull},
	}
}

// adminOnly refuses an administration page to any request that is not a
// browser session. These pages act on other people's accounts (a reset link
// takes one over), so they need a session that has been through the second
// factor; a token never has, and a leaked one must not reach them. Pages
// already take only the session cookie (authenticate); this keeps that true
// for these pages should it ever change.
func (s *Server) adminOnly(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if m := reqState(r).member; m == nil || m.Session == nil {
			if err := s.audit(r, audit.AccessDenied, "route", r.Pattern, "API token on an administration page"); err != nil {
				return err
			}
			return fault.ForbiddenError()
		}
		return h(w, r)
	}
}

// adminFieldError is one field's error for a form; label is the message id
// of the field's label.
func adminFieldError(loc *i18n.Localizer, field, code, label string) formError {
	return formError{Field: field, Code: code, Label: loc.T(label), Message: loc.T(code), ID: field + "-error"}
}

// adminBadText reports text the store cannot keep (invalid UTF-8, NUL).
func adminBadText(v string) bool { return !utf8.ValidString(v) || strings.ContainsRune(v, 0) }

// ---- API tokens ----

type adminTokensPage struct {
	Tokens []account.Token
}

func (s *Server) adminTokens(w http.ResponseWriter, r *http.Request) error {
	tokens, err := s.Accounts.Tokens(r.Context(), reqState(r).member.Org.ID, "")
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_tokens", "admin", adminTokensPage{Tokens: tokens})
	return nil
}

// adminTokenRevoke revokes any token of the organisation. Revoking one that
// is revoked already changes nothing, and is not recorded again.
func (s *Server) adminTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	m := reqState(r).member
	id := r.PathValue("id")
	tokens, err := s.Accounts.Tokens(r.Context(), m.Org.ID, "")
	if err != nil {
		return err
	}
	var found *account.Token
	for i := range tokens {
		if tokens[i].ID == id {
			found = &tokens[i]
		}
	}
	if found == nil {
		return fault.NotFoundError("token")
	}
	if found.RevokedAt == nil {
		if err := s.Accounts.RevokeToken(r.Context(), m.Org.ID, "", id, m.User.Email, s.Now()); err != nil {
			return err
		}
		if err := s.audit(r, audit.TokenRevoked, "token", id, "of "+found.UserEmail); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/admin/tokens?saved=1", http.StatusSeeOther)
	return nil
}
