package exchange

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/tilsyn/tilsyn/internal/place"
)

// field is a column's meaning. Its name is the place field (the JSON name,
// as place.Validate reports it) or, for the parent, "parent_official_id".
type field int

const (
	fNone field = iota
	fName
	fNames    // "other names": "lang: name; lang: name"
	fNameLang // "name (ru)": one other-language name; the column has the language
	fType
	fCountry
	fRegion
	fMunicipality
	fAddress
	fLat
	fLon
	fAuthority
	fCapacity
	fStatus
	fCategories
	fOfficialID
	fParent
	fWebsite
	fNotes
	nFields
)

var fieldNames = [nFields]string{
	fNone: "", fName: "name", fNames: "names", fNameLang: "names", fType: "type", fCountry: "country",
	fRegion: "region", fMunicipality: "municipality", fAddress: "address", fLat: "lat", fLon: "lon",
	fAuthority: "authority", fCapacity: "capacity", fStatus: "status", fCategories: "categories",
	fOfficialID: "official_id", fParent: "parent_official_id", fWebsite: "website", fNotes: "notes",
}

func (f field) String() string { return fieldNames[f] }

// headerWords are the column names understood, in English, Norwegian
// (bokmål), Swedish, Lithuanian and Russian, with a few synonyms. They are
// compared by key: folded (place.Fold) with everything but letters and
// digits removed, so "Official ID", "official_id" and "OFFICIAL-ID" are alike.
var headerWords = map[field][]string{
	fName: {"name", "place name", "navn", "namn", "pavadinimas", "название", "наименование"},
	fNames: {"other names", "names", "andre navn", "andra namn", "kiti pavadinimai", "другие названия",
		"названия"},
	fType:    {"type", "place type", "type code", "typ", "tipas", "тип", "вид"},
	fCountry: {"country", "country code", "land", "šalis", "страна"},
	fRegion: {"region", "county", "fylke", "län", "apskritis", "регион", "субъект", "субъект рф",
		"область"},
	fMunicipality: {"municipality", "city", "town", "kommune", "kommun", "savivaldybė", "miestas",
		"муниципалитет", "город", "населённый пункт"},
	fAddress: {"address", "street address", "adresse", "besøksadresse", "adress", "besöksadress",
		"adresas", "адрес"},
	fLat: {"latitude", "lat", "breddegrad", "latitud", "breddgrad", "platuma", "широта"},
	fLon: {"longitude", "lon", "lng", "long", "lengdegrad", "longitud", "längdgrad", "ilguma", "долгота"},
	fAuthority: {"authority", "operating authority", "operator", "myndighet", "ansvarlig myndighet",
		"huvudman", "institucija", "pavaldumas", "ведомство", "ведомственная принадлежность"},
	fCapacity: {"capacity", "kapasitet", "antall plasser", "kapacitet", "antal platser", "talpa",
		"vietų skaičius", "лимит наполнения", "вместимость"},
	fStatus:     {"status", "statusas", "būsena", "статус"},
	fCategories: {"categories", "category", "kategorier", "kategori", "kategorijos", "kategorija", "категории", "категория"},
	fOfficialID: {"official id", "id", "org.nr", "org nr", "organisasjonsnummer", "organisationsnummer",
		"kodas", "įmonės kodas", "код", "идентификатор"},
	fParent: {"parent official id", "parent id", "parent", "overordnet", "overordnet id", "överordnad",
		"överordnad id", "pagrindinės įstaigos kodas", "код головного учреждения", "головное учреждение"},
	fWebsite: {"website", "web", "url", "nettside", "hjemmeside", "webbplats", "hemsida", "svetainė",
		"interneto svetainė", "сайт", "веб-сайт"},
	fNotes: {"notes", "note", "comments", "comment", "merknader", "merknad", "anteckningar", "kommentar",
		"pastabos", "примечания", "примечание", "комментарий"},
}

// nameWords start an other-language name column: "name (ru)", "name_ru",
// "название (en)", "navn – se".
var nameWords = []string{"name", "navn", "namn", "pavadinimas", "название", "наименование"}

var (
	headerIndex = map[string]field{}
	namePattern *regexp.Regexp
)

func init() {
	for f, words := range headerWords {
		for _, w := range words {
			k := key(w)
			if g, dup := headerIndex[k]; dup && g != f {
				panic("exchange: header word " + w + " has two meanings")
			}
			headerIndex[k] = f
		}
	}
	var alts []string
	for _, w := range nameWords {
		alts = append(alts, regexp.QuoteMeta(place.Fold(w)))
	}
	namePattern = regexp.MustCompile(`^(?:` + strings.Join(alts, "|") + `)\s*[\s_\-–:(\[]\s*([a-z]{2,3}(?:-[a-z0-9]{2,8})*)\s*[)\]]?$`)
}

// key folds s for comparison: lower case, no diacritics, letters and digits
// only. ASCII text, the common case, does without place.Fold.
func key(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		s = place.Fold(s)
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r < 0x80:
			return -1
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return r
		}
		return -1
	}, s)
}

// column is one column of the file as the header describes it.
type column struct {
	index  int
	header string // as written, trimmed
	name   string // what problems call it: the header (CSV) or the letter (XLSX)
	field  field
	lang   string // for fNameLang
}

// matchHeader says what a header cell means; fNone if nothing.
func matchHeader(h string) (field, string) {
	if f, ok := headerIndex[key(h)]; ok {
		return f, ""
	}
	if m := namePattern.FindStringSubmatch(strings.TrimSpace(place.Fold(h))); m != nil {
		return fNameLang, m[1]
	}
	return fNone, ""
}

// requiredFields must each have a column.
var requiredFields = []field{fName, fType, fCountry}

// headerScore counts the cells of a row that are column names, and reports
// whether the required ones are all there.
func headerScore(cells []string) (n int, complete bool) {
	have := map[field]bool{}
	for _, c := range cells {
		if f, _ := matchHeader(c); f != fNone {
			n++
			have[f] = true
		}
	}
	for _, f := range requiredFields {
		if !have[f] {
			return n, false
		}
	}
	return n, true
}
