package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"asiointi/server/audit"
	"asiointi/server/notify"
)

// submitSportsShift sends Maria's sports-shift application and returns
// the case id.
func (e *env) submitSportsShift(maria *apiClient) string {
	e.t.Helper()
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	id := out["id"].(string)
	maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 1, "data": validSportsShift()})
	r, out := maria.call("POST", "/api/v1/drafts/"+id+"/submit", nil)
	if r.StatusCode != 201 {
		e.t.Fatalf("submit: %d %s", r.StatusCode, r.body)
	}
	return out["id"].(string)
}

// TestStaffRouteTable: every route under a staff path is in staffRoutes,
// and no resident (nor anyone logged out) reaches any of them.
func TestStaffRouteTable(t *testing.T) {
	e := newEnv(t)
	inTable := map[string]bool{}
	for _, r := range staffRoutes {
		p := "/:lang" + r.path
		if r.api {
			p = "/api/v1" + r.path
		}
		inTable[r.method+" "+p] = true
	}
	staffPath := regexp.MustCompile(`^/(api/v1/handler|api/v1/reports|:lang/staff)(/|$)`)
	for _, r := range e.s.App().GetRoutes(true) {
		if (r.Method == "GET" || r.Method == "POST" || r.Method == "PUT" || r.Method == "DELETE") && staffPath.MatchString(r.Path) && !inTable[r.Method+" "+r.Path] {
			t.Errorf("%s %s is a staff route outside staffRoutes", r.Method, r.Path)
		}
	}
	aino := e.client("140386-902R")
	id := e.submitSportsShift(e.client("030392-974H"))
	for _, r := range staffRoutes {
		path := strings.NewReplacer(":id", id, ":att", id, ":action", "transition", ":name", "trends").Replace(r.path)
		if r.api {
			path = "/api/v1" + path
		} else {
			path = "/fi" + path
		}
		res, _ := aino.call(r.method, path, map[string]any{"to": "in-progress"})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("resident %s %s: %d, want 403", r.method, path, res.StatusCode)
		}
		anon := e.do(req{method: r.method, path: path})
		if r.api && anon.StatusCode != http.StatusUnauthorized && (r.method == "GET" || anon.StatusCode != http.StatusForbidden) {
			t.Errorf("anonymous %s %s: %d, want 401 (or 403 without CSRF)", r.method, path, anon.StatusCode)
		}
		if !r.api && anon.StatusCode != http.StatusSeeOther && anon.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous %s %s: %d, want a redirect to login (or 403 without CSRF)", r.method, path, anon.StatusCode)
		}
	}
}

