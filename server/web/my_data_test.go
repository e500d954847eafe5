package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"asiointi/server/audit"
	"asiointi/server/mydata"
)

func homeHelpForSelf() map[string]any {
	return map[string]any{
		"livesAlone": "yes", "helpWith": []any{"washing", "shopping"},
		"situation":        "Kaaduin keväällä, enkä jaksa enää käydä kaupassa yksin.",
		"hasContactPerson": "no", "consentHealthInfo": true, "confirmCorrect": true,
	}
}

func (a *apiClient) myData(query string) (resp, mydata.Data) {
	a.e.t.Helper()
	r, _ := a.call("GET", "/api/v1/me/data"+query, nil)
	var d mydata.Data
	if r.StatusCode == 200 {
		if err := json.Unmarshal([]byte(r.body), &d); err != nil {
			a.e.t.Fatalf("%v: %s", err, r.body)
		}
	}
	return r, d
}

func itemOf(d mydata.Data, field, caseID string) *mydata.Item {
	for i, it := range d.Items {
		if it.Field == field && it.Case != nil && it.Case.ID == caseID {
			return &d.Items[i]
		}
	}
	return nil
}

// TestMyDataAPI: the items of an application come answer by answer with
// the purpose of the form version used, a readable legal basis with a
// link, the source (the population register for a prefilled name, the
// person for what they typed), when it was stored and the deletion day,
// in the asked language; identity, consents and the coming deletions are
// there; the download has its schema.
func TestMyDataAPI(t *testing.T) {
	e := newEnv(t)
	helmi := e.client("050840-948K")
	caseID := helmi.submitted(t, "home-help", homeHelpForSelf())

	r, d := helmi.myData("?lang=sv")
	if r.StatusCode != 200 {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	if d.Person.Name != "Helmi Korhonen" || d.Version != mydata.SchemaVersion || d.Schema != mydata.SchemaPath || d.Lang != "sv" {
		t.Errorf("head: %+v", d.Person)
	}
	first := itemOf(d, "firstName", caseID)
	if first == nil || first.Source != mydata.SourcePopulation || first.SourceText != "Befolkningsdatasystemet" {
		t.Fatalf("prefilled first name: %+v", first)
	}
	situation := itemOf(d, "situation", caseID)
	if situation == nil || situation.Source != mydata.SourceYou || situation.Purpose == "" || situation.RetainUntil == "" ||
		!strings.Contains(situation.LegalBasisURL, "/SV/") || situation.StoredAt.IsZero() ||
		situation.Case.Reference == "" || situation.Case.Kind != "application" {
		t.Fatalf("situation: %+v", situation)
	}
	def, _ := e.cases.Forms.Latest("home-help")
	f, _, _ := def.Lookup("situation")
	if situation.Purpose != f.Purpose.In("sv") || situation.Label != f.Label.In("sv") {
		t.Errorf("purpose %q, want the form version's %q", situation.Purpose, f.Purpose.In("sv"))
	}
	topics := map[string]int{}
	for _, it := range d.Items {
		topics[it.Topic]++
		if it.Purpose == "" || it.LegalBasisName == "" || it.SourceText == "" || it.RetainText == "" {
			t.Errorf("item without purpose, basis, source or deletion: %+v", it)
		}
	}
	if topics[mydata.TopicIdentity] < 3 || topics[mydata.TopicApplications] < 5 || topics[mydata.TopicSessions] != 1 {
		t.Errorf("topics: %v", topics)
	}
	if len(d.Consents) != 1 || d.Consents[0].Field != "consentHealthInfo" || d.Consents[0].WithdrawnAt != nil {
		t.Errorf("consents: %+v", d.Consents)
	}
	if len(d.Deletions) == 0 || d.Deletions[0].Case == nil {
		t.Errorf("deletions: %+v", d.Deletions)
	}
	// The mandate Helmi gave Juhani is there, seen from her side.
	if len(d.Mandates) != 1 || d.Mandates[0].Direction != "given" || d.Mandates[0].Who.Name != "Juhani Korhonen" {
		t.Errorf("mandates: %+v", d.Mandates)
	}

	// The download: a file, the same structure, and its schema served.
	r, _ = helmi.myData("?download=1")
	if !strings.Contains(r.Header.Get("Content-Disposition"), `attachment; filename="my-data-`) ||
		!strings.Contains(r.Header.Get("Link"), mydata.SchemaPath) {
		t.Errorf("download headers: %v", r.Header)
	}
	s := e.do(req{path: mydata.SchemaPath})
	var schema map[string]any
	if s.StatusCode != 200 || json.Unmarshal([]byte(s.body), &schema) != nil || schema["$id"] != mydata.SchemaPath {
		t.Errorf("schema: %d %.200s", s.StatusCode, s.body)
	}
	// Every member the download has is described by the schema.
	var raw map[string]any
	json.Unmarshal([]byte(r.body), &raw)
	props := schema["properties"].(map[string]any)
	for k := range raw {
		if _, ok := props[k]; !ok {
			t.Errorf("member %q is not in the schema", k)
		}
	}
	itemProps := schema["$defs"].(map[string]any)["item"].(map[string]any)["properties"].(map[string]any)
	for _, it := range raw["items"].([]any) {
		for k := range it.(map[string]any) {
			if _, ok := itemProps[k]; !ok {
				t.Errorf("item member %q is not in the schema", k)
			}
		}
	}
	// Her own reading is not in her access log.
	if n, _, _ := audit.Of(e.st, e.personID("050840-948K"), audit.Filter{}); len(n) != 0 {
		t.Errorf("own reads logged as others': %+v", n)
	}
}

// TestMyDataRefusals: nobody reaches another person's data through the
// API or the page: parameters naming someone else are ignored, staff and
// anonymous get none, a guardian reads a minor child's (and that reading
// is in the child's access log), an adult's proxy reads only their own.
func TestMyDataRefusals(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	mariaID, ainoID := e.personID("030392-974H"), e.personID("140386-902R")
	hostile := []string{
		"?subject=" + ainoID, "?person=" + ainoID, "?id=" + ainoID, "?user=" + ainoID, "?actingFor=" + ainoID,
		"?lang=xx", "?lang=../../etc", "?lang=" + url.QueryEscape("<script>"), "?download=0", "?download=" + strings.Repeat("1", 1000),
		"?download=1&download=1", "?%zz", "?view=print",
	}
	for _, q := range hostile {
		r, d := maria.myData(q)
		switch {
		case r.StatusCode == 400:
		case r.StatusCode != 200:
			t.Errorf("%.40s: %d", q, r.StatusCode)
		case d.Person.ID != mariaID || strings.Contains(r.body, ainoID):
			t.Errorf("%.40s: someone else's data: %s", q, d.Person.ID)
		}
	}
	for _, q := range []string{"?download=0", "?download=yes"} {
		if r, _ := maria.myData(q); r.StatusCode != 400 {
			t.Errorf("%s: %d", q, r.StatusCode)
		}
	}
	for _, q := range []string{"?view=x", "?view=" + url.QueryEscape("<b>")} {
		if r := e.do(req{path: "/en/my/data" + q, cookies: []*http.Cookie{maria.cookie}}); r.StatusCode != 400 {
			t.Errorf("page %s: %d", q, r.StatusCode)
		}
	}
	if r := e.do(req{path: "/api/v1/me/data"}); r.StatusCode != 401 {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
	if r := e.do(req{path: "/api/v1/me/data", cookies: []*http.Cookie{e.login("kaisa")}}); r.StatusCode != 403 {
		t.Errorf("staff: %d", r.StatusCode)
	}
	if r := e.do(req{path: "/en/my/data"}); r.StatusCode != http.StatusSeeOther && r.StatusCode != 401 {
		t.Errorf("anonymous page: %d", r.StatusCode)
	}

	// A guardian acting for her minor child sees the child's data.
	aino := e.client("140386-902R")
	eetu := aino.principal("Eetu Virtanen")
	if r, _ := aino.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": eetu}); r.StatusCode != 200 {
		t.Fatalf("acting for: %d", r.StatusCode)
	}
	r, d := aino.myData("?subject=" + ainoID)
	if r.StatusCode != 200 || d.Person.ID != eetu || d.Person.Guardian == nil || d.Person.Guardian.ID != ainoID {
		t.Fatalf("guardian: %d %+v", r.StatusCode, d.Person)
	}
	list, _, _ := audit.Of(e.st, eetu, audit.Filter{})
	if len(list) != 1 || list[0].Actor.ID != ainoID || list[0].Purpose != audit.PurposeGuardian || list[0].Kind != audit.KindMyData {
		t.Errorf("the child's access log: %+v", list)
	}
	if r, _ := aino.myData("?download=1"); r.StatusCode != 200 {
		t.Fatalf("guardian's download: %d", r.StatusCode)
	}
	if list, _, _ = audit.Of(e.st, eetu, audit.Filter{}); len(list) != 2 || list[0].Kind != audit.KindExport || list[0].Actor.ID != ainoID {
		t.Errorf("the child's access log after a download: %+v", list)
	}
	page := e.do(req{path: "/fi/my/data", cookies: []*http.Cookie{aino.cookie}})
	if page.StatusCode != 200 || !strings.Contains(page.body, "lapsestasi Eetu Virtanen") {
		t.Errorf("guardian's page: %d", page.StatusCode)
	}
	// A proxy acting for an adult sees their own data, not the principal's.
	juhani := e.client("300468-951T")
	helmi := juhani.principal("Helmi Korhonen")
	juhani.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": helmi})
	if _, d := juhani.myData(""); d.Person.ID != e.personID("300468-951T") {
		t.Errorf("proxy sees %s", d.Person.ID)
	}
}

// TestMyDataPage: the page in fi and sv, every item with "Why we have
// this", a prefilled field's source, the consent with its withdraw form
// (JS off), and the print view all open.
func TestMyDataPage(t *testing.T) {
	e := newEnv(t)
	helmi := e.client("050840-948K")
	caseID := helmi.submitted(t, "home-help", homeHelpForSelf())
	for _, lang := range []struct{ lang, why, source, consent string }{
		{"fi", "Miksi meillä on tämä", "Väestötietojärjestelmä", "Peru suostumus"},
		{"sv", "Varför vi har detta", "Befolkningsdatasystemet", "Återkalla samtycket"},
	} {
		r := e.do(req{path: "/" + lang.lang + "/my/data", cookies: []*http.Cookie{helmi.cookie}})
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", lang.lang, r.StatusCode)
		}
		for _, want := range []string{lang.why, lang.source, lang.consent, `href="/` + lang.lang + `/cases/` + caseID + `"`, "finlex.fi"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s: no %q", lang.lang, want)
			}
		}
		if n := strings.Count(r.body, `class="my-data-item"`); n < 10 || strings.Count(r.body, `<details class="my-data-why">`) != n {
			t.Errorf("%s: an item without its disclosure", lang.lang)
		}
	}
	r := e.do(req{path: "/en/my/data?view=print", cookies: []*http.Cookie{helmi.cookie}})
	if r.StatusCode != 200 || strings.Count(r.body, "<details class=\"my-data-why\" open>") == 0 || strings.Contains(r.body, `class="my-data-why">`) {
		t.Errorf("print view: %d", r.StatusCode)
	}
}

