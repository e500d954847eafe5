package web

import (
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"asiointi/server/config"
)

func TestScenarios(t *testing.T) {
	e := newEnv(t)
	aino := e.login("140386-902R")
	kaisa := e.login("kaisa")
	cases := []struct {
		name     string
		r        req
		status   int
		contains []string
		absent   []string
		header   map[string]string
	}{
		{"root redirects by Accept-Language sv", req{path: "/", headers: map[string]string{"Accept-Language": "sv-FI,sv;q=0.9"}}, 302, nil, nil, map[string]string{"Location": "/sv/"}},
		{"root redirects en", req{path: "/", headers: map[string]string{"Accept-Language": "en-GB"}}, 302, nil, nil, map[string]string{"Location": "/en/"}},
		{"root falls back to fi", req{path: "/", headers: map[string]string{"Accept-Language": "de"}}, 302, nil, nil, map[string]string{"Location": "/fi/"}},
		{"front fi", req{path: "/fi/"}, 200, []string{`<html lang="fi">`, "Kirjaudu", `hreflang="sv"`}, nil, nil},
		{"front sv has no Finnish shell", req{path: "/sv/"}, 200, []string{`<html lang="sv">`, "Logga in", "Exempelby"}, []string{"Kirjaudu", "Siirry sisältöön"}, nil},
		{"front en", req{path: "/en/"}, 200, []string{`<html lang="en">`, "Log in"}, nil, nil},
		{"unknown language 404", req{path: "/de/"}, 404, nil, nil, nil},
		{"unknown page localized 404", req{path: "/sv/nope"}, 404, []string{"Sidan hittades inte"}, nil, nil},
		{"api 404 is JSON", req{path: "/api/v1/nope?lang=en"}, 404, []string{`"code":"not-found"`, "Page not found"}, nil, nil},
		{"healthz", req{path: "/healthz"}, 200, []string{"ok"}, nil, nil},
		{"readyz", req{path: "/readyz"}, 200, nil, nil, nil},
		{"my page needs login", req{path: "/fi/my"}, 303, nil, nil, map[string]string{"Location": "/fi/login?next=%2Ffi%2Fmy"}},
		{"my page logged in", req{path: "/fi/my", cookies: []*http.Cookie{aino}}, 200, []string{"Aino Virtanen", "Kirjaudu ulos"}, nil, map[string]string{"Cache-Control": "no-store"}},
		{"test login picker", req{path: "/auth/test-login?lang=sv"}, 200, []string{"140386-902R", "Aino Virtanen", "Kaisa Käsittelijä", "DEMO", "vårdnadshavare för Eetu Virtanen"}, nil, nil},
		{"session api anonymous", req{path: "/api/v1/session"}, 200, []string{`"csrfToken":"`, `"user":null`}, nil, nil},
		{"session api logged in", req{path: "/api/v1/session", cookies: []*http.Cookie{aino}}, 200, []string{`"name":"Aino Virtanen"`, `"kind":"resident"`}, []string{"140386"}, nil},
		{"metrics hidden from anonymous", req{path: "/metrics"}, 404, nil, nil, nil},
		{"metrics hidden from residents", req{path: "/metrics", cookies: []*http.Cookie{aino}}, 404, nil, nil, nil},
		{"metrics for staff", req{path: "/metrics", cookies: []*http.Cookie{kaisa}}, 200, []string{"asiointi_http_requests_total"}, nil, nil},
		{"kiosk page staff only", req{path: "/fi/staff/kiosk", cookies: []*http.Cookie{aino}}, 403, nil, nil, nil},
		{"kiosk page staff", req{path: "/fi/staff/kiosk", cookies: []*http.Cookie{kaisa}}, 200, []string{"yhteiskäyttöiseksi"}, nil, nil},
		{"principals", req{path: "/api/v1/me/principals", cookies: []*http.Cookie{aino}}, 200, []string{"Eetu Virtanen", "Ella Virtanen", `"kind":"guardian"`, "Esimerkkilän Urheiluseura ry", `"role":"PJ"`}, nil, nil},
		{"principals need login", req{path: "/api/v1/me/principals"}, 401, nil, nil, nil},
		{"api write without csrf", req{method: "PUT", path: "/api/v1/session/acting-for", body: `{"principal":null}`, cookies: []*http.Cookie{aino}}, 403, []string{`"code":"csrf"`}, nil, nil},
		{"manifest", req{path: "/manifest.webmanifest"}, 200, []string{`"display":"standalone"`, `"purpose":"maskable"`, `"start_url":"/fi/`, `"id":"/"`}, nil, map[string]string{"Content-Type": "application/manifest+json"}},
		{"service worker", req{path: "/sw.js"}, 200, []string{"/fi/offline", "asiointi-"}, []string{"__VERSION__", "__PRECACHE__"}, map[string]string{"Cache-Control": "no-cache"}},
		{"offline page carries nothing personal", req{path: "/fi/offline", cookies: []*http.Cookie{aino}}, 200, []string{"Ei verkkoyhteyttä"}, []string{"Aino"}, nil},
		{"robots", req{path: "/robots.txt"}, 200, []string{"Disallow: /api/"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.do(c.r)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d; body %.300s", res.StatusCode, c.status, res.body)
			}
			for _, s := range c.contains {
				if !strings.Contains(res.body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			for _, s := range c.absent {
				if strings.Contains(res.body, s) {
					t.Errorf("body has %q", s)
				}
			}
			for k, v := range c.header {
				if got := res.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	a := e.do(req{path: "/fi/"})
	b := e.do(req{path: "/fi/"})
	csp := a.Header.Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self' 'nonce-"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Error("CSP allows unsafe-inline")
	}
	if csp == b.Header.Get("Content-Security-Policy") {
		t.Error("nonce is not per request")
	}
	nonce := regexp.MustCompile(`nonce-([A-Za-z0-9_-]+)`).FindStringSubmatch(csp)[1]
	if !strings.Contains(a.body, `nonce="`+nonce+`"`) {
		t.Error("page scripts do not carry the request's nonce")
	}
	if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]+</script>`).MatchString(a.body) {
		t.Error("page has an inline script")
	}
	if regexp.MustCompile(`\sstyle="`).MatchString(a.body) {
		t.Error("page has a style attribute")
	}
	if a.Header.Get("X-Content-Type-Options") != "nosniff" || a.Header.Get("Referrer-Policy") == "" {
		t.Error("nosniff or Referrer-Policy missing")
	}
	if a.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain http")
	}
	if a.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
}

func TestHSTSBehindTrustedProxy(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0/0"} })
	res := e.do(req{path: "/fi/", headers: map[string]string{"X-Forwarded-Proto": "https"}})
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over https")
	}
	// Untrusted proxy: the header is ignored.
	e2 := newEnv(t)
	res = e2.do(req{path: "/fi/", headers: map[string]string{"X-Forwarded-Proto": "https"}})
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS trusted an unknown proxy")
	}
}