// TestHandlerCaseWork: a handler of the service finds the case in the
// inbox, opens it (access logged), takes it, asks for a supplement and
// decides; an illegal transition and a stale version are 409s; staff
// without a role in the service neither see nor act; the resident is
// told of each step and never sees the internal note.
func TestHandlerCaseWork(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	id := e.submitSportsShift(maria)
	sara, kaisa, aaro := e.client("sara"), e.client("kaisa"), e.client("aaro")

	r, _ := sara.call("GET", "/api/v1/handler/cases", nil)
	if r.StatusCode != 200 || !strings.Contains(r.body, id) {
		t.Fatalf("sara's inbox: %d %s", r.StatusCode, r.body)
	}
	if r, _ := kaisa.call("GET", "/api/v1/handler/cases", nil); strings.Contains(r.body, id) {
		t.Errorf("kaisa (no role in sports-shift) sees the case in her inbox: %s", r.body)
	}
	for _, tc := range []struct{ name, method, path string }{
		{"open", "GET", "/api/v1/handler/cases/" + id},
		{"act", "POST", "/api/v1/handler/cases/" + id + "/assign"},
	} {
		if r, _ := kaisa.call(tc.method, tc.path, map[string]any{"to": "me"}); r.StatusCode != 404 {
			t.Errorf("kaisa %s another service's case: %d, want 404", tc.name, r.StatusCode)
		}
	}
	if r, _ := aaro.call("POST", "/api/v1/handler/cases/"+id+"/assign", map[string]any{"to": "me"}); r.StatusCode != 403 {
		t.Errorf("an admin acts on a case: %d, want 403", r.StatusCode)
	}

	r, out := sara.call("GET", "/api/v1/handler/cases/"+id, nil)
	if r.StatusCode != 200 || out["version"].(float64) != 0 || !strings.Contains(r.body, `"label"`) {
		t.Fatalf("case: %d %s", r.StatusCode, r.body)
	}
	accesses, _, err := audit.Of(e.st, e.personID("030392-974H"), audit.Filter{})
	if err != nil || len(accesses) != 1 || accesses[0].Actor.ID != "sara" || accesses[0].Actor.Role != "handler" ||
		accesses[0].Case != id || accesses[0].Purpose != audit.PurposeHandling {
		t.Errorf("access log of Maria: %+v %v", accesses, err)
	}

	steps := []struct {
		name, action string
		body         map[string]any
		status       int
		code         string
	}{
		{"illegal: decide a submitted case", "decision", map[string]any{"outcome": "approved", "text": "ok"}, 409, "illegal-transition"},
		{"illegal: close a submitted case", "transition", map[string]any{"to": "closed"}, 409, "illegal-transition"},
		{"take it", "assign", map[string]any{"to": "me", "version": 0}, 200, ""},
		{"stale version", "assign", map[string]any{"to": "pertti", "version": 0}, 409, "stale-version"},
		{"assignee without a role", "assign", map[string]any{"to": "kaisa", "version": 1}, 422, "not-a-handler"},
		{"note", "notes", map[string]any{"text": "Soitin asiakkaalle – SALAINEN"}, 201, ""},
		{"supplement request", "supplement-request", map[string]any{"version": 1, "message": "Kerro ryhmän koko.", "fields": []string{"participants"}, "due": "2026-12-07"}, 200, ""},
		{"supplement for an unknown field", "supplement-request", map[string]any{"message": "x", "fields": []string{"nope"}, "due": "2026-12-07"}, 409, "illegal-transition"},
		{"back to handling", "transition", map[string]any{"to": "in-progress", "version": 2}, 200, ""},
		{"bad outcome", "decision", map[string]any{"outcome": "maybe", "text": "x"}, 422, "bad-input"},
		{"decide", "decision", map[string]any{"outcome": "approved", "text": "Vuoro myönnetään.", "version": 3}, 200, ""},
		{"close", "transition", map[string]any{"to": "closed"}, 200, ""},
		{"nothing after closed", "transition", map[string]any{"to": "in-progress"}, 409, "illegal-transition"},
	}
	for _, st := range steps {
		r, _ := sara.call("POST", "/api/v1/handler/cases/"+id+"/"+st.action, st.body)
		if r.StatusCode != st.status || (st.code != "" && !strings.Contains(r.body, `"code":"`+st.code+`"`)) {
			t.Errorf("%s: %d %s, want %d %s", st.name, r.StatusCode, r.body, st.status, st.code)
		}
	}
	r, out = maria.call("GET", "/api/v1/cases/"+id, nil)
	if out["status"] != "closed" || strings.Contains(r.body, "SALAINEN") {
		t.Errorf("the resident's case: %s", r.body)
	}
	page := e.do(req{path: "/fi/cases/" + id, cookies: []*http.Cookie{maria.cookie}})
	if strings.Contains(page.body, "SALAINEN") || !strings.Contains(page.body, "Sara Sjöberg") {
		t.Errorf("the resident's page shows the note or lacks the handler's steps")
	}
	r, _ = maria.call("GET", "/api/v1/notifications", nil)
	for _, kind := range []string{"case-status", "supplement-requested", "decision"} {
		if !strings.Contains(r.body, kind) && !strings.Contains(r.body, map[string]string{"case-status": "tila muuttui", "supplement-requested": "täydennystä", "decision": "päätös"}[kind]) {
			t.Errorf("Maria was not told of %s: %s", kind, r.body)
		}
	}
}

