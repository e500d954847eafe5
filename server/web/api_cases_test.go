package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
)

// validSportsShift is a complete, valid sports-shift answer set.
func validSportsShift() map[string]any {
	return map[string]any{
		"contactFirstName": "Maria", "contactLastName": "Nieminen", "contactEmail": "maria@example.fi",
		"contactPhone": "+358 40 123 4567", "groupName": "Tiistain sähly", "groupType": "informal",
		"ageGroup": "adults", "participants": 12, "hall": "ball-hall", "weekday": "tue",
		"startTime": "18.30", "duration": "90", "season": "full", "equipmentNeeded": false,
	}
}

type apiClient struct {
	e      *env
	cookie *http.Cookie
	token  string
}

func (e *env) client(user string) *apiClient {
	c := e.login(user)
	return &apiClient{e: e, cookie: c, token: e.csrf(c)}
}

func (a *apiClient) call(method, path string, body any) (resp, map[string]any) {
	a.e.t.Helper()
	var s string
	if body != nil {
		b, _ := json.Marshal(body)
		s = string(b)
	}
	r := a.e.do(req{method: method, path: path, body: s, ctype: "application/json", cookies: []*http.Cookie{a.cookie}, headers: map[string]string{"X-CSRF-Token": a.token}})
	var out map[string]any
	json.Unmarshal([]byte(r.body), &out)
	if nc := cookie(r, cookieSession); nc != nil && nc.Value != "" {
		a.cookie = nc
		a.token = a.e.csrf(nc)
	}
	return r, out
}

func (a *apiClient) upload(draft, field, name string, content []byte) resp {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	return a.e.do(req{method: "POST", path: "/api/v1/drafts/" + draft + "/attachments?field=" + field, body: buf.String(),
		ctype: w.FormDataContentType(), cookies: []*http.Cookie{a.cookie}, headers: map[string]string{"X-CSRF-Token": a.token}})
}

func (a *apiClient) principal(name string) string {
	a.e.t.Helper()
	r := a.e.do(req{path: "/api/v1/me/principals", cookies: []*http.Cookie{a.cookie}})
	var list []map[string]any
	json.Unmarshal([]byte(r.body), &list)
	for _, p := range list {
		if p["name"] == name {
			return p["id"].(string)
		}
	}
	a.e.t.Fatalf("no principal %s in %s", name, r.body)
	return ""
}

func TestDraftLifecycleAPI(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	r, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	if r.StatusCode != 201 {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	id := out["id"].(string)
	// Prefill from the population register, with its source.
	r, out = maria.call("GET", "/api/v1/drafts/"+id, nil)
	data := out["data"].(map[string]any)
	pre := out["prefill"].(map[string]any)
	if data["contactFirstName"] != "Maria" || pre["contactFirstName"].(map[string]any)["source"] != "population" {
		t.Fatalf("prefill: %s", r.body)
	}
	// Autosave with optimistic concurrency.
	r, out = maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 1, "data": validSportsShift()})
	if r.StatusCode != 200 || out["version"].(float64) != 2 {
		t.Fatalf("save: %d %s", r.StatusCode, r.body)
	}
	r, out = maria.call("PUT", "/api/v1/drafts/"+id+"?lang=sv", map[string]any{"version": 1, "data": map[string]any{"groupName": "x"}})
	if r.StatusCode != 409 || !strings.Contains(r.body, "har ändrats") || out["current"].(map[string]any)["version"].(float64) != 2 {
		t.Fatalf("stale save: %d %s", r.StatusCode, r.body)
	}
	// A failed submit loses nothing and says what is wrong, per field.
	bad := validSportsShift()
	bad["participants"] = 500
	bad["startTime"] = "25.99"
	maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 2, "data": bad})
	r, out = maria.call("POST", "/api/v1/drafts/"+id+"/submit?lang=en", nil)
	if r.StatusCode != 422 {
		t.Fatalf("invalid submit: %d %s", r.StatusCode, r.body)
	}
	fields := map[string]bool{}
	for _, fe := range out["errors"].([]any) {
		m := fe.(map[string]any)
		fields[m["field"].(string)] = m["message"] != ""
	}
	if !fields["participants"] || !fields["startTime"] {
		t.Errorf("422 errors: %s", r.body)
	}
	if _, out = maria.call("GET", "/api/v1/drafts/"+id, nil); out["data"].(map[string]any)["startTime"] != "25.99" {
		t.Error("typed value lost after a failed submit")
	}
	// Fix and submit; double submit returns the same case.
	maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 3, "data": validSportsShift()})
	var wg sync.WaitGroup
	ids := make([]string, 5)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, out := maria.call("POST", "/api/v1/drafts/"+id+"/submit", nil)
			if r.StatusCode == 201 {
				ids[i] = out["id"].(string) + " " + out["reference"].(string)
			}
		}(i)
	}
	wg.Wait()
	for _, x := range ids {
		if x != ids[0] || x == "" {
			t.Fatalf("concurrent submits gave %v", ids)
		}
	}
	caseID := strings.Fields(ids[0])[0]
	if !strings.HasPrefix(strings.Fields(ids[0])[1], "ESI-2026-") {
		t.Errorf("reference %s", ids[0])
	}
	r, out = maria.call("GET", "/api/v1/cases/"+caseID, nil)
	if r.StatusCode != 200 || out["status"] != "submitted" || len(out["events"].([]any)) != 1 {
		t.Fatalf("case: %d %s", r.StatusCode, r.body)
	}
	// The submitted draft is no longer in "my drafts" and cannot be saved.
	if r, _ = maria.call("GET", "/api/v1/drafts", nil); strings.Contains(r.body, id) {
		t.Error("submitted draft still listed")
	}
	if r, _ = maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 4, "data": validSportsShift()}); r.StatusCode != 409 {
		t.Errorf("save after submit: %d", r.StatusCode)
	}
}

