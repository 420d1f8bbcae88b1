package audit

import (
	"errors"
	"testing"
	"time"
)

func chain(n int) []Entry {
	var out []Entry
	prev := Entry{}
	for i := range n {
		e := Entry{At: time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC), Actor: "a@example.org", Action: LoginOK, IP: "192.0.2.1"}
		e.Seal(prev)
		out = append(out, e)
		prev = e
	}
	return out
}

func verify(entries []Entry) error {
	var v Verifier
	for _, e := range entries {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return nil
}

func TestChainVerifies(t *testing.T) {
	if err := verify(chain(5)); err != nil {
		t.Fatal(err)
	}
}

func TestTamperingIsFound(t *testing.T) {
	tests := []struct {
		name   string
		change func([]Entry) []Entry
		at     int64
	}{
		{"altered action", func(es []Entry) []Entry { es[2].Action = LoginFailed; return es }, 3},
		{"altered time", func(es []Entry) []Entry { es[0].At = es[0].At.Add(time.Second); return es }, 1},
		{"altered and rehashed", func(es []Entry) []Entry { es[1].Actor = "x"; es[1].Hash = es[1].ComputeHash(); return es }, 3},
		{"removed in the middle", func(es []Entry) []Entry { return append(es[:2:2], es[3:]...) }, 3},
		{"removed first", func(es []Entry) []Entry { return es[1:] }, 1},
	}
	for _, tt := range tests {
		err := verify(tt.change(chain(5)))
		var b *Break
		if !errors.As(err, &b) || b.Seq != tt.at {
			t.Errorf("%s: %v, want a break at %d", tt.name, err, tt.at)
		}
	}
}
