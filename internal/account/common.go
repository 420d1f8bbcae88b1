package account

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// commonGz is the list of common passwords; see commonpasswords/README.md.
//
//go:embed commonpasswords/common.txt.gz
var commonGz []byte

// commonList is the sorted list of common passwords. It is read on first
// use: unpacking it at package load would slow every command's start.
var commonList = sync.OnceValue(loadCommon)

func loadCommon() []string {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("account: common password list: " + err.Error())
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		panic("account: common password list: " + err.Error())
	}
	list := make([]string, 0, bytes.Count(data, []byte{'\n'})+1)
	for line := range strings.Lines(string(data)) {
		if pw := normalizeCommon(line); pw != "" {
			list = append(list, pw)
		}
	}
	// The file is sorted and has no duplicates already; this keeps the
	// lookup right should it ever be made otherwise.
	slices.Sort(list)
	return slices.Compact(list)
}

// normalizeCommon is how a password is compared with the list.
func normalizeCommon(pw string) string {
	return strings.ToLower(strings.TrimSpace(pw))
}

// IsCommonPassword reports whether pw is on the list of common passwords,
// ignoring case and surrounding white space, or is one character repeated
// (such as "aaaaaaaaaaaa"). A password of white space only counts as common.
func IsCommonPassword(pw string) bool {
	s := normalizeCommon(pw)
	if s == "" {
		return pw != ""
	}
	if repeatedRune(s) {
		return true
	}
	_, found := slices.BinarySearch(commonList(), s)
	return found
}

// repeatedRune reports whether s is one character repeated.
func repeatedRune(s string) bool {
	first, size := utf8.DecodeRuneInString(s)
	for _, r := range s[size:] {
		if r != first {
			return false
		}
	}
	return true
}
