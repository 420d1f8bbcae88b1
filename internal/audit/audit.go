// Package audit models Tilsyn's audit log: an append-only, hash-chained
// record of who did what to which record, when and from where. Each entry's
// hash covers its content and the previous entry's hash, so altering or
// removing a stored entry breaks the chain at that point.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Genesis is the previous hash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Actions recorded. Reads of confidential records use their own actions as
// those capabilities land.
const (
	LoginOK         = "login.ok"
	LoginFailed     = "login.failed"
	LoginLocked     = "login.locked"
	LoginMFAFailed  = "login.mfa_failed"
	Logout          = "logout"
	LogoutAll       = "logout.everywhere"
	PasswordChange  = "password.changed"
	PasswordReset   = "password.reset_issued"
	PasswordSet     = "password.reset_used"
	MFAEnabled      = "mfa.enabled"
	MFADisabled     = "mfa.disabled"
	TokenCreated    = "token.created"
	TokenRevoked    = "token.revoked"
	UserAdded       = "user.added"
	UserRole        = "user.role_changed"
	UserDisabled    = "user.disabled"
	UserEnabled     = "user.enabled"
	OrgCreated      = "org.created"
	OrgChanged      = "org.changed"
	AccessDenied    = "access.denied"
	PlaceCreated    = "place.created"
	PlaceChanged    = "place.changed"
	PlaceArchived   = "place.archived"
	PlaceRestored   = "place.restored"
	PlacesImported  = "place.imported"
	PopulationAdded = "place.population_added"
	AttachmentAdded = "place.attachment_added"
	IntervalsSet    = "plan.intervals_changed"
	OrgSwitched     = "session.org_switched"
	LocaleChanged   = "user.locale_changed"
	RecoveryCodes   = "mfa.recovery_codes_replaced"
)

// Actions lists every action above, so each can be given a label.
var Actions = []string{
	LoginOK, LoginFailed, LoginLocked, LoginMFAFailed, Logout, LogoutAll, PasswordChange, PasswordReset, PasswordSet,
	MFAEnabled, MFADisabled, TokenCreated, TokenRevoked, UserAdded, UserRole, UserDisabled, UserEnabled, OrgCreated,
	OrgChanged, AccessDenied, PlaceCreated, PlaceChanged, PlaceArchived, PlaceRestored, PlacesImported, PopulationAdded,
	OrgSwitched, LocaleChanged, RecoveryCodes, IntervalsSet, AttachmentAdded,
}

// Entry is one line of the audit log.
type Entry struct {
	Seq        int64
	At         time.Time
	OrgID      string
	ActorID    string
	Actor      string // the actor's email at the time, or a description ("command line")
	Action     string
	TargetKind string // "place", "user", "token", …
	TargetID   string
	IP         string
	Detail     string // short, never confidential content
	PrevHash   string
	Hash       string
}

// ComputeHash returns the entry's hash over its content and PrevHash.
func (e Entry) ComputeHash() string {
	fields := []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		e.OrgID, e.ActorID, e.Actor, e.Action, e.TargetKind, e.TargetID, e.IP, e.Detail,
	}
	h := sha256.New()
	for _, f := range fields {
		// Length-prefixed, so no two different entries hash the same input.
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets Seq, PrevHash and Hash to follow the entry before (prev is the
// zero Entry for the first).
func (e *Entry) Seal(prev Entry) {
	e.Seq = prev.Seq + 1
	e.PrevHash = prev.Hash
	if prev.Seq == 0 {
		e.PrevHash = Genesis
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = e.ComputeHash()
}

// Break says where the chain is broken.
type Break struct {
	Seq    int64
	Reason string
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit log broken at entry %d: %s", b.Seq, b.Reason)
}

// Verifier checks entries one by one, in order of Seq.
type Verifier struct {
	prev  Entry
	Count int64
}

// Next checks e against the entries before it.
func (v *Verifier) Next(e Entry) error {
	wantSeq := v.prev.Seq + 1
	wantPrev := v.prev.Hash
	if v.prev.Seq == 0 {
		wantPrev = Genesis
	}
	switch {
	case e.Seq != wantSeq:
		return &Break{Seq: wantSeq, Reason: fmt.Sprintf("entry %d is missing (next stored is %d)", wantSeq, e.Seq)}
	case e.PrevHash != wantPrev:
		return &Break{Seq: e.Seq, Reason: "it does not follow the entry before it (removed or altered)"}
	case e.ComputeHash() != e.Hash:
		return &Break{Seq: e.Seq, Reason: "its content does not match its hash (altered)"}
	}
	v.prev = e
	v.Count++
	return nil
}

// Head is the last entry verified: record its hash elsewhere to detect later
// removal of entries at the end, which a chain alone cannot show.
func (v *Verifier) Head() (int64, string) { return v.prev.Seq, v.prev.Hash }

// Filter selects entries for the audit page.
type Filter struct {
	OrgID    string
	Action   string // exact action or a prefix ending in "." ("login.")
	Actor    string // part of the actor's email
	TargetID string
	Before   int64 // entries with Seq below this; 0 for the newest
	Limit    int
}

// Prefix reports whether the filter's action is a prefix.
func (f Filter) Prefix() bool { return strings.HasSuffix(f.Action, ".") }
