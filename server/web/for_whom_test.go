package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var forValueRe = regexp.MustCompile(`name="for" (?:id="for-\d+" )?value="([^"]+)"`)

// forValues are the values of the "for" choices on a service page.
func forValues(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, m := range forValueRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestForWhomOnServicePage: the service page asks whom the resident
// applies for, offering only whom the service accepts (the on-behalf
// requirement and the age rules), in the words of the service's kind.
func TestForWhomOnServicePage(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, hetu, path string
		has, hasNot      []string
		choices          int
	}{
		{"a guardian: only the child under school age, one button", "140386-902R", "/en/services/early-education",
			[]string{"Start application for Eetu Virtanen", "The other guardian is told about the application."}, []string{"Ella", "Who are you applying for?", "Myself", "First choose the child"}, 1},
		{"a mandate: oneself or the mandator", "300468-951T", "/en/services/home-help",
			[]string{"Who are you applying for?", `value="self" checked`, "Myself (Juhani Korhonen)", "Helmi Korhonen", "Start application"}, nil, 2},
		{"Swedish", "300468-951T", "/sv/services/home-help",
			[]string{"För vem ansöker du?", "I eget namn (Juhani Korhonen)", "Helmi Korhonen"}, nil, 2},
		{"a notification is not an application", "140386-902R", "/en/services/building-notification",
			[]string{"Start notification", "Open for notifications"}, []string{"Start application", "Open for applications"}, 1},
		{"a notification in Finnish", "140386-902R", "/fi/services/building-notification",
			[]string{"Aloita ilmoitus", "Ilmoituksen voi tehdä"}, []string{"Aloita hakemus"}, 1},
		{"nobody qualifies: the reason", "030392-974H", "/en/services/early-education",
			[]string{"Act for someone else"}, []string{`name="for"`}, 0},
		{"closed: no choice to make", "140386-902R", "/en/services/summer-job-voucher",
			// The catalogue does not have the other guardian told of it
			// (notifyOtherParties), so the page does not promise it.
			[]string{"You cannot start an application now", "A guardian applies on behalf of the child."}, []string{"Who are you applying for?", "other guardian"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.resident(tc.hetu).get(tc.path)
			must(t, r, 200, tc.has...)
			mustNot(t, r, tc.hasNot...)
			if got := forValues(t, r.body); len(got) != tc.choices {
				t.Errorf("choices %v, want %d", got, tc.choices)
			}
		})
	}
	// In the summer job voucher's period: Aino (40) is too old for it
	// herself, Eetu (6) too young; Ella is offered.
	e.clock.Add(120 * 24 * time.Hour)
	r := e.resident("140386-902R").get("/en/services/summer-job-voucher")
	must(t, r, 200, "Start application for Ella Virtanen")
	mustNot(t, r, "Myself", "Eetu")
}

// TestForWhomStart: choosing on the service page switches acting-for as
// the acting-for page does (identity's check, a new session id), and the
// draft is made for the one chosen; a choice the register does not allow
// is refused, and so is one the age rule does not.
func TestForWhomStart(t *testing.T) {
	e := newEnv(t)
	juhani := e.resident("300468-951T")
	vals := forValues(t, juhani.get("/en/services/home-help").body)
	if len(vals) != 2 || vals[0] != "self" {
		t.Fatalf("choices %v", vals)
	}
	helmi := vals[1]

	before := juhani.cookie.Value
	r := juhani.post("/en/services/home-help/start", url.Values{"for": {helmi}})
	if r.StatusCode != 303 || !strings.Contains(location(r), "/step/1") {
		t.Fatalf("start for Helmi: %d %s", r.StatusCode, location(r))
	}
	if juhani.cookie.Value == before {
		t.Errorf("the session id was not rotated when acting-for changed")
	}
	must(t, juhani.get(location(r)), 200, `Acting for <strong class="acting-name">Helmi Korhonen</strong>`, "Helmi")

	// Back to oneself from the same page.
	before = juhani.cookie.Value
	r = juhani.post("/en/services/home-help/start", url.Values{"for": {"self"}})
	if r.StatusCode != 303 || juhani.cookie.Value == before {
		t.Fatalf("start for oneself: %d, rotated %v", r.StatusCode, juhani.cookie.Value != before)
	}
	mustNot(t, juhani.get(location(r)), "acting-name")

	// Aino may not act for Helmi: identity refuses, nothing is started.
	aino := e.resident("140386-902R")
	r = aino.post("/en/services/home-help/start", url.Values{"for": {helmi}})
	must(t, r, 403, "You cannot act for this person or organisation.")

	// Aino may act for Ella, but early education is not for a 15-year-old.
	ella := e.client("140386-902R").principal("Ella Virtanen")
	r = aino.post("/en/services/early-education/start", url.Values{"for": {ella}})
	must(t, r, 403, "This service is not for them", "Early education is for children under school age. Ella is 15.")
	r = aino.post("/fi/services/early-education/start", url.Values{"for": {ella}})
	must(t, r, 403, "Varhaiskasvatus on alle kouluikäisille lapsille. Ella on 15-vuotias.")
	r = aino.post("/sv/services/early-education/start", url.Values{"for": {ella}})
	must(t, r, 403, "Småbarnspedagogik är för barn under skolåldern. Ella är 15 år.")
	if ds, _ := e.cases.Drafts(e.personID("140386-902R")); len(ds) != 0 {
		t.Errorf("refused starts left %d drafts", len(ds))
	}
}

// TestEligibilityAPI: the API shares the rule and its message.
func TestEligibilityAPI(t *testing.T) {
	e := newEnv(t)
	aino := e.client("140386-902R")
	aino.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": aino.principal("Ella Virtanen")})
	r, out := aino.call("POST", "/api/v1/drafts?lang=en", map[string]any{"service": "early-education"})
	if r.StatusCode != 403 {
		t.Fatalf("status %d: %s", r.StatusCode, r.body)
	}
	got, _ := out["error"].(map[string]any)
	if got["code"] != "not-eligible" || got["message"] != "Early education is for children under school age. Ella is 15." {
		t.Errorf("error %v", got)
	}
}

// TestEligibilityAtAutosave: a draft whose child has grown past the age
// limit is not saved; the autosave's answer says why, in the page's
// language.
func TestEligibilityAtAutosave(t *testing.T) {
	e := newEnv(t)
	aino := e.client("140386-902R")
	aino.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": aino.principal("Eetu Virtanen")})
	r, out := aino.call("POST", "/api/v1/drafts?lang=en", map[string]any{"service": "early-education"})
	if r.StatusCode != 201 && r.StatusCode != 200 {
		t.Fatalf("start: %d %s", r.StatusCode, r.body)
	}
	id, version := out["id"].(string), out["version"]
	e.clock.Add(220 * 24 * time.Hour) // 1.7.2027: Eetu is 7
	aino = e.client("140386-902R")
	aino.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": aino.principal("Eetu Virtanen")})
	for lang, want := range map[string]string{
		"en": "Early education is for children under school age. Eetu is 7.",
		"fi": "Varhaiskasvatus on alle kouluikäisille lapsille. Eetu on 7-vuotias.",
	} {
		r, out = aino.call("PUT", "/api/v1/drafts/"+id+"?lang="+lang, map[string]any{"version": version, "data": map[string]any{"startDate": "2027-08-02"}, "step": 1})
		got, _ := out["error"].(map[string]any)
		if r.StatusCode != 403 || got["code"] != "not-eligible" || got["message"] != want {
			t.Errorf("%s: autosave %d %v, want 403 not-eligible %q", lang, r.StatusCode, got, want)
		}
	}
}