// TestOtherPeoplesData: every id of someone else's draft, attachment or
// case answers 404, whatever the method.
func TestOtherPeoplesData(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	sven := e.client("171279-9677")
	kaisa := e.client("kaisa")
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	draft := out["id"].(string)
	r := maria.upload(draft, "attachment", "plan.pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"))
	if r.StatusCode != 201 {
		t.Fatalf("upload: %d %s", r.StatusCode, r.body)
	}
	maria.call("PUT", "/api/v1/drafts/"+draft, map[string]any{"version": 1, "data": validSportsShift()})
	_, out = maria.call("POST", "/api/v1/drafts/"+draft+"/submit", nil)
	caseID := out["id"].(string)
	_, out = maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	open := out["id"].(string)

	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/v1/drafts/" + open},
		{"PUT", "/api/v1/drafts/" + open},
		{"DELETE", "/api/v1/drafts/" + open},
		{"POST", "/api/v1/drafts/" + open + "/submit"},
		{"GET", "/api/v1/cases/" + caseID},
		{"GET", "/api/v1/drafts/" + strings.Repeat("0", 32)},
		{"GET", "/api/v1/cases/../drafts"},
	} {
		var body any
		if tc.method == "PUT" {
			body = map[string]any{"version": 1, "data": map[string]any{}}
		}
		if r, _ := sven.call(tc.method, tc.path, body); r.StatusCode != 404 {
			t.Errorf("sven %s %s: %d %s", tc.method, tc.path, r.StatusCode, r.body)
		}
	}
	if r := sven.upload(open, "attachment", "x.pdf", []byte("%PDF-1.4\n")); r.StatusCode != 404 {
		t.Errorf("upload to someone else's draft: %d", r.StatusCode)
	}
	if r, _ := sven.call("GET", "/api/v1/cases", nil); strings.Contains(r.body, caseID) {
		t.Error("someone else's case listed")
	}
	if r, _ := kaisa.call("GET", "/api/v1/drafts/"+open, nil); r.StatusCode != 403 {
		t.Errorf("staff on the resident API: %d", r.StatusCode)
	}
	if r, _ := maria.call("DELETE", "/api/v1/drafts/"+open, nil); r.StatusCode != 204 {
		t.Errorf("owner delete: %d", r.StatusCode)
	}
}

func TestOnBehalfRequirements(t *testing.T) {
	e := newEnv(t)
	aino := e.client("140386-902R")
	juhani := e.client("300468-951T")
	maria := e.client("030392-974H")
	ella := e.client("090111A936M")
	for _, tc := range []struct {
		who     *apiClient
		actFor  string
		service string
		status  int
	}{
		{maria, "", "early-education", 403},   // needs a child
		{maria, "", "association-grant", 403}, // needs an organisation
		{maria, "", "sports-shift", 201},      // alone
		{maria, "", "home-help", 201},         // for oneself
		{aino, "Eetu Virtanen", "early-education", 201},
		{aino, "Eetu Virtanen", "home-help", 403}, // a child is not a mandate principal
		{aino, "Esimerkkilän Urheiluseura ry", "association-grant", 201},
		{aino, "Esimerkkilän Urheiluseura ry", "early-education", 403},
		{juhani, "Helmi Korhonen", "home-help", 201}, // mandate on the issue
		{juhani, "Helmi Korhonen", "early-education", 403},
		{ella, "", "summer-job-voucher", 409},           // closed now
		{maria, "", "summer-job-voucher", 403},          // not a young person
		{aino, "Ella Virtanen", "early-education", 403}, // of school age
		{maria, "", "no-such-service", 404},
	} {
		id := ""
		if tc.actFor != "" {
			id = tc.who.principal(tc.actFor)
		}
		if r, _ := tc.who.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": id}); r.StatusCode != 200 && id != "" {
			t.Fatalf("acting for %s: %d", tc.actFor, r.StatusCode)
		}
		r, _ := tc.who.call("POST", "/api/v1/drafts?lang=en", map[string]any{"service": tc.service})
		if r.StatusCode != tc.status {
			t.Errorf("%s for %q: %d, want %d (%s)", tc.service, tc.actFor, r.StatusCode, tc.status, r.body)
		}
		tc.who.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": nil})
	}
}

