package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const hetuMikko = "021184-9139" // Eetu's other guardian

// TestOtherGuardianReadOnly: Aino applies for early education for Eetu;
// Mikko, the other guardian, is told and finds it among his children's
// applications, read-only (API: group, readOnly, notified); the case page
// offers him no forms, and every action on the case is refused for him.
func TestOtherGuardianReadOnly(t *testing.T) {
	e := newEnv(t)
	aino := e.client(hetuAino)
	aino.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": aino.principal("Eetu Virtanen")})
	r, d := aino.call("POST", "/api/v1/drafts", map[string]any{"service": "early-education"})
	if r.StatusCode != 201 {
		t.Fatalf("draft: %d %s", r.StatusCode, r.body)
	}
	_, d = aino.call("GET", "/api/v1/drafts/"+d["id"].(string), nil)
	data := d["data"].(map[string]any)
	for k, v := range map[string]any{"startDate": "2027-08-02", "urgent": "no", "careNeed": "fullDay",
		"preferredUnits": []string{"satakieli"}, "otherGuardianKnows": true, "specialNeeds": ""} {
		data[k] = v
	}
	if r, _ := aino.call("PUT", "/api/v1/drafts/"+d["id"].(string), map[string]any{"version": d["version"], "data": data}); r.StatusCode != 200 {
		t.Fatalf("save: %d %s", r.StatusCode, r.body)
	}
	r, c := aino.call("POST", "/api/v1/drafts/"+d["id"].(string)+"/submit", nil)
	if r.StatusCode != 201 {
		t.Fatalf("submit: %d %s", r.StatusCode, r.body)
	}
	id := c["id"].(string)

	mikko := e.client(hetuMikko)
	r, _ = mikko.call("GET", "/api/v1/cases", nil)
	var list []map[string]any
	json.Unmarshal([]byte(r.body), &list)
	if len(list) != 1 || list[0]["id"] != id || list[0]["group"] != "children" || list[0]["readOnly"] != true ||
		!strings.Contains(r.body, `"notified":[{"name":"Mikko Virtanen","status":"notified"}]`) {
		t.Fatalf("Mikko's cases: %s", r.body)
	}
	if r, one := mikko.call("GET", "/api/v1/cases/"+id, nil); r.StatusCode != 200 || one["readOnly"] != true {
		t.Errorf("Mikko's case: %d %s", r.StatusCode, r.body)
	}
	if r, all := aino.call("GET", "/api/v1/cases/"+id, nil); all["readOnly"] != false {
		t.Errorf("Aino's case: %s", r.body)
	}
	page := e.do(req{path: "/en/cases/" + id, cookies: []*http.Cookie{mikko.cookie}})
	if page.StatusCode != 200 || !strings.Contains(page.body, "Aino Virtanen applied for this") ||
		strings.Contains(page.body, "/withdraw") || strings.Contains(page.body, "/messages") {
		t.Errorf("Mikko's case page: %d", page.StatusCode)
	}
	for _, a := range []struct {
		path string
		body map[string]any
	}{
		{"/api/v1/cases/" + id + "/withdraw", map[string]any{"reason": "x"}},
		{"/api/v1/cases/" + id + "/messages", map[string]any{"text": "Hei"}},
		{"/api/v1/cases/" + id + "/supplement", map[string]any{"data": map[string]any{}}},
	} {
		if r, _ := mikko.call("POST", a.path, a.body); r.StatusCode != http.StatusForbidden || !strings.Contains(r.body, `"code":"read-only"`) {
			t.Errorf("Mikko %s: %d %s", a.path, r.StatusCode, r.body)
		}
	}
	if r, _ := e.client(hetuMaria).call("GET", "/api/v1/cases/"+id, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("a stranger: %d", r.StatusCode)
	}
}
