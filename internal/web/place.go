package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/i18n"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/render"
)

// placeFilter reads a list filter from the query string.
func placeFilter(q url.Values) place.Filter {
	f := place.Filter{
		Query:     q.Get("q"),
		Country:   place.Country(q.Get("country")),
		Type:      place.Type(q.Get("type")),
		Region:    q.Get("region"),
		Authority: q.Get("authority"),
		Status:    place.Status(q.Get("status")),
		Sort:      q.Get("sort"),
		After:     q.Get("cursor"),
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
	Filter      place.Filter
	Page        place.Page
	NextURL     string
	FirstURL    string
	Regions     []string
	Authorities []string
	ExportQuery string // the filters as a query string, for the download links
	Imported    string // the status line after an import, from ?imported=
}

func (s *Server) placeList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := placeFilter(q)
	pg, err := s.Places.Places(r.Context(), reqState(r).member.Org.ID, f)
	if fault.Is(err, fault.Invalid) { // a stale or damaged cursor, or an unknown order: start again
		f.After, f.Sort = "", ""
		pg, err = s.Places.Places(r.Context(), reqState(r).member.Org.ID, f)
	}
	if err != nil {
		return err
	}
	d := placesPage{Filter: f, Page: pg, ExportQuery: exportQuery(f), Imported: importedNote(reqState(r).loc, q.Get("imported"))}
	org := reqState(r).member.Org.ID
	if d.Regions, err = s.Places.PlaceValues(r.Context(), org, "region"); err != nil {
		return err
	}
	if d.Authorities, err = s.Places.PlaceValues(r.Context(), org, "authority"); err != nil {
		return err
	}
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
	Parent *place.Place
	Raw    map[string]string // numbers as typed, kept when they did not parse
	Names  []place.LocalName // the other-name rows: the place's, then empty ones
	Errors formErrors
}

// extraNameRows is how many empty other-name rows the form offers.
const extraNameRows = 2

func newPlaceForm(p place.Place, raw map[string]string) placeFormPage {
	p.Normalize() // as the store would keep it: no empty name rows
	d := placeFormPage{Place: p, Raw: raw, Names: append([]place.LocalName{}, p.Names...)}
	for range extraNameRows {
		d.Names = append(d.Names, place.LocalName{})
	}
	if d.Raw == nil {
		d.Raw = map[string]string{}
		if p.Lat != nil {
			d.Raw["lat"] = strconv.FormatFloat(*p.Lat, 'f', -1, 64)
		}
		if p.Lon != nil {
			d.Raw["lon"] = strconv.FormatFloat(*p.Lon, 'f', -1, 64)
		}
		if p.Capacity != nil {
			d.Raw["capacity"] = strconv.Itoa(*p.Capacity)
		}
	}
	return d
}

func (s *Server) placeNew(w http.ResponseWriter, r *http.Request) error {
	d := newPlaceForm(place.Place{Status: place.Active}, nil)
	if id := r.URL.Query().Get("parent"); id != "" {
		parent, err := s.orgPlace(r, id)
		if err != nil {
			return err
		}
		d.Parent, d.Place.ParentID = &parent, parent.ID
		d.Place.Country, d.Place.Region, d.Place.Municipality, d.Place.Address, d.Place.Authority = parent.Country, parent.Region, parent.Municipality, parent.Address, parent.Authority
	}
	s.render(w, r, http.StatusOK, "place_form", "places", d)
	return nil
}

// placeFromForm reads the place fields a form posts. Numbers that do not
// parse are field errors here, and kept as typed in raw.
func placeFromForm(w http.ResponseWriter, r *http.Request) (place.Place, map[string]string, *fault.Fields, error) {
	if err := parseForm(w, r); err != nil {
		return place.Place{}, nil, nil, err
	}
	f := r.PostForm
	v, _ := strconv.Atoi(f.Get("version"))
	p := place.Place{
		ParentID: f.Get("parent_id"), Name: f.Get("name"), Type: place.Type(f.Get("type")), Country: place.Country(f.Get("country")),
		Region: f.Get("region"), Municipality: f.Get("municipality"), Address: f.Get("address"), Authority: f.Get("authority"),
		Status: place.Status(f.Get("status")), OfficialID: f.Get("official_id"), Website: f.Get("website"), Notes: f.Get("notes"), Version: v,
	}
	for _, c := range f["categories"] {
		p.Categories = append(p.Categories, place.Category(c))
	}
	langs, names := f["name_lang"], f["name_other"]
	for i := range min(len(langs), len(names)) {
		p.Names = append(p.Names, place.LocalName{Lang: langs[i], Name: names[i]})
	}
	raw := map[string]string{}
	var bad fault.Fields
	number := func(field string, parse func(string) error) {
		text := strings.TrimSpace(strings.ReplaceAll(f.Get(field), ",", "."))
		raw[field] = f.Get(field)
		if text != "" && parse(text) != nil {
			bad.Add(field, "error.place.bad_number")
		}
	}
	float := func(dst **float64) func(string) error {
		return func(t string) error {
			x, err := strconv.ParseFloat(t, 64)
			if err == nil {
				*dst = &x
			}
			return err
		}
	}
	number("lat", float(&p.Lat))
	number("lon", float(&p.Lon))
	number("capacity", func(t string) error {
		x, err := strconv.Atoi(strings.ReplaceAll(t, " ", ""))
		if err == nil {
			p.Capacity = &x
		}
		return err
	})
	return p, raw, &bad, nil
}

