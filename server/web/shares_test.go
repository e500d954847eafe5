package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/identity"
)

// TestShareCaseView: Helmi lets Juhani read her application; he sees it
// read-only under "shared with me", each view is in her access log with
// the purpose "shared"; a revoke or the end of the share ends it at once;
// nobody else reaches it, and the share gives no other access.
func TestShareCaseView(t *testing.T) {
	e := newEnv(t)
	helmi := e.client("050840-948K")
	caseID := helmi.submitted(t, "home-help", homeHelpForSelf())
	juhani, maria := e.client("300468-951T"), e.client("030392-974H")
	base := "/api/v1/cases/" + caseID + "/shares"

	for _, c := range []struct {
		name   string
		who    *apiClient
		body   map[string]any
		status int
	}{
		{"not a henkilötunnus", helmi, map[string]any{"name": "Juhani Korhonen", "hetu": "123"}, 422},
		{"a valid one nobody has", helmi, map[string]any{"name": "Juhani Korhonen", "hetu": "010101-123N"}, 422},
		{"the name does not match", helmi, map[string]any{"name": "Matti Meikäläinen", "hetu": "300468-951T"}, 422},
		{"oneself", helmi, map[string]any{"name": "Helmi Korhonen", "hetu": "050840-948K"}, 422},
		{"too long", helmi, map[string]any{"name": strings.Repeat("x", 300), "hetu": "300468-951T"}, 400},
		{"someone else's application", maria, map[string]any{"name": "Juhani Korhonen", "hetu": "300468-951T"}, 404},
		{"script in the name", helmi, map[string]any{"name": "<script>Korhonen", "hetu": "300468-951T"}, 201},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r, _ := c.who.call("POST", base, c.body); r.StatusCode != c.status {
				t.Errorf("%d %s, want %d", r.StatusCode, r.body, c.status)
			}
		})
	}
	r, out := helmi.call("POST", base, map[string]any{"name": "Juhani Korhonen", "hetu": "300468-951t"})
	if r.StatusCode != 201 || strings.Contains(r.body, "300468") {
		t.Fatalf("share: %d %s", r.StatusCode, r.body)
	}
	shareID := out["id"].(string)
	if r, _ := helmi.call("GET", base, nil); r.StatusCode != 200 || strings.Count(r.body, `"id":"`+shareID) != 1 {
		t.Errorf("shares: %s", r.body)
	}
	// Juhani reads it, read-only; Maria cannot.
	r, _ = juhani.call("GET", "/api/v1/shared", nil)
	if !strings.Contains(r.body, caseID) {
		t.Fatalf("shared with Juhani: %s", r.body)
	}
	r, out = juhani.call("GET", "/api/v1/shared/"+caseID, nil)
	if r.StatusCode != 200 || out["readOnly"] != true || !strings.Contains(r.body, "Kaaduin") {
		t.Fatalf("shared case: %d %s", r.StatusCode, r.body)
	}
	list, _, _ := audit.Of(e.st, e.personID("050840-948K"), audit.Filter{})
	if len(list) != 1 || list[0].Actor.ID != e.personID("300468-951T") || list[0].Purpose != audit.PurposeShared || list[0].Case != caseID {
		t.Errorf("Helmi's access log: %+v", list)
	}
	for _, c := range []struct {
		name, method, path string
		who                *apiClient
		status             int
	}{
		{"Maria reads it", "GET", "/api/v1/shared/" + caseID, maria, 404},
		{"a bad id", "GET", "/api/v1/shared/..%2F..%2Fx", juhani, 404},
		{"Juhani as its owner", "GET", "/api/v1/cases/" + caseID, juhani, 404},
		{"Juhani shares it on", "POST", base, juhani, 404},
		{"Juhani lists its shares", "GET", base, juhani, 404},
		{"Juhani revokes", "DELETE", base + "/" + shareID, juhani, 404},
		{"Maria revokes", "DELETE", base + "/" + shareID, maria, 404},
		{"Helmi revokes an unknown share", "DELETE", base + "/06hq0nj900pk3b1c1cxwxr69nwreqthn", helmi, 404},
		{"Helmi revokes a bad id", "DELETE", base + "/x", helmi, 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.method == "POST" {
				body = map[string]any{"name": "Maria Nieminen", "hetu": "030392-974H"}
			}
			if r, _ := c.who.call(c.method, c.path, body); r.StatusCode != c.status {
				t.Errorf("%d %s, want %d", r.StatusCode, r.body, c.status)
			}
		})
	}
	if r := e.do(req{path: "/api/v1/shared/" + caseID, cookies: []*http.Cookie{e.login("kaisa")}}); r.StatusCode != 403 {
		t.Errorf("staff: %d", r.StatusCode)
	}
	// Revoked: at once.
	if r, _ := helmi.call("DELETE", base+"/"+shareID, nil); r.StatusCode != 204 {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if r, _ := juhani.call("GET", "/api/v1/shared/"+caseID, nil); r.StatusCode != 404 {
		t.Errorf("after the revoke: %d", r.StatusCode)
	}
	if r, _ := juhani.call("GET", "/api/v1/shared", nil); strings.Contains(r.body, caseID) {
		t.Errorf("still listed: %s", r.body)
	}
	// Shared again, then past its end.
	if r, _ := helmi.call("POST", base, map[string]any{"name": "Juhani Korhonen", "hetu": "300468-951T"}); r.StatusCode != 201 {
		t.Fatalf("again: %d", r.StatusCode)
	}
	e.clock.Add(31 * 24 * time.Hour)
	juhani = e.client("300468-951T")
	if r, _ := juhani.call("GET", "/api/v1/shared/"+caseID, nil); r.StatusCode != 404 {
		t.Errorf("after its end: %d", r.StatusCode)
	}
	// Both see it in their data.
	helmi = e.client("050840-948K")
	if _, d := helmi.myData(""); !strings.Contains(itemsText(d.Items), "Juhani Korhonen") {
		t.Errorf("Helmi's data does not show the share")
	}
}

