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

// gate says how far a browser session must have come through sign-in to
// reach a route: every route needs the second factor given, except the few
// that take a user through it.
type gate int

const (
	gateFull    gate = iota // signed in, second factor given if the user has one
	gatePending             // the second-factor step of sign-in
	gateEnrol               // setting up a required second factor
)

// route is one entry of the route table: its pattern, the action the policy
// must allow (account.Action), whether it answers as the JSON API, and how
// far through sign-in a session must be.
type route struct {
	pattern string
	action  account.Action
	api     bool
	h       handler
	gate    gate
}

// routeTable lists every route Tilsyn serves, in one place.
func (s *Server) routeTable() []route {
	rts := []route{
		{"GET /healthz", public, false, s.healthz, gateFull},
		{"GET /static/{file}", public, false, s.static, gateFull},
		{"GET /login", public, false, s.loginForm, gateFull},
		{"POST /login", public, false, s.login, gateFull},
		{"POST /logout", public, false, s.logout, gateFull},
		{"POST /language", public, false, s.setLanguage, gateFull},

		{"GET /login/2fa", signedIn, false, s.mfaForm, gatePending},
		{"POST /login/2fa", signedIn, false, s.mfaVerify, gatePending},

		{"GET /{$}", signedIn, false, s.dashboard, gateFull},
		{"GET /places", account.PlaceRead, false, s.placeList, gateFull},
		{"GET /places/new", account.PlaceWrite, false, s.placeNew, gateFull},
		{"POST /places", account.PlaceWrite, false, s.placeCreate, gateFull},
		{"GET /places/{id}", account.PlaceRead, false, s.placeShow, gateFull},
		{"GET /places/{id}/edit", account.PlaceWrite, false, s.placeEdit, gateFull},
		{"POST /places/{id}", account.PlaceWrite, false, s.placeUpdate, gateFull},
		{"POST /places/{id}/population", account.PlaceWrite, false, s.populationAdd, gateFull},
		{"POST /places/{id}/attachments", account.PlaceWrite, false, s.attachmentAdd, gateFull},
		{"GET /places/{id}/attachments/{file}", account.PlaceRead, false, s.attachmentGet, gateFull},

		{"GET /api/v1/openapi.yaml", public, true, s.openAPI, gateFull},
		{"GET /api/v1/places", account.PlaceRead, true, s.apiPlaceList, gateFull},
		{"POST /api/v1/places", account.PlaceWrite, true, s.apiPlaceCreate, gateFull},
		{"GET /api/v1/places/{id}", account.PlaceRead, true, s.apiPlaceGet, gateFull},
		{"PATCH /api/v1/places/{id}", account.PlaceWrite, true, s.apiPlacePatch, gateFull},
		{"POST /api/v1/places/{id}/archive", account.PlaceWrite, true, s.apiPlaceArchive(true), gateFull},
		{"POST /api/v1/places/{id}/unarchive", account.PlaceWrite, true, s.apiPlaceArchive(false), gateFull},
		{"GET /api/v1/places/{id}/population", account.PlaceRead, true, s.apiPopulationList, gateFull},
		{"POST /api/v1/places/{id}/population", account.PlaceWrite, true, s.apiPopulationAdd, gateFull},
	}
	rts = append(rts, s.exchangeRoutes()...)
	rts = append(rts, s.dueRoutes()...)
	rts = append(rts, s.profileRoutes()...)
	rts = append(rts, s.adminRoutes()...)
	return append(rts,
		route{"/api/", public, true, s.notFound, gateFull},
		route{"/", public, false, s.notFound, gateFull},
	)
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
