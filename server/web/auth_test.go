package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"asiointi/server/config"
)

// TestOriginNullIsCrossSite: a browser says "Origin: null" for a form
// posted from a sandboxed frame, a data: URL or a file, which is how an
// attacker hides where a request comes from; it counts as cross-site for
// every state-changing request, with or without a token.
func TestOriginNullIsCrossSite(t *testing.T) {
	e := newEnv(t)
	aino := e.login("140386-902R")
	tok := e.csrf(aino)
	null := map[string]string{"Origin": "null"}
	for _, tc := range []struct {
		name string
		r    req
	}{
		{"logout without token", req{method: "POST", path: "/auth/logout", headers: null}},
		{"logout with token", req{method: "POST", path: "/auth/logout", body: "_csrf=" + url.QueryEscape(tok), headers: null}},
		{"test login (login CSRF)", req{method: "POST", path: "/auth/test-login", body: "user=030392-974H", headers: null}},
		{"page form with token", req{method: "POST", path: "/fi/acting-for", body: "principal=&_csrf=" + url.QueryEscape(tok), headers: null}},
		{"API with token", req{method: "PUT", path: "/api/v1/session/acting-for", body: `{"principal":null}`, headers: map[string]string{"Origin": "null", "X-CSRF-Token": tok}}},
	} {
		tc.r.cookies = []*http.Cookie{aino}
		r := e.do(tc.r)
		if r.StatusCode != 403 || !strings.Contains(r.body, "csrf") && !strings.Contains(r.body, "Lomakkeen") {
			t.Errorf("%s with Origin null: %d, want 403 csrf", tc.name, r.StatusCode)
		}
		if c := cookie(r, cookieSession); c != nil {
			t.Errorf("%s with Origin null touched the session cookie", tc.name)
		}
	}
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{aino}}); r.StatusCode != 200 || !strings.Contains(r.body, "Aino Virtanen") {
		t.Errorf("session changed by Origin-null requests: %d", r.StatusCode)
	}
	// The same requests from our own origin work.
	for _, o := range []map[string]string{{"Origin": "http://localhost:8080"}, {"Sec-Fetch-Site": "same-origin"}, nil} {
		c := e.login("140386-902R")
		if r := e.do(req{method: "POST", path: "/auth/logout", body: "_csrf=" + url.QueryEscape(e.csrf(c)), headers: o, cookies: []*http.Cookie{c}}); r.StatusCode != 303 {
			t.Errorf("same-origin logout %v: %d", o, r.StatusCode)
		}
	}
}

var logoutForm = regexp.MustCompile(`<form method="post" action="/auth/logout\?lang=(\w+)"[^>]*>(.*?)</form>`)
var csrfField = regexp.MustCompile(`<input type="hidden" name="_csrf" value="([^"]+)">`)

// TestLogoutFormsCarryToken: every logout form on a page (the header's
// button and the idle timer's form) carries the session's CSRF token, and
// posting the form as a browser would ends the session.
func TestLogoutFormsCarryToken(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.RateLimits = false })
	for _, path := range []string{"/fi/my", "/sv/", "/en/acting-for", "/fi/services"} {
		c := e.login("140386-902R")
		page := e.do(req{path: path, cookies: []*http.Cookie{c}})
		forms := logoutForm.FindAllStringSubmatch(page.body, -1)
		if len(forms) < 2 {
			t.Fatalf("%s: %d logout forms, want the header's and the idle timer's", path, len(forms))
		}
		want := e.csrf(c)
		for _, f := range forms {
			m := csrfField.FindStringSubmatch(f[2])
			if m == nil || m[1] != want {
				t.Errorf("%s: logout form without the session's token: %s", path, f[0])
			}
		}
		r := e.do(req{method: "POST", path: "/auth/logout?lang=" + forms[0][1], body: "_csrf=" + url.QueryEscape(csrfField.FindStringSubmatch(forms[0][2])[1]),
			headers: map[string]string{"Origin": "http://localhost:8080", "Sec-Fetch-Site": "same-origin"}, cookies: []*http.Cookie{c}})
		if r.StatusCode != 303 {
			t.Errorf("%s: logout form post: %d", path, r.StatusCode)
		}
		if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{c}}); r.StatusCode != 303 {
			t.Errorf("%s: session alive after the form's logout", path)
		}
	}
}

// TestLoginRateLimitPerAccount: attempts on one account are limited
// wherever they come from, and one address (a library's shared
// connection) may log in many different people before its own, gentler,
// limit stops it.
func TestLoginRateLimitPerAccount(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0/0"} })
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	login := func(user, ip string) resp {
		return e.do(req{method: "POST", path: "/auth/test-login?lang=en", body: "user=" + url.QueryEscape(user), headers: from(ip)})
	}
	// One account from many addresses: the 11th attempt is refused.
	for i := 0; i < 10; i++ {
		if r := login("140386-902R", "192.0.2."+itoa(i+1)); r.StatusCode != 303 {
			t.Fatalf("attempt %d on one account: %d", i+1, r.StatusCode)
		}
	}
	r := login("140386-902r ", "198.51.100.1") // the same account, written differently
	if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" || !strings.Contains(r.body, "Too many attempts") {
		t.Fatalf("11th attempt on one account from a new address: %d %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	// Unknown accounts are limited the same way (no guessing many times).
	for i := 0; i < 10; i++ {
		login("010101-0101", "203.0.113."+itoa(i+1))
	}
	if r := login("010101-0101", "203.0.113.99"); r.StatusCode != 429 {
		t.Errorf("11th attempt on an unknown account: %d", r.StatusCode)
	}
	// The locked account does not lock out others behind the same address.
	for i, user := range []string{"021184-9139", "171279-9677", "030392-974H", "300468-951T", "kaisa", "pertti"} {
		if r := login(user, "198.51.100.1"); r.StatusCode != 303 {
			t.Errorf("person %d behind the shared address: %d", i, r.StatusCode)
		}
	}
	// The address has a limit of its own, gentler than an account's.
	limited := 0
	for i := 0; i < 80 && limited == 0; i++ {
		if r := login("nobody"+itoa(i), "198.51.100.2"); r.StatusCode == 429 {
			limited = i + 1
		}
	}
	if limited <= 10 || limited > 80 {
		t.Errorf("one address was limited at attempt %d, want after more than an account's 10 and by 80", limited)
	}
}

// TestRateLimitsPerNode: each app node counts rate limits in its own
// memory (README, "Several nodes"; deploy/cluster/RUNBOOK.md): behind N
// nodes sharing one store, one account gets the limit on each node, so N
// times the limit in all, and not one attempt more.
func TestRateLimitsPerNode(t *testing.T) {
	a := newEnv(t, func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0/0"} })
	nodes := []*env{a, a.otherNode()}
	login := func(e *env, i int) resp {
		return e.do(req{method: "POST", path: "/auth/test-login?lang=en", body: "user=140386-902R",
			headers: map[string]string{"X-Forwarded-For": "192.0.2." + itoa(i+1)}})
	}
	for n, e := range nodes {
		for i := range 10 {
			if r := login(e, i); r.StatusCode != 303 {
				t.Fatalf("node %d, attempt %d on one account: %d", n, i+1, r.StatusCode)
			}
		}
		if r := login(e, 10); r.StatusCode != 429 {
			t.Fatalf("node %d, 11th attempt: %d, want 429", n, r.StatusCode)
		}
	}
	for n, e := range nodes {
		if r := login(e, 11); r.StatusCode != 429 {
			t.Errorf("node %d after both nodes' limits were used: %d, want 429", n, r.StatusCode)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
