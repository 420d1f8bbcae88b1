package account

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not carry the argon2id parameters", h)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("the right password was refused")
	}
	for _, wrong := range []string{"", "correct horse batter", "Correct horse battery", strings.Repeat("x", 5000)} {
		if CheckPassword(h, wrong) {
			t.Errorf("wrong password %q accepted", wrong)
		}
	}
	if CheckPassword("", "") || CheckPassword("$md5$x", "x") {
		t.Error("a missing or foreign hash matched")
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, ok := range map[string]bool{"short": false, "twelve chars": true, strings.Repeat("ж", 128): true, strings.Repeat("a", 129): false} {
		if got := ValidatePassword(pw) == nil; got != ok {
			t.Errorf("ValidatePassword(%d chars) ok = %v, want %v", len(pw), got, ok)
		}
	}
}

func TestPolicy(t *testing.T) {
	tests := []struct {
		role  Role
		scope Scope
		act   Action
		want  bool
	}{
		{Admin, "", PlaceWrite, true},
		{Monitor, "", PlaceWrite, true},
		{Viewer, "", PlaceWrite, false},
		{Viewer, "", PlaceRead, true},
		{Trainee, "", PlaceWrite, false},
		{Admin, ScopeRead, PlaceWrite, false},
		{Admin, ScopeRead, PlaceRead, true},
		{Admin, "", "unknown.action", false},
	}
	for _, tt := range tests {
		m := Member{Role: tt.role, Scope: tt.scope}
		if got := m.Can(tt.act); got != tt.want {
			t.Errorf("%s/%s Can(%s) = %v, want %v", tt.role, tt.scope, tt.act, got, tt.want)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := Session{CreatedAt: now.Add(-time.Hour), LastSeenAt: now.Add(-time.Minute)}
	if s.Expired(now) {
		t.Error("fresh session expired")
	}
	s.LastSeenAt = now.Add(-31 * time.Minute)
	if !s.Expired(now) {
		t.Error("idle session not expired")
	}
	s = Session{CreatedAt: now.Add(-13 * time.Hour), LastSeenAt: now}
	if !s.Expired(now) {
		t.Error("session past the absolute limit not expired")
	}
}

func TestSecrets(t *testing.T) {
	a, b := NewSecret("tt_"), NewSecret("tt_")
	if a == b || !strings.HasPrefix(a, "tt_") || len(a) < 50 {
		t.Errorf("secrets %q %q", a, b)
	}
	if HashSecret(a) == HashSecret(b) || HashSecret(a) != HashSecret(a) {
		t.Error("hash is not a function of the secret")
	}
}
