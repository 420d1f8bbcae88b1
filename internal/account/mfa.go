package account

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Issuer names Tilsyn in authenticator apps.
const Issuer = "Tilsyn"

// TOTPKey is a new second-factor secret, ready to show for enrolment.
type TOTPKey struct {
	Secret string // base32, for typing in by hand
	URL    string // otpauth:// URL, for the QR code
	PNG    []byte // the QR code
}

// NewTOTPKey makes a new RFC 6238 secret (SHA-1, 6 digits, 30 s: what every
// authenticator app supports) for the account named.
func NewTOTPKey(accountName string) (TOTPKey, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: Issuer, AccountName: accountName, SecretSize: 20})
	if err != nil {
		return TOTPKey{}, err
	}
	return keyFromOTP(key)
}

// TOTPKeyFromSecret rebuilds the enrolment view of a secret already stored.
func TOTPKeyFromSecret(accountName, secret string) (TOTPKey, error) {
	key, err := otp.NewKeyFromURL("otpauth://totp/" + Issuer + ":" + accountName + "?secret=" + secret + "&issuer=" + Issuer)
	if err != nil {
		return TOTPKey{}, err
	}
	return keyFromOTP(key)
}

func keyFromOTP(key *otp.Key) (TOTPKey, error) {
	img, err := key.Image(220, 220)
	if err != nil {
		return TOTPKey{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return TOTPKey{}, err
	}
	return TOTPKey{Secret: key.Secret(), URL: key.URL(), PNG: buf.Bytes()}, nil
}

// CheckTOTP reports whether code is valid for secret at now, allowing one
// step of clock drift either way.
func CheckTOTP(secret, code string, now time.Time) bool {
	_, ok := TOTPStep(secret, code, now)
	return ok
}

// TOTPStep returns the 30-second time step code belongs to, when it is valid
// for secret at now (one step of drift either way). Storing the last step
// used and refusing any not after it makes every code usable once.
func TOTPStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	step := now.UTC().Unix() / 30
	for _, s := range []int64{step, step - 1, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*30, 0).UTC(), opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// RecoveryCodeCount is how many recovery codes a user gets.
const RecoveryCodeCount = 10

// NewRecoveryCodes returns fresh one-time recovery codes, to show once, and
// the hashes to store.
func NewRecoveryCodes() (codes, hashes []string) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range RecoveryCodeCount {
		var b [10]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic("account: no randomness: " + err.Error())
		}
		c := strings.ToLower(enc.EncodeToString(b[:])) // 16 characters, 80 bits
		code := c[:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:]
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes
}

// HashRecoveryCode is what the store keeps of a recovery code; case, spaces
// and dashes do not matter.
func HashRecoveryCode(code string) string {
	c := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	return HashSecret("rc:" + c)
}
