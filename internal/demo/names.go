package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tilsyn/tilsyn/internal/place"
)

// town is a fictional location: a name in the forms the place names need.
type town struct {
	name   string // nominative
	gen    string // Lithuanian genitive / Russian "по …" form of the region
	region string
	street string
}

// where is each town, roughly: demo places are scattered around it.
var where = map[string][2]float64{
	"Oslo":             {59.91, 10.75},
	"Bergen":           {60.39, 5.32},
	"Trondheim":        {63.43, 10.39},
	"Tromsø":           {69.65, 18.96},
	"Bodø":             {67.28, 14.4},
	"Ålesund":          {62.47, 6.15},
	"Skien":            {59.21, 9.61},
	"Hamar":            {60.79, 11.07},
	"Førde":            {61.45, 5.86},
	"Vadsø":            {70.07, 29.75},
	"Stockholm":        {59.33, 18.07},
	"Göteborg":         {57.71, 11.97},
	"Malmö":            {55.6, 13.0},
	"Åstorp":           {56.13, 12.94},
	"Örebro":           {59.27, 15.21},
	"Kumla":            {59.13, 15.14},
	"Umeå":             {63.83, 20.26},
	"Härnösand":        {62.63, 17.94},
	"Gävle":            {60.67, 17.14},
	"Skänninge":        {58.4, 15.09},
	"Vilnius":          {54.69, 25.28},
	"Kaunas":           {54.9, 23.9},
	"Klaipėda":         {55.71, 21.13},
	"Šiauliai":         {55.93, 23.31},
	"Panevėžys":        {55.73, 24.36},
	"Alytus":           {54.4, 24.05},
	"Marijampolė":      {54.56, 23.35},
	"Pravieniškės":     {54.92, 24.23},
	"Pabradė":          {54.98, 25.76},
	"Telšiai":          {55.98, 22.25},
	"Санкт-Петербург":  {59.94, 30.31},
	"Петрозаводск":     {61.79, 34.35},
	"Мурманск":         {68.97, 33.09},
	"Пермь":            {58.01, 56.25},
	"Екатеринбург":     {56.84, 60.61},
	"Архангельск":      {64.54, 40.54},
	"Псков":            {57.82, 28.33},
	"Великий Новгород": {58.52, 31.27},
	"Калининград":      {54.71, 20.51},
	"Тверь":            {56.86, 35.9},
}

// latin is the Latin-script name of each Russian town, for the English name.
var latin = map[string]string{
	"Санкт-Петербург":  "Saint Petersburg",
	"Петрозаводск":     "Petrozavodsk",
	"Мурманск":         "Murmansk",
	"Пермь":            "Perm",
	"Екатеринбург":     "Yekaterinburg",
	"Архангельск":      "Arkhangelsk",
	"Псков":            "Pskov",
	"Великий Новгород": "Veliky Novgorod",
	"Калининград":      "Kaliningrad",
	"Тверь":            "Tver",
}

// authorities run each type of place in each country (fictional data uses
// the real names of the agencies, which are public bodies).
var authorities = map[place.Country]map[place.Type]string{
	place.Norway: {"POL-CUS": "Politiet", "POL-ADM": "Politiet", "PTD": "Kriminalomsorgen", "PRI": "Kriminalomsorgen", "PRI-ISO": "Kriminalomsorgen",
		"JUV": "Bufetat", "MIG": "Politiets utlendingsenhet", "PSY": "Helseforetaket", "SOC": "Kommunen", "SUB": "Helseforetaket", "MIL": "Forsvaret", "OTH": "Tolletaten"},
	place.Sweden: {"POL-CUS": "Polismyndigheten", "POL-ADM": "Polismyndigheten", "PTD": "Kriminalvården", "PRI": "Kriminalvården", "PRI-ISO": "Kriminalvården",
		"JUV": "Statens institutionsstyrelse", "MIG": "Migrationsverket", "PSY": "Regionen", "SOC": "Kommunen", "SUB": "Statens institutionsstyrelse", "OTH": "Kriminalvården"},
	place.Lithuania: {"POL-CUS": "Policijos departamentas", "POL-ADM": "Policijos departamentas", "PTD": "Kalėjimų departamentas", "PRI": "Kalėjimų departamentas",
		"PRI-ISO": "Kalėjimų departamentas", "PRI-MED": "Kalėjimų departamentas", "JUV": "Socialinės apsaugos ir darbo ministerija", "MIG": "Valstybės sienos apsaugos tarnyba",
		"PSY": "Sveikatos apsaugos ministerija", "SOC": "Socialinės apsaugos ir darbo ministerija", "OTH": "Valstybės sienos apsaugos tarnyba"},
	place.Russia: {"POL-CUS": "МВД России", "POL-ADM": "МВД России", "PTD": "ФСИН России", "PRI": "ФСИН России", "PRI-ISO": "ФСИН России", "PRI-MED": "ФСИН России",
		"JUV": "ФСИН России", "MIG": "МВД России", "PSY": "Минздрав России", "SOC": "Минтруд России", "MIL": "Минобороны России", "OTH": "МВД России"},
}

