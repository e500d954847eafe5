package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"asiointi/server/audit"
)

// TestStaffRecordsPaperMandate: an official records a paper power of
// attorney on the issue of a service they hold a role in; it is then a
// right the holder acts on (source paper), and the recording is in the
// audit log. An issue outside their services, an official with no such
// role and incomplete details are refused, and nothing is recorded.
func TestStaffRecordsPaperMandate(t *testing.T) {
	e := newEnv(t)
	const grantIssue = "http://valtuusrekisteri.suomi.fi/avustuksen_hakeminen"
	get := func(c *http.Cookie, path string) resp { return e.do(req{path: path, cookies: []*http.Cookie{c}}) }
	kaisa := e.login("kaisa") // handler of home-help, not of the grant
	page := get(kaisa, "/en/staff/mandates")
	if page.StatusCode != 200 || !strings.Contains(page.body, `<option value="`+homeHelpIssue+`">Handling social and health care matters</option>`) ||
		strings.Contains(page.body, grantIssue) {
		t.Fatalf("form: %d", page.StatusCode)
	}
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page.body)[1]
	post := func(c *http.Cookie, token string, edit func(url.Values)) resp {
		f := url.Values{"_csrf": {token}, "holder": {hetuMaria}, "principal": {hetuHelmi}, "issue": {homeHelpIssue},
			"validFrom": {"2026-11-01"}, "validTo": {"2027-10-31"}, "document": {"ESI/2026/123"}}
		if edit != nil {
			edit(f)
		}
		return e.do(req{method: "POST", path: "/en/staff/mandates", body: f.Encode(), cookies: []*http.Cookie{c}})
	}
	sara := e.login("sara") // early education and sports only
	if r := get(sara, "/en/staff/mandates"); r.StatusCode != http.StatusForbidden {
		t.Errorf("form for an official without such a role: %d", r.StatusCode)
	}
	saraToken := e.csrf(sara)
	for _, tc := range []struct {
		name string
		who  *http.Cookie
		tok  string
		edit func(url.Values)
		want int
	}{
		{"an issue outside her services", kaisa, token, func(f url.Values) { f.Set("issue", grantIssue) }, http.StatusForbidden},
		{"an official with no role in the issue's services", sara, saraToken, nil, http.StatusForbidden},
		{"no document", kaisa, token, func(f url.Values) { f.Del("document") }, http.StatusUnprocessableEntity},
		{"ends before it starts", kaisa, token, func(f url.Values) { f.Set("validTo", "2026-10-01") }, http.StatusUnprocessableEntity},
		{"an unknown holder", kaisa, token, func(f url.Values) { f.Set("holder", "010101-0101") }, http.StatusUnprocessableEntity},
		{"no csrf token", kaisa, "", nil, http.StatusForbidden},
	} {
		if r := post(tc.who, tc.tok, tc.edit); r.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, r.StatusCode, tc.want)
		}
	}
	if entries, _ := audit.Entries(e.st, 0); len(entries) != 0 {
		t.Fatalf("refusals were recorded: %+v", entries)
	}
	maria := e.client(hetuMaria)
	if r, _ := maria.call("GET", "/api/v1/me/principals", nil); strings.Contains(r.body, "Helmi") {
		t.Fatalf("Maria acts for Helmi before the recording: %s", r.body)
	}
	if r := post(kaisa, token, nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/en/staff/mandates?saved=1" {
		t.Fatalf("record: %d %s", r.StatusCode, r.body)
	}
	if r, _ := maria.call("GET", "/api/v1/me/principals", nil); !strings.Contains(r.body, `"name":"Helmi Korhonen"`) || !strings.Contains(r.body, `"source":"paper"`) {
		t.Errorf("Maria's principals after the recording: %s", r.body)
	}
	entries, _ := audit.Entries(e.st, 0)
	if len(entries) != 1 || entries[0].Action != audit.ActionPaperMandate || entries[0].Actor.ID != "kaisa" || entries[0].Detail["document"] != "ESI/2026/123" {
		t.Errorf("audit log: %+v", entries)
	}
}
