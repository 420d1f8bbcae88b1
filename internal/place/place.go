// Package place models places of deprivation of liberty: their types, the
// countries Tilsyn works in, and the rules a place record must follow.
package place

import (
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/fault"
)

// Country is an ISO 3166-1 alpha-2 code of a country Tilsyn's users work in.
type Country string

const (
	Norway    Country = "NO"
	Sweden    Country = "SE"
	Lithuania Country = "LT"
	Russia    Country = "RU"
)

// Countries lists the supported countries in display order.
var Countries = []Country{Norway, Sweden, Lithuania, Russia}

// Valid reports whether c is a supported country.
func (c Country) Valid() bool {
	for _, k := range Countries {
		if c == k {
			return true
		}
	}
	return false
}

// Type is a place-type code from the project vocabulary (domain.md §1).
type Type string

// TypeInfo describes a place type: its code and the terms used for such places
// in each country. The English name is in the i18n catalogs under
// "placetype.<code>"; national terms are data in their own language.
type TypeInfo struct {
	Code     Type
	National map[Country]string
}

// Types lists every place type in the order of domain.md §1.
var Types = []TypeInfo{
	{"POL-CUS", map[Country]string{Norway: "politiarrest", Sweden: "polisarrest", Lithuania: "policijos areštinė", Russia: "ИВС"}},
	{"POL-ADM", map[Country]string{Norway: "glattcelle", Sweden: "LOB-arrest", Lithuania: "areštinė", Russia: "спецприёмник"}},
	{"PTD", map[Country]string{Norway: "varetekt", Sweden: "häkte", Lithuania: "tardymo izoliatorius", Russia: "СИЗО"}},
	{"PRI", map[Country]string{Norway: "fengsel", Sweden: "anstalt", Lithuania: "pataisos namai", Russia: "исправительная колония"}},
	{"PRI-ISO", map[Country]string{Norway: "sikkerhetscelle", Sweden: "avskildhet", Lithuania: "baudos izoliatorius", Russia: "ШИЗО / ПКТ"}},
	{"PRI-MED", map[Country]string{Lithuania: "laisvės atėmimo vietų ligoninė", Russia: "ЛИУ / ЛПУ"}},
	{"JUV", map[Country]string{Norway: "barnevernsinstitusjon", Sweden: "särskilt ungdomshem", Lithuania: "vaikų socializacijos centras", Russia: "воспитательная колония"}},
	{"MIG", map[Country]string{Norway: "utlendingsinternat", Sweden: "förvar", Lithuania: "užsieniečių registracijos centras", Russia: "ЦВСИГ"}},
	{"PSY", map[Country]string{Norway: "psykisk helsevern", Sweden: "psykiatrisk tvångsvård", Lithuania: "psichiatrijos ligoninė", Russia: "психиатрический стационар"}},
	{"SOC", map[Country]string{Norway: "sykehjem", Sweden: "särskilt boende", Lithuania: "socialinės globos namai", Russia: "ПНИ"}},
	{"SUB", map[Country]string{Norway: "rusinstitusjon", Sweden: "LVM-hem"}},
	{"MIL", map[Country]string{Norway: "arrestlokale (Forsvaret)", Russia: "гауптвахта"}},
	{"OTH", map[Country]string{Norway: "tollvesenets lokaler", Sweden: "transport", Lithuania: "pasienio punktas", Russia: "конвой / конвойное помещение суда"}},
}

// Lookup returns the description of code t.
func Lookup(t Type) (TypeInfo, bool) {
	for _, ti := range Types {
		if ti.Code == t {
			return ti, true
		}
	}
	return TypeInfo{}, false
}

// Valid reports whether t is a known place-type code.
func (t Type) Valid() bool {
	_, ok := Lookup(t)
	return ok
}

// NationalName is the term for places of type t in country c, or "".
func (t Type) NationalName(c Country) string {
	ti, _ := Lookup(t)
	return ti.National[c]
}

// Status says whether a place is in use.
type Status string