// TestStaffPages: the inbox (fi and sv), the case page with its forms
// working without JS, and the roles page only for an admin.
func TestStaffPages(t *testing.T) {
	e := newEnv(t)
	id := e.submitSportsShift(e.client("030392-974H"))
	sara := e.login("sara")
	get := func(c *http.Cookie, path string) resp { return e.do(req{path: path, cookies: []*http.Cookie{c}}) }
	if r := get(sara, "/sv/staff"); r.StatusCode != 200 || !strings.Contains(r.body, "Inkomna ansökningar") || !strings.Contains(r.body, "/sv/staff/cases/"+id) {
		t.Fatalf("sv inbox: %d", r.StatusCode)
	}
	if r := get(sara, "/fi/staff?handler=mine"); strings.Contains(r.body, "/fi/staff/cases/"+id) {
		t.Error("an unassigned case under 'mine'")
	}
	r := get(sara, "/fi/staff/cases/"+id)
	if r.StatusCode != 200 || !strings.Contains(r.body, "Ota käsittelyyn") {
		t.Fatalf("case page: %d", r.StatusCode)
	}
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(r.body)[1]
	post := e.do(req{method: "POST", path: "/fi/staff/cases/" + id + "/assign", body: "_csrf=" + token + "&version=0&to=me", cookies: []*http.Cookie{sara}})
	if post.StatusCode != 303 {
		t.Fatalf("assign form: %d %s", post.StatusCode, post.body)
	}
	if r := get(sara, "/fi/staff?handler=mine"); !strings.Contains(r.body, "/fi/staff/cases/"+id) {
		t.Error("the taken case is not under 'mine'")
	}
	if r := get(sara, "/en/staff/roles"); r.StatusCode != 403 {
		t.Errorf("roles page for a handler: %d", r.StatusCode)
	}
	aaro := e.login("aaro")
	r = get(aaro, "/en/staff/roles")
	if r.StatusCode != 200 || !strings.Contains(r.body, "Kaisa Käsittelijä") {
		t.Fatalf("roles page: %d", r.StatusCode)
	}
	token = regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(r.body)[1]
	post = e.do(req{method: "POST", path: "/en/staff/roles", body: "_csrf=" + token + "&user=kaisa&service=sports-shift&role=handler", cookies: []*http.Cookie{aaro}})
	if post.StatusCode != 303 {
		t.Fatalf("set role: %d", post.StatusCode)
	}
	kaisa := e.login("kaisa")
	if r := get(kaisa, "/fi/staff/cases/"+id); r.StatusCode != 200 {
		t.Errorf("kaisa after getting the role: %d", r.StatusCode)
	}
	if entries, _ := audit.Entries(e.st, 0); len(entries) != 1 || entries[0].Action != audit.ActionRoleSet {
		t.Errorf("audit log: %+v", entries)
	}
}

// TestInboxLive: a handler's open pages hear of a case that arrives in a
// service they handle, and of a change to it; others do not.
func TestInboxLive(t *testing.T) {
	e := newEnv(t)
	addr := e.serve()
	sara, kaisa := e.login("sara"), e.login("kaisa")
	sc, _, err := dialWS(addr, "http://"+addr, sara)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	kc, _, err := dialWS(addr, "http://"+addr, kaisa)
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	waitConns(t, e, 2)
	id := e.submitSportsShift(e.client("030392-974H"))
	if ev, _ := readEvent(t, sc); ev.Type != "case" || ev.ID != id {
		t.Fatalf("sara's page heard %+v", ev)
	}
	s := &apiClient{e: e, cookie: sara, token: e.csrf(sara)}
	if r, _ := s.call("POST", "/api/v1/handler/cases/"+id+"/assign", map[string]any{"to": "me"}); r.StatusCode != 200 {
		t.Fatalf("assign: %d", r.StatusCode)
	}
	if ev, _ := readEvent(t, sc); ev.Type != "case" || ev.ID != id {
		t.Fatalf("sara's page heard %+v after the change", ev)
	}
	kc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var ev notify.Event
	if err := kc.ReadJSON(&ev); err == nil {
		t.Errorf("kaisa (no role in sports-shift) heard %+v", ev)
	}
}

