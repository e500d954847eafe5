package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"asiointi/server/audit"
	"asiointi/server/notify"
	"asiointi/server/receipt/pdftext"
	"asiointi/server/store/storetest"
)

// coApplicants is Aino's building notification, sent with Sven as a
// party, its messages delivered to the demo outbox.
type coApplicants struct {
	e          *env
	aino, sven *apiClient
	caseID     string
	token      string // from the outbox's e-mail to Sven
}

func newCoApplicants(t *testing.T) *coApplicants {
	e := newEnv(t, noRateLimits)
	x := &coApplicants{e: e, aino: e.client("140386-902R")}
	id := buildingDraft(t, x.aino)
	if r, _ := x.aino.call("POST", "/api/v1/drafts/"+id+"/parties", map[string]any{"name": "", "hetu": "nope"}); r.StatusCode != 422 {
		t.Fatalf("bad party: %d %s", r.StatusCode, r.body)
	}
	if r, _ := x.aino.call("POST", "/api/v1/drafts/"+id+"/parties", map[string]any{"name": "Sven Lindqvist", "hetu": "171279-9677"}); r.StatusCode != 201 {
		t.Fatalf("party: %d %s", r.StatusCode, r.body)
	}
	r, out := x.aino.call("POST", "/api/v1/drafts/"+id+"/submit", nil)
	if r.StatusCode != 201 || out["status"] != "awaiting-signatures" {
		t.Fatalf("submit: %d %s", r.StatusCode, r.body)
	}
	x.caseID = out["id"].(string)
	x.deliver()
	x.sven = e.client("171279-9677")
	return x
}

// buildingDraft is Aino's building notification filled in, no party
// named yet.
func buildingDraft(t *testing.T, aino *apiClient) string {
	t.Helper()
	r, out := aino.call("POST", "/api/v1/drafts", map[string]any{"service": "building-notification"})
	if r.StatusCode != 201 {
		t.Fatalf("draft: %d %s", r.StatusCode, r.body)
	}
	id := out["id"].(string)
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	r = aino.upload(id, "sitePlan", "asemapiirros.png", png)
	var att map[string]any
	jsonUnmarshal(r.body, &att)
	r, out = aino.call("GET", "/api/v1/drafts/"+id, nil)
	data := out["data"].(map[string]any)
	for k, v := range map[string]any{"street": "Koulukatu 5", "postalCode": "99100", "city": "Esimerkkilä",
		"measure": "shed", "shedArea": 12.5, "description": "Varasto.", "startDate": "2027-05-03",
		"sitePlan": att["id"], "phone": "040 123 4567", "email": "aino@example.fi"} {
		data[k] = v
	}
	if r, _ = aino.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": out["version"], "data": data}); r.StatusCode != 200 {
		t.Fatalf("save: %d %s", r.StatusCode, r.body)
	}
	return id
}

// TestCoOwnerMustBeNamed: without the property's other owner as a party
// the notification is not sent, through the API or the pages, and the
// problem links to the parties step.
func TestCoOwnerMustBeNamed(t *testing.T) {
	e := newEnv(t, noRateLimits)
	aino := e.client("140386-902R")
	id := buildingDraft(t, aino)
	r, out := aino.call("POST", "/api/v1/drafts/"+id+"/submit", nil)
	errs, _ := out["errors"].([]any)
	if r.StatusCode != 422 || len(errs) != 1 {
		t.Fatalf("API submit: %d %s", r.StatusCode, r.body)
	}
	if fe := errs[0].(map[string]any); fe["field"] != "parties" || !strings.Contains(fe["message"].(string), "Sven Lindqvist") {
		t.Errorf("API error %v", fe)
	}
	page := func(method, path string) resp {
		return e.do(req{method: method, path: path, body: "_csrf=" + url.QueryEscape(aino.token),
			cookies: []*http.Cookie{aino.cookie}})
	}
	r = page("POST", "/en/drafts/"+id+"/submit")
	if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "/en/drafts/"+id+"/summary?check=1") {
		t.Fatalf("page submit: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	for _, tc := range []struct{ lang, text string }{
		{"en", "Sven Lindqvist also owns the property"},
		{"fi", "Sven Lindqvist omistaa myös kiinteistön"},
		{"sv", "Sven Lindqvist äger också fastigheten"},
	} {
		r = e.do(req{path: "/" + tc.lang + "/drafts/" + id + "/summary?check=1", cookies: []*http.Cookie{aino.cookie}})
		link := `href="/` + tc.lang + `/drafts/` + id + `/parties"`
		sum := r.body[strings.Index(r.body, `id="error-summary"`):]
		if r.StatusCode != 200 || !strings.Contains(sum, tc.text) || !strings.Contains(sum[:strings.Index(sum, "</div>")], link) {
			t.Errorf("%s summary: %d, want %q linked to the parties step", tc.lang, r.StatusCode, tc.text)
		}
	}
	if r, _ := aino.call("GET", "/api/v1/cases", nil); strings.Contains(r.body, `"building-notification"`) {
		t.Errorf("a case was made: %s", r.body)
	}
}

