package web

import (
	"net/http"
	"strings"
	"testing"

	"asiointi/server/population"
)

// TestRefusalTellsTheRight: every refusal of acting for someone is a 403
// that names the right the service needs in plain language (from the
// catalogue, in the language asked) and where to get it, and names
// nobody: the principal's name and id do not appear.
func TestRefusalTellsTheRight(t *testing.T) {
	tests := []struct {
		name, who, actFor, service, lang string
		end                              func(e *env)
		wantText, wantIssue, wantURL     string
	}{
		{"mandate revoked", hetuJuhani, "Helmi Korhonen", "home-help", "en",
			func(e *env) { e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates = nil }) },
			"you need a mandate for “Handling social and health care matters”", "Handling social and health care matters", "https://www.suomi.fi/mandates"},
		{"mandate expired, in Swedish", hetuJuhani, "Helmi Korhonen", "home-help", "sv",
			func(e *env) {
				e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates[0].ValidTo = "2026-11-22" })
			}, "fullmakt för ”Skötsel av social- och hälsovårdsärenden”", "Skötsel av social- och hälsovårdsärenden", "https://www.suomi.fi/fullmakter"},
		{"wrong issue, in Finnish", hetuJuhani, "Helmi Korhonen", "home-help", "fi",
			func(e *env) {
				e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates[0].Issues = []string{"http://example.fi/other"} })
			}, "valtuuden asiaan ”Sosiaali- ja terveydenhuollon asioiden hoitaminen”", "Sosiaali- ja terveydenhuollon asioiden hoitaminen", "https://www.suomi.fi/valtuudet"},
		{"role ended", hetuAino, "Esimerkkilän Urheiluseura ry", "association-grant", "en",
			func(e *env) { e.editPerson(hetuAino, func(p *population.Person) { p.Roles = nil }) },
			"its chair in the trade register or to have a mandate for “Applying for grants”", "Applying for grants", "https://www.suomi.fi/mandates"},
		{"the child turned 18", hetuAino, "Eetu Virtanen", "early-education", "en",
			func(e *env) { e.editPerson(hetuEetu, func(p *population.Person) { p.BirthDate = "2008-11-01" }) },
			"until the child turns 18", "", "https://www.suomi.fi/mandates"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.client(tc.who)
			pid := a.principal(tc.actFor)
			a.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": pid})
			r, out := a.call("POST", "/api/v1/drafts", map[string]any{"service": tc.service})
			if r.StatusCode != 201 {
				t.Fatalf("create: %d %s", r.StatusCode, r.body)
			}
			id := out["id"].(string)
			tc.end(e)
			for _, path := range []string{"/api/v1/drafts/" + id + "/submit?lang=" + tc.lang} {
				r, out := a.call("POST", path, nil)
				apiErr, _ := out["error"].(map[string]any)
				right, _ := apiErr["right"].(map[string]any)
				if r.StatusCode != 403 || apiErr["code"] != "on-behalf-requirement" || !strings.Contains(apiErr["message"].(string), tc.wantText) {
					t.Errorf("%s: %d %s, want 403 saying %q", path, r.StatusCode, r.body, tc.wantText)
				}
				if right["url"] != tc.wantURL || (tc.wantIssue != "" && right["issueName"] != tc.wantIssue) {
					t.Errorf("right = %v, want issue %q at %s", right, tc.wantIssue, tc.wantURL)
				}
				if strings.Contains(r.body, tc.actFor) || strings.Contains(r.body, pid) {
					t.Errorf("the refusal names the principal: %s", r.body)
				}
			}
			// The draft is kept: the owner still reads it.
			if r, _ := a.call("GET", "/api/v1/drafts/"+id, nil); r.StatusCode != 200 {
				t.Errorf("draft after the refusal: %d", r.StatusCode)
			}
		})
	}
}

// TestRefusalPageLinksToMandates: without JavaScript the refusal page
// names the right and links to the Suomi.fi Mandates service (the banner
// still says whom the session acts for: that is the session's own).
func TestRefusalPageLinksToMandates(t *testing.T) {
	e := newEnv(t)
	f := e.resident(hetuJuhani)
	f.actFor("sv", "Helmi Korhonen")
	step1 := f.start("sv", "home-help")
	e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates = nil })
	r := f.post("/sv/drafts/"+draftIDOf(step1)+"/submit", nil)
	must(t, r, http.StatusForbidden, htmlEscape("fullmakt för ”Skötsel av social- och hälsovårdsärenden”"),
		`href="https://www.suomi.fi/fullmakter"`)

	// Before starting, the service page says which mandate acting for
	// someone else needs (Maria, who has nobody to act for).
	m := e.resident(hetuMaria)
	must(t, m.get("/en/services/home-help"), http.StatusOK,
		htmlEscape("you need a mandate for “Handling social and health care matters”"), `href="https://www.suomi.fi/mandates"`)
}

// TestActingForOnlyFromSession: a principal sent with a request is never
// used; only the session's acting-for counts, and switching it rotates
// the session id (the old cookie no longer works).
func TestActingForOnlyFromSession(t *testing.T) {
	e := newEnv(t)
	a := e.client(hetuJuhani)
	helmi := a.principal("Helmi Korhonen")
	for _, path := range []string{"/api/v1/drafts", "/api/v1/drafts?principal=" + helmi + "&actingFor=" + helmi} {
		r, out := a.call("POST", path, map[string]any{"service": "home-help", "principal": helmi, "actingFor": helmi})
		if r.StatusCode != 201 {
			t.Fatalf("%s: %d %s", path, r.StatusCode, r.body)
		}
		d, err := e.cases.Draft(out["id"].(string), e.personID(hetuJuhani))
		if err != nil {
			t.Fatal(err)
		}
		if d.Principal != nil {
			t.Errorf("%s: the draft is for %v, taken from the request", path, d.Principal)
		}
	}
	old := a.cookie
	if r, _ := a.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": helmi}); r.StatusCode != 200 {
		t.Fatalf("switch: %d", r.StatusCode)
	}
	if a.cookie.Value == old.Value {
		t.Fatal("the switch kept the session id")
	}
	if r := e.do(req{path: "/api/v1/session", cookies: []*http.Cookie{old}}); strings.Contains(r.body, `"actingFor":{`) || !strings.Contains(r.body, `"user":null`) {
		t.Errorf("the old session id still works: %s", r.body)
	}
}

// TestActingPageTellsTheRight: the acting-for page says for each
// principal what one may do (the mandate issue in plain language, the
// services), until when and on what grounds.
func TestActingPageTellsTheRight(t *testing.T) {
	e := newEnv(t)
	e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates[0].ValidTo = "2027-06-30" })
	must(t, e.resident(hetuJuhani).get("/en/acting-for"), http.StatusOK, "Helmi Korhonen",
		"Mandate for</dt><dd>Handling social and health care matters", "You may apply for</dt><dd>Apply for home help",
		"Valid until</dt><dd>30 June 2027", "a mandate in Suomi.fi Mandates")
	// Eetu (born 21.6.2020) until the day before he turns 18.
	must(t, e.resident(hetuAino).get("/sv/acting-for"), http.StatusOK, "Eetu Virtanen", "20.6.2038",
		"vårdnad i befolkningsdatasystemet", "ordförande", "Esimerkkilän Urheiluseura ry")
}