func TestLoginCookieAndRotation(t *testing.T) {
	e := newEnv(t)
	res := e.do(req{method: "POST", path: "/auth/test-login", body: "user=140386-902R&next=%2Ffi%2Fmy"})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/fi/my" {
		t.Fatalf("login: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	c := cookie(res, cookieSession)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
		t.Errorf("cookie on localhost http: HttpOnly=%v SameSite=%v Secure=%v", c.HttpOnly, c.SameSite, c.Secure)
	}
	// On a real host the cookie is Secure.
	res2 := e.do(req{method: "POST", path: "/auth/test-login", body: "user=140386-902R", headers: map[string]string{"Host": "asiointi.example.fi"}})
	if c2 := cookie(res2, cookieSession); c2 == nil || !c2.Secure {
		t.Error("cookie not Secure on a non-local host")
	}
	// Logging in again from the same browser gives a new id and ends the old session.
	res3 := e.do(req{method: "POST", path: "/auth/test-login", body: "user=021184-9139", cookies: []*http.Cookie{c}})
	c3 := cookie(res3, cookieSession)
	if c3.Value == c.Value {
		t.Fatal("session id not rotated at login")
	}
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{c}}); r.StatusCode != 303 {
		t.Error("old session still valid after a new login")
	}
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{c3}}); !strings.Contains(r.body, "Mikko Virtanen") {
		t.Error("new session does not show the new person")
	}
	// Unknown user: back to the picker with an error, no session.
	r := e.do(req{method: "POST", path: "/auth/test-login", body: "user=010101-0101"})
	if r.StatusCode != 303 || !strings.Contains(r.Header.Get("Location"), "error=1") || cookie(r, cookieSession) != nil && cookie(r, cookieSession).Value != "" {
		t.Errorf("unknown user: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	// Open redirect refused.
	r = e.do(req{method: "POST", path: "/auth/test-login", body: "user=140386-902R&next=%2F%2Fevil.example"})
	if loc := r.Header.Get("Location"); loc != "/fi/my" {
		t.Errorf("next=//evil.example redirected to %s", loc)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	c := e.login("140386-902R")
	res := e.do(req{method: "POST", path: "/auth/logout?lang=sv", cookies: []*http.Cookie{c}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/sv/logged-out" {
		t.Fatalf("logout: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if got := res.Header.Get("Clear-Site-Data"); got != `"cache", "cookies", "storage"` {
		t.Errorf("Clear-Site-Data = %q", got)
	}
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{c}}); r.StatusCode != 303 {
		t.Error("session survived logout")
	}
	// Cross-site logout is refused.
	c = e.login("140386-902R")
	r := e.do(req{method: "POST", path: "/auth/logout", cookies: []*http.Cookie{c}, headers: map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}})
	if r.StatusCode != 403 {
		t.Errorf("cross-site logout: %d", r.StatusCode)
	}
}

func TestKioskMode(t *testing.T) {
	e := newEnv(t)
	kaisa := e.login("kaisa")
	tok := e.csrf(kaisa)
	res := e.do(req{method: "POST", path: "/fi/staff/kiosk", body: "kiosk=on&_csrf=" + tok, cookies: []*http.Cookie{kaisa}})
	dev := cookie(res, cookieDevice)
	if res.StatusCode != 303 || dev == nil || dev.Value != "kiosk" || dev.MaxAge < 365*24*3600 {
		t.Fatalf("kiosk on: %d %+v", res.StatusCode, dev)
	}
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{kaisa}}); r.StatusCode != 303 {
		t.Error("staff still logged in after marking kiosk")
	}
	login := e.do(req{path: "/fi/login", cookies: []*http.Cookie{dev}})
	if !strings.Contains(login.body, "yhteiskäyttöinen tietokone") || strings.Contains(login.body, "manifest") {
		t.Error("kiosk login page: no shared-computer notice, or manifest offered")
	}
	// A resident on the kiosk: 10 minute idle timeout, kiosk banner.
	res = e.do(req{method: "POST", path: "/auth/test-login", body: "user=140386-902R", cookies: []*http.Cookie{dev}})
	s := cookie(res, cookieSession)
	my := e.do(req{path: "/fi/my", cookies: []*http.Cookie{dev, s}})
	if !strings.Contains(my.body, `data-idle="600"`) || !strings.Contains(my.body, "banner-kiosk") || !strings.Contains(my.body, `http-equiv="refresh"`) {
		t.Error("kiosk page lacks 10 min idle timer, banner or no-JS refresh")
	}
	e.clock.Add(11 * time.Minute)
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{dev, s}}); r.StatusCode != 303 {
		t.Error("kiosk session alive after 11 idle minutes")
	}
	// Logout on a kiosk keeps the device cookie.
	res = e.do(req{method: "POST", path: "/auth/test-login", body: "user=140386-902R", cookies: []*http.Cookie{dev}})
	s = cookie(res, cookieSession)
	out := e.do(req{method: "POST", path: "/auth/logout", cookies: []*http.Cookie{dev, s}})
	if got := out.Header.Get("Clear-Site-Data"); got != `"cache", "storage"` {
		t.Errorf("kiosk Clear-Site-Data = %q", got)
	}
	if cookie(out, cookieDevice) != nil {
		t.Error("kiosk logout touched the device cookie")
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t)
	c := e.login("140386-902R")
	e.clock.Add(29 * time.Minute)
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{c}}); r.StatusCode != 200 {
		t.Fatal("session expired before 30 idle minutes")
	}
	e.clock.Add(31 * time.Minute)
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{c}}); r.StatusCode != 303 {
		t.Fatal("session alive after 31 idle minutes")
	}
	// Absolute limit: active every 20 minutes, still ends at 12 h.
	c = e.login("140386-902R")
	for i := 0; i < 35; i++ { // 11 h 40 min
		e.clock.Add(20 * time.Minute)
		if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{c}}); r.StatusCode != 200 {
			t.Fatalf("active session ended after %d min", (i+1)*20)
		}
	}
	e.clock.Add(21 * time.Minute)
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{c}}); r.StatusCode != 303 {
		t.Fatal("session alive after 12 h")
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	c := e.login("140386-902R")
	tok := e.csrf(c)
	other := e.csrf(e.login("021184-9139"))
	for _, tc := range []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"no token", nil, 403},
		{"someone else's token", map[string]string{"X-CSRF-Token": other}, 403},
		{"right token", map[string]string{"X-CSRF-Token": tok}, 200},
		{"right token but cross-site", map[string]string{"X-CSRF-Token": tok, "Origin": "https://evil.example"}, 403},
	} {
		r := e.do(req{method: "PUT", path: "/api/v1/session/acting-for", body: `{"principal":null}`, cookies: []*http.Cookie{c}, headers: tc.hdr})
		if r.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d (%s)", tc.name, r.StatusCode, tc.status, r.body)
		}
		if nc := cookie(r, cookieSession); nc != nil && nc.Value != "" {
			c = nc
		}
	}
	// Page forms need the token in _csrf.
	r := e.do(req{method: "POST", path: "/fi/acting-for", body: "principal=", cookies: []*http.Cookie{c}})
	if r.StatusCode != 403 {
		t.Errorf("form post without _csrf: %d", r.StatusCode)
	}
}

