package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDoneForMeAPI: Juhani starts, edits and sends home help for Helmi;
// Helmi's GET /api/v1/me/done-for-me lists it newest first with Juhani as
// the actor, the edits summarised, paged by the Link header; a guardian
// reads a child's log, nobody else's (403).
func TestDoneForMeAPI(t *testing.T) {
	e := newEnv(t)
	j := e.client(hetuJuhani)
	j.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": j.principal("Helmi Korhonen")})
	r, out := j.call("POST", "/api/v1/drafts", map[string]any{"service": "home-help"})
	if r.StatusCode != 201 {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	id := out["id"].(string)
	for v := 1; v <= 2; v++ {
		e.clock.Add(time.Minute)
		if r, _ := j.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": v, "data": map[string]any{"situation": "x"}}); r.StatusCode != 200 {
			t.Fatalf("save: %d %s", r.StatusCode, r.body)
		}
	}
	h := e.client("050840-948K")
	r, _ = h.call("GET", "/api/v1/me/done-for-me?lang=en", nil)
	var list []struct {
		Action string `json:"action"`
		Text   string `json:"text"`
		Actor  struct{ ID, Name string }
		Count  int `json:"count"`
	}
	if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.StatusCode != 200 {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	if len(list) != 2 || list[0].Action != "edited" || list[0].Count != 2 || list[1].Action != "started" || list[0].Actor.Name != "Juhani Korhonen" ||
		!strings.Contains(list[0].Text, "edited the draft of Apply for home help 2 times between") {
		t.Errorf("Helmi's log: %s", r.body)
	}
	r, _ = h.call("GET", "/api/v1/me/done-for-me?limit=1", nil)
	if link := r.Header.Get("Link"); !strings.Contains(link, "before=") || !strings.Contains(link, `rel="next"`) {
		t.Errorf("first page of one: Link %q", link)
	}
	// Juhani's own log is empty; he may not read Helmi's.
	if r, _ := j.call("GET", "/api/v1/me/done-for-me", nil); r.body != "[]" {
		t.Errorf("Juhani's log: %s", r.body)
	}
	helmiID := e.personID("050840-948K")
	if r, _ := j.call("GET", "/api/v1/me/done-for-me?for="+helmiID, nil); r.StatusCode != http.StatusForbidden || strings.Contains(r.body, "Helmi") {
		t.Errorf("Juhani reading Helmi's log: %d %s", r.StatusCode, r.body)
	}
	// Aino starts for Eetu; Mikko, the other guardian, sees it.
	a := e.client(hetuAino)
	eetu := a.principal("Eetu Virtanen")
	a.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": eetu})
	a.call("POST", "/api/v1/drafts", map[string]any{"service": "early-education"})
	m := e.client("021184-9139")
	if r, _ := m.call("GET", "/api/v1/me/done-for-me?for="+eetu, nil); r.StatusCode != 200 || !strings.Contains(r.body, `"name":"Aino Virtanen"`) {
		t.Errorf("Mikko reading Eetu's log: %d %s", r.StatusCode, r.body)
	}
}

// TestDoneForMePage: the page lists the same, filtered by person and
// period.
func TestDoneForMePage(t *testing.T) {
	e := newEnv(t)
	j := e.client(hetuJuhani)
	j.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": j.principal("Helmi Korhonen")})
	j.call("POST", "/api/v1/drafts", map[string]any{"service": "home-help"})
	f := e.resident("050840-948K")
	must(t, f.get("/en/done-for-me"), http.StatusOK, "Done in my name", "Juhani Korhonen", "started an application: Apply for home help")
	must(t, f.get("/en/done-for-me?from=2026-11-24"), http.StatusOK, "Nothing matches the filters.")
	must(t, f.get("/en/done-for-me?actor=someone-else"), http.StatusOK, "Nothing matches the filters.")
	must(t, f.get("/sv/done-for-me"), http.StatusOK, "Gjort i mitt namn", "påbörjade en ansökan")
	must(t, f.get("/en/my"), http.StatusOK, `href="/en/done-for-me"`)
}