// placeFormErrors joins the form's own number errors with the store's
// validation, so every field's problem shows at once.
func placeFormErrors(bad *fault.Fields, in place.Place, err error) error {
	if bad.Err() == nil {
		return err
	}
	in.Normalize()
	if verr := in.Validate(); verr != nil {
		if fe, ok := fault.As(verr); ok {
			for _, x := range fe.Fields {
				bad.Add(x.Field, x.Code)
			}
		}
	}
	return bad.Err()
}

func (s *Server) placeCreate(w http.ResponseWriter, r *http.Request) error {
	in, raw, bad, err := placeFromForm(w, r)
	if err != nil {
		return err
	}
	st := reqState(r)
	var p place.Place
	if err = bad.Err(); err == nil {
		p, err = s.Places.CreatePlace(r.Context(), st.member.Org.ID, in, st.member.User.ID, s.Now())
	}
	err = placeFormErrors(bad, in, err)
	if errs, ok := formErrorsOf(err, st.loc, "place.field."); ok {
		d := newPlaceForm(in, raw)
		d.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "place_form", "places", d)
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

type placePage struct {
	Place       place.Place
	Attachments []place.Attachment
	FileErrors  formErrors
	Parent      *place.Place
	SubUnits    []place.Place
	Population  []place.Snapshot
	Chart       template.HTML
	History     []placeChange
	Snapshot    populationForm
}

// placeChange is one version in a place's history: when, who, and which
// fields changed from the version before.
type placeChange struct {
	Version   int
	ChangedAt time.Time
	ChangedBy string
	Fields    []string
}

type populationForm struct {
	Raw    map[string]string
	Errors formErrors
}

func (s *Server) placeShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderPlace(w, r, http.StatusOK, populationForm{})
}

func (s *Server) renderPlace(w http.ResponseWriter, r *http.Request, code int, form populationForm) error {
	return s.renderPlaceWith(w, r, code, form, nil)
}

// renderPlaceWith shows the place page with the errors of a form on it.
func (s *Server) renderPlaceWith(w http.ResponseWriter, r *http.Request, code int, form populationForm, fileErrors formErrors) error {
	st := reqState(r)
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := placePage{Place: p, Snapshot: form, FileErrors: fileErrors}
	if d.Attachments, err = s.Places.Attachments(r.Context(), p.OrgID, p.ID); err != nil {
		return err
	}
	if p.ParentID != "" {
		if parent, err := s.Places.Place(r.Context(), p.OrgID, p.ParentID); err == nil {
			d.Parent = &parent
		}
	}
	if d.SubUnits, err = s.Places.SubUnits(r.Context(), p.OrgID, p.ID); err != nil {
		return err
	}
	if d.Population, err = s.Places.Population(r.Context(), p.OrgID, p.ID); err != nil {
		return err
	}
	d.Chart = populationChart(d.Population, st.loc)
	versions, err := s.Places.PlaceHistory(r.Context(), p.OrgID, p.ID)
	if err != nil {
		return err
	}
	for i, v := range versions {
		c := placeChange{Version: v.Version, ChangedAt: v.ChangedAt, ChangedBy: v.ChangedBy}
		if i+1 < len(versions) {
			c.Fields = changedFields(versions[i+1].Place, v.Place)
		}
		d.History = append(d.History, c)
	}
	s.render(w, r, code, "place", "places", d)
	return nil
}