// held says who each type of place holds, and about how many.
var held = map[place.Type]struct {
	categories []place.Category
	capacity   int
}{
	"POL-CUS": {[]place.Category{"men", "women", "remand"}, 20}, "POL-ADM": {[]place.Category{"men", "women"}, 12},
	"PTD": {[]place.Category{"men", "women", "remand"}, 300}, "PRI": {[]place.Category{"men", "sentenced"}, 600},
	"PRI-ISO": {[]place.Category{"men", "sentenced"}, 20}, "PRI-MED": {[]place.Category{"men", "women", "sentenced", "patients"}, 150},
	"JUV": {[]place.Category{"children"}, 40}, "MIG": {[]place.Category{"men", "women", "children", "migrants"}, 150},
	"PSY": {[]place.Category{"men", "women", "patients"}, 80}, "SOC": {[]place.Category{"men", "women", "patients"}, 120},
	"SUB": {[]place.Category{"men", "women", "patients"}, 30}, "MIL": {[]place.Category{"men"}, 10}, "OTH": {[]place.Category{"men", "women"}, 8},
}

func (t town) address(rng *rand.Rand) string {
	return fmt.Sprintf(t.street, 1+rng.IntN(120))
}

var towns = map[place.Country][]town{
	place.Norway: {
		{"Oslo", "", "Oslo", "Åkebergveien %d, Oslo"},
		{"Bergen", "", "Vestland", "Storgaten %d, Bergen"},
		{"Trondheim", "", "Trøndelag", "Gryta %d, Trondheim"},
		{"Tromsø", "", "Troms", "Stakkevollvegen %d, Tromsø"},
		{"Bodø", "", "Nordland", "Sjøgata %d, Bodø"},
		{"Ålesund", "", "Møre og Romsdal", "Korsegata %d, Ålesund"},
		{"Skien", "", "Telemark", "Kverndalsgata %d, Skien"},
		{"Hamar", "", "Innlandet", "Torggata %d, Hamar"},
		{"Førde", "", "Vestland", "Hafstadvegen %d, Førde"},
		{"Vadsø", "", "Finnmark", "Tollbugata %d, Vadsø"},
	},
	place.Sweden: {
		{"Stockholm", "", "Stockholms län", "Kronobergsgatan %d, Stockholm"},
		{"Göteborg", "", "Västra Götalands län", "Ernst Fontells plats %d, Göteborg"},
		{"Malmö", "", "Skåne län", "Porslinsgatan %d, Malmö"},
		{"Åstorp", "", "Skåne län", "Storgatan %d, Åstorp"},
		{"Örebro", "", "Örebro län", "Järntorgsgatan %d, Örebro"},
		{"Kumla", "", "Örebro län", "Kungsvägen %d, Kumla"},
		{"Umeå", "", "Västerbottens län", "Östra Kyrkogatan %d, Umeå"},
		{"Härnösand", "", "Västernorrlands län", "Nybrogatan %d, Härnösand"},
		{"Gävle", "", "Gävleborgs län", "Södra Kansligatan %d, Gävle"},
		{"Skänninge", "", "Östergötlands län", "Vadstenavägen %d, Skänninge"},
	},
	place.Lithuania: {
		{"Vilnius", "Vilniaus", "Vilniaus apskritis", "Lukiškių g. %d, Vilnius"},
		{"Kaunas", "Kauno", "Kauno apskritis", "Mickevičiaus g. %d, Kaunas"},
		{"Klaipėda", "Klaipėdos", "Klaipėdos apskritis", "Bijūnų g. %d, Klaipėda"},
		{"Šiauliai", "Šiaulių", "Šiaulių apskritis", "Trakų g. %d, Šiauliai"},
		{"Panevėžys", "Panevėžio", "Panevėžio apskritis", "Respublikos g. %d, Panevėžys"},
		{"Alytus", "Alytaus", "Alytaus apskritis", "Pulko g. %d, Alytus"},
		{"Marijampolė", "Marijampolės", "Marijampolės apskritis", "Kauno g. %d, Marijampolė"},
		{"Pravieniškės", "Pravieniškių", "Kauno apskritis", "Pravieniškės %d, Kaišiadorių r."},
		{"Pabradė", "Pabradės", "Vilniaus apskritis", "Vilniaus g. %d, Pabradė"},
		{"Telšiai", "Telšių", "Telšių apskritis", "Žemaitės g. %d, Telšiai"},
	},
	place.Russia: {
		{"Санкт-Петербург", "г. Санкт-Петербургу и Ленинградской области", "Санкт-Петербург", "ул. Арсенальная, д. %d, Санкт-Петербург"},
		{"Петрозаводск", "Республике Карелия", "Республика Карелия", "ул. Красная, д. %d, Петрозаводск"},
		{"Мурманск", "Мурманской области", "Мурманская область", "ул. Полярные Зори, д. %d, Мурманск"},
		{"Пермь", "Пермскому краю", "Пермский край", "ул. Клименко, д. %d, Пермь"},
		{"Екатеринбург", "Свердловской области", "Свердловская область", "ул. Репина, д. %d, Екатеринбург"},
		{"Архангельск", "Архангельской области", "Архангельская область", "ул. Тимме, д. %d, Архангельск"},
		{"Псков", "Псковской области", "Псковская область", "ул. Некрасова, д. %d, Псков"},
		{"Великий Новгород", "Новгородской области", "Новгородская область", "ул. Прусская, д. %d, Великий Новгород"},
		{"Калининград", "Калининградской области", "Калининградская область", "ул. Барнаульская, д. %d, Калининград"},
		{"Тверь", "Тверской области", "Тверская область", "ул. Вагжанова, д. %d, Тверь"},
	},
}

