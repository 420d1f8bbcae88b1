package web

// adminRoutes are the administrators' pages: users, organisations, tokens
// and the audit log.
func (s *Server) adminRoutes() []route {
	return nil
}
