package exchange

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/tilsyn/tilsyn/internal/place"
)

// countryWords are the names of the countries in the five languages, with
// a few common variants; codes (NO, NOR) are matched as well.
var countryWords = map[place.Country][]string{
	place.Norway:    {"NOR", "Norway", "Norge", "Noreg", "Norvegija", "Норвегия"},
	place.Sweden:    {"SWE", "Sweden", "Sverige", "Švedija", "Швеция"},
	place.Lithuania: {"LTU", "Lithuania", "Litauen", "Lietuva", "Литва"},
	place.Russia: {"RUS", "Russia", "Russian Federation", "Russland", "Ryssland", "Rusija", "Россия",
		"Российская Федерация", "РФ"},
}

// statusWords are the status names in the five languages.
var statusWords = map[place.Status][]string{
	place.Active: {"active", "in use", "open", "aktiv", "i drift", "åpen", "öppen", "veikianti", "veikiantis",
		"aktyvi", "aktyvus", "действующий", "действующее", "действующая", "действует", "активный", "активно", "работает"},
	place.Temporary: {"temporary", "midlertidig", "tillfällig", "temporär", "laikina", "laikinas", "laikinai",
		"временный", "временное", "временная", "временно"},
	place.Closed: {"closed", "stengt", "nedlagt", "lukket", "stängd", "nedlagd", "stängt", "uždaryta", "uždarytas",
		"likviduota", "закрыт", "закрыто", "закрыта", "закрытый", "ликвидировано", "ликвидирован"},
}

// categoryWords are the category names in the five languages.
var categoryWords = map[place.Category][]string{
	"men":       {"men", "male", "adult men", "menn", "män", "vyrai", "мужчины"},
	"women":     {"women", "female", "kvinner", "kvinnor", "moterys", "женщины"},
	"children":  {"children", "juveniles", "minors", "barn", "ungdom", "unga", "vaikai", "nepilnamečiai", "дети", "несовершеннолетние"},
	"remand":    {"remand", "pre-trial", "pretrial", "varetekt", "varetektsfengslede", "häktade", "suimtieji", "подследственные", "обвиняемые"},
	"sentenced": {"sentenced", "convicted", "domfelte", "dömda", "nuteistieji", "осуждённые"},
	"migrants":  {"migrants", "foreigners", "utlendinger", "migranter", "utlänningar", "migrantai", "užsieniečiai", "мигранты", "иностранцы"},
	"patients":  {"patients", "pasienter", "patienter", "pacientai", "пациенты", "больные"},
}

var (
	countryIndex  = map[string]place.Country{}
	statusIndex   = map[string]place.Status{}
	categoryIndex = map[string]place.Category{}
	typeIndex     = map[string]place.Type{}                   // code, key → type
	termIndex     = map[place.Country]map[string]place.Type{} // country → key of a national term → type
	anyTermIndex  = map[string]place.Type{}                   // key of any country's term → type; "" when ambiguous
)

func init() {
	for _, c := range place.Countries {
		countryIndex[key(string(c))] = c
		for _, w := range countryWords[c] {
			countryIndex[key(w)] = c
		}
	}
	for s, words := range statusWords {
		statusIndex[key(string(s))] = s
		for _, w := range words {
			statusIndex[key(w)] = s
		}
	}
	for c, words := range categoryWords {
		categoryIndex[key(string(c))] = c
		for _, w := range words {
			categoryIndex[key(w)] = c
		}
	}
	for _, ti := range place.Types {
		typeIndex[key(string(ti.Code))] = ti.Code
		for c, term := range ti.National {
			if termIndex[c] == nil {
				termIndex[c] = map[string]place.Type{}
			}
			for _, k := range termKeys(term) {
				termIndex[c][k] = ti.Code
				if t, seen := anyTermIndex[k]; seen && t != ti.Code {
					anyTermIndex[k] = ""
				} else {
					anyTermIndex[k] = ti.Code
				}
			}
		}
	}
}

var parenthesis = regexp.MustCompile(`\s*\([^)]*\)`)

// termKeys are the keys a national term is matched by: the whole term, each
// part of "ШИЗО / ПКТ", and the term without a remark in parentheses.
func termKeys(term string) []string {
	keys := []string{key(term)}
	if bare := parenthesis.ReplaceAllString(term, ""); bare != term {
		keys = append(keys, key(bare))
	}
	if strings.Contains(term, "/") {
		for _, part := range strings.Split(term, "/") {
			keys = append(keys, key(part))
		}
	}
	return keys
}

