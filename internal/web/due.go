package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/place"
)

// dueRoutes are the "due for a visit" list and the visit intervals.
func (s *Server) dueRoutes() []route {
	return []route{
		{"GET /places/due", account.PlaceRead, false, s.dueList, gateFull},
		{"GET /places/intervals", account.PlanManage, false, s.intervalsForm, gateFull},
		{"POST /places/intervals", account.PlanManage, false, s.intervalsSave, gateFull},
	}
}

type duePage struct {
	Country place.Country
	Type    place.Type
	Due     []place.Due
	Total   int // places in use that were ranked
}

// dueList ranks the organisation's places by how urgently they should be
// visited, and says why for each.
func (s *Server) dueList(w http.ResponseWriter, r *http.Request) error {
	org := reqState(r).member.Org.ID
	q := r.URL.Query()
	d := duePage{Country: place.Country(q.Get("country")), Type: place.Type(q.Get("type"))}
	if d.Country != "" && !d.Country.Valid() {
		d.Country = ""
	}
	if d.Type != "" && !d.Type.Valid() {
		d.Type = ""
	}
	cands, err := s.Places.DueCandidates(r.Context(), org, d.Country, d.Type)
	if err != nil {
		return err
	}
	intervals, err := s.Places.Intervals(r.Context(), org)
	if err != nil {
		return err
	}
	d.Total = len(cands)
	d.Due = place.Rank(cands, intervals, s.Now())
	s.render(w, r, http.StatusOK, "due", "places", d)
	return nil
}

type intervalRow struct {
	Type    place.Type
	Months  string // as stored or typed
	Default int
	Error   *formError
}

type intervalsPage struct {
	Rows   []intervalRow
	Errors formErrors
}

func (s *Server) intervalsForm(w http.ResponseWriter, r *http.Request) error {
	months, err := s.Places.Intervals(r.Context(), reqState(r).member.Org.ID)
	if err != nil {
		return err
	}
	var d intervalsPage
	for _, ti := range place.Types {
		row := intervalRow{Type: ti.Code, Default: place.DefaultIntervals[ti.Code]}
		if m, ok := months[ti.Code]; ok {
			row.Months = strconv.Itoa(m)
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, http.StatusOK, "intervals", "places", d)
	return nil
}

// intervalsSave stores every type's interval at once; an empty field means
// the default. Months run from 1 to 120.
func (s *Server) intervalsSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	months := map[place.Type]int{}
	var d intervalsPage
	for _, ti := range place.Types {
		text := strings.TrimSpace(r.PostForm.Get("months-" + string(ti.Code)))
		row := intervalRow{Type: ti.Code, Months: text, Default: place.DefaultIntervals[ti.Code]}
		if text != "" {
			m, err := strconv.Atoi(text)
			if err != nil || m < 1 || m > 120 {
				fe := formError{Field: "months-" + string(ti.Code), Code: "error.due.bad_months", Label: st.loc.T("placetype." + string(ti.Code)),
					Message: st.loc.T("error.due.bad_months"), ID: "months-" + string(ti.Code) + "-error"}
				row.Error = &fe
				d.Errors = append(d.Errors, fe)
			} else {
				months[ti.Code] = m
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if len(d.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "intervals", "places", d)
		return nil
	}
	if err := s.Places.SetIntervals(r.Context(), st.member.Org.ID, months); err != nil {
		return err
	}
	if err := s.audit(r, audit.IntervalsSet, "org", st.member.Org.ID, ""); err != nil {
		return err
	}
	http.Redirect(w, r, "/places/due?saved=1", http.StatusSeeOther)
	return nil
}
