package exchange

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/tilsyn/tilsyn/internal/place"
)

// generatedPlaces are n valid places of every type and country.
func generatedPlaces(n int) []place.Place {
	cats := [][]place.Category{{"men"}, {"women", "remand"}, {"children"}, {"migrants", "men", "women"}, nil}
	ps := make([]place.Place, n)
	for i := range ps {
		ti := place.Types[i%len(place.Types)]
		c := place.Countries[i%len(place.Countries)]
		p := place.Place{
			ID: fmt.Sprintf("id-%d", i), Name: fmt.Sprintf("%s %d", ti.National[c], i), Type: ti.Code, Country: c,
			Region: "Region " + string(c), Municipality: fmt.Sprintf("Municipality %d", i%300), Address: fmt.Sprintf("Street %d", i),
			Authority: "Authority " + string(c), Status: place.Statuses[i%3], Categories: cats[i%len(cats)],
			OfficialID: fmt.Sprintf("%s-%06d", c, i), Website: "https://example.org/places/" + fmt.Sprint(i),
		}
		if ti.National[c] == "" {
			p.Name = fmt.Sprintf("Place %d", i)
		}
		if i%3 != 0 {
			lat, lon := 54+float64(i%1000)/100, 10+float64(i%2000)/100
			p.Lat, p.Lon = &lat, &lon
			capacity := 10 + i%900
			p.Capacity = &capacity
		}
		if i%5 == 0 {
			p.Names = []place.LocalName{{Lang: "en", Name: fmt.Sprintf("Place %d", i)}, {Lang: "ru", Name: fmt.Sprintf("Место %d", i)}}
		}
		if i%7 == 0 {
			p.Notes = "Visited in 2024;\nfollow-up due."
		}
		if i%10 == 1 {
			p.ParentID = fmt.Sprintf("id-%d", i-1)
		}
		p.Normalize()
		ps[i] = p
	}
	return ps
}

// nationalCSV is a 10,000-row semicolon CSV as a Norwegian user might keep
// it: Norwegian headers, national terms and country names, decimal commas.
func nationalCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("\uFEFFNavn;Type;Land;Fylke;Kommune;Adresse;Breddegrad;Lengdegrad;Myndighet;Kapasitet;Status;Kategorier;Org.nr;Navn (en)\r\n")
	countries := map[place.Country]string{"NO": "Norge", "SE": "Sverige", "LT": "Lietuva", "RU": "Россия"}
	for i, p := range generatedPlaces(n) {
		typ := string(p.Type)
		if term := p.Type.NationalName(p.Country); term != "" && i%2 == 0 {
			typ = term
		}
		lat, lon, capacity := "", "", ""
		if p.Lat != nil {
			lat = strings.Replace(fmt.Sprint(*p.Lat), ".", ",", 1)
			lon = strings.Replace(fmt.Sprint(*p.Lon), ".", ",", 1)
			capacity = fmt.Sprintf("%d", *p.Capacity)
		}
		var cats []string
		for _, c := range p.Categories {
			cats = append(cats, string(c))
		}
		fmt.Fprintf(&b, "%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;Place %d\r\n", p.Name, typ, countries[p.Country], p.Region,
			p.Municipality, p.Address, lat, lon, p.Authority, capacity, p.Status, strings.Join(cats, ","), p.OfficialID, i)
	}
	return []byte(b.String())
}

func BenchmarkReadPlaces10k(b *testing.B) {
	data := nationalCSV(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows, problems, err := ReadPlaces(bytes.NewReader(data), "places.csv", ReadOptions{})
		if err != nil || len(rows) != 10_000 || len(problems) > 0 {
			b.Fatalf("rows %d, problems %d (%+v), err %v", len(rows), len(problems), problems[:min(3, len(problems))], err)
		}
	}
}

func BenchmarkReadPlaces10kXLSX(b *testing.B) {
	var buf bytes.Buffer
	if err := WritePlaces(&buf, "xlsx", generatedPlaces(10_000)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows, problems, err := ReadPlaces(bytes.NewReader(data), "places.xlsx", ReadOptions{})
		if err != nil || len(rows) != 10_000 || len(problems) > 0 {
			b.Fatalf("rows %d, problems %d, err %v", len(rows), len(problems), err)
		}
	}
}

func BenchmarkWritePlaces10k(b *testing.B) {
	places := generatedPlaces(10_000)
	for _, format := range Formats {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := WritePlaces(io.Discard, format, places); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
