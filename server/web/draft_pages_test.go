package web

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// formClient is one logged-in resident using the pages without JavaScript.
type formClient struct {
	e      *env
	t      *testing.T
	cookie *http.Cookie
	token  string
}

func (e *env) resident(hetu string) *formClient {
	c := e.login(hetu)
	return &formClient{e: e, t: e.t, cookie: c, token: e.csrf(c)}
}

func (f *formClient) get(path string) resp {
	f.t.Helper()
	return f.e.do(req{path: path, cookies: []*http.Cookie{f.cookie}})
}

// post sends a url-encoded form with the CSRF token.
func (f *formClient) post(path string, form url.Values) resp {
	f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", f.token)
	r := f.e.do(req{method: "POST", path: path, body: form.Encode(), ctype: "application/x-www-form-urlencoded", cookies: []*http.Cookie{f.cookie}})
	if c := cookie(r, cookieSession); c != nil && c.Value != "" {
		f.cookie = c
		f.token = f.e.csrf(c)
	}
	return r
}

// postFile sends a multipart form with one file.
func (f *formClient) postFile(path string, form url.Values, field, name string, content []byte) resp {
	f.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	form.Set("_csrf", f.token)
	for k, vs := range form {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, err := w.CreateFormFile(field, name)
	if err != nil {
		f.t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	return f.e.do(req{method: "POST", path: path, body: buf.String(), ctype: w.FormDataContentType(), cookies: []*http.Cookie{f.cookie}})
}

func location(r resp) string { return r.Header.Get("Location") }

var versionRe = regexp.MustCompile(`name="version" value="(\d+)"`)

func pageVersion(t *testing.T, body string) string {
	t.Helper()
	m := versionRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no version in page %.500s", body)
	}
	return m[1]
}

// start starts a service from its page and returns the draft's first step URL.
func (f *formClient) start(lang, service string) string {
	f.t.Helper()
	r := f.post("/"+lang+"/services/"+service+"/start", nil)
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(location(r), "/step/1") {
		f.t.Fatalf("start %s: %d %s %.300s", service, r.StatusCode, location(r), r.body)
	}
	return location(r)
}

func draftIDOf(stepURL string) string {
	parts := strings.Split(stepURL, "/")
	return parts[3]
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v: %.300s", err, s)
	}
}

var pdf = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

func must(t *testing.T, r resp, status int, contains ...string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d; %s %.2000s", r.StatusCode, status, location(r), r.body)
	}
	for _, c := range contains {
		if !strings.Contains(r.body, c) {
			t.Errorf("page lacks %q", c)
		}
	}
}

func mustNot(t *testing.T, r resp, absent ...string) {
	t.Helper()
	for _, a := range absent {
		if strings.Contains(r.body, a) {
			t.Errorf("page has %q", a)
		}
	}
}

