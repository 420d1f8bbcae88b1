package place

import (
	"strings"
	"testing"

	"github.com/tilsyn/tilsyn/internal/fault"
)

func TestValidate(t *testing.T) {
	ok := Place{Name: "Trandum", Type: "MIG", Country: Norway}
	tests := []struct {
		name   string
		p      Place
		fields []string
	}{
		{"valid", ok, nil},
		{"empty", Place{}, []string{"name", "type", "country"}},
		{"unknown type", Place{Name: "X", Type: "JAIL", Country: Sweden}, []string{"type"}},
		{"unknown country", Place{Name: "X", Type: "PRI", Country: "DE"}, []string{"country"}},
		{"long name", Place{Name: strings.Repeat("я", MaxName+1), Type: "PRI", Country: Russia}, []string{"name"}},
		{"nul byte", Place{Name: "a\x00b", Type: "PRI", Country: Russia}, []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			e, isFault := fault.As(err)
			if !isFault || e.Kind != fault.Invalid {
				t.Fatalf("Validate() = %v, want an invalid fault", err)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	p := Place{Name: "  Kumla ", Type: " pri", Country: "se "}
	p.Normalize()
	if p.Name != "Kumla" || p.Type != "PRI" || p.Country != "SE" {
		t.Errorf("Normalize() = %+v", p)
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Šiaulių tardymo izoliatorius": "siauliu tardymo izoliatorius",
		"Åstorp":                       "astorp",
		"Bjørgvin fengsel":             "bjorgvin fengsel",
		"СИЗО-1 «Кресты»":              "сизо-1 «кресты»",
		"Ёлкино":                       "елкино",
	}
	for in, want := range tests {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEveryTypeHasANationalName(t *testing.T) {
	if len(Types) != 13 {
		t.Fatalf("len(Types) = %d, want the 13 codes of the vocabulary", len(Types))
	}
	for _, ti := range Types {
		if len(ti.National) == 0 {
			t.Errorf("%s has no national name", ti.Code)
		}
	}
}
