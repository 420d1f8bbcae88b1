package web

// profileRoutes are the pages every signed-in person has for their own
// account: password, second factor, sessions and API tokens.
func (s *Server) profileRoutes() []route {
	return nil
}
