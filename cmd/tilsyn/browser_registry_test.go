package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPlaceRecord opens a demo place, reads its population chart and
// table, edits the record (a wrong number first), adds population figures
// (a future date first) and reads the history, with axe-core on every page.
func TestBrowserPlaceRecord(t *testing.T) {
	b := newBrowser(t)
	b.signIn()
	b.goToPlaces()
	b.load("open the first place", chromedp.Click(chromedp.CSS(`#places-table tbody tr:first-child a`)))
	b.checkPage("place page")
	if n := eval[int](b, "count chart lines", `document.querySelectorAll('svg.chart path.line').length`); n != 3 {
		t.Errorf("the chart has %d lines, want headcount, capacity and staff", n)
	}
	if n := eval[int](b, "count population rows", `document.querySelectorAll('#population-section tbody tr').length`); n != 4 {
		t.Errorf("the population table has %d rows, want the 4 demo years", n)
	}
	if title := eval[string](b, "chart title", `document.querySelector('svg.chart title').textContent`); title != b.en.T("population.chart_title") {
		t.Errorf("chart title %q", title)
	}
	b.teamShot("place-page")
	placePath := b.location().Path

	// Edit: a capacity that is not a number comes back beside the field, with what was typed.
	b.load("open the edit form", chromedp.Click(chromedp.CSS(`.page-head a.button`)))
	b.checkPage("edit form")
	b.do("type a bad capacity and another name",
		chromedp.SetValue(chromedp.ID("capacity"), "many"),
		chromedp.SetValue(chromedp.ID("name-lang-1"), "se"),
		chromedp.SetValue(chromedp.ID("name-other-1"), "Sámegiella namma"),
	)
	if resp := b.load("submit", chromedp.Submit(chromedp.ID("name"))); resp.Status != 422 {
		t.Fatalf("bad capacity: %d", resp.Status)
	}
	b.checkPage("edit form with an error")
	if got := b.text("#capacity-error"); !strings.Contains(got, b.en.T("error.place.bad_number")) {
		t.Errorf("capacity error %q", got)
	}
	if v := eval[string](b, "read the kept name", `document.getElementById('name-other-1').value`); v != "Sámegiella namma" {
		t.Errorf("the form lost the typed name: %q", v)
	}
	b.teamShot("place-form-error")
	b.do("fix the capacity", chromedp.SetValue(chromedp.ID("capacity"), "480"))
	if resp := b.load("submit", chromedp.Submit(chromedp.ID("name"))); resp.Status != 200 || b.location().Path != placePath {
		t.Fatalf("save: %d at %s", resp.Status, b.location())
	}
	if !strings.Contains(b.text("main .status-line"), "Sámegiella namma") {
		t.Error("the other name is not shown under the heading")
	}
	history := b.text("main ol.history li:first-child")
	if !strings.Contains(history, "2") || !strings.Contains(history, b.en.T("place.field.capacity")) || !strings.Contains(history, b.en.T("place.field.names")) {
		t.Errorf("history's newest entry %q does not name version 2 and the changed fields", history)
	}

	// Population figures: a future date is refused, then a good one is added.
	b.do("open the population form", chromedp.Click(chromedp.CSS(`details.add-form summary`)))
	b.do("type figures for a future date",
		chromedp.SetValue(chromedp.ID("pop-date"), "2999-01-01"),
		chromedp.SetValue(chromedp.ID("pop-headcount"), "470"),
	)
	if resp := b.load("submit figures", chromedp.Submit(chromedp.ID("pop-date"))); resp.Status != 422 {
		t.Fatalf("future date: %d", resp.Status)
	}
	b.checkPage("population form with an error")
	if got := b.text("#pop-date-error"); !strings.Contains(got, b.en.T("error.place.future_date")) {
		t.Errorf("date error %q", got)
	}
	b.do("fix the date", chromedp.SetValue(chromedp.ID("pop-date"), "2026-01-20"))
	if resp := b.load("submit figures", chromedp.Submit(chromedp.ID("pop-date"))); resp.Status != 200 {
		t.Fatalf("figures: %d", resp.Status)
	}
	if n := eval[int](b, "count population rows", `document.querySelectorAll('#population-section tbody tr').length`); n != 5 {
		t.Errorf("after adding figures the table has %d rows, want 5", n)
	}
	b.checkPage("place page after adding figures")

	// The due list and the import form, with the browser's eyes.
	b.load("open the due list", chromedp.Navigate(b.base+"/places/due"))
	b.checkPage("due list")
	if n := eval[int](b, "count due rows", `document.querySelectorAll('#due-table tbody tr').length`); n < 10 {
		t.Errorf("the due list shows %d places", n)
	}
	b.teamShot("due-list")
	b.load("open the import form", chromedp.Navigate(b.base+"/places/import"))
	b.checkPage("import form")
	b.teamShot("import-form")
}