// resolveType reads a type code ("PRI", "pol-cus") or a national term,
// first of country c, then of any country.
func resolveType(s string, c place.Country) (place.Type, bool) {
	k := key(s)
	if k == "" {
		return "", false
	}
	if t, ok := typeIndex[k]; ok && strings.EqualFold(strings.TrimSpace(s), string(t)) {
		return t, true
	}
	if t, ok := termIndex[c][k]; ok {
		return t, true
	}
	if t := anyTermIndex[k]; t != "" {
		return t, true
	}
	if t, ok := typeIndex[k]; ok { // "POL CUS", "pol_cus"
		return t, true
	}
	return "", false
}

func resolveCountry(s string) (place.Country, bool) {
	c, ok := countryIndex[key(s)]
	return c, ok
}

func resolveStatus(s string) (place.Status, bool) {
	st, ok := statusIndex[key(s)]
	return st, ok
}

// splitList splits a list written with ";" or ",".
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// resolveCategories reads a list of categories; bad is the first word not
// understood.
func resolveCategories(s string) (cats []place.Category, bad string) {
	for _, w := range splitList(s) {
		c, ok := categoryIndex[key(w)]
		if !ok {
			if bad == "" {
				bad = w
			}
			continue
		}
		cats = append(cats, c)
	}
	return cats, bad
}

// spaces that may separate thousands.
var thousandSpaces = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "\u2009", "", "'", "")

var (
	groupedInt = regexp.MustCompile(`^\d{1,3}(?:[.,]\d{3})+$`)
	plainInt   = regexp.MustCompile(`^[+-]?\d+(?:[.,]0+)?$`)
)

// parseCapacity reads a whole number: "1 200", "1\u00a0200", "1,200",
// "1.200" and "120.0" are all accepted.
func parseCapacity(s string) (int, bool) {
	s = thousandSpaces.Replace(strings.TrimSpace(s))
	switch {
	case groupedInt.MatchString(s):
		s = strings.NewReplacer(".", "", ",", "").Replace(s)
	case plainInt.MatchString(s):
		if i := strings.IndexAny(s, ".,"); i >= 0 {
			s = s[:i]
		}
	default:
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > math.MaxInt32 || n < math.MinInt32 {
		return 0, false
	}
	return n, true
}

// parseCoordinate reads a decimal number written with "." or ",", and an
// optional degree sign.
func parseCoordinate(s string) (float64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "°"))
	s = strings.ReplaceAll(s, "\u2212", "-") // minus sign
	if !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	if s == "" || strings.ContainsAny(s, "eEnNiIxXpP_") { // no exponents, NaN, Inf, hex
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

var langPrefix = regexp.MustCompile(`^\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\s*:\s*`)

// parseNames reads "lang: name; lang: name". A part that does not start
// with a language code belongs to the name before it (a name may contain
// ";"); ok is false when the first part has no language.
func parseNames(s string) (names []place.LocalName, ok bool) {
	ok = true
	for _, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) == "" { // "en: A; ru: B;"
			continue
		}
		m := langPrefix.FindStringSubmatchIndex(part)
		if m == nil {
			if len(names) == 0 {
				ok = false
				continue
			}
			names[len(names)-1].Name += ";" + part
			continue
		}
		names = append(names, place.LocalName{Lang: strings.ToLower(part[m[2]:m[3]]), Name: part[m[1]:]})
	}
	for i := range names {
		names[i].Name = strings.TrimSpace(names[i].Name)
	}
	return names, ok
}

// formulaStart reports whether a spreadsheet would run s as a formula.
func formulaStart(s string) bool {
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// neutralise puts an apostrophe before a text a spreadsheet would run as a
// formula, and before a text that would read back as such an escape, so
// unneutralise(neutralise(s)) == s for every s.
func neutralise(s string) string {
	if formulaStart(strings.TrimLeft(s, "'")) {
		return "'" + s
	}
	return s
}

// unneutralise undoes neutralise.
func unneutralise(s string) string {
	if strings.HasPrefix(s, "'") && formulaStart(strings.TrimLeft(s, "'")) {
		return s[1:]
	}
	return s
}