// patterns give a place name per country and type; {t} is the town, {g} its
// genitive or region form, {n} a number.
var patterns = map[place.Country]map[place.Type]string{
	place.Norway: {
		"POL-CUS": "{t} politiarrest", "POL-ADM": "{t} politistasjon, glattcelle", "PTD": "{t} fengsel, varetektsavdeling",
		"PRI": "{t} fengsel", "PRI-ISO": "{t} fengsel, sikkerhetsavdeling", "JUV": "{t} ungdomsenhet",
		"MIG": "Politiets utlendingsinternat {t}", "PSY": "{t} sykehus, psykiatrisk sikkerhetsavdeling", "SOC": "{t} sykehjem",
		"SUB": "{t} rusbehandlingssenter", "MIL": "{t} leir, arrestlokale", "OTH": "Tollstasjon {t}",
	},
	place.Sweden: {
		"POL-CUS": "Polisarresten {t}", "POL-ADM": "Polisstationen {t}, LOB-arrest", "PTD": "Häktet {t}",
		"PRI": "Anstalten {t}", "PRI-ISO": "Anstalten {t}, avskildhetsavdelning", "JUV": "Statens institutionsstyrelse, ungdomshemmet {t}",
		"MIG": "Förvaret i {t}", "PSY": "Rättspsykiatriska regionkliniken {t}", "SOC": "Särskilt boende {t}",
		"SUB": "LVM-hemmet {t}", "OTH": "Kriminalvårdens transportenhet {t}",
	},
	place.Lithuania: {
		"POL-CUS": "{g} apskrities policijos areštinė", "POL-ADM": "{g} areštinė", "PTD": "{g} tardymo izoliatorius",
		"PRI": "{g} pataisos namai", "PRI-ISO": "{g} pataisos namų baudos izoliatorius", "PRI-MED": "Laisvės atėmimo vietų ligoninės {g} skyrius",
		"JUV": "{g} vaikų socializacijos centras", "MIG": "{g} užsieniečių registracijos centras", "PSY": "{g} psichiatrijos ligoninė",
		"SOC": "{g} socialinės globos namai", "OTH": "{g} pasienio kontrolės punktas",
	},
	place.Russia: {
		"POL-CUS": "ИВС УМВД России по г. {t}", "POL-ADM": "Спецприёмник УМВД России по г. {t}", "PTD": "СИЗО-{n} УФСИН России по {g}",
		"PRI": "ИК-{n} УФСИН России по {g}", "PRI-ISO": "ШИЗО ИК-{n} УФСИН России по {g}", "PRI-MED": "ЛИУ-{n} УФСИН России по {g}",
		"JUV": "Воспитательная колония УФСИН России по {g}", "MIG": "ЦВСИГ ГУ МВД России по {g}", "PSY": "Психиатрическая больница № {n}, г. {t}",
		"SOC": "Психоневрологический интернат № {n}, г. {t}", "MIL": "Гауптвахта гарнизона г. {t}", "OTH": "Конвойное помещение районного суда г. {t}",
	},
}

func nameFor(c place.Country, t place.Type, tw town, rng *rand.Rand) string {
	p, ok := patterns[c][t]
	if !ok {
		p = "{t} " + t.NationalName(c)
	}
	return strings.NewReplacer("{t}", tw.name, "{g}", tw.gen, "{n}", fmt.Sprint(1+rng.IntN(40))).Replace(p)
}
