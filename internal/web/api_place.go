package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/place"
)

type placeList struct {
	Items      []place.Place `json:"items"`
	Total      int           `json:"total"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

func (s *Server) apiPlaceList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := placeFilter(q)
	if l := q.Get("limit"); l != "" {
		if n, err := strconv.Atoi(l); err != nil || n < 1 || n > 500 {
			return invalidParam("limit", "error.limit")
		}
	}
	if f.Country != "" && !f.Country.Valid() {
		return invalidParam("country", "error.place.unknown_country")
	}
	if f.Type != "" && !f.Type.Valid() {
		return invalidParam("type", "error.place.unknown_type")
	}
	pg, err := s.Places.Places(r.Context(), reqState(r).member.Org.ID, f)
	if err != nil {
		return err
	}
	out := placeList{Items: pg.Places, Total: pg.Total, NextCursor: pg.Next}
	if out.Items == nil {
		out.Items = []place.Place{}
	}
	return writeJSON(w, http.StatusOK, out)
}

// placeInput is the body of a create or update; absent fields are left as they are.
type placeInput struct {
	Name    *string `json:"name"`
	Type    *string `json:"type"`
	Country *string `json:"country"`
	Region  *string `json:"region"`
	Address *string `json:"address"`
}

func (in placeInput) apply(p *place.Place) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, in.Name)
	set(&p.Region, in.Region)
	set(&p.Address, in.Address)
	if in.Type != nil {
		p.Type = place.Type(*in.Type)
	}
	if in.Country != nil {
		p.Country = place.Country(*in.Country)
	}
}

func etag(p place.Place) string { return fmt.Sprintf(`"v%d"`, p.Version) }

func (s *Server) apiPlaceCreate(w http.ResponseWriter, r *http.Request) error {
	var in placeInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var p place.Place
	in.apply(&p)
	p, err := s.Places.CreatePlace(r.Context(), reqState(r).member.Org.ID, p, s.Now())
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.PlaceCreated, "place", p.ID, ""); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/places/"+p.ID)
	w.Header().Set("ETag", etag(p))
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) apiPlaceGet(w http.ResponseWriter, r *http.Request) error {
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p))
	return writeJSON(w, http.StatusOK, p)
}

// apiPlacePatch changes the fields given. With If-Match, the change applies
// only to the version the client saw; without it, to the current version,
// and a concurrent change in between is still refused with 409.
func (s *Server) apiPlacePatch(w http.ResponseWriter, r *http.Request) error {
	org := reqState(r).member.Org.ID
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	if m := r.Header.Get("If-Match"); m != "" && m != "*" && !strings.Contains(m, etag(p)) {
		w.Header().Set("ETag", etag(p))
		return errStale
	}
	var in placeInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.apply(&p)
	p, err = s.Places.UpdatePlace(r.Context(), org, p, s.Now())
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.PlaceChanged, "place", p.ID, fmt.Sprintf("version %d", p.Version)); err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p))
	return writeJSON(w, http.StatusOK, p)
}