func TestActingFor(t *testing.T) {
	e := newEnv(t)
	aino := e.login("140386-902R")
	maria := e.login("030392-974H")
	ids := map[string]string{}
	res := e.do(req{path: "/api/v1/me/principals", cookies: []*http.Cookie{aino}})
	for _, m := range regexp.MustCompile(`"id":"([^"]+)","name":"([^"]+)"`).FindAllStringSubmatch(res.body, -1) {
		ids[m[2]] = m[1]
	}
	eetu := ids["Eetu Virtanen"]
	if eetu == "" {
		t.Fatalf("no Eetu in %s", res.body)
	}
	// Maria has no relation to Eetu: 403.
	r := e.do(req{method: "PUT", path: "/api/v1/session/acting-for", body: `{"principal":"` + eetu + `"}`, cookies: []*http.Cookie{maria}, headers: map[string]string{"X-CSRF-Token": e.csrf(maria)}})
	if r.StatusCode != 403 || !strings.Contains(r.body, `"code":"no-relation"`) {
		t.Fatalf("maria acting for eetu: %d %s", r.StatusCode, r.body)
	}
	r = e.do(req{method: "PUT", path: "/api/v1/session/acting-for?lang=en", body: `{"principal":"` + eetu + `"}`, cookies: []*http.Cookie{aino}, headers: map[string]string{"X-CSRF-Token": e.csrf(aino)}})
	if r.StatusCode != 200 || !strings.Contains(r.body, `"name":"Eetu Virtanen"`) {
		t.Fatalf("aino acting for eetu: %d %s", r.StatusCode, r.body)
	}
	nc := cookie(r, cookieSession)
	if nc == nil || nc.Value == aino.Value {
		t.Fatal("session not rotated when acting-for changed")
	}
	page := e.do(req{path: "/en/my", cookies: []*http.Cookie{nc}})
	if !strings.Contains(page.body, `Acting for <strong class="acting-name">Eetu Virtanen</strong>`) {
		t.Error("no acting-for banner")
	}
	if r := e.do(req{path: "/en/my", cookies: []*http.Cookie{aino}}); r.StatusCode != 303 {
		t.Error("pre-rotation session still valid")
	}
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t)
	var last resp
	for i := 0; i < 11; i++ {
		last = e.do(req{method: "POST", path: "/auth/test-login?lang=sv", body: "user=140386-902R"})
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" || !strings.Contains(last.body, "För många försök") {
		t.Fatalf("11th login: %d Retry-After=%q", last.StatusCode, last.Header.Get("Retry-After"))
	}
	off := newEnv(t, func(c *config.Config) { c.RateLimits = false })
	for i := 0; i < 30; i++ {
		if r := off.do(req{method: "POST", path: "/auth/test-login", body: "user=140386-902R"}); r.StatusCode != 303 {
			t.Fatalf("limits off: request %d got %d", i, r.StatusCode)
		}
	}
}

