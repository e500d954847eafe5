package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestActingForRefusalsOnBothPaths: the API and the no-JS form refuse
// the same switches with the same answer (one check, in identity), and
// keep the session.
func TestActingForRefusalsOnBothPaths(t *testing.T) {
	e := newEnv(t)
	aino := e.login("140386-902R")
	res := e.do(req{path: "/api/v1/me/principals", cookies: []*http.Cookie{aino}})
	m := regexp.MustCompile(`"id":"([^"]+)","name":"Eetu Virtanen"`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no Eetu in %s", res.body)
	}
	eetu := m[1]
	for _, tc := range []struct {
		name, user, principal string
	}{
		{"no relation", "030392-974H", eetu},
		{"unknown principal", "140386-902R", "01jzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"},
		{"child for the guardian", "210620A925C", "x"},
	} {
		c := e.login(tc.user)
		tok := e.csrf(c)
		api := e.do(req{method: "PUT", path: "/api/v1/session/acting-for?lang=en", body: `{"principal":"` + tc.principal + `"}`, headers: map[string]string{"X-CSRF-Token": tok}, cookies: []*http.Cookie{c}})
		if api.StatusCode != 403 || !strings.Contains(api.body, `"code":"no-relation"`) || !strings.Contains(api.body, "You cannot act for this person") {
			t.Errorf("%s, API: %d %s", tc.name, api.StatusCode, api.body)
		}
		page := e.do(req{method: "POST", path: "/en/acting-for", body: "principal=" + url.QueryEscape(tc.principal) + "&_csrf=" + url.QueryEscape(tok), cookies: []*http.Cookie{c}})
		if page.StatusCode != 403 || !strings.Contains(page.body, "You cannot act for this person") {
			t.Errorf("%s, page: %d", tc.name, page.StatusCode)
		}
		for _, r := range []resp{api, page} {
			if nc := cookie(r, cookieSession); nc != nil {
				t.Errorf("%s: a refused switch set the session cookie", tc.name)
			}
		}
		if r := e.do(req{path: "/en/my", cookies: []*http.Cookie{c}}); r.StatusCode != 200 {
			t.Errorf("%s: session lost after a refused switch", tc.name)
		}
	}
}
