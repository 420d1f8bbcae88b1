package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/tilsyn/tilsyn/internal/fault"
)

// Password rules.
const (
	MinPassword = 12
	MaxPassword = 128
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// ValidatePassword checks a new password's length, then refuses a common
// one (see IsCommonPassword).
func ValidatePassword(pw string) error {
	var f fault.Fields
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPassword:
		f.Add("password", "error.account.password_short")
	case n > MaxPassword:
		f.Add("password", "error.account.password_long")
	case IsCommonPassword(pw):
		f.Add("password", "error.account.password_common")
	}
	return f.Err()
}

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("account: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// dummyHash is verified against when no account matches, so a login takes
// about as long for an unknown address as for a known one. It is made on
// first use: hashing at package load would slow every command's start.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("no-such-account-password")
	return h
})

// CheckPassword reports whether pw matches the PHC hash. An empty hash (no
// such user) is checked against a dummy so timing does not tell.
func CheckPassword(hash, pw string) bool {
	if hash == "" {
		hash = dummyHash()
		pw += "\x00" // never matches
	}
	if utf8.RuneCountInString(pw) > MaxPassword+1 {
		return false
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
