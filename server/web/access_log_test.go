package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"asiointi/server/audit"
	"asiointi/server/store"
)

// reads records that an official read someone's data at the given hours
// after the test clock's start.
func (e *env) reads(subject string, hours ...int) {
	e.t.Helper()
	for _, h := range hours {
		err := e.st.Update(func(tx *store.Tx) error {
			return audit.RecordAccess(tx, e.clock.Now(), audit.Access{At: e.clock.Now().Add(time.Duration(h) * time.Hour),
				Actor:   audit.Actor{ID: "kaisa", Name: "Kaisa Käsittelijä", Role: "handler", Unit: "early-education"},
				Subject: subject, Kind: audit.KindCase, Purpose: audit.PurposeHandling, Case: "01kcase", Reference: "ESI-2026-000042"})
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

func TestAccessLog(t *testing.T) {
	e := newEnv(t)
	ainoID, eetuID := e.personID(hetuAino), e.personID("210620A925C")
	e.reads(ainoID, 0, 1, 2, 30)
	e.reads(eetuID, 3)
	aino := e.login(hetuAino)

	var got []struct {
		At            time.Time
		Actor         struct{ Name, Role, Unit string }
		What, Purpose string
		Case          *struct{ ID, Reference string }
	}
	res := e.do(req{path: "/api/v1/me/access-log?lang=sv", cookies: []*http.Cookie{aino}})
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, res.body)
	}
	json.Unmarshal([]byte(res.body), &got)
	if len(got) != 4 || got[0].Actor.Name != "Kaisa Käsittelijä" || got[0].Actor.Role != "handler" || got[0].Actor.Unit != "Småbarnspedagogiken" ||
		got[0].Purpose != "behandling av din ansökan" || got[0].Case.Reference != "ESI-2026-000042" || got[0].Case == nil || !got[0].At.After(got[1].At) {
		t.Fatalf("aino's log: %s", res.body)
	}
	// Her own reading of the log is in the chain, not in her list.
	res = e.do(req{path: "/api/v1/me/access-log?limit=2", cookies: []*http.Cookie{aino}})
	json.Unmarshal([]byte(res.body), &got)
	if len(got) != 4 {
		t.Errorf("after reading it twice: %d entries", len(got))
	}
	if n, err := audit.Verify(e.st); err != nil || n != 7 {
		t.Errorf("chain: %d %v", n, err)
	}
	// A period (Helsinki days) and a person.
	day := e.clock.Now().Add(30 * time.Hour).In(time.FixedZone("", 2*3600)).Format(time.DateOnly)
	res = e.do(req{path: "/api/v1/me/access-log?from=" + day + "&to=" + day, cookies: []*http.Cookie{aino}})
	json.Unmarshal([]byte(res.body), &got)
	if len(got) != 1 {
		t.Errorf("one day: %d", len(got))
	}
	res = e.do(req{path: "/api/v1/me/access-log?who=pertti", cookies: []*http.Cookie{aino}})
	if res.body != "[]" {
		t.Errorf("by someone who never looked: %s", res.body)
	}
	for _, q := range []string{"from=yesterday", "to=2026-13-01", "before=x"} {
		if res := e.do(req{path: "/api/v1/me/access-log?" + q, cookies: []*http.Cookie{aino}}); res.StatusCode != 400 {
			t.Errorf("%s: %d", q, res.StatusCode)
		}
	}

	// Maria sees none of it; staff and anonymous get no log at all.
	maria := e.login(hetuMaria)
	if res := e.do(req{path: "/api/v1/me/access-log", cookies: []*http.Cookie{maria}}); res.body != "[]" {
		t.Errorf("maria: %s", res.body)
	}
	kaisa := e.login("kaisa")
	for name, c := range map[string][]*http.Cookie{"staff": {kaisa}, "anonymous": nil} {
		if res := e.do(req{path: "/api/v1/me/access-log", cookies: c}); res.StatusCode < 400 {
			t.Errorf("%s: %d", name, res.StatusCode)
		}
	}

	// The page: entries in words, the filter, and a guardian acting for
	// her child sees the child's log (and that reading shows in it).
	page := e.do(req{path: "/fi/my/access-log", cookies: []*http.Cookie{aino}})
	if page.StatusCode != 200 || strings.Count(page.body, `class="access-item"`) != 4 ||
		!strings.Contains(page.body, "Kaisa Käsittelijä</strong>, käsittelijä (Varhaiskasvatus)") ||
		!strings.Contains(page.body, "Avasi hakemuksen – hakemuksesi käsittely <a href=\"/fi/cases/01kcase\">ESI-2026-000042</a>") ||
		!strings.Contains(page.body, `<option value="kaisa">Kaisa Käsittelijä</option>`) {
		t.Errorf("page: %d", page.StatusCode)
	}
	// The unit by its name in the reader's language, never its id.
	if page := e.do(req{path: "/sv/my/access-log", cookies: []*http.Cookie{aino}}); !strings.Contains(page.body, "(Småbarnspedagogiken)") || strings.Contains(page.body, "early-education") {
		t.Errorf("sv page: the unit is not named in Swedish")
	}
	if bad := e.do(req{path: "/fi/my/access-log?from=32.1.2026", cookies: []*http.Cookie{aino}}); bad.StatusCode != 422 || !strings.Contains(bad.body, `href="#access-from"`) {
		t.Errorf("bad date: %d", bad.StatusCode)
	}
	tok := e.csrf(aino)
	sw := e.do(req{method: "POST", path: "/fi/acting-for", body: "principal=" + eetuID + "&_csrf=" + tok, cookies: []*http.Cookie{aino}})
	asGuardian := cookie(sw, cookieSession)
	if sw.StatusCode != http.StatusSeeOther || asGuardian == nil {
		t.Fatalf("acting for eetu: %d", sw.StatusCode)
	}
	page = e.do(req{path: "/fi/my/access-log", cookies: []*http.Cookie{asGuardian}})
	// Kaisa's read, and Aino's reading of the log as his guardian.
	if strings.Count(page.body, `class="access-item"`) != 2 || !strings.Contains(page.body, "Eetu") || !strings.Contains(page.body, "Luki tämän lokin – huoltajana") {
		t.Errorf("eetu's log for his guardian: %s", regexp.MustCompile(`(?s)<main.*</main>`).FindString(page.body))
	}
	eetu, _, _ := audit.Of(e.st, eetuID, audit.Filter{})
	if len(eetu) != 2 || eetu[0].Actor.Name != "Aino Virtanen" || eetu[0].Purpose != audit.PurposeGuardian {
		t.Errorf("the guardian's reading is not in eetu's log: %+v", eetu)
	}
}

func TestAccessLogPages(t *testing.T) {
	e := newEnv(t)
	ainoID := e.personID(hetuAino)
	hours := make([]int, 120)
	for i := range hours {
		hours[i] = i
	}
	e.reads(ainoID, hours...)
	aino := e.login(hetuAino)
	seen := map[string]bool{}
	path := "/api/v1/me/access-log"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		res := e.do(req{path: path, cookies: []*http.Cookie{aino}})
		var got []struct{ At time.Time }
		json.Unmarshal([]byte(res.body), &got)
		for _, g := range got {
			k := g.At.String()
			if seen[k] {
				t.Fatalf("%s listed twice", k)
			}
			seen[k] = true
		}
		path = ""
		if m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(res.Header.Get("Link")); m != nil {
			path = m[1]
		}
	}
	if len(seen) != 120 {
		t.Errorf("%d entries over the pages", len(seen))
	}
}
