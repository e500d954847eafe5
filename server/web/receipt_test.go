package web

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"asiointi/server/catalog"
	"asiointi/server/receipt/pdftext"
)

// submitted sends a draft of the service through the API with answers
// merged over the prefill, and returns the case id.
func (a *apiClient) submitted(t *testing.T, service string, answers map[string]any) string {
	t.Helper()
	r, out := a.call("POST", "/api/v1/drafts", map[string]any{"service": service})
	if r.StatusCode != 201 {
		t.Fatalf("create %s: %d %s", service, r.StatusCode, r.body)
	}
	id := out["id"].(string)
	_, out = a.call("GET", "/api/v1/drafts/"+id, nil)
	data := out["data"].(map[string]any)
	for k, v := range answers {
		data[k] = v
	}
	if r, _ := a.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": out["version"], "data": data}); r.StatusCode != 200 {
		t.Fatalf("save: %d %s", r.StatusCode, r.body)
	}
	r, out = a.call("POST", "/api/v1/drafts/"+id+"/submit", nil)
	if r.StatusCode != 201 && r.StatusCode != 200 {
		t.Fatalf("submit: %d %s", r.StatusCode, r.body)
	}
	if c, ok := out["case"].(map[string]any); ok {
		return c["id"].(string)
	}
	return out["id"].(string)
}

// TestReceipts: the receipt offers print, a PDF and the data as JSON; it
// links to the list of applications by the navigation's name, not back to
// itself; applicant and sender are shown once when the same; the PDF has
// the letterhead, the reference, the answers with their labels and the
// language asked for.
func TestReceipts(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	id := maria.submitted(t, "sports-shift", validSportsShift())
	page := e.resident("030392-974H")
	caseURL := "/fi/cases/" + id

	r := page.get(caseURL + "?new=1")
	must(t, r, 200, "Hakemuksesi on lähetetty", "ESI-2026-000001",
		`<button type="button" class="btn btn-secondary" data-print hidden>Tulosta</button>`,
		`href="`+caseURL+`/receipt.pdf" download>Lataa kuitti (PDF)`, `href="`+caseURL+`/receipt.json" download>Lataa tietoina (JSON)`,
		`<a href="/fi/cases">Omat hakemukset</a>`, `class="letterhead print-only"`, "Esimerkkilän kunta", "<dt>Hakija</dt><dd>Maria Nieminen</dd>")
	mustNot(t, r, `href="`+caseURL+`"`, "Lähettäjä", "Avaa hakemus")
	// The header and the printed letterhead show the municipality's logo,
	// served as an SVG that may do nothing when opened by itself.
	logoURL := regexp.MustCompile(`<div class="letterhead print-only"><img src="(/s/[0-9a-f]+/municipality/logo\.svg)"`).FindStringSubmatch(r.body)
	if logoURL == nil || !strings.Contains(r.body, `<a class="brand" href="/fi/"><img src="`+logoURL[1]+`" alt="" width="36" height="36">`) {
		t.Fatalf("no municipality logo in the letterhead and the header")
	}
	demoLogo, err := os.ReadFile("../population/demo-logo.svg")
	if err != nil {
		t.Fatal(err)
	}
	if r := page.get(logoURL[1]); r.StatusCode != 200 || r.body != string(demoLogo) || r.Header.Get("Content-Type") != "image/svg+xml" ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("the logo: %d %v", r.StatusCode, r.Header)
	}

	r = page.get("/sv/cases/" + id + "/receipt.pdf")
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "ESI-2026-000001.pdf") {
		t.Fatalf("PDF: %d %v", r.StatusCode, r.Header)
	}
	shown, objects, err := pdftext.Read([]byte(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Exempelby kommun", "Din ansökan har skickats", "ESI-2026-000001",
		"Gruppens eller föreningens", "Tiistain sähly", "Idrottslokal", "Sökande", "Maria Nieminen", " kl. "} {
		if !strings.Contains(shown, want) {
			t.Errorf("the Swedish PDF does not show %q:\n%s", want, shown)
		}
	}
	if strings.Contains(shown, "Avsändare") {
		t.Error("the sender is shown although it is the applicant")
	}
	if !strings.Contains(objects, "/Lang (sv)") || !strings.Contains(objects, "/Subtype /Image") {
		t.Errorf("PDF metadata: no /Lang (sv) or no logo")
	}
	// The logo is the municipality's (its SVG drawn 256 px wide), not the
	// app's icon (192 px).
	if !regexp.MustCompile(`/Width 256\s*/Height 256`).MatchString(objects) {
		t.Errorf("the PDF's image is not the municipality's logo:\n%s", objects)
	}
	// Someone else gets nothing.
	if r := e.resident("140386-902R").get(caseURL + "/receipt.pdf"); r.StatusCode != 404 || strings.HasPrefix(r.body, "%PDF") {
		t.Errorf("another person's PDF: %d", r.StatusCode)
	}

	// Sent on behalf of someone: both are shown, the applicant first.
	juhani := e.client("300468-951T")
	juhani.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": juhani.principal("Helmi Korhonen")})
	hid := juhani.submitted(t, "home-help", map[string]any{
		"livesAlone": "yes", "helpWith": []any{"washing"}, "situation": "Kaaduin keväällä.",
		"hasContactPerson": "no", "confirmCorrect": true,
	})
	r = e.resident("300468-951T").get("/en/cases/" + hid)
	must(t, r, 200, "<dt>Applicant</dt><dd>Helmi Korhonen</dd>", "<dt>Sent by</dt><dd>Juhani Korhonen</dd>", `<a href="/en/cases">My applications</a>`)
}

