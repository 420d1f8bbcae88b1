package web

import (
	"net/http"

	"github.com/tilsyn/tilsyn/internal/account"
)

// Access says who may reach a route before its handler runs.
const (
	public   account.Action = ""          // anyone, signed in or not
	signedIn account.Action = "signed-in" // any member of an organisation
)

// route is one entry of the route table: its pattern, the action the policy
// must allow (account.Action), and whether it answers as the JSON API.
type route struct {
	pattern string
	action  account.Action
	api     bool
	h       handler
}

// routeTable lists every route Tilsyn serves, in one place.
func (s *Server) routeTable() []route {
	return []route{
		{"GET /healthz", public, false, s.healthz},
		{"GET /static/{file}", public, false, s.static},
		{"GET /login", public, false, s.loginForm},
		{"POST /login", public, false, s.login},
		{"POST /logout", public, false, s.logout},
		{"POST /language", public, false, s.setLanguage},

		{"GET /{$}", signedIn, false, s.dashboard},
		{"GET /places", account.PlaceRead, false, s.placeList},
		{"GET /places/new", account.PlaceWrite, false, s.placeNew},
		{"POST /places", account.PlaceWrite, false, s.placeCreate},
		{"GET /places/{id}", account.PlaceRead, false, s.placeShow},
		{"GET /places/{id}/edit", account.PlaceWrite, false, s.placeEdit},
		{"POST /places/{id}", account.PlaceWrite, false, s.placeUpdate},

		{"GET /api/v1/openapi.yaml", public, true, s.openAPI},
		{"GET /api/v1/places", account.PlaceRead, true, s.apiPlaceList},
		{"POST /api/v1/places", account.PlaceWrite, true, s.apiPlaceCreate},
		{"GET /api/v1/places/{id}", account.PlaceRead, true, s.apiPlaceGet},
		{"PATCH /api/v1/places/{id}", account.PlaceWrite, true, s.apiPlacePatch},

		{"/api/", public, true, s.notFound},
		{"/", public, false, s.notFound},
	}
}

// notFound answers what no route serves: 405 with Allow when the path is
// served for other methods, else 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	if h, pattern := s.methods.Handler(r); pattern == "" {
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.code == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			return errMethod
		}
	}
	return errNoRoute
}

// headerProbe records the status and headers a handler would send.
type headerProbe struct {
	header http.Header
	code   int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(code int)        { p.code = code }
