package web

import (
	"net/http"
	"strings"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
)

// adminNewPrefix prefixes the field ids of the form that creates an
// organisation, which shares its page with the settings form.
const adminNewPrefix = "new_"

type adminOrgPage struct {
	Org       account.Org // the settings form: as stored, or as typed
	Errors    formErrors
	New       account.Org // the form that creates an organisation
	NewErrors formErrors  // with fields named adminNewPrefix + field
	Kinds     []account.OrgKind
	Created   bool // an organisation was just created
}

func (s *Server) renderAdminOrg(w http.ResponseWriter, r *http.Request, code int, p adminOrgPage) error {
	if p.Org.ID == "" {
		p.Org = reqState(r).member.Org
	}
	if p.New.Lang == "" {
		p.New.Lang = reqState(r).member.Org.Lang
	}
	p.Kinds = account.OrgKinds
	s.render(w, r, code, "admin_org", "admin", p)
	return nil
}

func (s *Server) adminOrg(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminOrg(w, r, http.StatusOK, adminOrgPage{Created: r.URL.Query().Get("created") == "1"})
}

// adminOrgFromForm reads the organisation fields a form posts.
func adminOrgFromForm(r *http.Request, o account.Org) account.Org {
	f := r.PostForm
	o.Name = strings.TrimSpace(f.Get("name"))
	o.Kind = account.OrgKind(f.Get("kind"))
	o.Country = f.Get("country")
	o.Lang = f.Get("lang")
	return o
}

// adminValidateOrg is Org.Validate, and text the store cannot keep.
func adminValidateOrg(o account.Org) error {
	var f fault.Fields
	if e, ok := fault.As(o.Validate()); ok {
		for _, fe := range e.Fields {
			f.Add(fe.Field, fe.Code)
		}
	}
	if adminBadText(o.Name) {
		f.Add("name", "error.bad_text")
	}
	return f.Err()
}

// adminOrgUpdate changes the current organisation's settings (not its short
// name) and records which ones changed.
func (s *Server) adminOrgUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	old := st.member.Org
	in := adminOrgFromForm(r, old)
	in.Require2FA = r.PostForm.Get("require_2fa") == "1"
	err := adminValidateOrg(in)
	if err == nil {
		err = s.Accounts.UpdateOrg(r.Context(), in)
	}
	if errs, ok := formErrorsOf(err, st.loc, "admin.org.field."); ok {
		return s.renderAdminOrg(w, r, http.StatusUnprocessableEntity, adminOrgPage{Org: in, Errors: errs})
	}
	if err != nil {
		return err
	}
	var changed []string
	for _, c := range []struct {
		field string
		diff  bool
	}{
		{"name", in.Name != old.Name}, {"kind", in.Kind != old.Kind}, {"country", in.Country != old.Country},
		{"lang", in.Lang != old.Lang}, {"require_2fa", in.Require2FA != old.Require2FA},
	} {
		if c.diff {
			changed = append(changed, c.field)
		}
	}
	if len(changed) > 0 {
		if err := s.audit(r, audit.OrgChanged, "org", old.ID, strings.Join(changed, ", ")); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/admin/org?saved=1", http.StatusSeeOther)
	return nil
}

// adminOrgCreate creates another organisation with the administrator as its
// first administrator.
func (s *Server) adminOrgCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	in := adminOrgFromForm(r, account.Org{Slug: strings.TrimSpace(r.PostForm.Get("slug"))})
	err := adminValidateOrg(in)
	var created account.Org
	if err == nil {
		created, err = s.Accounts.CreateOrgWithAdmin(r.Context(), in, st.member.User.ID, s.Now())
	}
	if errs, ok := formErrorsOf(err, st.loc, "admin.org.field."); ok {
		for i := range errs {
			errs[i].Field = adminNewPrefix + errs[i].Field
			errs[i].ID = errs[i].Field + "-error"
		}
		return s.renderAdminOrg(w, r, http.StatusUnprocessableEntity, adminOrgPage{New: in, NewErrors: errs})
	}
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Conflict { // the short name is taken
		errs := formErrors{adminFieldError(st.loc, adminNewPrefix+"slug", fe.Code, "admin.org.field.slug")}
		return s.renderAdminOrg(w, r, http.StatusConflict, adminOrgPage{New: in, NewErrors: errs})
	}
	if err != nil {
		return err
	}
	// Recorded where it was done, and as the first entry of the new log.
	if err := s.audit(r, audit.OrgCreated, "org", created.ID, created.Slug); err != nil {
		return err
	}
	e := audit.Entry{OrgID: created.ID, ActorID: st.member.User.ID, Actor: st.member.User.Email, Action: audit.OrgCreated,
		TargetKind: "org", TargetID: created.ID, Detail: created.Slug}
	if err := s.auditAs(r, e); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/org?created=1", http.StatusSeeOther)
	return nil
}