// TestKindWordsOnSummary: a building notification is sent as a
// notification.
func TestKindWordsOnSummary(t *testing.T) {
	e := newEnv(t)
	aino := e.resident("140386-902R")
	step1 := aino.start("fi", "building-notification")
	r := aino.get("/fi/drafts/" + draftIDOf(step1) + "/summary")
	must(t, r, 200, "Lähetä ilmoitus", "ennen kuin lähetät ilmoituksen")
	mustNot(t, r, "Lähetä hakemus")
	r = aino.get("/en/drafts/" + draftIDOf(step1) + "/summary")
	must(t, r, 200, "Send the notification")
}

// TestKindWordsOnDraftPages: a building notification's steps, saved
// notice, delete page and deleted notice speak of a notification.
func TestKindWordsOnDraftPages(t *testing.T) {
	e := newEnv(t)
	aino := e.resident("140386-902R")
	step1 := aino.start("fi", "building-notification")
	id := draftIDOf(step1)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{step1, []string{`aria-label="Ilmoituksen vaiheet"`}},
		{"/sv/drafts/" + id + "/step/1", []string{`aria-label="Anmälans steg"`}},
		{"/fi/drafts/" + id + "/summary", []string{`aria-label="Ilmoituksen vaiheet"`}},
		{"/fi/drafts?saved=" + id, []string{"Ilmoituksesi ”Ilmoitus pienestä rakennustyöstä (toimenpideilmoitus)” on tallennettu."}},
		{"/en/drafts/" + id + "/delete", []string{"<title>Delete the unfinished notification?", "The notification “Notify us of minor building work” will be deleted"}},
		{"/en/services/building-notification", []string{"<dt>Who can make the notification</dt>", "must approve the notification."}},
		{"/fi/services/building-notification", []string{"<dt>Kuka voi tehdä ilmoituksen</dt>", "on hyväksyttävä ilmoitus."}},
		{"/sv/drafts/" + id + "/delete", []string{"Vill du radera den påbörjade anmälan?", "Anmälan ”Anmälan om mindre byggarbete (åtgärdsanmälan)” raderas"}},
	} {
		r := aino.get(tc.path)
		must(t, r, 200, tc.want...)
		// The application's words (the navigation's "Keskeneräiset
		// hakemukset" names every kind's drafts and stays).
		mustNot(t, r, "Hakemuksen vaiheet", "Ansökans steg", "Hakemuksesi", "keskeneräinen hakemus", "unfinished application", "påbörjade ansökan", "The application “",
			"Who can apply", "Kuka voi hakea", "approve the application", "hyväksyttävä hakemus")
	}
	redirectTo(t, aino.post("/fi/drafts/"+id+"/delete", nil), "/fi/drafts?deleted=1&service=building-notification")
	must(t, aino.get("/fi/drafts?deleted=1&service=building-notification"), 200, "Keskeneräinen ilmoitus on poistettu.")
}

// TestKindWordsSayTheKind: every word of a notification, request and
// registration, in every language, names its kind and never an
// application; the application's words are the ids without a suffix.
func TestKindWordsSayTheKind(t *testing.T) {
	e := newEnv(t)
	data := map[string]any{"Name": "Eetu", "When": "31.3.2027", "Service": "S", "Actor": "A", "Principal": "P", "Status": "X"}
	application := map[string]*regexp.Regexp{"fi": regexp.MustCompile(`(?i)hakemu|haku|haet`), "sv": regexp.MustCompile(`(?i)ansök`), "en": regexp.MustCompile(`(?i)appl`)}
	for kind, w := range kindMessages {
		v := reflect.ValueOf(w)
		for i := range v.NumField() {
			id := v.Field(i).String()
			field := v.Type().Field(i).Name
			if kind == catalog.KindApplication {
				for _, k := range []string{catalog.KindNotification, catalog.KindRequest, catalog.KindRegistration} {
					if strings.HasSuffix(id, "."+k) {
						t.Errorf("application %s: %q is another kind's", field, id)
					}
				}
				continue
			}
			if !strings.HasSuffix(id, "."+kind) {
				t.Errorf("%s %s: %q does not end in .%s", kind, field, id, kind)
			}
			for lang, re := range application {
				if !e.s.msg.Has(lang, id) {
					t.Errorf("%s %s: no %q in %s", kind, field, id, lang)
					continue
				}
				if text := e.s.msg.T(lang, id, data); re.MatchString(text) {
					t.Errorf("%s %s in %s speaks of an application: %q", kind, field, lang, text)
				}
			}
		}
	}
}
