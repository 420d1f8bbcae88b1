package web

import (
	"net"
	"net/http"

	"github.com/tilsyn/tilsyn/internal/audit"
)

// clientIP is the address the request came from. Behind a reverse proxy this
// is the proxy's; trusting forwarded headers is left to configuration.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// audit appends an entry for the request's member (if any) to the audit log.
func (s *Server) audit(r *http.Request, action, targetKind, targetID, detail string) error {
	e := audit.Entry{At: s.Now(), Action: action, TargetKind: targetKind, TargetID: targetID, IP: clientIP(r), Detail: detail}
	if m := reqState(r).member; m != nil {
		e.OrgID, e.ActorID, e.Actor = m.Org.ID, m.User.ID, m.User.Email
	}
	return s.auditAs(r, e)
}

// auditAs appends e as given, filling in the time and address when unset.
func (s *Server) auditAs(r *http.Request, e audit.Entry) error {
	if s.Audit == nil {
		return nil
	}
	if e.At.IsZero() {
		e.At = s.Now()
	}
	if e.IP == "" {
		e.IP = clientIP(r)
	}
	_, err := s.Audit.AppendAudit(r.Context(), e)
	return err
}