func jsonUnmarshal(s string, v any) { _ = json.Unmarshal([]byte(s), v) }

// deliver runs the outbox as the program does (app.Open), the demo
// recorder standing in for e-mail and SMS, and finds Sven's link token.
func (x *coApplicants) deliver() {
	t := x.e.t
	d := &notify.Dispatcher{Store: x.e.st, Render: x.e.s.noticeText, People: x.e.s.dir, Now: x.e.clock.Now,
		Senders: map[string]notify.Sender{notify.ChannelEmail: x.e.s.devOutbox, notify.ChannelSMS: x.e.s.devOutbox},
		Links:   map[string]notify.LinkFunc{notify.KindInvitation: x.e.cases.InvitationLink}}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	list, err := x.e.s.devOutbox.List()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`/sv/i/([A-Za-z0-9_-]{43})`)
	for _, m := range list {
		if m.Channel == notify.ChannelEmail && strings.Contains(m.To, "sven") {
			if mm := re.FindStringSubmatch(m.Link); mm != nil && strings.Contains(m.Body, mm[0]) {
				x.token = mm[1]
			}
		}
	}
	if x.token == "" {
		t.Fatalf("no invitation link to Sven in the outbox: %+v", list)
	}
}

func (x *coApplicants) partyStatus() string {
	x.e.t.Helper()
	_, out := x.aino.call("GET", "/api/v1/cases/"+x.caseID, nil)
	ps, _ := out["parties"].([]any)
	if len(ps) != 1 {
		x.e.t.Fatalf("parties %v", out["parties"])
	}
	return ps[0].(map[string]any)["status"].(string) + "/" + out["status"].(string)
}

func TestInvitationTokenNeverOnDisk(t *testing.T) {
	x := newCoApplicants(t)
	raw := storetest.Contents(t, x.e.s.cfg.DataDir)
	if bytes.Contains(raw, []byte(x.token)) {
		t.Fatal("the invitation token is in the database file")
	}
}

func TestInvitationLinkAnonymous(t *testing.T) {
	x := newCoApplicants(t)
	e := x.e
	var inviteCookie *http.Cookie
	for _, m := range []string{"HEAD", "GET", "GET"} {
		r := e.do(req{method: m, path: "/sv/i/" + x.token})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/sv/invitation" {
			t.Fatalf("%s link: %d %s", m, r.StatusCode, r.Header.Get("Location"))
		}
		if r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s link: Referrer-Policy %q", m, r.Header.Get("Referrer-Policy"))
		}
		if inviteCookie = cookie(r, cookieInvite); inviteCookie == nil || inviteCookie.Value != x.token {
			t.Fatalf("%s link: no token cookie", m)
		}
	}
	r := e.do(req{path: "/sv/invitation", cookies: []*http.Cookie{inviteCookie}})
	if r.StatusCode != 200 || !strings.Contains(r.body, "Bygganmälan") && !strings.Contains(r.body, "ansökan") {
		t.Fatalf("landing: %d", r.StatusCode)
	}
	for _, secret := range []string{"Aino Virtanen", "Sven Lindqvist", "Koulukatu", x.token} {
		if strings.Contains(r.body, secret) {
			i := strings.Index(r.body, secret)
			t.Errorf("the anonymous page shows %q: %s", secret, r.body[max(0, i-200):i+50])
		}
	}
	if r.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("landing without no-referrer")
	}
	if got := x.partyStatus(); got != "waiting/awaiting-signatures" {
		t.Errorf("after anonymous opens: %s", got)
	}
	for _, bad := range []string{"x", strings.Repeat("A", 43)} {
		if r := e.do(req{path: "/sv/i/" + bad}); r.StatusCode != 404 {
			t.Errorf("unknown token %q: %d", bad, r.StatusCode)
		}
	}
}