// changedFields names the fields that differ between two versions.
func changedFields(a, b place.Place) []string {
	var out []string
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var ma, mb map[string]any
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	for _, k := range []string{"name", "names", "type", "country", "region", "municipality", "address", "lat", "lon", "authority",
		"capacity", "status", "categories", "official_id", "website", "notes", "parent_id"} {
		if !reflect.DeepEqual(ma[k], mb[k]) {
			out = append(out, k)
		}
	}
	return out
}

// populationAdd records a dated population snapshot from the place page.
func (s *Server) populationAdd(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	st := reqState(r)
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := r.PostForm
	snap := place.Snapshot{Date: strings.TrimSpace(f.Get("date")), Source: f.Get("source")}
	form := populationForm{Raw: map[string]string{"date": f.Get("date"), "source": f.Get("source")}}
	var bad fault.Fields
	for _, n := range []struct {
		field string
		dst   **int
	}{{"capacity", &snap.Capacity}, {"headcount", &snap.Headcount}, {"staff", &snap.Staff}} {
		text := strings.ReplaceAll(strings.TrimSpace(f.Get(n.field)), " ", "")
		form.Raw[n.field] = f.Get(n.field)
		if text == "" {
			continue
		}
		if x, err := strconv.Atoi(text); err == nil {
			*n.dst = &x
		} else {
			bad.Add(n.field, "error.place.bad_number")
		}
	}
	err = bad.Err()
	if err == nil {
		_, err = s.Places.AddPopulation(r.Context(), p.OrgID, p.ID, snap, st.member.User.ID, s.Now())
	}
	if errs, ok := formErrorsOf(err, st.loc, "population.field."); ok {
		for i := range errs {
			errs[i].ID = "pop-" + errs[i].Field + "-error"
			errs[i].Field = "pop-" + errs[i].Field
		}
		form.Errors = errs
		return s.renderPlace(w, r, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.PopulationAdded, "place", p.ID, snap.Date); err != nil {
		return err
	}
	http.Redirect(w, r, "/places/"+p.ID+"?saved=1#population", http.StatusSeeOther)
	return nil
}

func (s *Server) placeEdit(w http.ResponseWriter, r *http.Request) error {
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := newPlaceForm(p, nil)
	d.Stored = p
	s.render(w, r, http.StatusOK, "place_form", "places", d)
	return nil
}

func (s *Server) placeUpdate(w http.ResponseWriter, r *http.Request) error {
	st := reqState(r)
	stored, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	in, raw, bad, err := placeFromForm(w, r)
	if err != nil {
		return err
	}
	in.ID = stored.ID
	var p place.Place
	if err = bad.Err(); err == nil {
		p, err = s.Places.UpdatePlace(r.Context(), st.member.Org.ID, in, st.member.User.ID, s.Now())
	}
	err = placeFormErrors(bad, in, err)
	if errs, ok := formErrorsOf(err, st.loc, "place.field."); ok {
		d := newPlaceForm(in, raw)
		d.Stored, d.Errors = stored, errs
		s.render(w, r, http.StatusUnprocessableEntity, "place_form", "places", d)
		return nil
	}
	if fault.Is(err, fault.Conflict) {
		d := newPlaceForm(in, raw)
		d.Place.Version = stored.Version
		d.Stored = stored
		d.Errors = formErrors{{Field: "name", Code: "error.place.changed", Label: st.loc.T("place.field.name"), Message: st.loc.T("error.place.changed"), ID: "name-error"}}
		s.render(w, r, http.StatusConflict, "place_form", "places", d)
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

// populationChart draws headcount, capacity and staff over time; shapes and
// dash patterns, not colours, tell the lines apart.
func populationChart(snaps []place.Snapshot, loc *i18n.Localizer) template.HTML {
	if len(snaps) == 0 {
		return ""
	}
	c := render.LineChart{Title: loc.T("population.chart_title"), Description: loc.T("population.chart_desc")}
	series := []render.Series{
		{Name: loc.T("population.field.headcount"), Marker: "circle"},
		{Name: loc.T("population.field.capacity"), Dash: "6 4", Marker: "square"},
		{Name: loc.T("population.field.staff"), Dash: "2 3", Marker: "diamond"},
	}
	value := func(p *int) float64 {
		if p == nil {
			return math.NaN()
		}
		return float64(*p)
	}
	for _, s := range snaps {
		c.Labels = append(c.Labels, s.Date)
		series[0].Values = append(series[0].Values, value(s.Headcount))
		series[1].Values = append(series[1].Values, value(s.Capacity))
		series[2].Values = append(series[2].Values, value(s.Staff))
	}
	c.Series = series
	return template.HTML(c.SVG()) // every text in it is escaped by render
}