func TestPrincipalSeesCaseAndPrefill(t *testing.T) {
	e := newEnv(t)
	aino := e.client("140386-902R")
	eetu := aino.principal("Eetu Virtanen")
	aino.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": eetu})
	r, out := aino.call("POST", "/api/v1/drafts", map[string]any{"service": "early-education"})
	if r.StatusCode != 201 {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	_, out = aino.call("GET", "/api/v1/drafts/"+out["id"].(string), nil)
	data := out["data"].(map[string]any)
	if !strings.Contains(fmt.Sprint(data), "Eetu") || !strings.Contains(fmt.Sprint(data), "210620A925C") {
		t.Errorf("child's data not prefilled: %v", data)
	}
	if out["principal"].(map[string]any)["name"] != "Eetu Virtanen" {
		t.Errorf("principal: %v", out["principal"])
	}
}

func TestUploadChecks(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	id := out["id"].(string)
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	for _, tc := range []struct {
		field, name string
		content     []byte
		status      int
	}{
		{"attachment", "plan.png", png, 201},
		{"attachment", "evil.pdf", []byte("<html><script>alert(1)</script>"), 415},
		{"attachment", "big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 10<<20)...), 413},
		{"groupName", "x.pdf", []byte("%PDF-1.4\n"), 400},
	} {
		if r := maria.upload(id, tc.field, tc.name, tc.content); r.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d (%.200s)", tc.field, tc.name, r.StatusCode, tc.status, r.body)
		}
	}
}

func TestClosedServiceKeepsDraft(t *testing.T) {
	e := newEnv(t)
	e.clock.t = time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC) // inside the summer-job window
	ella := e.client("090111A936M")
	r, out := ella.call("POST", "/api/v1/drafts", map[string]any{"service": "summer-job-voucher"})
	if r.StatusCode != 201 {
		t.Fatalf("create inside window: %d %s", r.StatusCode, r.body)
	}
	id := out["id"].(string)
	e.clock.t = time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC) // closed
	ella = e.client("090111A936M")                           // the old session has expired
	r, _ = ella.call("POST", "/api/v1/drafts/"+id+"/submit?lang=sv", nil)
	if r.StatusCode != 409 || !strings.Contains(r.body, "service-closed") || !strings.Contains(r.body, "utkast finns kvar") {
		t.Fatalf("submit after closing: %d %s", r.StatusCode, r.body)
	}
	if r, _ = ella.call("GET", "/api/v1/drafts/"+id, nil); r.StatusCode != 200 {
		t.Error("draft gone after refused submit")
	}
	// Starting it now: no draft to keep is promised.
	r, _ = ella.call("POST", "/api/v1/drafts?lang=en", map[string]any{"service": "summer-job-voucher"})
	if r.StatusCode != 409 || !strings.Contains(r.body, "You cannot start an application now") || strings.Contains(r.body, "draft is saved") {
		t.Errorf("start after closing: %d %s", r.StatusCode, r.body)
	}
}