func redirectTo(t *testing.T, r resp, want string) {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther || location(r) != want {
		t.Fatalf("got %d → %q, want 303 → %q; %.1500s", r.StatusCode, location(r), want, r.body)
	}
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// TestSportsShiftWithoutJS fills, checks and sends a form with plain
// posts: prefill, a validation error fixed, a conditional field, a
// number that does not read, an upload and a rejected upload, the
// summary, sending twice, the receipt and its downloads.
func TestSportsShiftWithoutJS(t *testing.T) {
	e := newEnv(t)
	maria := e.resident("030392-974H")
	step1 := maria.start("fi", "sports-shift")
	id := draftIDOf(step1)
	base := "/fi/drafts/" + id
	redirectTo(t, maria.get(base), step1)

	r := maria.get(step1)
	must(t, r, 200, "Vaihe 1/3", `value="Maria"`, "Tieto on haettu väestötietojärjestelmästä.",
		`autocomplete="given-name"`, `aria-describedby="contactEmail-hint contactEmail-source"`, "(pakollinen)",
		"Tallenna ja jatka myöhemmin", `src="/s/`, `js/form.js"`, `<li class="step-current" aria-current="step">`)
	mustNot(t, r, ` style="`, "<script>")
	v := pageVersion(t, r.body)

	// Continue without the phone: the step shows the problem, keeps what was typed.
	r = maria.post(step1, form("version", v, "action", "next", "contactFirstName", "Maria", "contactLastName", "Nieminen",
		"contactEmail", "maria.n@example.fi", "contactPhone", ""))
	must(t, r, 422, "Tarkista tiedot", `<a href="#contactPhone">Puhelinnumero: Kirjoita puhelinnumerosi.</a>`, `value="maria.n@example.fi"`,
		`id="contactPhone-error"`, `aria-invalid="true"`, `aria-describedby="contactPhone-hint contactPhone-error"`)
	if !strings.Contains(r.body, "<title>Virhe:") {
		t.Error("the title does not say there is an error")
	}
	v = pageVersion(t, r.body)
	r = maria.post(step1, form("version", v, "action", "next", "contactFirstName", "Maria", "contactLastName", "Nieminen",
		"contactEmail", "maria.n@example.fi", "contactPhone", "040 123 4567"))
	redirectTo(t, r, base+"/step/2")

	// Step 2: the business ID is asked only for associations and companies.
	r = maria.get(base + "/step/2")
	must(t, r, 200, "Vaihe 2/3", `data-show-if="{&#34;field&#34;:&#34;groupType&#34;,&#34;in&#34;:[&#34;association&#34;,&#34;company&#34;]}"`,
		"Vastaa vain, jos valitsit kohdassa ”Millainen ryhmä on?” vaihtoehdon ”Rekisteröity yhdistys tai seura” tai ”Yritys”.",
		`class="link-button">
<span class="step-title">Yhteyshenkilö</span></button>`)
	if !regexp.MustCompile(`id="field-businessId" [^>]*hidden`).MatchString(r.body) {
		t.Error("business ID not hidden while no group type is chosen")
	}
	v = pageVersion(t, r.body)
	r = maria.post(base+"/step/2", form("version", v, "action", "next", "groupName", "Tiistaisählä", "groupType", "association",
		"ageGroup", "adults", "participants", "kaksitoista"))
	must(t, r, 422, "Kirjoita luku numeroina, esimerkiksi 12.", `value="kaksitoista"`, `<a href="#businessId">`, `value="Tiistaisählä"`)
	if regexp.MustCompile(`id="field-businessId" [^>]*hidden`).MatchString(r.body) {
		t.Error("business ID hidden although an association was chosen")
	}
	v = pageVersion(t, r.body)
	r = maria.post(base+"/step/2", form("version", v, "action", "next", "groupName", "Tiistaisählä", "groupType", "association",
		"businessId", "2345678-0", "ageGroup", "adults", "participants", "12"))
	redirectTo(t, r, base+"/step/3")

	// Step 3: a wrong kind of file, then a PDF.
	r = maria.get(base + "/step/3")
	must(t, r, 200, `enctype="multipart/form-data"`, `type="file"`, `accept="application/pdf,image/jpeg,image/png"`)
	v = pageVersion(t, r.body)
	slot := form("version", v, "action", "next", "hall", "sports-centre-main", "weekday", "tue", "startTime", "18.30",
		"duration", "90", "season", "full", "equipmentNeeded", "true", "equipment", "Verkko ja 10 palloa", "attachment", "")
	r = maria.postFile(base+"/step/3", slot, "attachment", "notes.txt", []byte("just some text, not a pdf"))
	must(t, r, 422, `id="attachment-error"`, "Tiedoston tyyppiä ei voi käyttää tässä.", `<a href="#attachment">`)
	slot.Set("version", pageVersion(t, r.body))
	r = maria.postFile(base+"/step/3", slot, "attachment", "suunnitelma.pdf", pdf)
	redirectTo(t, r, base+"/summary")

	// Back on step 3 the file is shown with a way to remove it.
	r = maria.get(base + "/step/3")
	must(t, r, 200, "suunnitelma.pdf", `value="removefile:attachment"`, `>Verkko ja 10 palloa</textarea>`)
	attURL := regexp.MustCompile(`href="(/fi/attachments/[^"]+)"`).FindStringSubmatch(r.body)
	if attURL == nil {
		t.Fatal("no attachment link")
	}

	r = maria.get(base + "/summary")
	must(t, r, 200, "Tarkista vastauksesi", "Urheilutalo, iso sali", "Tiistaisählä", "suunnitelma.pdf", "Rekisteröity yhdistys tai seura",
		`href="`+base+`/step/2#participants"`, "Muuta", "Lähetä hakemus", `action="`+base+`/submit"`)

	r = maria.post(base+"/submit", nil)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(location(r), "/fi/cases/") || !strings.HasSuffix(location(r), "?new=1") {
		t.Fatalf("submit: %d %s %.1000s", r.StatusCode, location(r), r.body)
	}
	caseURL := strings.TrimSuffix(location(r), "?new=1")
	again := maria.post(base+"/submit", nil)
	redirectTo(t, again, caseURL+"?new=1")
	redirectTo(t, maria.get(base+"/step/1"), caseURL)

	r = maria.get(caseURL + "?new=1")
	must(t, r, 200, "Hakemuksesi on lähetetty", "ESI-2026-000001", "Mitä seuraavaksi tapahtuu", "Käsittelyaika",
		"Maria Nieminen lähetti hakemuksen.", "Lähetetty, odottaa käsittelyä", "Verkko ja 10 palloa", "suunnitelma.pdf",
		`href="`+caseURL+`/receipt.json"`, `<a href="/fi/settings/notifications">Kerro minulle, kun hakemukselle tapahtuu jotain</a>`)
	mustNot(t, r, "Muuta<span")

	r = maria.get(caseURL + "/receipt.json")
	must(t, r, 200, `"reference": "ESI-2026-000001"`, `"label": "Liikuntatila"`, `"value": "Urheilutalo, iso sali"`)
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "ESI-2026-000001.json") {
		t.Errorf("receipt disposition %q", cd)
	}
	var receipt map[string]any
	mustJSON(t, r.body, &receipt)

	r = maria.get(attURL[1])
	must(t, r, 200, "%PDF-1.4")
	if r.Header.Get("Content-Type") != "application/pdf" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("attachment headers %v", r.Header)
	}

	r = maria.get("/fi/cases")
	must(t, r, 200, "Omat hakemukset", "ESI-2026-000001", "Liikuntavuoron hakeminen", "Lähetetty, odottaa käsittelyä")

	// Someone else sees none of it: 404, never 403, never data.
	aino := e.resident("140386-902R")
	for _, path := range []string{base, base + "/step/1", base + "/summary", caseURL, caseURL + "/receipt.json", attURL[1], base + "/delete"} {
		r := aino.get(path)
		if r.StatusCode != 404 || strings.Contains(r.body, "Tiistaisählä") {
			t.Errorf("aino GET %s: %d", path, r.StatusCode)
		}
	}
	for _, path := range []string{base + "/step/1", base + "/submit", base + "/delete"} {
		r := aino.post(path, form("version", "1", "contactPhone", "0401234567"))
		if r.StatusCode != 404 {
			t.Errorf("aino POST %s: %d", path, r.StatusCode)
		}
	}
}

