// Package place models places of deprivation of liberty: their types, the
// countries Tilsyn works in, and the rules a place record must follow.
package place

import (
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

// Place is a place of deprivation of liberty in an organisation's registry.
type Place struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"-"`
	Name      string    `json:"name"`
	Type      Type      `json:"type"`
	Country   Country   `json:"country"`
	Region    string    `json:"region"`
	Address   string    `json:"address"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Field length limits, in characters.
const (
	MaxName    = 300
	MaxRegion  = 200
	MaxAddress = 500
)

// Normalize trims surrounding space from the text fields.
func (p *Place) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.Region = strings.TrimSpace(p.Region)
	p.Address = strings.TrimSpace(p.Address)
	p.Type = Type(strings.ToUpper(strings.TrimSpace(string(p.Type))))
	p.Country = Country(strings.ToUpper(strings.TrimSpace(string(p.Country))))
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
	for _, s := range []struct{ field, v string }{{"name", p.Name}, {"region", p.Region}, {"address", p.Address}} {
		if !utf8.ValidString(s.v) || strings.ContainsRune(s.v, 0) {
			f.Add(s.field, "error.bad_text")
		}
	}
	return f.Err()
}

// Filter selects places for a list.
type Filter struct {
	Query   string  // matches names ignoring case and diacritics
	Country Country // "" for all
	Type    Type    // "" for all
	After   string  // opaque cursor from a previous page
	Limit   int
}

// Page is one page of a place list.
type Page struct {
	Places []Place
	Next   string // cursor of the next page, "" on the last
	Total  int    // places matching the filter
}