// TestResidentSide: the resident answers a supplement request with JS
// off (only the fields asked for change), the handler sees what changed
// and is told; the resident writes and withdraws, and nothing after.
func TestResidentSide(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	id := e.submitSportsShift(maria)
	// Before anyone handles it, the page does not say a handler is told.
	if page := e.do(req{path: "/en/cases/" + id, cookies: []*http.Cookie{maria.cookie}}); !strings.Contains(page.body, "The municipality sees the withdrawal at once.") ||
		strings.Contains(page.body, "The handler is told.") {
		t.Error("the withdraw form of an unassigned case promises that a handler is told")
	}
	sara := e.client("sara")
	sara.call("POST", "/api/v1/handler/cases/"+id+"/assign", map[string]any{"to": "me"})
	if r, _ := sara.call("POST", "/api/v1/handler/cases/"+id+"/supplement-request", map[string]any{
		"message": "Montako osallistujaa ryhmässä on?", "fields": []string{"participants"}, "due": "2026-12-07"}); r.StatusCode != 200 {
		t.Fatalf("request: %d %s", r.StatusCode, r.body)
	}
	mc := []*http.Cookie{maria.cookie}
	page := e.do(req{path: "/fi/cases/" + id, cookies: mc})
	if !strings.Contains(page.body, `<a href="#msg-text">Ota yhteyttä tämän hakemuksen käsittelijään</a>`) || !strings.Contains(page.body, `id="msg-text"`) {
		t.Error("the case page has no way to contact the handler about it")
	}
	if !strings.Contains(page.body, "Montako osallistujaa") || !strings.Contains(page.body, "/fi/cases/"+id+"/supplement") {
		t.Fatalf("the case page does not show the request")
	}
	form := e.do(req{path: "/fi/cases/" + id + "/supplement", cookies: mc})
	if form.StatusCode != 200 || !strings.Contains(form.body, `name="participants"`) || strings.Contains(form.body, `name="groupName"`) {
		t.Fatalf("supplement form: %d", form.StatusCode)
	}
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(form.body)[1]
	bad := e.do(req{method: "POST", path: "/fi/cases/" + id + "/supplement", body: "_csrf=" + token + "&participants=9999&groupName=HACK", cookies: mc})
	if bad.StatusCode != 422 {
		t.Errorf("an invalid supplement: %d", bad.StatusCode)
	}
	ok := e.do(req{method: "POST", path: "/fi/cases/" + id + "/supplement", body: "_csrf=" + token + "&participants=20&groupName=HACK", cookies: mc})
	if ok.StatusCode != 303 {
		t.Fatalf("supplement: %d %s", ok.StatusCode, ok.body)
	}
	_, out := maria.call("GET", "/api/v1/cases/"+id, nil)
	answers := out["answers"].(map[string]any)
	if out["status"] != "in-progress" || answers["participants"] != 20.0 || answers["groupName"] != "Tiistain sähly" {
		t.Errorf("after the supplement: %v %v", out["status"], answers)
	}
	staffPage := e.do(req{path: "/fi/staff/cases/" + id, cookies: []*http.Cookie{sara.cookie}})
	if !strings.Contains(staffPage.body, "12 → 20") {
		t.Error("the handler does not see what changed")
	}
	if r, _ := sara.call("GET", "/api/v1/notifications", nil); !strings.Contains(r.body, `"kind":"case-activity"`) || !strings.Contains(r.body, "/fi/staff/cases/"+id) {
		t.Errorf("the handler was not told: %s", r.body)
	}
	if r, _ := maria.call("POST", "/api/v1/cases/"+id+"/messages", map[string]any{"text": "Kiitos!"}); r.StatusCode != 201 {
		t.Errorf("message: %d %s", r.StatusCode, r.body)
	}
	if r, _ := sara.call("POST", "/api/v1/handler/cases/"+id+"/messages", map[string]any{"text": "Selvä."}); r.StatusCode != 200 {
		t.Errorf("handler message: %d %s", r.StatusCode, r.body)
	}
	page = e.do(req{path: "/sv/cases/" + id, cookies: mc})
	if !strings.Contains(page.body, "Kiitos!") || !strings.Contains(page.body, "Selvä.") || !strings.Contains(page.body, "Återta ansökan") ||
		!strings.Contains(page.body, "Handläggaren får veta det.") {
		t.Error("the timeline (sv) lacks the messages or the withdraw form")
	}
	other := e.client("140386-902R")
	for _, path := range []string{"withdraw", "messages", "supplement"} {
		if r, _ := other.call("POST", "/api/v1/cases/"+id+"/"+path, map[string]any{"text": "x", "data": map[string]any{}}); r.StatusCode != 404 {
			t.Errorf("another resident's %s: %d", path, r.StatusCode)
		}
	}
	if r, _ := maria.call("POST", "/api/v1/cases/"+id+"/withdraw", map[string]any{"reason": "Ei tarvita"}); r.StatusCode != 200 || !strings.Contains(r.body, `"withdrawn"`) {
		t.Errorf("withdraw: %d %s", r.StatusCode, r.body)
	}
	for _, path := range []string{"withdraw", "messages"} {
		if r, _ := maria.call("POST", "/api/v1/cases/"+id+"/"+path, map[string]any{"text": "x"}); r.StatusCode != 409 {
			t.Errorf("%s after withdrawing: %d", path, r.StatusCode)
		}
	}
}

