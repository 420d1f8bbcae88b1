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
	for pw, ok := range map[string]bool{"short": false, "twelve chars": true, strings.Repeat("жи", 64): true, strings.Repeat("a", 129): false} {
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
	if s.Expired(now, DefaultLimits) {
		t.Error("fresh session expired")
	}
	s.LastSeenAt = now.Add(-31 * time.Minute)
	if !s.Expired(now, DefaultLimits) {
		t.Error("idle session not expired")
	}
	if s.Expired(now, SessionLimits{Idle: time.Hour, Absolute: 2 * time.Hour}) {
		t.Error("configured idle limit of an hour not honoured")
	}
	s = Session{CreatedAt: now.Add(-13 * time.Hour), LastSeenAt: now}
	if !s.Expired(now, DefaultLimits) {
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

func TestTOTP(t *testing.T) {
	key, err := NewTOTPKey("anna@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if len(key.PNG) < 100 || !strings.HasPrefix(key.URL, "otpauth://totp/Tilsyn:") {
		t.Fatalf("key %q, %d bytes of PNG", key.URL, len(key.PNG))
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	code, err := totpCode(key.Secret, now)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckTOTP(key.Secret, code, now) || !CheckTOTP(key.Secret, code, now.Add(30*time.Second)) {
		t.Error("a current code was refused")
	}
	if CheckTOTP(key.Secret, code, now.Add(5*time.Minute)) {
		t.Error("a code five minutes old was accepted")
	}
	if CheckTOTP(key.Secret, "12345", now) || CheckTOTP("", code, now) {
		t.Error("a malformed code or empty secret was accepted")
	}
	again, err := TOTPKeyFromSecret("anna@example.org", key.Secret)
	if err != nil || again.Secret != key.Secret {
		t.Errorf("rebuilt key %v, %v", again.Secret, err)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes := NewRecoveryCodes()
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("%d codes", len(codes))
	}
	if HashRecoveryCode(strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))) != hashes[0] {
		t.Error("case and separators change the hash")
	}
	if codes[0] == codes[1] || hashes[0] == hashes[1] {
		t.Error("codes repeat")
	}
}

// BenchmarkCheckPassword is one sign-in's password verification (argon2id,
// 19 MiB, 2 passes); the target is ≤ 250 ms.
func BenchmarkCheckPassword(b *testing.B) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !CheckPassword(h, "correct horse battery") {
			b.Fatal("refused")
		}
	}
}

// BenchmarkPolicy is one policy decision.
func BenchmarkPolicy(b *testing.B) {
	m := Member{Role: Monitor, Scope: ScopeWrite}
	for b.Loop() {
		if !m.Can(PlaceWrite) {
			b.Fatal("refused")
		}
	}
}
