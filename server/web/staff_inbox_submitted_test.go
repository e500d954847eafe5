package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
)

// TestInboxSubmittedFilter: the inbox page and GET /api/v1/handler/cases
// list the cases submitted on the Helsinki days asked (both included:
// from 00.00 of the first to 00.00 after the last), with the other
// filters, an exact total and paging that keeps the filter; someone
// without a role in the service gets none of its cases, a resident is
// refused.
func TestInboxSubmittedFilter(t *testing.T) {
	e := newEnv(t) // Monday 23.11.2026 12.00 in Helsinki
	submit := func() string { return e.submitSportsShift(e.client("030392-974H")) }
	a := submit()
	e.clock.Add(6*24*time.Hour + 11*time.Hour + 59*time.Minute + 59*time.Second) // Sunday 29.11. 23.59.59
	b := submit()
	e.clock.Add(time.Second) // Monday 30.11. 00.00.00
	c := submit()
	sara, kaisa := e.login("sara"), e.login("kaisa")
	api := func(who *http.Cookie, query string) (resp, []string) {
		t.Helper()
		r := e.do(req{path: "/api/v1/handler/cases?" + query, cookies: []*http.Cookie{who}})
		var rows []struct{ ID string }
		if r.StatusCode == 200 {
			if err := json.Unmarshal([]byte(r.body), &rows); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		var ids []string
		for _, row := range rows {
			ids = append(ids, row.ID)
		}
		slices.Sort(ids)
		return r, ids
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	tests := []struct {
		who   *http.Cookie
		query string
		want  []string
	}{
		{sara, "status=all&submittedFrom=2026-11-23&submittedTo=2026-11-29", sorted(a, b)},
		{sara, "submittedFrom=2026-11-23&submittedTo=2026-11-29", sorted(a, b)}, // open ones: all are
		{sara, "status=all&service=sports-shift&submittedFrom=2026-11-29&submittedTo=2026-11-30", sorted(b, c)},
		{sara, "status=all&submittedFrom=2026-11-30", []string{c}}, // through today
		{sara, "status=all&submittedFrom=2026-11-24&submittedTo=2026-11-28", nil},
		{sara, "status=decided&submittedFrom=2026-11-23&submittedTo=2026-11-30", nil},
		{sara, "handler=unassigned&submittedFrom=2026-11-23&submittedTo=2026-11-30", sorted(a, b, c)},
		{sara, "handler=mine&submittedFrom=2026-11-23&submittedTo=2026-11-30", nil},
		{sara, "customer=Maria&submittedFrom=2026-11-23&submittedTo=2026-11-29", sorted(a, b)},
		{kaisa, "status=all&service=sports-shift&submittedFrom=2026-11-23&submittedTo=2026-11-30", nil}, // not her service
		{kaisa, "status=all&submittedFrom=2026-11-23&submittedTo=2026-11-30", nil},
	}
	for _, tc := range tests {
		r, got := api(tc.who, tc.query)
		if r.StatusCode != 200 || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %d %v, want %v", tc.query, r.StatusCode, got, tc.want)
		}
		if r.StatusCode == 200 && r.Header.Get("X-Total-Count") != strconv.Itoa(len(tc.want)) {
			t.Errorf("%s: X-Total-Count %q, want %d", tc.query, r.Header.Get("X-Total-Count"), len(tc.want))
		}
	}
	// Paging keeps the filter: one case a page.
	week := "status=all&submittedFrom=2026-11-23&submittedTo=2026-11-29&perPage=1"
	r1, p1 := api(sara, week)
	if len(p1) != 1 || !strings.Contains(r1.Header.Get("Link"), "submittedFrom=2026-11-23") || !strings.Contains(r1.Header.Get("Link"), "page=2") {
		t.Fatalf("page 1: %v, Link %q", p1, r1.Header.Get("Link"))
	}
	r2, p2 := api(sara, week+"&page=2")
	if len(p2) != 1 || p2[0] == p1[0] || r2.Header.Get("Link") != "" || !slices.Contains([]string{a, b}, p2[0]) {
		t.Errorf("page 2: %v after %v, Link %q", p2, p1, r2.Header.Get("Link"))
	}
	// The page: the cases of the week, the days kept in the form.
	page := e.do(req{path: "/en/staff?status=all&submittedFrom=2026-11-23&submittedTo=2026-11-29", cookies: []*http.Cookie{sara}})
	if page.StatusCode != 200 || !strings.Contains(page.body, "/en/staff/cases/"+a) || !strings.Contains(page.body, "/en/staff/cases/"+b) ||
		strings.Contains(page.body, "/en/staff/cases/"+c) || !strings.Contains(page.body, `name="submittedFrom" type="date" value="2026-11-23"`) ||
		!strings.Contains(page.body, "2 applications.") || !strings.Contains(page.body, "Submitted from") {
		t.Errorf("inbox page %d:\n%s", page.StatusCode, page.body)
	}
	// A resident is refused the API and the page.
	maria := e.login("030392-974H")
	if r, _ := api(maria, "submittedFrom=2026-11-23&submittedTo=2026-11-29"); r.StatusCode != http.StatusForbidden {
		t.Errorf("resident: %d", r.StatusCode)
	}
	if r := e.do(req{path: "/en/staff?submittedFrom=2026-11-23", cookies: []*http.Cookie{maria}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("resident's page: %d", r.StatusCode)
	}
}

// TestInboxSubmittedHostileInput: a submitted filter that is not a range
// of days the inbox takes is a 400 with the API's error shape and, on the
// page, the error summary and the field marked, in the reader's
// language; never a crash, and what was typed is shown escaped.
func TestInboxSubmittedHostileInput(t *testing.T) {
	e := newEnv(t) // Monday 23.11.2026
	sara := e.login("sara")
	long := strings.Repeat("9", 2000)
	tests := []struct {
		query, field, says string
	}{
		{"submittedFrom=garbage", "from", "Submitted from: enter a date between 2000 and 2099 as yyyy-mm-dd"},
		{"submittedFrom=2026-02-30&submittedTo=2026-03-01", "from", "Submitted from: enter a date"},
		{"submittedFrom=2026-11-01&submittedTo=30.11.2026", "to", "Submitted to: enter a date"},
		{"submittedFrom=2026-11-23T00:00:00Z", "from", "Submitted from: enter a date"},
		{"submittedFrom=" + url.QueryEscape("<script>alert(1)</script>"), "from", "Submitted from: enter a date"},
		{"submittedFrom=%00", "from", "Submitted from: enter a date"},
		{"submittedFrom=" + long, "from", "Submitted from: enter a date"},
		{"submittedFrom=-2026-11-23", "from", "Submitted from: enter a date"},
		{"submittedFrom=0001-01-01&submittedTo=9999-12-31", "from", "Submitted from: enter a date between 2000 and 2099"},
		{"submittedFrom=2026-11-29&submittedTo=2026-11-23", "to", "Submitted to: the last day is before the first day."},
		{"submittedFrom=2020-01-01&submittedTo=2026-11-23", "to", "Submitted to: choose at most 366 days."},
		{"submittedFrom=2025-01-01", "from", "Submitted from: choose at most 366 days."},
		{"submittedTo=2026-11-23", "from", "Submitted from: enter the first day as well."},
		{"submittedFrom=2026-11-23&submittedFrom=garbage&submittedTo=2026-11-23", "", ""}, // the first one counts
	}
	for _, tc := range tests {
		t.Run(tc.query[:min(len(tc.query), 60)], func(t *testing.T) {
			r := e.do(req{path: "/api/v1/handler/cases?" + tc.query, cookies: []*http.Cookie{sara}, headers: map[string]string{"Accept-Language": "en"}})
			var body struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal([]byte(r.body), &body)
			if tc.says == "" {
				if r.StatusCode != 200 {
					t.Errorf("API %d %s", r.StatusCode, r.body)
				}
				return
			}
			if r.StatusCode != http.StatusBadRequest || body.Error.Code != "bad-request" || !strings.HasPrefix(body.Error.Message, tc.says) {
				t.Errorf("API %d %s, want 400 %q", r.StatusCode, r.body, tc.says)
			}
			p := e.do(req{path: "/en/staff?" + tc.query, cookies: []*http.Cookie{sara}})
			for _, w := range []string{`class="error-summary"`, `<a href="#f-submitted-` + tc.field + `">` + tc.says,
				`id="f-submitted-` + tc.field + `-error"`, `aria-describedby="f-submitted-hint f-submitted-` + tc.field + `-error" aria-invalid="true"`} {
				if !strings.Contains(p.body, w) {
					t.Errorf("page %d lacks %s", p.StatusCode, w)
				}
			}
			if p.StatusCode != http.StatusUnprocessableEntity || strings.Contains(p.body, "<script>alert(1)") {
				t.Errorf("page %d", p.StatusCode)
			}
		})
	}
	// In Swedish and Finnish.
	for _, tc := range []struct{ lang, says string }{
		{"sv", "Inkommen till och med: den sista dagen är före den första."},
		{"fi", "Saapunut viimeistään: viimeinen päivä on ennen ensimmäistä."},
	} {
		p := e.do(req{path: "/" + tc.lang + "/staff?submittedFrom=2026-11-29&submittedTo=2026-11-23", cookies: []*http.Cookie{sara}})
		if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.body, tc.says) {
			t.Errorf("%s page %d lacks %q", tc.lang, p.StatusCode, tc.says)
		}
	}
}

// TestDeviationLinks: each deviation links to the inbox view of exactly
// the cases behind it (cases.Deviation.Behind): the spike to the
// service's cases submitted Monday to Sunday of the week in Helsinki, in
// every status; and inboxArgs reads back as the same filter.
func TestDeviationLinks(t *testing.T) {
	e := newEnv(t)
	hel := datefmt.Helsinki()
	monday := time.Date(2026, 3, 23, 0, 0, 0, 0, hel) // the week the clocks go forward
	secs := e.s.deviationTables("en", []cases.Deviation{
		{Kind: cases.DeviationSpike, Service: "sports-shift", Week: "2026-03-23", Value: 30, High: 12,
			Behind: cases.InboxFilter{Service: "sports-shift", Status: "all", SubmittedFrom: monday, SubmittedTo: monday.AddDate(0, 0, 7)}},
		{Kind: cases.DeviationOverdue, Service: "sports-shift", Value: 9, Before: 4, Behind: cases.InboxFilter{Service: "sports-shift", Overdue: true}},
		{Kind: cases.DeviationQueue, Service: "sports-shift", Handler: "sara", Value: 40, Median: 6, Behind: cases.InboxFilter{Service: "sports-shift", Handler: "sara"}},
	})
	want := []string{
		"/en/staff?service=sports-shift&status=all&submittedFrom=2026-03-23&submittedTo=2026-03-29",
		"/en/staff?overdue=1&service=sports-shift",
		"/en/staff?handler=sara&service=sports-shift",
	}
	if len(secs) != 1 || !reflect.DeepEqual(secs[0].Links, want) {
		t.Fatalf("links %q\nwant %q", secs[0].Links, want)
	}
	// Read back by the inbox as the filter it was made from.
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, f := range []cases.InboxFilter{
		{Service: "sports-shift", Status: "all", SubmittedFrom: monday, SubmittedTo: monday.AddDate(0, 0, 7)},
		{SubmittedFrom: time.Date(2026, 10, 19, 0, 0, 0, 0, hel), SubmittedTo: time.Date(2026, 10, 26, 0, 0, 0, 0, hel), Desc: true, Page: 2, PerPage: 10},
		{Handler: "sara", Overdue: true, DueBefore: time.Date(2026, 11, 1, 0, 0, 0, 0, hel), Customer: "Maria Mallikas"},
		{},
	} {
		app := fiber.New()
		var got cases.InboxFilter
		var err error
		app.Get("/", func(c *fiber.Ctx) error { got, err = inboxFilter(c, now); return nil })
		if _, e := app.Test(httptest.NewRequest("GET", "/?"+inboxArgs(f).Encode(), nil)); e != nil {
			t.Fatal(e)
		}
		if err != nil || !sameFilter(got, f) {
			t.Errorf("%+v read back as %+v (%v)", f, got, err)
		}
	}
	// The queue's link shows that handler chosen in the form.
	p := e.do(req{path: want[2], cookies: []*http.Cookie{e.login("pertti")}})
	if p.StatusCode != 200 || !strings.Contains(p.body, `<option value="sara" selected>Sara Sjöberg</option>`) {
		t.Errorf("queue link page %d", p.StatusCode)
	}
}

// sameFilter compares two inbox filters, times by instant.
func sameFilter(a, b cases.InboxFilter) bool {
	return a.SubmittedFrom.Equal(b.SubmittedFrom) && a.SubmittedTo.Equal(b.SubmittedTo) && a.DueBefore.Equal(b.DueBefore) &&
		a.Service == b.Service && a.Status == b.Status && a.Handler == b.Handler && a.Customer == b.Customer &&
		a.Overdue == b.Overdue && a.Desc == b.Desc && a.Page == b.Page && a.PerPage == b.PerPage
}