func TestProductionHasNoTestLogin(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Mode = config.Production })
	if r := e.do(req{path: "/auth/test-login"}); r.StatusCode != 404 {
		t.Errorf("GET test-login in production: %d", r.StatusCode)
	}
	if r := e.do(req{method: "POST", path: "/auth/test-login", body: "user=140386-902R"}); r.StatusCode != 404 {
		t.Errorf("POST test-login in production: %d", r.StatusCode)
	}
}

func TestStaticCaching(t *testing.T) {
	e := newEnv(t)
	cur := e.do(req{path: e.s.Asset("css/app.css")})
	if cur.StatusCode != 200 || !strings.Contains(cur.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(cur.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("current asset: %d %q", cur.StatusCode, cur.Header.Get("Cache-Control"))
	}
	old := e.do(req{path: "/s/000000000000/css/app.css"})
	if old.StatusCode != 200 || old.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("old-version asset: %d %q", old.StatusCode, old.Header.Get("Cache-Control"))
	}
	if r := e.do(req{path: e.s.Asset("../go.mod")}); r.StatusCode != 404 {
		t.Errorf("path traversal: %d", r.StatusCode)
	}
}

func TestLanguageSwitcherKeepsPage(t *testing.T) {
	e := newEnv(t)
	r := e.do(req{path: "/fi/login?next=%2Ffi%2Fmy"})
	for _, want := range []string{`href="/sv/login?next=%2Ffi%2Fmy"`, `href="/en/login?next=%2Ffi%2Fmy"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("switcher lacks %s", want)
		}
	}
	r = e.do(req{path: "/auth/test-login?lang=fi"})
	if !strings.Contains(r.body, `/auth/test-login?lang=sv`) {
		t.Error("test login switcher does not keep the page")
	}
}

// TestLogsCarryNoHetu logs in, saves, fails and submits, and checks the
// log never holds a henkilötunnus or form content.
func TestLogsCarryNoHetu(t *testing.T) {
	e := newEnv(t)
	var buf syncBuffer
	e.s.log = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	maria := e.client("030392-974H")
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	id := out["id"].(string)
	maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 1, "data": validSportsShift()})
	maria.call("POST", "/api/v1/drafts/"+id+"/submit", nil)
	e.do(req{method: "POST", path: "/auth/test-login", body: "user=010101-0101"})
	e.do(req{path: "/fi/nope?hetu=030392-974H"})
	logs := buf.String()
	if !strings.Contains(logs, "login") || !strings.Contains(logs, "case submitted") {
		t.Fatalf("expected log lines missing: %s", logs)
	}
	for _, secret := range []string{"030392-974H", "010101-0101", "Tiistain sähly", "maria@example.fi"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
