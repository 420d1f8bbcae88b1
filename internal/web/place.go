package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

// placeFilter reads a list filter from the query string.
func placeFilter(q url.Values) place.Filter {
	f := place.Filter{
		Query:   q.Get("q"),
		Country: place.Country(q.Get("country")),
		Type:    place.Type(q.Get("type")),
		After:   q.Get("cursor"),
	}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil {
		f.Limit = n
	}
	return f
}

type countryCount struct {
	Code  place.Country
	Count int
}

type dashboardPage struct {
	Total     int
	ByCountry []countryCount
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	m := reqState(r).member
	counts, err := s.Places.PlaceCounts(r.Context(), m.Org.ID)
	if err != nil {
		return err
	}
	var d dashboardPage
	for _, c := range place.Countries {
		d.ByCountry = append(d.ByCountry, countryCount{c, counts[c]})
		d.Total += counts[c]
	}
	s.render(w, r, http.StatusOK, "dashboard", "", d)
	return nil
}

type placesPage struct {
	Filter   place.Filter
	Page     place.Page
	NextURL  string
	FirstURL string
}

func (s *Server) placeList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := placeFilter(q)
	pg, err := s.Places.Places(r.Context(), reqState(r).member.Org.ID, f)
	if fault.Is(err, fault.Invalid) { // a stale or damaged cursor: start again
		f.After = ""
		pg, err = s.Places.Places(r.Context(), reqState(r).member.Org.ID, f)
	}
	if err != nil {
		return err
	}
	d := placesPage{Filter: f, Page: pg}
	q.Del("cursor")
	d.FirstURL = "/places?" + q.Encode()
	if pg.Next != "" {
		q.Set("cursor", pg.Next)
		d.NextURL = "/places?" + q.Encode()
	}
	s.render(w, r, http.StatusOK, "places", "places", d)
	return nil
}

type placeFormPage struct {
	Place  place.Place // what the form shows: as stored, or as typed
	Stored place.Place // as stored, for the heading and breadcrumb
	Errors formErrors
}

func (s *Server) placeNew(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "place_form", "places", placeFormPage{})
	return nil
}

// placeFromForm reads the place fields a form posts.
func placeFromForm(w http.ResponseWriter, r *http.Request) (place.Place, error) {
	if err := parseForm(w, r); err != nil {
		return place.Place{}, err
	}
	f := r.PostForm
	v, _ := strconv.Atoi(f.Get("version"))
	return place.Place{
		Name: f.Get("name"), Type: place.Type(f.Get("type")), Country: place.Country(f.Get("country")),
		Region: f.Get("region"), Address: f.Get("address"), Version: v,
	}, nil
}

func (s *Server) placeCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := placeFromForm(w, r)
	if err != nil {
		return err
	}
	st := reqState(r)
	p, err := s.Places.CreatePlace(r.Context(), st.member.Org.ID, in, st.member.User.ID, s.Now())
	if errs, ok := formErrorsOf(err, st.loc, "place.field."); ok {
		s.render(w, r, http.StatusUnprocessableEntity, "place_form", "places", placeFormPage{Place: in, Errors: errs})
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.PlaceCreated, "place", p.ID, ""); err != nil {
		return err
	}
	http.Redirect(w, r, "/places/"+p.ID+"?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) placeShow(w http.ResponseWriter, r *http.Request) error {
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "place", "places", struct{ Place place.Place }{p})
	return nil
}

func (s *Server) placeEdit(w http.ResponseWriter, r *http.Request) error {
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "place_form", "places", placeFormPage{Place: p, Stored: p})
	return nil
}

func (s *Server) placeUpdate(w http.ResponseWriter, r *http.Request) error {
	st := reqState(r)
	stored, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	in, err := placeFromForm(w, r)
	if err != nil {
		return err
	}
	in.ID = stored.ID
	p, err := s.Places.UpdatePlace(r.Context(), st.member.Org.ID, in, st.member.User.ID, s.Now())
	if errs, ok := formErrorsOf(err, st.loc, "place.field."); ok {
		s.render(w, r, http.StatusUnprocessableEntity, "place_form", "places", placeFormPage{Place: in, Stored: stored, Errors: errs})
		return nil
	}
	if fault.Is(err, fault.Conflict) {
		errs := formErrors{{Field: "name", Code: "error.place.changed", Label: st.loc.T("place.field.name"), Message: st.loc.T("error.place.changed"), ID: "name-error"}}
		in.Version = stored.Version
		s.render(w, r, http.StatusConflict, "place_form", "places", placeFormPage{Place: in, Stored: stored, Errors: errs})
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.PlaceChanged, "place", p.ID, fmt.Sprintf("version %d", p.Version)); err != nil {
		return err
	}
	http.Redirect(w, r, "/places/"+p.ID+"?saved=1", http.StatusSeeOther)
	return nil
}

// orgPlace returns the place if it belongs to the member's organisation. A
// place of another organisation is answered as not found — its existence is
// not revealed — and the attempt is audited as a denied access.
func (s *Server) orgPlace(r *http.Request, id string) (place.Place, error) {
	p, err := s.Places.Place(r.Context(), reqState(r).member.Org.ID, id)
	if !fault.Is(err, fault.NotFound) {
		return p, err
	}
	if exists, xerr := s.Places.PlaceExists(r.Context(), id); xerr != nil {
		return p, xerr
	} else if exists {
		if aerr := s.audit(r, audit.AccessDenied, "place", id, "place of another organisation"); aerr != nil {
			return p, aerr
		}
	}
	return p, err
}
