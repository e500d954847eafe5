package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"asiointi/server/audit"
	"asiointi/server/identity"
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
	scan := []byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
	post := func(c *http.Cookie, token string, edit func(url.Values), file []byte) resp {
		f := url.Values{"_csrf": {token}, "holder": {hetuMaria}, "principal": {hetuHelmi}, "issue": {homeHelpIssue},
			"validFrom": {"2026-11-01"}, "validTo": {"2027-10-31"}, "document": {"ESI/2026/123"}}
		if edit != nil {
			edit(f)
		}
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, vs := range f {
			for _, v := range vs {
				w.WriteField(k, v)
			}
		}
		if file != nil {
			fw, _ := w.CreateFormFile("scan", "valtakirja.pdf")
			fw.Write(file)
		}
		w.Close()
		return e.do(req{method: "POST", path: "/en/staff/mandates", body: buf.String(), ctype: w.FormDataContentType(), cookies: []*http.Cookie{c}})
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
		file []byte
		want int
	}{
		{"an issue outside her services", kaisa, token, func(f url.Values) { f.Set("issue", grantIssue) }, scan, http.StatusForbidden},
		{"an official with no role in the issue's services", sara, saraToken, nil, scan, http.StatusForbidden},
		{"no document", kaisa, token, func(f url.Values) { f.Del("document") }, scan, http.StatusUnprocessableEntity},
		{"no scan", kaisa, token, nil, nil, http.StatusUnprocessableEntity},
		{"a scan of another type", kaisa, token, nil, []byte("<html><script>alert(1)</script></html>"), http.StatusUnsupportedMediaType},
		{"a scan over the limit", kaisa, token, nil, append(append([]byte(nil), scan...), make([]byte, identity.ScanLimit)...), http.StatusRequestEntityTooLarge},
		{"ends before it starts", kaisa, token, func(f url.Values) { f.Set("validTo", "2026-10-01") }, scan, http.StatusUnprocessableEntity},
		{"an unknown holder", kaisa, token, func(f url.Values) { f.Set("holder", "010101-0101") }, scan, http.StatusUnprocessableEntity},
		{"no csrf token", kaisa, "", nil, scan, http.StatusForbidden},
	} {
		if r := post(tc.who, tc.tok, tc.edit, tc.file); r.StatusCode != tc.want {
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
	if r := post(kaisa, token, nil, scan); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/en/staff/mandates?saved=1" {
		t.Fatalf("record: %d %s", r.StatusCode, r.body)
	}
	if r, _ := maria.call("GET", "/api/v1/me/principals", nil); !strings.Contains(r.body, `"name":"Helmi Korhonen"`) || !strings.Contains(r.body, `"source":"paper"`) {
		t.Errorf("Maria's principals after the recording: %s", r.body)
	}
	entries, _ := audit.Entries(e.st, 0)
	if len(entries) != 1 || entries[0].Action != audit.ActionPaperMandate || entries[0].Actor.ID != "kaisa" || entries[0].Detail["document"] != "ESI/2026/123" {
		t.Errorf("audit log: %+v", entries)
	}

	// The scan: the holder's and the principal's in their data, and the
	// officials' who may record one on its issue, on the case page of an
	// application sent by it; nobody else's.
	helmi := e.client(hetuHelmi)
	_, md := helmi.myData("")
	var link string
	for _, m := range md.Mandates {
		if m.Direction == "given" && m.Scan != nil && m.Document == "ESI/2026/123" {
			link = m.Scan.Link
		}
	}
	if link == "" {
		t.Fatalf("Helmi's data shows no scan: %+v", md.Mandates)
	}
	if page := e.do(req{path: "/fi/my/data", cookies: []*http.Cookie{helmi.cookie}}); !strings.Contains(page.body, `href="/fi`+link+`"`) {
		t.Errorf("Helmi's my-data page does not link the scan %s", link)
	}
	parts := strings.Split(link, "/") // /my/mandates/{holder}/{scan}
	staffLink := "/en/staff/mandates/" + parts[3] + "/" + parts[4]
	for _, tc := range []struct {
		name string
		who  *http.Cookie
		path string
		want int
	}{
		{"the principal", helmi.cookie, "/fi" + link, 200},
		{"the holder", maria.cookie, "/sv" + link, 200},
		{"another resident", e.login(hetuAino), "/fi" + link, 404},
		{"a resident on the staff route", maria.cookie, staffLink, http.StatusForbidden},
		{"an official without a role on its issue", sara, staffLink, 404},
		{"an official on the residents' route", kaisa, "/fi" + link, http.StatusForbidden},
		{"an official with a role on its issue", kaisa, staffLink, 200},
	} {
		r := get(tc.who, tc.path)
		if r.StatusCode != tc.want || (tc.want == 200 && (r.body != string(scan) || r.Header.Get("Content-Type") != "application/pdf" ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "valtakirja.pdf"))) || (tc.want != 200 && r.body == string(scan)) {
			t.Errorf("%s: %d %q", tc.name, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	if log, _, _ := audit.Of(e.st, e.personID(hetuHelmi), audit.Filter{}); len(log) != 1 || log[0].Actor.ID != "kaisa" || log[0].Kind != audit.KindMandateScan {
		t.Errorf("Helmi's access log: %+v", log)
	}
	if page := get(helmi.cookie, "/en/my/access-log"); !strings.Contains(page.body, "Opened the scanned power of attorney") || !strings.Contains(page.body, "to check a power of attorney") {
		t.Errorf("Helmi's access-log page does not word the reading: %d", page.StatusCode)
	}
	if r, _ := maria.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": e.personID(hetuHelmi)}); r.StatusCode != 200 {
		t.Fatalf("acting for Helmi: %d %s", r.StatusCode, r.body)
	}
	answers := homeHelpForSelf()
	answers["phone"] = "0401234567"
	caseID := maria.submitted(t, "home-help", answers)
	page = get(kaisa, "/en/staff/cases/"+caseID)
	if !strings.Contains(page.body, "Maria Nieminen acted for Helmi Korhonen by a paper power of attorney recorded by an official (record number ESI/2026/123") ||
		!strings.Contains(page.body, `href="`+staffLink+`"`) {
		t.Errorf("the case page does not show the power of attorney: %d", page.StatusCode)
	}
}