func TestInvitationWrongPersonThenRightOne(t *testing.T) {
	x := newCoApplicants(t)
	e := x.e
	r := e.do(req{path: "/sv/i/" + x.token})
	inv := cookie(r, cookieInvite)
	maria := e.client("030392-974H")
	r = e.do(req{path: "/sv/invitation", cookies: []*http.Cookie{inv, maria.cookie}})
	if r.StatusCode != http.StatusForbidden || strings.Contains(r.body, "Koulukatu") {
		t.Fatalf("wrong person: %d", r.StatusCode)
	}
	rr := e.do(req{path: "/api/v1/invitations", cookies: []*http.Cookie{x.sven.cookie}})
	m := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(rr.body)
	if m == nil {
		t.Fatalf("Sven's invitations: %s", rr.body)
	}
	invID := m[1]
	for _, who := range []*apiClient{maria, x.aino} {
		if r, _ := who.call("POST", "/api/v1/invitations/"+invID+"/approve", nil); r.StatusCode != 403 {
			t.Errorf("someone else approves: %d", r.StatusCode)
		}
		if r := e.do(req{path: "/sv/invitations/" + invID, cookies: []*http.Cookie{who.cookie}}); r.StatusCode != 403 {
			t.Errorf("someone else reads: %d", r.StatusCode)
		}
	}
	if got := x.partyStatus(); got != "waiting/awaiting-signatures" {
		t.Fatalf("after refusals: %s", got)
	}
	// The right person: opened, sees it in Swedish, approves without JS.
	r = e.do(req{path: "/sv/invitation", cookies: []*http.Cookie{inv, x.sven.cookie}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/sv/invitations/"+invID {
		t.Fatalf("Sven lands: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if got := x.partyStatus(); got != "opened/awaiting-signatures" {
		t.Fatalf("after Sven opens: %s", got)
	}
	r = e.do(req{path: "/sv/invitations/" + invID, cookies: []*http.Cookie{x.sven.cookie}})
	if r.StatusCode != 200 || !strings.Contains(r.body, "Aino Virtanen") || !strings.Contains(r.body, "Godkänn") || !strings.Contains(r.body, "Koulukatu 5") {
		t.Fatalf("invitation page: %d", r.StatusCode)
	}
	hash := regexp.MustCompile(`name="answers" value="([0-9a-f]+)"`).FindStringSubmatch(r.body)
	form := url.Values{"_csrf": {x.sven.token}, "answers": {hash[1]}}
	r = e.do(req{method: "POST", path: "/sv/invitations/" + invID + "/approve", body: form.Encode(), cookies: []*http.Cookie{x.sven.cookie}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.StatusCode, r.body)
	}
	if got := x.partyStatus(); got != "approved/submitted" {
		t.Fatalf("after approval: %s", got)
	}
	if r, _ := x.sven.call("POST", "/api/v1/invitations/"+invID+"/decline", map[string]any{"reason": "late"}); r.StatusCode != 409 {
		t.Errorf("answer twice: %d", r.StatusCode)
	}
	// Used: the link no longer works; Sven sees the case in his applications.
	if r := e.do(req{path: "/sv/i/" + x.token}); r.StatusCode != 404 {
		t.Errorf("used token: %d", r.StatusCode)
	}
	if r, _ := x.sven.call("GET", "/api/v1/cases/"+x.caseID, nil); r.StatusCode != 200 {
		t.Errorf("Sven reads the case: %d", r.StatusCode)
	}
}

func TestDeclineAndResubmitPages(t *testing.T) {
	x := newCoApplicants(t)
	e := x.e
	rr := e.do(req{path: "/api/v1/invitations", cookies: []*http.Cookie{x.sven.cookie}})
	invID := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(rr.body)[1]
	if r, _ := x.sven.call("POST", "/api/v1/invitations/"+invID+"/decline", map[string]any{"reason": "Fel plats"}); r.StatusCode != 200 {
		t.Fatalf("decline: %d %s", r.StatusCode, r.body)
	}
	r := e.do(req{path: "/fi/cases/" + x.caseID, cookies: []*http.Cookie{x.aino.cookie}})
	if !strings.Contains(r.body, `id="case-parties" data-live`) || !strings.Contains(r.body, "party-status-declined") || !strings.Contains(r.body, "Fel plats") {
		t.Fatalf("case page: %d", r.StatusCode)
	}
	// One party, who answered: the count in the singular, no one waited for.
	must(t, r, 200, "Hyväksyntöjä 0/1. Se menee kunnalle, kun toinen osapuoli on hyväksynyt sen.</p>")
	mustNot(t, r, "Odotetaan")
	form := url.Values{"_csrf": {x.aino.token}}
	r = e.do(req{method: "POST", path: "/fi/cases/" + x.caseID + "/reopen", body: form.Encode(), cookies: []*http.Cookie{x.aino.cookie}})
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "/summary") {
		t.Fatalf("reopen: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	draft := strings.Split(r.Header.Get("Location"), "/")[3]
	r, out := x.aino.call("POST", "/api/v1/drafts/"+draft+"/submit", nil)
	if r.StatusCode != 201 || out["id"] != x.caseID || out["status"] != "awaiting-signatures" {
		t.Fatalf("resubmit: %d %s", r.StatusCode, r.body)
	}
	if got := x.partyStatus(); got != "waiting/awaiting-signatures" {
		t.Fatalf("after resubmit: %s", got)
	}
}

// TestInvitationLinkRateLimit: opening invitation links is limited per
// address (token guessing): 10 at once, then 429.
func TestInvitationLinkRateLimit(t *testing.T) {
	e := newEnv(t)
	for i := 1; i <= 11; i++ {
		r := e.do(req{path: "/sv/i/" + strings.Repeat("A", 42) + string(rune('a'+i))})
		want := http.StatusNotFound
		if i == 11 {
			want = http.StatusTooManyRequests
		}
		if r.StatusCode != want {
			t.Fatalf("open %d: %d, want %d", i, r.StatusCode, want)
		}
	}
}

// TestPartiesAPI: adding and removing parties per CONTRACT.md, and the
// refusals of a draft that is not the person's or of another service.
func TestPartiesAPI(t *testing.T) {
	e := newEnv(t, noRateLimits)
	aino := e.client("140386-902R")
	_, out := aino.call("POST", "/api/v1/drafts", map[string]any{"service": "building-notification"})
	id := out["id"].(string)
	if r := e.do(req{path: "/fi/drafts/" + id + "/parties", cookies: []*http.Cookie{aino.cookie}}); r.StatusCode != 200 ||
		!strings.Contains(r.body, "Sven Lindqvist") || strings.Contains(r.body, "171279-9677") {
		t.Errorf("suggestions: %d, shows a henkilötunnus: %v", r.StatusCode, strings.Contains(r.body, "171279-9677"))
	}
	r, out := aino.call("POST", "/api/v1/drafts/"+id+"/parties", map[string]any{"name": "Sven Lindqvist", "hetu": "171279-9677"})
	if r.StatusCode != 201 || out["id"] == nil {
		t.Fatalf("add: %d %s", r.StatusCode, r.body)
	}
	party := out["id"].(string)
	if r, _ := aino.call("POST", "/api/v1/drafts/"+id+"/parties", map[string]any{"name": "Sven", "hetu": "171279-9677"}); r.StatusCode != 422 || !strings.Contains(r.body, `"field":"hetu"`) {
		t.Errorf("duplicate: %d %s", r.StatusCode, r.body)
	}
	maria := e.client("030392-974H")
	if r, _ := maria.call("POST", "/api/v1/drafts/"+id+"/parties", map[string]any{"name": "Sven", "hetu": "171279-9677"}); r.StatusCode != 404 {
		t.Errorf("someone else's draft: %d", r.StatusCode)
	}
	if r, _ := maria.call("DELETE", "/api/v1/drafts/"+id+"/parties/"+party, nil); r.StatusCode != 404 {
		t.Errorf("someone else removes: %d", r.StatusCode)
	}
	_, out = aino.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	if r, _ := aino.call("POST", "/api/v1/drafts/"+out["id"].(string)+"/parties", map[string]any{"name": "Sven", "hetu": "171279-9677"}); r.StatusCode != 409 {
		t.Errorf("service without parties: %d", r.StatusCode)
	}
	if r := e.do(req{path: "/fi/drafts/" + id + "/parties", cookies: []*http.Cookie{aino.cookie}}); r.StatusCode != 200 || strings.Contains(r.body, "171279-9677") {
		t.Errorf("parties page: %d, shows a henkilötunnus: %v", r.StatusCode, strings.Contains(r.body, "171279-9677"))
	}
	if r, _ := aino.call("DELETE", "/api/v1/drafts/"+id+"/parties/"+party, nil); r.StatusCode != 204 {
		t.Errorf("remove: %d", r.StatusCode)
	}
	if r, _ := aino.call("GET", "/api/v1/drafts/"+id+"/parties", nil); r.body != "[]" {
		t.Errorf("after remove: %s", r.body)
	}
}

// TestReceiptWhileAwaitingApprovals: while the parties have not all
// approved, the receipt, the case page and the PDF say so (how many of
// how many, who is still asked), not that it went to the municipality.
func TestReceiptWhileAwaitingApprovals(t *testing.T) {
	e := newEnv(t, noRateLimits)
	aino := e.client("140386-902R")
	id := buildingDraft(t, aino)
	for _, p := range []map[string]any{{"name": "Sven Lindqvist", "hetu": "171279-9677"},
		{"name": "Maria Nieminen", "hetu": "030392-974H", "email": "maria@example.fi"}} {
		if r, _ := aino.call("POST", "/api/v1/drafts/"+id+"/parties", p); r.StatusCode != 201 {
			t.Fatalf("party: %d %s", r.StatusCode, r.body)
		}
	}
	r, out := aino.call("POST", "/api/v1/drafts/"+id+"/submit", nil)
	if r.StatusCode != 201 {
		t.Fatalf("submit: %d %s", r.StatusCode, r.body)
	}
	caseURL := "/cases/" + out["id"].(string)
	get := func(who *apiClient, path string) resp {
		return e.do(req{path: path, cookies: []*http.Cookie{who.cookie}})
	}
	// The parties in either order (added at the same clock time).
	both := regexp.MustCompile(`(Sven Lindqvist, Maria Nieminen|Maria Nieminen, Sven Lindqvist)\.</p>`)
	r = get(aino, "/en"+caseURL+"?new=1")
	must(t, r, 200, "Sent to the other parties for approval", "It has not gone to the municipality yet",
		"0 of 2 approvals. It goes to the municipality once all 2 parties have approved it. Waiting for ")
	mustNot(t, r, "Your notification has been sent", "We will process")
	if !both.MatchString(r.body) {
		t.Error("the English page does not name both parties waited for")
	}
	r = get(aino, "/fi"+caseURL)
	must(t, r, 200, "Hyväksyntöjä 0/2. Se menee kunnalle, kun kaikki 2 osapuolta ovat hyväksyneet sen. Odotetaan: ")
	if !both.MatchString(r.body) {
		t.Error("the Finnish page does not name both parties waited for")
	}

	sven, maria := e.client("171279-9677"), e.client("030392-974H")
	approve := func(who *apiClient) {
		t.Helper()
		rr := e.do(req{path: "/api/v1/invitations", cookies: []*http.Cookie{who.cookie}})
		m := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(rr.body)
		if m == nil {
			t.Fatalf("invitations: %s", rr.body)
		}
		if r, _ := who.call("POST", "/api/v1/invitations/"+m[1]+"/approve", nil); r.StatusCode != 200 {
			t.Fatalf("approve: %d %s", r.StatusCode, r.body)
		}
	}
	approve(sven)
	must(t, get(aino, "/sv"+caseURL), 200, "1 av 2 godkännanden. Den går till kommunen när alla 2 parter har godkänt den. Väntar på Maria Nieminen.")
	pdf := get(aino, "/sv"+caseURL+"/receipt.pdf")
	shown, _, err := pdftext.Read([]byte(pdf.body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Skickad till de andra parterna för godkännande", "Väntar på Maria Nieminen"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the PDF does not show %q:\n%s", want, shown)
		}
	}
	approve(maria)
	r = get(aino, "/en"+caseURL+"?new=1")
	must(t, r, 200, "Your notification has been sent", "We will process your notification")
	mustNot(t, r, "Sent to the other parties", `id="case-approvals"`)
}

// TestNavRequestsToApprove: a resident asked to approve an application
// finds the requests from the navigation, with how many wait for them;
// once answered the link goes, except on the requests page itself.
func TestNavRequestsToApprove(t *testing.T) {
	x := newCoApplicants(t)
	e := x.e
	get := func(who *apiClient, path string) resp {
		return e.do(req{path: path, cookies: []*http.Cookie{who.cookie}})
	}
	link := `<a href="/en/invitations">Requests to approve <span class="nav-count">1 waiting</span></a>`
	must(t, get(x.sven, "/en/services"), 200, link)
	must(t, get(x.sven, "/sv/services"), 200, `<a href="/sv/invitations">Begäran om godkännande <span class="nav-count">1 väntar</span></a>`)
	mustNot(t, get(x.aino, "/en/services"), `href="/en/invitations"`) // asked no one's approval
	rr := e.do(req{path: "/api/v1/invitations", cookies: []*http.Cookie{x.sven.cookie}})
	invID := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(rr.body)[1]
	if r, _ := x.sven.call("POST", "/api/v1/invitations/"+invID+"/approve", nil); r.StatusCode != 200 {
		t.Fatalf("approve: %d %s", r.StatusCode, r.body)
	}
	mustNot(t, get(x.sven, "/en/services"), `href="/en/invitations"`)
	must(t, get(x.sven, "/en/invitations"), 200, `<a href="/en/invitations" aria-current="page">Requests to approve</a>`)
}

// TestHandlerSeesSourcesAndParties: a co-applicants' case is not the
// handlers' while it waits; once approved, the handler's case page shows
// where prefilled answers came from and every party with their answer,
// and opening it is logged for the party too.
func TestHandlerSeesSourcesAndParties(t *testing.T) {
	x := newCoApplicants(t)
	e := x.e
	kaisa := e.client("kaisa")
	page := func(lang string) resp {
		return e.do(req{path: "/" + lang + "/staff/cases/" + x.caseID, cookies: []*http.Cookie{kaisa.cookie}})
	}
	if r := page("en"); r.StatusCode != 404 {
		t.Errorf("a waiting case's page for a handler: %d", r.StatusCode)
	}
	if r, _ := kaisa.call("GET", "/api/v1/handler/cases?status=all", nil); strings.Contains(r.body, x.caseID) {
		t.Errorf("a waiting case in the inbox: %s", r.body)
	}
	rr := e.do(req{path: "/api/v1/invitations", cookies: []*http.Cookie{x.sven.cookie}})
	invID := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(rr.body)[1]
	if r, _ := x.sven.call("POST", "/api/v1/invitations/"+invID+"/approve", nil); r.StatusCode != 200 {
		t.Fatalf("approve: %d %s", r.StatusCode, r.body)
	}
	if r, _ := kaisa.call("GET", "/api/v1/handler/cases", nil); !strings.Contains(r.body, x.caseID) {
		t.Errorf("the approved case is not in the inbox: %s", r.body)
	}
	r := page("en")
	must(t, r, 200, `<span class="hint answer-source">Prefilled from the land register. The applicant could change it.</span>`,
		`<span class="party-name">Sven Lindqvist</span> <span class="status-chip party-status-approved">Approved</span>`)
	must(t, page("fi"), 200, "Esitäytetty kiinteistörekisteristä. Hakija saattoi muuttaa sitä.")
	accesses, _, err := audit.Of(e.st, e.personID("171279-9677"), audit.Filter{})
	if err != nil || len(accesses) == 0 || accesses[0].Actor.ID != "kaisa" || accesses[0].Case != x.caseID {
		t.Errorf("the handler's reading is not in Sven's access log: %+v %v", accesses, err)
	}
}

// TestHandlerSourceOfChangedPrefill: the handler's case view names the
// register as the source of a prefilled answer only while it is the
// value that was prefilled; a phone number the resident changed is
// theirs (cases.SourceOf).
func TestHandlerSourceOfChangedPrefill(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers map[string]any
		want    bool
	}{
		{"kept", map[string]any{}, true},
		{"changed", map[string]any{"phone": "+358 40 999 0000"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			answers := homeHelpForSelf()
			for k, v := range tc.answers {
				answers[k] = v
			}
			caseID := e.client("050840-948K").submitted(t, "home-help", answers)
			r := e.do(req{path: "/en/staff/cases/" + caseID, cookies: []*http.Cookie{e.login("kaisa")}})
			const src = "Prefilled from the contact details Helmi Korhonen gave us."
			if got := strings.Contains(r.body, src); r.StatusCode != 200 || got != tc.want {
				t.Errorf("%d: contact-details source shown = %v, want %v", r.StatusCode, got, tc.want)
			}
		})
	}
}