// principalID finds whom a resident may act for, by name.
func (f *formClient) principalID(name string) string {
	f.t.Helper()
	r := f.get("/api/v1/me/principals")
	var list []struct{ ID, Name string }
	mustJSON(f.t, r.body, &list)
	for _, p := range list {
		if p.Name == name {
			return p.ID
		}
	}
	f.t.Fatalf("no principal %q in %s", name, r.body)
	return ""
}

func (f *formClient) actFor(lang, name string) {
	f.t.Helper()
	id := ""
	if name != "" {
		id = f.principalID(name)
	}
	r := f.post("/"+lang+"/acting-for", form("principal", id, "next", "/"+lang+"/my"))
	if r.StatusCode != http.StatusSeeOther {
		t := f.t
		t.Fatalf("acting for %q: %d %.300s", name, r.StatusCode, r.body)
	}
}

// finnishUI are words of the Finnish interface that must not show on a
// Swedish page.
var finnishUI = []string{"Jatka", "Takaisin", "Tallenna", "pakollinen", "Vaihe ", "Tieto on haettu", "Vastaa vain", "Tarkista", "Lähetä", "hakemus"}

// TestEarlyEducationActingForChild: a guardian applies for a child in
// Swedish: the child's register data is locked, the conditional proof of
// urgency is asked only when the need is urgent, and the case is the
// child's too.
func TestEarlyEducationActingForChild(t *testing.T) {
	e := newEnv(t)
	aino := e.resident("140386-902R")

	// For herself the service cannot be started: the page says why and where to go.
	r := aino.post("/sv/services/early-education/start", nil)
	must(t, r, 403, "Välj för vem du ansöker", `href="/sv/acting-for?next=%2Fsv%2Fservices%2Fearly-education"`)

	aino.actFor("sv", "Eetu Virtanen")
	step1 := aino.start("sv", "early-education")
	id := draftIDOf(step1)
	base := "/sv/drafts/" + id
	r = aino.get(step1)
	must(t, r, 200, `<html lang="sv">`, "Steg 1 av 4", "Du ansöker för Eetu Virtanen", `<p class="locked-value" id="childFirstName">Eetu</p>`,
		"Uppgiften är hämtad från befolkningsdatasystemet.", "Uppgiften kan inte ändras här.", "Fortsätt", "Spara och fortsätt senare")
	mustNot(t, r, finnishUI...)
	mustNot(t, r, `name="childFirstName"`, `name="childHetu"`)
	v := pageVersion(t, r.body)
	// A post cannot change locked register data.
	r = aino.post(step1, form("version", v, "action", "next", "childFirstName", "Someone", "specialNeeds", ""))
	redirectTo(t, r, base+"/step/2")

	r = aino.get(base + "/step/2")
	must(t, r, 200, "Steg 2 av 4", `data-show-if="{&#34;field&#34;:&#34;urgent&#34;,&#34;equals&#34;:&#34;yes&#34;}"`,
		"Svara bara om du valde ”", `type="date"`, "Ansökans steg")
	mustNot(t, r, finnishUI...)
	v = pageVersion(t, r.body)
	need := form("version", v, "action", "next", "startDate", "2027-01-11", "urgent", "yes", "careNeed", "fullDay", "urgentProof", "")
	r = aino.post(base+"/step/2", need)
	must(t, r, 422, `<a href="#urgentProof">Arbets- eller studieintyg: Bifoga ett arbets- eller studieintyg.</a>`)
	mustNot(t, r, finnishUI...)
	need.Set("version", pageVersion(t, r.body))
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	r = aino.postFile(base+"/step/2", need, "urgentProof", "intyg.png", png)
	redirectTo(t, r, base+"/step/3")

	r = aino.get(base + "/step/3")
	v = pageVersion(t, r.body)
	r = aino.post(base+"/step/3", form("version", v, "action", "next", "preferredUnits", "solstralen", "preferredUnits", "satakieli"))
	redirectTo(t, r, base+"/step/4")
	r = aino.get(base + "/step/4")
	// The guardian's own contact details may be filled in by the browser.
	must(t, r, 200, `autocomplete="email"`, "aino.virtanen")
	v = pageVersion(t, r.body)
	r = aino.post(base+"/step/4", form("version", v, "action", "next", "guardianEmail", "aino.virtanen@example.fi", "guardianPhone", "040 765 4321", "otherGuardianKnows", "true"))
	redirectTo(t, r, base+"/summary")

	r = aino.get(base + "/summary")
	must(t, r, 200, "Kontrollera dina svar", "Du skickar ansökan för Eetu Virtanen.", "intyg.png", "Eetu", "Skicka ansökan")
	mustNot(t, r, finnishUI...)
	mustNot(t, r, "Someone")
	r = aino.post(base+"/submit", nil)
	caseURL := strings.TrimSuffix(location(r), "?new=1")
	r = aino.get(caseURL + "?new=1")
	must(t, r, 200, "Din ansökan har skickats", "Aino Virtanen skickade ansökan för Eetu Virtanen.", "Sökande", "Eetu Virtanen", "Vad händer nu")
	mustNot(t, r, finnishUI...)

	// The child sees the application made in his name.
	eetu := e.resident("210620A925C")
	r = eetu.get("/sv/cases")
	must(t, r, 200, "Ansökan om småbarnspedagogik", "Skickad för dig av Aino Virtanen")
	must(t, eetu.get(caseURL), 200, "Aino Virtanen skickade ansökan för Eetu Virtanen.")
	mustNot(t, eetu.get(caseURL), "read-only-notice")

	// The other guardian was told, and sees it among his children's,
	// read-only.
	mikko := e.resident("021184-9139")
	must(t, mikko.get("/sv/cases"), 200, "Mina barns", "Ansökan om småbarnspedagogik")
	must(t, mikko.get(caseURL), 200, "Aino Virtanen gjorde den här ansökan. Den gäller också dig, så du kan se ansökan, men du kan inte ändra den.")
	must(t, mikko.get("/sv/notifications"), 200, "Ansökan om småbarnspedagogik")
}

