package web

import (
	"encoding/json"
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
	if f.Status != "" && !f.Status.Valid() {
		return invalidParam("status", "error.place.bad_status")
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

// placeInput is the body of a create or update; absent fields are left as
// they are. Coordinates and capacity are cleared with an explicit null.
type placeInput struct {
	ParentID     *string            `json:"parent_id"`
	Name         *string            `json:"name"`
	Names        *[]place.LocalName `json:"names"`
	Type         *string            `json:"type"`
	Country      *string            `json:"country"`
	Region       *string            `json:"region"`
	Municipality *string            `json:"municipality"`
	Address      *string            `json:"address"`
	Lat          optional[float64]  `json:"lat"`
	Lon          optional[float64]  `json:"lon"`
	Authority    *string            `json:"authority"`
	Capacity     optional[int]      `json:"capacity"`
	Status       *string            `json:"status"`
	Categories   *[]place.Category  `json:"categories"`
	OfficialID   *string            `json:"official_id"`
	Website      *string            `json:"website"`
	Notes        *string            `json:"notes"`
}

// optional is a JSON field that may be absent (leave as is), null (clear)
// or a value.
type optional[T any] struct {
	Set   bool
	Value *T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (in placeInput) apply(p *place.Place) {
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&p.ParentID, in.ParentID}, {&p.Name, in.Name}, {&p.Region, in.Region}, {&p.Municipality, in.Municipality},
		{&p.Address, in.Address}, {&p.Authority, in.Authority}, {&p.OfficialID, in.OfficialID}, {&p.Website, in.Website}, {&p.Notes, in.Notes}} {
		set(f.dst, f.v)
	}
	set(&p.Names, in.Names)
	set(&p.Categories, in.Categories)
	if in.Type != nil {
		p.Type = place.Type(*in.Type)
	}
	if in.Country != nil {
		p.Country = place.Country(*in.Country)
	}
	if in.Status != nil {
		p.Status = place.Status(*in.Status)
	}
	if in.Lat.Set {
		p.Lat = in.Lat.Value
	}
	if in.Lon.Set {
		p.Lon = in.Lon.Value
	}
	if in.Capacity.Set {
		p.Capacity = in.Capacity.Value
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
	p, err := s.Places.CreatePlace(r.Context(), reqState(r).member.Org.ID, p, reqState(r).member.User.ID, s.Now())
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
	p, err = s.Places.UpdatePlace(r.Context(), org, p, reqState(r).member.User.ID, s.Now())
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.PlaceChanged, "place", p.ID, fmt.Sprintf("version %d", p.Version)); err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p))
	return writeJSON(w, http.StatusOK, p)
}

// apiPlaceArchive takes a place out of the lists, or brings it back. It
// stays readable by id, with its history.
func (s *Server) apiPlaceArchive(archived bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		m := reqState(r).member
		p, err := s.orgPlace(r, r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := s.Places.ArchivePlace(r.Context(), m.Org.ID, p.ID, archived, s.Now()); err != nil {
			return err
		}
		action := audit.PlaceArchived
		if !archived {
			action = audit.PlaceRestored
		}
		if err := s.audit(r, action, "place", p.ID, ""); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

type populationList struct {
	Items []place.Snapshot `json:"items"`
}

func (s *Server) apiPopulationList(w http.ResponseWriter, r *http.Request) error {
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	items, err := s.Places.Population(r.Context(), p.OrgID, p.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, populationList{Items: items})
}

type populationInput struct {
	Date      string `json:"date"`
	Capacity  *int   `json:"capacity"`
	Headcount *int   `json:"headcount"`
	Staff     *int   `json:"staff"`
	Source    string `json:"source"`
}

func (s *Server) apiPopulationAdd(w http.ResponseWriter, r *http.Request) error {
	m := reqState(r).member
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	var in populationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	snap, err := s.Places.AddPopulation(r.Context(), m.Org.ID, p.ID, place.Snapshot{Date: in.Date, Capacity: in.Capacity, Headcount: in.Headcount, Staff: in.Staff, Source: in.Source}, m.User.ID, s.Now())
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.PopulationAdded, "place", p.ID, in.Date); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, snap)
}