const (
	Active    Status = "active"
	Closed    Status = "closed"
	Temporary Status = "temporary"
)

// Statuses lists every status.
var Statuses = []Status{Active, Temporary, Closed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Active || s == Closed || s == Temporary }

// Category is a group of people a place holds.
type Category string

// Categories lists the groups a place may hold.
var Categories = []Category{"men", "women", "children", "remand", "sentenced", "migrants", "patients"}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// LocalName is a place's name in another language or script.
type LocalName struct {
	Lang string `json:"lang"` // BCP 47 code: "ru", "lt", "en", "se" (Northern Sami) …
	Name string `json:"name"`
}

// Place is a place of deprivation of liberty in an organisation's registry.
type Place struct {
	ID           string      `json:"id"`
	OrgID        string      `json:"-"`
	ParentID     string      `json:"parent_id,omitempty"` // set on a sub-unit (an isolation block, a medical unit)
	Name         string      `json:"name"`                // the official name
	Names        []LocalName `json:"names"`               // the name in other languages
	Type         Type        `json:"type"`
	Country      Country     `json:"country"`
	Region       string      `json:"region"`
	Municipality string      `json:"municipality"`
	Address      string      `json:"address"`
	Lat          *float64    `json:"lat,omitempty"`
	Lon          *float64    `json:"lon,omitempty"`
	Authority    string      `json:"authority"` // the operating authority, e.g. "Kriminalvården", "ФСИН России"
	Capacity     *int        `json:"capacity,omitempty"`
	Status       Status      `json:"status"`
	Categories   []Category  `json:"categories"`
	OfficialID   string      `json:"official_id"` // the authority's identifier; imports match on it
	Website      string      `json:"website"`
	Notes        string      `json:"notes"`
	Version      int         `json:"version"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

// Field length limits, in characters.
const (
	MaxName    = 300
	MaxRegion  = 200
	MaxAddress = 500
	MaxNotes   = 10_000
	MaxNames   = 10
	MaxOther   = 300 // municipality, authority, official id, website
)

// Normalize trims surrounding space from the text fields, drops empty
// other-language names, sorts categories and sets a missing status to active.
func (p *Place) Normalize() {
	for _, s := range []*string{&p.Name, &p.Region, &p.Municipality, &p.Address, &p.Authority, &p.OfficialID, &p.Website, &p.Notes} {
		*s = strings.TrimSpace(*s)
	}
	p.Type = Type(strings.ToUpper(strings.TrimSpace(string(p.Type))))
	p.Country = Country(strings.ToUpper(strings.TrimSpace(string(p.Country))))
	p.Status = Status(strings.ToLower(strings.TrimSpace(string(p.Status))))
	if p.Status == "" {
		p.Status = Active
	}
	names := p.Names[:0:0]
	for _, n := range p.Names {
		n.Lang, n.Name = strings.ToLower(strings.TrimSpace(n.Lang)), strings.TrimSpace(n.Name)
		if n.Name != "" {
			names = append(names, n)
		}
	}
	p.Names = names
	seen := map[Category]bool{}
	var cats []Category
	for _, c := range Categories { // vocabulary order, no repeats
		for _, have := range p.Categories {
			if Category(strings.ToLower(strings.TrimSpace(string(have)))) == c && !seen[c] {
				seen[c] = true
				cats = append(cats, c)
			}
		}
	}
	for _, have := range p.Categories { // keep unknown ones, so Validate names them
		if !Category(strings.ToLower(strings.TrimSpace(string(have)))).Valid() {
			cats = append(cats, have)
		}
	}
	p.Categories = cats
}

// Validate reports every field's problem at once.
func (p Place) Validate() error {
	var f fault.Fields
	switch {
	case p.Name == "":
		f.Add("name", "error.required")
	case utf8.RuneCountInString(p.Name) > MaxName:
		f.Add("name", "error.too_long")
	}
	switch {
	case p.Type == "":
		f.Add("type", "error.place.type_required")
	case !p.Type.Valid():
		f.Add("type", "error.place.unknown_type")
	}
	switch {
	case p.Country == "":
		f.Add("country", "error.place.country_required")
	case !p.Country.Valid():
		f.Add("country", "error.place.unknown_country")
	}
	if utf8.RuneCountInString(p.Region) > MaxRegion {
		f.Add("region", "error.too_long")
	}
	if utf8.RuneCountInString(p.Address) > MaxAddress {
		f.Add("address", "error.too_long")
	}
	if utf8.RuneCountInString(p.Notes) > MaxNotes {
		f.Add("notes", "error.too_long")
	}
	for _, s := range []struct{ field, v string }{{"municipality", p.Municipality}, {"authority", p.Authority}, {"official_id", p.OfficialID}, {"website", p.Website}} {
		if utf8.RuneCountInString(s.v) > MaxOther {
			f.Add(s.field, "error.too_long")
		}
	}
	if p.Website != "" && !strings.HasPrefix(p.Website, "https://") && !strings.HasPrefix(p.Website, "http://") {
		f.Add("website", "error.place.bad_website")
	}
	if p.Status != "" && !p.Status.Valid() {
		f.Add("status", "error.place.bad_status")
	}
	for _, c := range p.Categories {
		if !c.Valid() {
			f.Add("categories", "error.place.bad_category")
			break
		}
	}
	if len(p.Names) > MaxNames {
		f.Add("names", "error.place.too_many_names")
	}
	for _, n := range p.Names {
		if !langPattern.MatchString(n.Lang) || utf8.RuneCountInString(n.Name) > MaxName {
			f.Add("names", "error.place.bad_name")
			break
		}
	}
	if (p.Lat == nil) != (p.Lon == nil) {
		f.Add("lat", "error.place.bad_coordinates")
	} else if p.Lat != nil && (*p.Lat < -90 || *p.Lat > 90 || *p.Lon < -180 || *p.Lon > 180 || math.IsNaN(*p.Lat) || math.IsNaN(*p.Lon)) {
		f.Add("lat", "error.place.bad_coordinates")
	}
	if p.Capacity != nil && (*p.Capacity < 0 || *p.Capacity > 100_000) {
		f.Add("capacity", "error.place.bad_capacity")
	}
	if p.ParentID != "" && p.ParentID == p.ID {
		f.Add("parent_id", "error.place.own_parent")
	}
	texts := []struct{ field, v string }{{"name", p.Name}, {"region", p.Region}, {"municipality", p.Municipality}, {"address", p.Address},
		{"authority", p.Authority}, {"official_id", p.OfficialID}, {"website", p.Website}, {"notes", p.Notes}}
	for _, n := range p.Names {
		texts = append(texts, struct{ field, v string }{"names", n.Name})
	}
	for _, s := range texts {
		if !utf8.ValidString(s.v) || strings.ContainsRune(s.v, 0) {
			f.Add(s.field, "error.bad_text")
		}
	}
	return f.Err()
}

var langPattern = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})*$`)

// SearchKey is what name search matches: every name of the place, folded.
func (p Place) SearchKey() string {
	keys := []string{Fold(p.Name)}
	for _, n := range p.Names {
		keys = append(keys, Fold(n.Name))
	}
	if p.OfficialID != "" {
		keys = append(keys, Fold(p.OfficialID))
	}
	return strings.Join(keys, "\n")
}

// Filter selects places for a list.
type Filter struct {
	Query     string  // matches any of the names, ignoring case and diacritics
	Country   Country // "" for all
	Type      Type    // "" for all
	Region    string  // exact; "" for all
	Authority string  // exact; "" for all
	Status    Status  // "" for all
	Sort      string  // "name" (the default), "country", "type" or "updated" (newest first)
	After     string  // opaque cursor from a previous page
	Limit     int
}

// Page is one page of a place list.
type Page struct {
	Places []Place
	Next   string // cursor of the next page, "" on the last
	Total  int    // places matching the filter
}
