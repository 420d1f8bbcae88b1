package web

// dueRoutes are the "due for a visit" list and the visit intervals.
func (s *Server) dueRoutes() []route {
	return nil
}
