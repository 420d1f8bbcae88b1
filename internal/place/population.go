package place

import (
	"time"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/fault"
)

// Snapshot is a place's population on one date: how many it can hold, how
// many it held, and how many staff were on duty or employed.
type Snapshot struct {
	ID        string    `json:"id"`
	PlaceID   string    `json:"-"`
	Date      string    `json:"date"` // YYYY-MM-DD
	Capacity  *int      `json:"capacity,omitempty"`
	Headcount *int      `json:"headcount,omitempty"`
	Staff     *int      `json:"staff,omitempty"`
	Source    string    `json:"source"` // where the figures come from: the management, a register, a report
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the date (not after today) and that figures are sensible.
func (s Snapshot) Validate(today time.Time) error {
	var f fault.Fields
	d, err := time.Parse(time.DateOnly, s.Date)
	switch {
	case s.Date == "":
		f.Add("date", "error.required")
	case err != nil:
		f.Add("date", "error.place.bad_date")
	case d.After(today.UTC()):
		f.Add("date", "error.place.future_date")
	}
	if s.Capacity == nil && s.Headcount == nil && s.Staff == nil {
		f.Add("headcount", "error.place.no_figures")
	}
	for _, n := range []struct {
		field string
		v     *int
	}{{"capacity", s.Capacity}, {"headcount", s.Headcount}, {"staff", s.Staff}} {
		if n.v != nil && (*n.v < 0 || *n.v > 1_000_000) {
			f.Add(n.field, "error.place.bad_capacity")
		}
	}
	if utf8.RuneCountInString(s.Source) > MaxOther {
		f.Add("source", "error.too_long")
	}
	return f.Err()
}

// Occupancy is headcount over capacity in percent, or -1 when unknown.
func (s Snapshot) Occupancy() int {
	if s.Capacity == nil || s.Headcount == nil || *s.Capacity == 0 {
		return -1
	}
	return *s.Headcount * 100 / *s.Capacity
}