// TestStaleVersion: a post from a page older than the saved draft.
func TestStaleVersion(t *testing.T) {
	e := newEnv(t)
	maria := e.resident("030392-974H")
	step1 := maria.start("en", "sports-shift")
	id := draftIDOf(step1)
	page := maria.get(step1)
	v := pageVersion(t, page.body)
	baseHash := regexp.MustCompile(`name="_base" value="([0-9a-f]+)"`).FindStringSubmatch(page.body)[1]

	// Another device saves a different phone number on this step.
	var draft struct {
		Version int            `json:"version"`
		Data    map[string]any `json:"data"`
	}
	mustJSON(t, maria.get("/api/v1/drafts/"+id).body, &draft)
	draft.Data["contactPhone"] = "050 111 2222"
	put := e.do(req{method: "PUT", path: "/api/v1/drafts/" + id, body: mustMarshal(t, map[string]any{"version": draft.Version, "data": draft.Data}),
		cookies: []*http.Cookie{maria.cookie}, headers: map[string]string{"X-CSRF-Token": maria.token}})
	must(t, put, 200)

	mine := form("version", v, "_base", baseHash, "action", "next", "contactFirstName", "Maria", "contactLastName", "Nieminen",
		"contactEmail", "maria.nieminen@example.fi", "contactPhone", "040 999 8888")
	r := maria.post(step1, mine)
	must(t, r, 409, "Your answers were changed somewhere else", "Phone number", "040 999 8888", "050 111 2222",
		"Keep my answers", "Use the saved answers", `name="version" value="2"`, `name="contactPhone" value="040 999 8888"`)
	mustNot(t, r, `<th scope="row">Email</th>`) // the same on both sides

	// Keep my answers: the same post again with the current version.
	again := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(r.body, -1) {
		if m[1] != "_csrf" {
			again.Add(m[1], htmlUnescape(m[2]))
		}
	}
	redirectTo(t, maria.post(step1, again), "/en/drafts/"+id+"/step/2")
	mustJSON(t, maria.get("/api/v1/drafts/"+id).body, &draft)
	if draft.Data["contactPhone"] != "040 999 8888" {
		t.Errorf("kept answer not saved: %v", draft.Data["contactPhone"])
	}

	// A change on another step meanwhile is not a conflict: both are kept.
	page = maria.get(step1)
	v = pageVersion(t, page.body)
	baseHash = regexp.MustCompile(`name="_base" value="([0-9a-f]+)"`).FindStringSubmatch(page.body)[1]
	draft.Data["groupName"] = "From the phone"
	must(t, e.do(req{method: "PUT", path: "/api/v1/drafts/" + id, body: mustMarshal(t, map[string]any{"version": draft.Version, "data": draft.Data}),
		cookies: []*http.Cookie{maria.cookie}, headers: map[string]string{"X-CSRF-Token": maria.token}}), 200)
	mine.Set("version", v)
	mine.Set("_base", baseHash)
	mine.Set("contactPhone", "040 555 6666")
	redirectTo(t, maria.post(step1, mine), "/en/drafts/"+id+"/step/2")
	mustJSON(t, maria.get("/api/v1/drafts/"+id).body, &draft)
	if draft.Data["contactPhone"] != "040 555 6666" || draft.Data["groupName"] != "From the phone" {
		t.Errorf("merge lost an answer: %v", draft.Data)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#43;", "+").Replace(s)
}

// TestGroupRowsWithoutJS adds and removes rows of a repeating group.
func TestGroupRowsWithoutJS(t *testing.T) {
	e := newEnv(t)
	aino := e.resident("140386-902R")
	aino.actFor("en", "Esimerkkilän Urheiluseura ry")
	step1 := aino.start("en", "association-grant")
	base := "/en/drafts/" + draftIDOf(step1)
	r := aino.get(step1)
	must(t, r, 200, "Esimerkkilän Urheiluseura ry", "2345678-0")
	v := pageVersion(t, r.body)
	r = aino.post(step1, form("version", v, "action", "next", "iban", "FI21 1234 5600 0007 85", "members", "120",
		"email", "seura@example.fi", "phone", "040 123 4567"))
	redirectTo(t, r, base+"/step/2")

	r = aino.get(base + "/step/2")
	must(t, r, 200, `name="budget.count" value="1"`, `name="budget.0.item"`, "Budget, row 1", `value="add:budget"`)
	mustNot(t, r, `value="remove:budget:0"`)
	v = pageVersion(t, r.body)
	grant := form("version", v, "grantPurpose", "Youth football", "amount", "1500", "otherFunding", "no",
		"budget.count", "1", "budget.0.item", "Pitch rent", "budget.0.itemAmount", "1000")
	grant.Set("action", "add:budget")
	redirectTo(t, aino.post(base+"/step/2", grant), base+"/step/2#budget.1.item")
	r = aino.get(base + "/step/2")
	must(t, r, 200, `name="budget.count" value="2"`, `value="Pitch rent"`, `value="remove:budget:1"`, "Budget, row 2")

	grant = form("version", pageVersion(t, r.body), "grantPurpose", "Youth football", "amount", "1500", "otherFunding", "no",
		"budget.count", "2", "budget.0.item", "Pitch rent", "budget.0.itemAmount", "1000", "budget.1.item", "Coach travel", "budget.1.itemAmount", "abc")
	grant.Set("action", "next")
	r = aino.post(base+"/step/2", grant)
	must(t, r, 422, `<a href="#budget.1.itemAmount">Budget, row 2 – Amount (€): Enter an amount in euros`, `value="abc"`)

	grant.Set("version", pageVersion(t, r.body))
	grant.Set("action", "remove:budget:0")
	redirectTo(t, aino.post(base+"/step/2", grant), base+"/step/2#budget")
	r = aino.get(base + "/step/2")
	must(t, r, 200, `name="budget.count" value="1"`, `value="Coach travel"`)
	mustNot(t, r, "Pitch rent")
}

// TestDraftsPages: saving for later, the list, deleting, the empty state.
func TestDraftsPages(t *testing.T) {
	e := newEnv(t)
	maria := e.resident("030392-974H")
	r := maria.get("/fi/drafts")
	must(t, r, 200, "Sinulla ei ole keskeneräisiä hakemuksia. Aloita valitsemalla palvelu.", `href="/fi/services"`)

	step1 := maria.start("fi", "sports-shift")
	id := draftIDOf(step1)
	v := pageVersion(t, maria.get(step1).body)
	r = maria.post(step1, form("version", v, "action", "later", "contactPhone", "040 1"))
	redirectTo(t, r, "/fi/drafts?saved="+id)
	r = maria.get("/fi/drafts?saved=" + id)
	must(t, r, 200, "Hakemuksesi ”Liikuntavuoron hakeminen” on tallennettu.", "Tallennettu viimeksi 23.11.2026 klo 12.00",
		"Luonnos poistetaan 23.12.2026, jos et lähetä sitä.", `href="/fi/drafts/`+id+`"`,
		"Olet vaiheessa 1/3: Yhteyshenkilö") // the step reached
	// Resuming lands where they left off, with what they typed.
	redirectTo(t, maria.get("/fi/drafts/"+id), step1)
	must(t, maria.get(step1), 200, `value="040 1"`)

	must(t, maria.get("/fi/my"), 200, "Keskeneräiset hakemukset", "Liikuntavuoron hakeminen")

	// The reminder three days before the draft is deleted.
	e.clock.Add(28 * 24 * time.Hour)
	if _, n, err := e.cases.Housekeep(); err != nil || n != 1 {
		t.Fatalf("housekeep reminded %d: %v", n, err)
	}
	maria = e.resident("030392-974H") // the session has timed out meanwhile
	must(t, maria.get("/fi/my"), 200, "Muistutukset", "Keskeneräinen hakemuksesi ”Liikuntavuoron hakeminen” poistetaan 2 päivän kuluttua, 23.12.2026.")

	r = maria.get("/fi/drafts/" + id + "/delete")
	must(t, r, 200, "Poistetaanko keskeneräinen hakemus?", "Kyllä, poista")
	redirectTo(t, maria.post("/fi/drafts/"+id+"/delete", nil), "/fi/drafts?deleted=1&service=sports-shift")
	must(t, maria.get("/fi/drafts?deleted=1"), 200, "Keskeneräinen hakemus on poistettu.", "Sinulla ei ole keskeneräisiä hakemuksia.")
	must(t, maria.get(step1), 404)
	mustNot(t, maria.get("/fi/my"), "Muistutukset")
}

// TestClosedService: starting outside the application window, and sending
// after it closed.
func TestClosedService(t *testing.T) {
	e := newEnv(t)
	ella := e.resident("090111A936M")
	r := ella.post("/en/services/summer-job-voucher/start", nil)
	must(t, r, 409, "Applications are not open now", "Opens 15 January 2027 at 09:00")

	e.clock.Add(120 * 24 * time.Hour) // 23.3.2027: open
	ella = e.resident("090111A936M")
	step1 := ella.start("en", "summer-job-voucher")
	base := "/en/drafts/" + draftIDOf(step1)
	must(t, ella.get(step1), 200, "Applications close on 31 March 2027 at 16:00.")
	e.clock.Add(10 * 24 * time.Hour) // closed
	ella = e.resident("090111A936M")
	// A send that fails redirects to the summary (a GET: refreshing it
	// does not post again), which says the service is closed.
	redirectTo(t, ella.post(base+"/submit", nil), base+"/summary")
	must(t, ella.get(base+"/summary"), 200, "The application period is not open now", "Closed on 31 March 2027 at 16:00")
	must(t, ella.get("/en/drafts"), 200, "Summer job voucher")
}

// TestSubmitErrorsOnSummary: problems found on sending link to their step.
func TestSubmitErrorsOnSummary(t *testing.T) {
	e := newEnv(t)
	maria := e.resident("030392-974H")
	step1 := maria.start("en", "sports-shift")
	base := "/en/drafts/" + draftIDOf(step1)
	// Before sending, the summary marks each missing answer at its row
	// and says so above the send button; no error summary yet.
	r := maria.get(base + "/summary")
	must(t, r, 200, `class="summary-row summary-row-error"`, `id="summary-missing"`, "answers are missing or need checking")
	mustNot(t, r, `id="error-summary"`, "<title>Error:")
	// A failed send redirects to a GET of the summary (post/redirect/get),
	// which lists the problems and says so in the page's title.
	redirectTo(t, maria.post(base+"/submit", nil), base+"/summary?check=1")
	r = maria.get(base + "/summary?check=1")
	must(t, r, 200, "<title>Error: ", "There is a problem", `id="error-summary"`, `href="`+base+`/step/1?check=1#contactPhone"`,
		`href="`+base+`/step/2?check=1#groupName"`, `class="summary-row summary-row-error"`)
	r = maria.get(base + "/step/2?check=1")
	must(t, r, 200, `<a href="#groupName">`, `id="groupName-error"`)
}

// TestMyPageReadError: a failed read of My page's lists is the error page,
// not a page that silently leaves the lists out.
func TestMyPageReadError(t *testing.T) {
	e := newEnv(t)
	maria := e.resident("030392-974H")
	must(t, maria.get("/fi/my"), 200, `<h2 id="my-drafts">Keskeneräiset hakemukset</h2>`)
	if err := e.st.Close(); err != nil { // the session stays in memory; the lists cannot be read
		t.Fatal(err)
	}
	r := maria.get("/fi/my")
	must(t, r, 500)
	mustNot(t, r, `<h2 id="my-drafts">`) // the navigation names the page; the list is not there
}