// TestClosedServiceMessageSaysTheKind: the API's message for a closed
// service uses the service's own word, starting and sending, in fi, sv
// and en.
func TestClosedServiceMessageSaysTheKind(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		service, draft, lang, want string
	}{
		{"building-notification", "", "fi", "Ilmoitusta ei voi aloittaa nyt, koska ilmoituksia ei nyt oteta vastaan."},
		{"building-notification", "d1", "fi", "Ilmoituksia ei oteta nyt vastaan, joten ilmoitusta ei voi lähettää. Luonnoksesi on tallessa."},
		{"building-notification", "d1", "sv", "Anmälningar tas inte emot nu, så anmälan kan inte skickas. Ditt utkast finns kvar."},
		{"building-notification", "", "en", "You cannot start a notification now because notifications are not accepted at the moment."},
		{"sports-shift", "d1", "en", "The application period is not open now, so the application cannot be sent. Your draft is saved."},
		{"no-longer-offered", "d1", "sv", "Ansökningstiden pågår inte nu, så ansökan kan inte skickas. Ditt utkast finns kvar."},
	} {
		app := fiber.New()
		app.Get("/api/x", func(c *fiber.Ctx) error {
			return e.s.casesFail(c, fmt.Errorf("start: %w", &cases.ClosedError{Service: tc.service, Draft: tc.draft}))
		})
		res, err := app.Test(httptest.NewRequest("GET", "/api/x?lang="+tc.lang, nil))
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Error APIError }
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 409 || out.Error.Code != "service-closed" || out.Error.Message != tc.want {
			t.Errorf("%s %q in %s: %d %+v %v, want %q", tc.service, tc.draft, tc.lang, res.StatusCode, out.Error, err, tc.want)
		}
	}
}

func TestServicesAPI(t *testing.T) {
	e := newEnv(t)
	r := e.do(req{path: "/api/v1/services"})
	var list []map[string]any
	json.Unmarshal([]byte(r.body), &list)
	if len(list) != 6 {
		t.Fatalf("%d services", len(list))
	}
	byID := map[string]map[string]any{}
	for _, s := range list {
		byID[s["id"].(string)] = s
	}
	if byID["building-notification"]["kind"] != "notification" || byID["sports-shift"]["kind"] != "application" {
		t.Errorf("kinds: %v, %v", byID["building-notification"]["kind"], byID["sports-shift"]["kind"])
	}
	if el, _ := byID["early-education"]["eligibility"].(map[string]any); el["maxAge"] != 6.0 {
		t.Errorf("early education eligibility %v", byID["early-education"]["eligibility"])
	}
	if byID["summer-job-voucher"]["open"] != false || byID["summer-job-voucher"]["opensAt"] == nil || byID["home-help"]["mandateIssue"] == nil {
		t.Errorf("services: %s", r.body)
	}
	if byID["building-notification"]["onBehalf"] != "all-parties" || byID["sports-shift"]["onBehalf"] != "alone" {
		t.Errorf("onBehalf: %s", r.body)
	}
	r = e.do(req{path: "/api/v1/services/early-education/form"})
	if r.StatusCode != 200 || !strings.Contains(r.body, `"concept":"child.hetu"`) || !strings.Contains(r.body, `"legalBasis"`) {
		t.Errorf("form: %d %.200s", r.StatusCode, r.body)
	}
	if r = e.do(req{path: "/api/v1/services/nope/form"}); r.StatusCode != 404 {
		t.Errorf("unknown form: %d", r.StatusCode)
	}
}

// TestDraftAnswerBytes: the answers of a create and a save are the bytes
// they were when they were maps (members in sorted order), now that they
// are structs.
func TestDraftAnswerBytes(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	r, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	id, _ := out["id"].(string)
	if r.StatusCode != 201 || r.body != `{"id":"`+id+`","version":1}` {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	stamp := `"updatedAt":"\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)"`
	r, _ = maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 1, "data": validSportsShift()})
	if !regexp.MustCompile(`^\{` + stamp + `,"version":2\}$`).MatchString(r.body) {
		t.Errorf("save: %d %s", r.StatusCode, r.body)
	}
	r, _ = maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 2, "data": map[string]any{"participants": "many"}})
	if !regexp.MustCompile(`^\{"errors":\[\{"field":"participants","code":"form\.error\.invalidValue","message":"[^"]+"\}\],` + stamp + `,"version":3\}$`).MatchString(r.body) {
		t.Errorf("save with a shape error: %d %s", r.StatusCode, r.body)
	}
	if r, _ = maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 3, "data": validSportsShift()}); r.StatusCode != 200 {
		t.Fatalf("save: %d %s", r.StatusCode, r.body)
	}
	// A submit's answer is the bytes of the map it was: its members in
	// sorted order, encoded as encoding/json encodes a map.
	r, out = maria.call("POST", "/api/v1/drafts/"+id+"/submit", nil)
	asMap, _ := json.Marshal(map[string]any{"id": out["id"], "reference": out["reference"], "status": out["status"]})
	if r.StatusCode != 201 || r.body != string(asMap) || out["status"] != "submitted" ||
		!regexp.MustCompile(`^\{"id":"[0-9a-z]+","reference":"[A-Z]+-\d{4}-\d{6}","status":"submitted"\}$`).MatchString(r.body) {
		t.Errorf("submit: %d %s, want %s", r.StatusCode, r.body, asMap)
	}
}
