// Package account models organisations, users, their roles, sessions and API
// tokens, and decides which role may do what.
package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"net/mail"
	"regexp"
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

// OrgKind is what sort of body an organisation is.
type OrgKind string

// OrgKinds lists the kinds of organisation.
var OrgKinds = []OrgKind{"ngo", "npm", "ombudsman", "pmc", "authority", "international", "other"}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, o := range OrgKinds {
		if k == o {
			return true
		}
	}
	return false
}

// Org is an organisation: an NGO, a national preventive mechanism, a public
// monitoring commission and so on.
type Org struct {
	ID         string
	Slug       string // short name used on the command line, e.g. "demo"
	Name       string
	Kind       OrgKind
	Country    string
	Lang       string // default interface language of its members
	Require2FA bool   // every member must use a second factor
	CreatedAt  time.Time
}

// Validate reports every field's problem at once.
func (o Org) Validate() error {
	var f fault.Fields
	if strings.TrimSpace(o.Name) == "" {
		f.Add("name", "error.required")
	} else if len(o.Name) > 300 {
		f.Add("name", "error.too_long")
	}
	if !slugPattern.MatchString(o.Slug) {
		f.Add("slug", "error.org.bad_slug")
	}
	if !o.Kind.Valid() {
		f.Add("kind", "error.org.bad_kind")
	}
	switch o.Country {
	case "", "NO", "SE", "LT", "RU":
	default:
		f.Add("country", "error.place.unknown_country")
	}
	switch o.Lang {
	case "en", "nb", "sv", "lt", "ru":
	default:
		f.Add("lang", "error.org.bad_lang")
	}
	return f.Err()
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// User is a person who signs in.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	Locale       string // preferred interface language, "" for the browser's
	Disabled     bool
	TOTPSecret   string // base32; set while enrolling, kept once enabled
	TOTPEnabled  bool
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
	// Session is the browser session the request came with; nil for a token.
	Session *Session
}

// MFARequired reports whether the member must use a second factor: every
// administrator, and everyone in an organisation that requires it.
func (m Member) MFARequired() bool { return m.Role == Admin || m.Org.Require2FA }

// MustEnrolMFA reports whether the member must set up a second factor
// before doing anything else.
func (m Member) MustEnrolMFA() bool { return m.MFARequired() && !m.User.TOTPEnabled }

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

// SessionLimits are how long a session may be idle and how long it may last.
type SessionLimits struct {
	Idle, Absolute time.Duration
}

// DefaultLimits are OWASP ASVS level 2's: 30 minutes idle, 12 hours in all.
var DefaultLimits = SessionLimits{Idle: SessionIdle, Absolute: SessionAbsolute}

// Session is a signed-in browser. The store keeps only the secret's hash;
// ID is a separate identifier that pages may show.
type Session struct {
	ID         string
	UserID     string
	OrgID      string
	MFAOK      bool // the second factor was given, or none is needed
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Expired reports whether the session has passed its idle or absolute limit at now.
func (s Session) Expired(now time.Time, l SessionLimits) bool {
	return now.Sub(s.LastSeenAt) > l.Idle || now.Sub(s.CreatedAt) > l.Absolute
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
	UserEmail  string // for lists
	OrgID      string
	Name       string
	Scope      Scope
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Grant is what one user may do on one visit beyond their role: being on
// the visit's team, and seeing the identities of the people interviewed.
// Visits and interviews use it; it is part of the account model so the
// policy has one place.
type Grant struct {
	VisitID       string
	UserID        string
	TeamMember    bool
	SeeIdentities bool
}