// TestSharePages: the same without JavaScript: the case page's form
// shares, lists and revokes; a wrong person comes back as an error on the
// page; the invitee finds it under "shared with me" and reads it.
func TestSharePages(t *testing.T) {
	e := newEnv(t)
	helmi := e.client("050840-948K")
	caseID := helmi.submitted(t, "home-help", homeHelpForSelf())
	page := "/fi/cases/" + caseID
	post := func(c *apiClient, path, body string) resp {
		return e.do(req{method: "POST", path: path, body: "_csrf=" + e.csrf(c.cookie) + "&" + body, cookies: []*http.Cookie{c.cookie}})
	}
	r := post(helmi, page+"/shares", "name=Nobody&hetu=010101-123N")
	if r.StatusCode != 303 || r.Header.Get("Location") != page+"?share-error=share.error.person#sharing" {
		t.Fatalf("wrong person: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if got := e.do(req{path: page + "?share-error=share.error.person", cookies: []*http.Cookie{helmi.cookie}}); !strings.Contains(got.body, "Henkilöä ei löytynyt") {
		t.Errorf("no error on the page")
	}
	if got := e.do(req{path: page + "?share-error=%3Cscript%3E", cookies: []*http.Cookie{helmi.cookie}}); got.StatusCode != 200 || strings.Contains(got.body, "<script>") {
		t.Errorf("a made-up error: %d", got.StatusCode)
	}
	r = post(helmi, page+"/shares", "name=Juhani+Korhonen&hetu=300468-951T")
	if r.StatusCode != 303 || r.Header.Get("Location") != page+"?shared=1#sharing" {
		t.Fatalf("share: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	got := e.do(req{path: page, cookies: []*http.Cookie{helmi.cookie}})
	if !strings.Contains(got.body, "Juhani Korhonen") || !strings.Contains(got.body, "/shares/") {
		t.Fatalf("the case page does not list the share")
	}
	juhani := e.client("300468-951T")
	list := e.do(req{path: "/fi/shared", cookies: []*http.Cookie{juhani.cookie}})
	if !strings.Contains(list.body, `href="/fi/shared/`+caseID+`"`) {
		t.Fatalf("shared with me: %s", list.body)
	}
	view := e.do(req{path: "/fi/shared/" + caseID, cookies: []*http.Cookie{juhani.cookie}})
	if view.StatusCode != 200 || !strings.Contains(view.body, "Kaaduin") || strings.Contains(view.body, `id="sharing"`) {
		t.Errorf("read-only view: %d", view.StatusCode)
	}
	shares, _ := e.cases.CaseShares(caseID, cases.Ref{ID: e.personID("050840-948K"), Kind: identity.Resident})
	if len(shares) != 1 {
		t.Fatalf("shares: %d", len(shares))
	}
	r = post(helmi, "/fi/cases/"+caseID+"/shares/"+shares[0].ID+"/delete", "")
	if r.StatusCode != 303 {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if view := e.do(req{path: "/fi/shared/" + caseID, cookies: []*http.Cookie{juhani.cookie}}); view.StatusCode != 404 {
		t.Errorf("after the revoke: %d", view.StatusCode)
	}
	// Juhani's case page of it does not exist; Maria's share form is refused.
	if r := e.do(req{path: page, cookies: []*http.Cookie{juhani.cookie}}); r.StatusCode != 404 {
		t.Errorf("Juhani's case page: %d", r.StatusCode)
	}
	maria := e.client("030392-974H")
	if r := post(maria, page+"/shares", "name=Juhani+Korhonen&hetu=300468-951T"); r.StatusCode != 404 {
		t.Errorf("Maria shares: %d", r.StatusCode)
	}
}
