package place

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// special maps letters that do not decompose into a base letter and a mark.
var special = strings.NewReplacer("ø", "o", "æ", "ae", "ß", "ss", "đ", "d", "ł", "l")

// Fold returns s lower-cased with diacritics removed, so that "Siauliu" matches
// "Šiaulių" and "Astorp" matches "Åstorp". Search keys are stored folded and
// queries folded the same way, which works alike on every storage engine.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		out = strings.ToLower(s)
	}
	return special.Replace(out)
}
