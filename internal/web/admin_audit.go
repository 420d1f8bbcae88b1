package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/i18n"
)

// AuditPageSize is how many entries one page of the audit log shows.
const AuditPageSize = 100

// adminAuditActions are the actions the filter offers one by one; each has
// a label under admin.audit.action.
var adminAuditActions = []string{
	audit.LoginOK, audit.LoginFailed, audit.LoginLocked, audit.LoginMFAFailed, audit.Logout, audit.LogoutAll,
	audit.PasswordChange, audit.PasswordReset, audit.PasswordSet, audit.MFAEnabled, audit.MFADisabled,
	audit.TokenCreated, audit.TokenRevoked, audit.UserAdded, audit.UserRole, audit.UserDisabled, audit.UserEnabled,
	audit.OrgCreated, audit.OrgChanged, audit.AccessDenied, audit.PlaceCreated, audit.PlaceChanged,
}

// adminAuditPrefixes are the groups of actions the filter offers; each has
// a label under admin.audit.prefix (without the dot).
var adminAuditPrefixes = []string{"login.", "password.", "mfa.", "token.", "user.", "org.", "access.", "place."}

type adminOption struct {
	Value, Label string
	Selected     bool
}

type adminAuditRow struct {
	audit.Entry
	ActionLabel string // translated, or the action itself when it has no label
	TargetLabel string // the target's kind, translated
}

type adminAuditPage struct {
	Actor, Target string // the filters as typed
	Action        string
	Prefixes      []adminOption
	Actions       []adminOption
	Rows          []adminAuditRow
	OlderURL      string
	NewestURL     string // when this is not the first page
	Errors        formErrors
}

// adminLabel translates id, or gives fallback when the catalog has no such message.
func adminLabel(loc *i18n.Localizer, id, fallback string) string {
	if s := loc.T(id); s != id {
		return s
	}
	return fallback
}

// adminAudit shows the organisation's audit log, newest first, a page at a
// time, with filters by action (exact or a group), actor and target.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	st := reqState(r)
	q := r.URL.Query()
	p := adminAuditPage{Action: q.Get("action"), Actor: strings.TrimSpace(q.Get("actor")), Target: strings.TrimSpace(q.Get("target"))}
	for _, a := range adminAuditPrefixes {
		p.Prefixes = append(p.Prefixes, adminOption{a, st.loc.T("admin.audit.prefix." + strings.TrimSuffix(a, ".")), a == p.Action})
	}
	for _, a := range adminAuditActions {
		p.Actions = append(p.Actions, adminOption{a, st.loc.T("admin.audit.action." + a), a == p.Action})
	}

	var f fault.Fields
	if p.Action != "" && !slices.Contains(adminAuditActions, p.Action) && !slices.Contains(adminAuditPrefixes, p.Action) {
		f.Add("action", "admin.audit.error.action")
	}
	for _, v := range []struct{ field, v string }{{"actor", p.Actor}, {"target", p.Target}} {
		if adminBadText(v.v) {
			f.Add(v.field, "error.bad_text")
		} else if utf8.RuneCountInString(v.v) > 254 {
			f.Add(v.field, "error.too_long")
		}
	}
	if errs, ok := formErrorsOf(f.Err(), st.loc, "admin.audit.field."); ok {
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "admin_audit", "admin", p)
		return nil
	}

	filter := audit.Filter{OrgID: st.member.Org.ID, Action: p.Action, Actor: p.Actor, TargetID: p.Target, Limit: AuditPageSize + 1}
	if before, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && before > 0 {
		filter.Before = before
	}
	entries, err := s.Audit.AuditEntries(r.Context(), filter)
	if err != nil {
		return err
	}
	if len(entries) > AuditPageSize {
		entries = entries[:AuditPageSize]
		older := adminAuditQuery(p)
		older.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		p.OlderURL = "/admin/audit?" + older.Encode()
	}
	if filter.Before > 0 {
		p.NewestURL = "/admin/audit?" + adminAuditQuery(p).Encode()
	}
	for _, e := range entries {
		p.Rows = append(p.Rows, adminAuditRow{Entry: e,
			ActionLabel: adminLabel(st.loc, "admin.audit.action."+e.Action, e.Action),
			TargetLabel: adminLabel(st.loc, "admin.audit.target."+e.TargetKind, e.TargetKind)})
	}
	s.render(w, r, http.StatusOK, "admin_audit", "admin", p)
	return nil
}

// adminAuditQuery is the query string of the page's filters.
func adminAuditQuery(p adminAuditPage) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"action": p.Action, "actor": p.Actor, "target": p.Target} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}
