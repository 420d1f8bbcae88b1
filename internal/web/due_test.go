package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tilsyn/tilsyn/internal/place"
)

func TestDueList(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		crowded := f.places["Bergen fengsel"]
		capacity, head := 100, 160
		if _, err := f.db.AddPopulation(ctx, f.org.ID, crowded.ID, place.Snapshot{Date: "2026-01-10", Capacity: &capacity, Headcount: &head}, "", f.now); err != nil {
			t.Fatal(err)
		}
		_, monitor := f.login("monitor@example.org", testPassword)
		body := readBody(t, f.do(request{method: "GET", path: "/places/due", cookie: monitor}))
		first := strings.Index(body, "Bergen fengsel")
		other := strings.Index(body, "Åstorp polisarrest")
		if first < 0 || other < 0 || first > other {
			t.Errorf("the crowded place does not come first")
		}
		for _, want := range []string{"crowded: 160 % of capacity", "never visited", "3 places are due or at risk", "36 months"} {
			if !strings.Contains(body, want) {
				t.Errorf("due page lacks %q", want)
			}
		}
		if strings.Contains(body, "Kresty") {
			t.Error("another organisation's place is listed")
		}
		filtered := readBody(t, f.do(request{method: "GET", path: "/places/due?country=LT", cookie: monitor}))
		if !strings.Contains(filtered, "1 place is due or at risk") {
			t.Error("the country filter does not apply")
		}

		// A monitor cannot change the intervals; the admin can, and bad ones are refused.
		if resp := f.do(request{method: "POST", path: "/places/intervals", cookie: monitor, form: url.Values{"months-PRI": {"12"}}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("monitor sets intervals: %d", resp.StatusCode)
		}
		_, admin := f.login("admin@example.org", testPassword)
		resp := f.do(request{method: "POST", path: "/places/intervals", cookie: admin, form: url.Values{"months-PRI": {"0"}, "months-PTD": {"many"}}})
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="months-PRI-error"`) || !strings.Contains(body, `id="months-PTD-error"`) || !strings.Contains(body, `value="many"`) {
			t.Errorf("bad intervals: %d", resp.StatusCode)
		}
		if got, _ := f.db.Intervals(ctx, f.org.ID); len(got) != 0 {
			t.Errorf("bad intervals were stored: %v", got)
		}
		if resp := f.do(request{method: "POST", path: "/places/intervals", cookie: admin, form: url.Values{"months-PRI": {"12"}}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("set intervals: %d", resp.StatusCode)
		}
		if got, _ := f.db.Intervals(ctx, f.org.ID); got["PRI"] != 12 || len(got) != 1 {
			t.Errorf("intervals %v", got)
		}
		if body := readBody(t, f.do(request{method: "GET", path: "/places/due?country=NO", cookie: admin})); !strings.Contains(body, "12 months") {
			t.Error("the due list does not use the organisation's interval")
		}
	})
}
