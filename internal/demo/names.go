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
