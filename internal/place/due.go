package place

import (
	"sort"
	"time"
)

// DefaultIntervals are how many months may pass between visits to each type
// of place, until an organisation sets its own: places where people are
// most at risk (children, migrants, police custody, isolation) more often.
var DefaultIntervals = map[Type]int{
	"POL-CUS": 24, "POL-ADM": 24, "PTD": 24, "PRI": 36, "PRI-ISO": 24, "PRI-MED": 24,
	"JUV": 12, "MIG": 12, "PSY": 24, "SOC": 36, "SUB": 24, "MIL": 36, "OTH": 48,
}

// Candidate is what ranking knows about a place.
type Candidate struct {
	Place        Place
	LastVisit    *time.Time // nil: never visited (by this organisation)
	Occupancy    int        // latest headcount over capacity in percent; -1 unknown
	OpenFindings int        // unresolved findings of earlier visits
	Allegations  int        // allegations of ill-treatment recorded there
}

// Reason says why a place is due, as a message id and its number.
type Reason struct {
	Code  string // "due.reason.never", "due.reason.overdue", "due.reason.crowded", …
	Count int    // months overdue, occupancy percent, findings or allegations
}

// Due is a ranked place with the reasons for its rank.
type Due struct {
	Candidate
	Interval int // months
	Score    float64
	Reasons  []Reason
}

// Rank scores every candidate and returns those due or at risk, most
// urgent first. The score adds: time since the last visit as a share of the
// interval (a place never visited counts as twice its interval), crowding
// above capacity, open findings and allegations. A place is listed when its
// score reaches 1 — its interval has passed — or something else puts it at
// risk.
func Rank(cands []Candidate, intervals map[Type]int, now time.Time) []Due {
	var out []Due
	for _, c := range cands {
		d := Due{Candidate: c, Interval: intervals[c.Place.Type]}
		if d.Interval <= 0 {
			d.Interval = DefaultIntervals[c.Place.Type]
		}
		if d.Interval <= 0 {
			d.Interval = 36
		}
		if c.LastVisit == nil {
			d.Score += 2
			d.Reasons = append(d.Reasons, Reason{Code: "due.reason.never"})
		} else {
			months := monthsBetween(*c.LastVisit, now)
			d.Score += float64(months) / float64(d.Interval)
			if months >= d.Interval {
				d.Reasons = append(d.Reasons, Reason{Code: "due.reason.overdue", Count: months - d.Interval})
			}
		}
		if c.Occupancy > 100 {
			d.Score += float64(c.Occupancy-100) / 25
			d.Reasons = append(d.Reasons, Reason{Code: "due.reason.crowded", Count: c.Occupancy})
		}
		if c.OpenFindings > 0 {
			d.Score += 0.1 * float64(c.OpenFindings)
			d.Reasons = append(d.Reasons, Reason{Code: "due.reason.findings", Count: c.OpenFindings})
		}
		if c.Allegations > 0 {
			d.Score += 0.5 * float64(c.Allegations)
			d.Reasons = append(d.Reasons, Reason{Code: "due.reason.allegations", Count: c.Allegations})
		}
		if d.Score >= 1 || c.Occupancy > 100 || c.Allegations > 0 {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return Fold(out[i].Place.Name) < Fold(out[j].Place.Name)
	})
	return out
}

// monthsBetween counts the whole calendar months from a to b.
func monthsBetween(a, b time.Time) int {
	a, b = a.UTC(), b.UTC()
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return max(0, m)
}
