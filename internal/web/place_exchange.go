package web

// exchangeRoutes are the pages and API calls that import and export lists
// of places as files.
func (s *Server) exchangeRoutes() []route {
	return nil
}