// TestWithdrawConsent: withdrawing is an event on the case, the answer no
// longer holds, the handler is told; it cannot be done twice, on someone
// else's case, on a field that is not a consent, or without the token.
func TestWithdrawConsent(t *testing.T) {
	e := newEnv(t)
	helmi := e.client("050840-948K")
	caseID := helmi.submitted(t, "home-help", homeHelpForSelf())
	kaisa := e.client("kaisa")
	if r, _ := kaisa.call("POST", "/api/v1/handler/cases/"+caseID+"/assign", map[string]any{"to": "me", "version": 0}); r.StatusCode != 200 {
		t.Fatalf("assign: %d %s", r.StatusCode, r.body)
	}
	maria := e.client("030392-974H")
	for _, c := range []struct {
		name     string
		who      *apiClient
		body     map[string]any
		status   int
		noHeader bool
	}{
		{"someone else's case", maria, map[string]any{"case": caseID, "field": "consentHealthInfo"}, 404, false},
		{"not a consent", helmi, map[string]any{"case": caseID, "field": "confirmCorrect"}, 404, false},
		{"no such field", helmi, map[string]any{"case": caseID, "field": "nope"}, 404, false},
		{"a path", helmi, map[string]any{"case": caseID, "field": "../consentHealthInfo"}, 404, false},
		{"a group path", helmi, map[string]any{"case": caseID, "field": "helpWith.0.x"}, 404, false},
		{"empty field", helmi, map[string]any{"case": caseID, "field": ""}, 400, false},
		{"long field", helmi, map[string]any{"case": caseID, "field": strings.Repeat("x", 500)}, 400, false},
		{"bad case id", helmi, map[string]any{"case": "../../x", "field": "consentHealthInfo"}, 404, false},
		{"not JSON", helmi, nil, 400, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, _ := c.who.call("POST", "/api/v1/me/consents/withdraw", c.body)
			if r.StatusCode != c.status {
				t.Errorf("%d %s, want %d", r.StatusCode, r.body, c.status)
			}
		})
	}
	// Without the CSRF token (a cross-site form): refused.
	if r := e.do(req{method: "POST", path: "/en/my/data/consents", body: "case=" + caseID + "&field=consentHealthInfo",
		cookies: []*http.Cookie{helmi.cookie}}); r.StatusCode != 403 {
		t.Errorf("no token: %d", r.StatusCode)
	}
	// The page's form (JS off).
	tok := e.csrf(helmi.cookie)
	r := e.do(req{method: "POST", path: "/en/my/data/consents", body: "_csrf=" + url.QueryEscape(tok) + "&case=" + caseID + "&field=consentHealthInfo",
		cookies: []*http.Cookie{helmi.cookie}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/en/my/data?withdrawn=1#consents" {
		t.Fatalf("withdraw: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	cs, evs, err := e.cases.Case(caseID, e.personID("050840-948K"))
	if err != nil {
		t.Fatal(err)
	}
	withdrawn := 0
	for _, ev := range evs {
		if ev.Type == "consent-withdrawn" && ev.Note == "consentHealthInfo" {
			withdrawn++
		}
	}
	if cs.Answers["consentHealthInfo"] != false || cs.ConsentsWithdrawn["consentHealthInfo"] == nil || withdrawn != 1 {
		t.Errorf("case after withdrawal: %v, %d events", cs.Answers["consentHealthInfo"], withdrawn)
	}
	if r, _ := helmi.call("POST", "/api/v1/me/consents/withdraw", map[string]any{"case": caseID, "field": "consentHealthInfo"}); r.StatusCode != 409 {
		t.Errorf("twice: %d", r.StatusCode)
	}
	_, d := helmi.myData("")
	if len(d.Consents) != 1 || d.Consents[0].WithdrawnAt == nil {
		t.Errorf("consents after: %+v", d.Consents)
	}
	// The handler hears of it.
	n := e.do(req{path: "/api/v1/notifications", cookies: []*http.Cookie{kaisa.cookie}})
	if !strings.Contains(n.body, caseID) {
		t.Errorf("the handler was not told: %s", n.body)
	}
}

func itemsText(items []mydata.Item) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString(it.Label + ": " + it.Value + "\n")
	}
	return b.String()
}