// TestDecisionFilePages: the handler attaches a PDF to the decision on
// the case page (a multipart form, JS off); the resident downloads it
// from the decision, the handler from the staff page, no one else; the
// handler's download is in the resident's access log.
func TestDecisionFilePages(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	id := e.submitSportsShift(maria)
	sara := e.client("sara")
	if r, _ := sara.call("POST", "/api/v1/handler/cases/"+id+"/assign", map[string]any{"to": "me"}); r.StatusCode != 200 { // and in progress
		t.Fatalf("assign: %d %s", r.StatusCode, r.body)
	}
	page := e.do(req{path: "/en/staff/cases/" + id, cookies: []*http.Cookie{sara.cookie}})
	must(t, page, 200, `enctype="multipart/form-data"`, `name="attachment" type="file"`, "at most 10")
	pdf := []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	decide := func(name string, content []byte) resp {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"_csrf": sara.token, "outcome": "approved", "text": "Vuoro myönnetään."} {
			w.WriteField(k, v)
		}
		fw, _ := w.CreateFormFile("attachment", name)
		fw.Write(content)
		w.Close()
		return e.do(req{method: "POST", path: "/en/staff/cases/" + id + "/decision", body: buf.String(), ctype: w.FormDataContentType(),
			cookies: []*http.Cookie{sara.cookie}})
	}
	if r := decide("notes.txt", []byte("just text, not a PDF")); r.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a text file: %d", r.StatusCode)
	}
	if r := decide("paatos.pdf", pdf); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("decide: %d %s", r.StatusCode, r.body)
	}
	must(t, e.do(req{path: "/fi/cases/" + id, cookies: []*http.Cookie{maria.cookie}}), 200,
		`Päätöksen liite: <a href="/fi/cases/`+id+`/decision-file" download>paatos.pdf</a>`)
	for _, tc := range []struct {
		name   string
		who    *apiClient
		path   string
		status int
	}{
		{"the resident", maria, "/fi/cases/" + id + "/decision-file", 200},
		{"the handler", sara, "/fi/staff/cases/" + id + "/decision-file", 200},
		{"another resident", e.client("140386-902R"), "/fi/cases/" + id + "/decision-file", 404},
		{"staff without a role in the service", e.client("kaisa"), "/fi/staff/cases/" + id + "/decision-file", 404},
		{"a resident on the staff path", maria, "/fi/staff/cases/" + id + "/decision-file", 403},
	} {
		r := e.do(req{path: tc.path, cookies: []*http.Cookie{tc.who.cookie}})
		if r.StatusCode != tc.status || (tc.status == 200 && (r.body != string(pdf) || r.Header.Get("Content-Type") != "application/pdf")) {
			t.Errorf("%s: %d %s", tc.name, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	accesses, _, err := audit.Of(e.st, e.personID("030392-974H"), audit.Filter{})
	if err != nil || !slices.ContainsFunc(accesses, func(a audit.Access) bool {
		return a.Actor.ID == "sara" && a.Kind == audit.KindAttachment && a.Case == id
	}) {
		t.Errorf("the handler's download is not in Maria's access log: %+v %v", accesses, err)
	}
}

// TestSupplementFilePage: asked for a missing attachment, the resident
// sends the file on the supplement page (multipart, JS off); the handler
// sees the new file on the case.
func TestSupplementFilePage(t *testing.T) {
	x := newCoApplicants(t)
	e := x.e
	rr := e.do(req{path: "/api/v1/invitations", cookies: []*http.Cookie{x.sven.cookie}})
	invID := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(rr.body)[1]
	if r, _ := x.sven.call("POST", "/api/v1/invitations/"+invID+"/approve", nil); r.StatusCode != 200 {
		t.Fatalf("approve: %d %s", r.StatusCode, r.body)
	}
	kaisa := e.client("kaisa")
	kaisa.call("POST", "/api/v1/handler/cases/"+x.caseID+"/assign", map[string]any{"to": "me"})
	if r, _ := kaisa.call("POST", "/api/v1/handler/cases/"+x.caseID+"/supplement-request", map[string]any{
		"message": "Asemapiirros puuttuu.", "fields": []string{"sitePlan"}, "due": "2027-12-31"}); r.StatusCode != 200 {
		t.Fatalf("request: %d %s", r.StatusCode, r.body)
	}
	page := e.do(req{path: "/en/cases/" + x.caseID + "/supplement", cookies: []*http.Cookie{x.aino.cookie}})
	must(t, page, 200, `enctype="multipart/form-data"`, `type="file"`)
	send := func(name string, content []byte) resp {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("_csrf", x.aino.token)
		fw, _ := w.CreateFormFile("sitePlan", name)
		fw.Write(content)
		w.Close()
		return e.do(req{method: "POST", path: "/en/cases/" + x.caseID + "/supplement", body: buf.String(), ctype: w.FormDataContentType(),
			cookies: []*http.Cookie{x.aino.cookie}})
	}
	if r := send("notes.txt", []byte("plain text, not a drawing")); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a text file: %d", r.StatusCode)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...)
	if r := send("uusi-asemapiirros.png", png); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d %s", r.StatusCode, r.body)
	}
	staff := e.do(req{path: "/en/staff/cases/" + x.caseID, cookies: []*http.Cookie{kaisa.cookie}})
	must(t, staff, 200, "uusi-asemapiirros.png")
	mustNot(t, staff, ">asemapiirros.png<")
}
