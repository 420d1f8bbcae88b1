package exchange

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Encoding names, as detectText reports them.
const (
	encUTF8    = "utf-8"
	encUTF16   = "utf-16"
	encWin1251 = "windows-1251"
	encWin1257 = "windows-1257"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// decodeText turns the bytes of a text file into UTF-8 and names the
// encoding it found. ok is false when the bytes are not text at all.
//
// The rules: a UTF-8 byte-order mark means UTF-8, a UTF-16 one UTF-16; text
// that is valid UTF-8 is UTF-8; anything else is Windows-1251 (Cyrillic, as
// Russian spreadsheet programs save CSV) or Windows-1257 (Baltic, as
// Lithuanian ones do), whichever scores higher (see scores): in Russian
// text the bytes above 127 stand together, forming Cyrillic words; in
// Lithuanian text they stand among ASCII letters (Šiaulių, užsieniečių).
// Windows-1257 also reads Swedish å, ä, ö and é where Windows-1252 puts
// them, but not Norwegian æ and ø.
func decodeText(b []byte) (text string, enc string, ok bool) {
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		b, enc = b[len(bomUTF8):], encUTF8
		if !utf8.Valid(b) {
			b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
		}
	case bytes.HasPrefix(b, bomUTF16LE), bytes.HasPrefix(b, bomUTF16BE):
		d := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
		out, err := d.Bytes(b)
		if err != nil {
			return "", "", false
		}
		b, enc = out, encUTF16
	case utf8.Valid(b):
		enc = encUTF8
	default:
		cm := charmap.Windows1251
		enc = encWin1251
		if s1251, s1257 := scores(b); s1257 > s1251 {
			cm, enc = charmap.Windows1257, encWin1257
		}
		out, err := cm.NewDecoder().Bytes(b)
		if err != nil {
			return "", "", false
		}
		b = out
	}
	if !looksLikeText(b) {
		return "", "", false
	}
	return string(b), enc, true
}

// looksLikeText reports whether b, in UTF-8, has no NUL and few other
// control characters (tab, line breaks and form feed are fine).
func looksLikeText(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	sample := b[:min(len(b), 64<<10)]
	control := 0
	for _, c := range sample {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			control++
		}
	}
	return control*100 <= len(sample) // at most 1%
}

// scores looks at each run of bytes above 127. A run next to an ASCII
// letter is part of a Latin word (Šiaulių, ąžuolas): its Latin letters in
// Windows-1257 count for that encoding. A run of two or more standing
// alone is a word of its own (Москва): its Cyrillic letters in
// Windows-1251 count for that one. A single byte alone ("№", "«") counts
// for neither.
func scores(b []byte) (s1251, s1257 int) {
	asciiLetter := func(i int) bool {
		return i >= 0 && i < len(b) && (b[i] >= 'a' && b[i] <= 'z' || b[i] >= 'A' && b[i] <= 'Z')
	}
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] >= 0x80 {
			j++
		}
		latin := asciiLetter(i-1) || asciiLetter(j)
		for _, c := range b[i:j] {
			if latin {
				if r := charmap.Windows1257.DecodeByte(c); unicode.Is(unicode.Latin, r) {
					s1257++
				}
			} else if j-i >= 2 {
				if r := charmap.Windows1251.DecodeByte(c); unicode.Is(unicode.Cyrillic, r) {
					s1251++
				}
			}
		}
		i = j
	}
	return s1251, s1257
}
