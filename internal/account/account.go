// Package account models organisations, users, their roles, sessions and API
// tokens, and decides which role may do what.
package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"

	"github.com/tilsyn/tilsyn/internal/fault"
)

// Role is what a member may do in an organisation.
type Role string

const (
	Admin       Role = "admin"
	Coordinator Role = "coordinator"
	Monitor     Role = "monitor"
	Analyst     Role = "analyst"
	Trainee     Role = "trainee"
	Viewer      Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{Admin, Coordinator, Monitor, Analyst, Trainee, Viewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Org is an organisation: an NGO, a national preventive mechanism, a public
// monitoring commission and so on.
type Org struct {
	ID        string
	Slug      string // short name used on the command line, e.g. "demo"
	Name      string
	Country   string
	Lang      string
	CreatedAt time.Time
}

// User is a person who signs in.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	Locale       string // preferred interface language, "" for the browser's
	Disabled     bool
	CreatedAt    time.Time
}

// Member is a user acting in one organisation with one role: the identity
// every request is checked against.
type Member struct {
	User User
	Org  Org
	Role Role
	// Scope limits an API token: "read" tokens cannot change anything.
	Scope Scope
}

// Scope limits what an API token may do.
type Scope string

const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeRead || s == ScopeWrite }

// NormalizeEmail lower-cases and trims an address, so one person has one account.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateEmail checks that s is a plain address (no display name).
func ValidateEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		var f fault.Fields
		f.Add("email", "error.account.bad_email")
		return f.Err()
	}
	return nil
}

// Session lifetimes.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
)

// Session is a signed-in browser. The store keeps only the token's hash.
type Session struct {
	UserID     string
	OrgID      string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Expired reports whether the session has passed its idle or absolute limit at now.
func (s Session) Expired(now time.Time) bool {
	return now.Sub(s.LastSeenAt) > SessionIdle || now.Sub(s.CreatedAt) > SessionAbsolute
}

// NewSecret returns a random 256-bit secret with a readable prefix, for
// session cookies ("ts_") and API tokens ("tt_").
func NewSecret(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("account: no randomness: " + err.Error())
	}
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// HashSecret is what the store keeps of a session or token secret: a leaked
// table cannot be replayed.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Token is a personal API token.
type Token struct {
	ID         string
	UserID     string
	OrgID      string
	Name       string
	Scope      Scope
	CreatedAt  time.Time
	LastUsedAt *time.Time
}
