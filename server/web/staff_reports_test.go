package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
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
}
