package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"asiointi/server/cases"
)

// TestReportPages: a manager sees the live situation with the new case,
// every report page and its downloads; the CSV (both separators) and the
// XLSX read back to the same numbers as the JSON; a handler is refused
// another service's report (403), and an unknown report is 404.
func TestReportPages(t *testing.T) {
	e := newEnv(t)
	e.submitSportsShift(e.client("030392-974H"))
	pertti := e.login("pertti")
	kaisa := e.login("kaisa")
	get := func(c *http.Cookie, path string) resp {
		return e.do(req{path: path, cookies: []*http.Cookie{c}, headers: map[string]string{"Accept": "application/json"}})
	}
	page := e.do(req{path: "/fi/staff/reports", cookies: []*http.Cookie{pertti}})
	if page.StatusCode != 200 || !strings.Contains(page.body, `id="reports-live" data-live`) || !strings.Contains(page.body, "<svg") ||
		!strings.Contains(page.body, "Vuorot liikuntatiloihin") && !strings.Contains(page.body, "Liikunta") {
		t.Fatalf("situation page %d:\n%.400s", page.StatusCode, page.body)
	}
	for _, name := range []string{"trends", "deviations", "answers"} {
		for _, lang := range []string{"fi", "sv", "en"} {
			if r := e.do(req{path: "/" + lang + "/staff/reports/" + name, cookies: []*http.Cookie{pertti}}); r.StatusCode != 200 {
				t.Errorf("%s %s: %d", lang, name, r.StatusCode)
			}
		}
	}
	res := get(pertti, "/api/v1/reports/situation?service=sports-shift")
	var sit struct {
		Total struct {
			Open  int `json:"open"`
			Today int `json:"inflowToday"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(res.body), &sit); err != nil || sit.Total.Open != 1 || sit.Total.Today != 1 {
		t.Fatalf("situation JSON %d %s", res.StatusCode, res.body)
	}
	// The table: service, submitted, in progress, supplement, open, …
	for _, tc := range []struct {
		format string
		sep    rune
	}{{"csv", ','}, {"csv-semicolon", ';'}} {
		r := get(pertti, "/api/v1/reports/situation?service=sports-shift&format="+tc.format)
		if !strings.HasPrefix(r.body, "\ufeff") {
			t.Fatalf("%s: no BOM", tc.format)
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff")))
		cr.Comma = tc.sep
		rows, err := cr.ReadAll()
		if err != nil || len(rows) != 3 || rows[1][4] != "1" || rows[2][4] != "1" {
			t.Errorf("%s: %v %q", tc.format, err, rows)
		}
	}
	r := get(pertti, "/api/v1/reports/situation?service=sports-shift&format=xlsx")
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) != 3 || rows[1][4] != "1" || rows[2][8] != "1" {
		t.Errorf("xlsx: %v %q", err, rows)
	}
	// The unit filter: the sports unit has the sports shifts only.
	var tr struct{ Services []string }
	if r := get(pertti, "/api/v1/reports/trends?unit=sports&handler=sara"); json.Unmarshal([]byte(r.body), &tr) != nil ||
		len(tr.Services) != 1 || tr.Services[0] != "sports-shift" {
		t.Errorf("trends of the sports unit: %s", r.body)
	}
	for _, tc := range []struct {
		who  *http.Cookie
		path string
		want int
	}{
		{kaisa, "/api/v1/reports/trends?service=sports-shift", http.StatusForbidden},
		{kaisa, "/fi/staff/reports/trends?service=sports-shift", http.StatusForbidden},
		{kaisa, "/api/v1/reports/trends?service=early-education", http.StatusOK},
		{pertti, "/api/v1/reports/nothing", http.StatusNotFound},
		{pertti, "/fi/staff/reports/nothing", http.StatusNotFound},
		{pertti, "/api/v1/reports/answers?service=sports-shift", http.StatusUnprocessableEntity}, // one person
		{e.login("aaro"), "/api/v1/reports/situation", http.StatusForbidden},
	} {
		if r := e.do(req{path: tc.path, cookies: []*http.Cookie{tc.who}}); r.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.path, r.StatusCode, tc.want)
		}
	}

	// Five persons: the group types crossed with the weekday (all five
	// informal, on Tuesday), as a page, JSON, CSV and XLSX.
	for range 4 {
		e.submitSportsShift(e.client("030392-974H"))
	}
	const crossed = "?service=sports-shift&concept=group.type&by=booking.weekday"
	page = e.do(req{path: "/en/staff/reports/answers" + crossed, cookies: []*http.Cookie{pertti}})
	if page.StatusCode != 200 || !strings.Contains(page.body, `id="r-by"`) || !strings.Contains(page.body, `id="chart-cross-title"`) ||
		!strings.Contains(page.body, `<option value="booking.weekday" selected>`) {
		t.Fatalf("crossed answers page %d:\n%.600s", page.StatusCode, page.body)
	}
	var ans struct {
		Reports []struct {
			By    string
			Cross []struct {
				Value, By string
				Count     struct{ N int }
			}
		}
	}
	if r := get(pertti, "/api/v1/reports/answers"+crossed); json.Unmarshal([]byte(r.body), &ans) != nil || len(ans.Reports) != 1 ||
		ans.Reports[0].By != "booking.weekday" || len(ans.Reports[0].Cross) != 1 || ans.Reports[0].Cross[0].Value != "informal" ||
		ans.Reports[0].Cross[0].By != "tue" || ans.Reports[0].Cross[0].Count.N != 5 {
		t.Errorf("crossed answers JSON: %s", r.body)
	}
	// Table 0 is the group types, table 1 the crossing: a row per type,
	// a column per weekday.
	r = get(pertti, "/api/v1/reports/answers"+crossed+"&format=csv-semicolon&table=1")
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff")))
	cr.Comma = ';'
	if rows, err := cr.ReadAll(); err != nil || len(rows) != 2 || len(rows[0]) != 2 || rows[1][1] != "5" {
		t.Errorf("crossed CSV: %v %q", err, rows)
	}
	r = get(pertti, "/api/v1/reports/answers"+crossed+"&format=xlsx&table=1")
	if f, err := excelize.OpenReader(bytes.NewReader([]byte(r.body))); err != nil {
		t.Error(err)
	} else if rows, err := f.GetRows(f.GetSheetName(0)); err != nil || len(rows) != 2 || rows[1][1] != "5" {
		t.Errorf("crossed xlsx: %v %q", err, rows)
	}
	for _, path := range []string{
		"/api/v1/reports/answers?by=booking.weekday",                // nothing to cross
		"/api/v1/reports/answers?concept=group.type&by=group.type",  // with itself
		"/api/v1/reports/answers?concept=group.type&by=person.hetu", // no service asks both
	} {
		if r := get(pertti, path); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, r.StatusCode)
		}
	}
}

// TestDeviationChart: the deviations page draws each flag's value beside
// what is usual, with a title, a description and a legend, and the table
// of the same figures.
func TestDeviationChart(t *testing.T) {
	e := newEnv(t)
	secs := e.s.deviationTables("en", []cases.Deviation{
		{Kind: cases.DeviationSpike, Service: "sports-shift", Week: "2027-01-25", Value: 30, Low: 2, High: 12, Median: 7},
		{Kind: cases.DeviationOverdue, Service: "sports-shift", Value: 9, Before: 4},
		{Kind: cases.DeviationQueue, Service: "sports-shift", Handler: "sara", Value: 40, Median: 6},
	})
	if len(secs) != 1 || secs[0].Chart == nil || len(secs[0].Table.Rows) != 3 || len(secs[0].Links) != 3 {
		t.Fatalf("sections: %+v", secs)
	}
	var got []string
	for _, b := range secs[0].Chart.Bars {
		got = append(got, fmt.Sprintf("%s|%g|%s|%d", b.Label, b.Value, b.Text, b.Series))
	}
	want := []string{
		"Apply for a sports facility slot: arrivals spike|30|30|0", "Apply for a sports facility slot: arrivals spike|12|2–12|1",
		"Apply for a sports facility slot: overdue growth|9|9|0", "Apply for a sports facility slot: overdue growth|4|4 a week ago|1",
		"Apply for a sports facility slot: queue of sara|40|40|0", "Apply for a sports facility slot: queue of sara|6|median 6 applications|1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bars:\n%q\nwant\n%q", got, want)
	}
	// The plural messages take the figures (a float64 count showed the
	// message's id).
	if u := secs[0].Table.Rows[1][3].String(false); u != "4 a week ago" {
		t.Errorf("usually: %q", u)
	}
	svg := string(secs[0].Chart.SVG())
	for _, w := range []string{`role="img"`, `<title id="chart-deviations-title">Flagged figures against the usual</title>`,
		`<desc id="chart-deviations-desc">`, ">Value</text>", ">Usually</text>"} {
		if !strings.Contains(svg, w) {
			t.Errorf("the chart lacks %s:\n%s", w, svg)
		}
	}
}
