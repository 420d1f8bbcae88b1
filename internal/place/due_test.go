package place

import (
	"testing"
	"time"
)

func TestRank(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ago := func(months int) *time.Time { v := now.AddDate(0, -months, 0); return &v }
	cands := []Candidate{
		{Place: Place{Name: "Visited last month", Type: "PRI"}, LastVisit: ago(1), Occupancy: 90},
		{Place: Place{Name: "Prison overdue by three years", Type: "PRI"}, LastVisit: ago(60), Occupancy: -1},
		{Place: Place{Name: "Children's home never visited", Type: "JUV"}, Occupancy: -1},
		{Place: Place{Name: "Crowded remand", Type: "PTD"}, LastVisit: ago(6), Occupancy: 160},
		{Place: Place{Name: "Allegations", Type: "POL-CUS"}, LastVisit: ago(3), Occupancy: -1, Allegations: 2},
	}
	got := Rank(cands, map[Type]int{"PRI": 24}, now)
	var names []string
	for _, d := range got {
		names = append(names, d.Place.Name)
	}
	want := []string{"Crowded remand", "Prison overdue by three years", "Children's home never visited", "Allegations"}
	if len(names) != len(want) {
		t.Fatalf("ranked %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("ranked %q, want %q", names, want)
		}
	}
	// The organisation's interval (24 months for prisons) is used, and the reasons say why.
	if d := got[1]; d.Interval != 24 || d.Reasons[0].Code != "due.reason.overdue" || d.Reasons[0].Count != 36 {
		t.Errorf("overdue prison: %+v", d)
	}
	if d := got[0]; d.Reasons[len(d.Reasons)-1].Code != "due.reason.crowded" || d.Reasons[len(d.Reasons)-1].Count != 160 {
		t.Errorf("crowded: %+v", d.Reasons)
	}
	if d := got[2]; d.Interval != 12 || d.Reasons[0].Code != "due.reason.never" {
		t.Errorf("default interval for children's homes: %+v", d)
	}
}
