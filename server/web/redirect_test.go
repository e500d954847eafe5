package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"asiointi/server/config"
)

// hostileNext are redirect targets that must never leave our own pages:
// each one either names another site (directly or after a browser strips
// or rewrites characters), is not one of our page paths, or carries
// characters that have no business in a Location header.
var hostileNext = []string{
	"//evil.example",
	"///evil.example",
	"////evil.example",
	"/\t/evil.example",
	"/%09/evil.example",
	"/\n/evil.example",
	"/\r\nSet-Cookie: a=b",
	"/%0d%0aSet-Cookie:%20a=b",
	"/\\evil.example",
	"\\/evil.example",
	"/\\/evil.example",
	"\\\\evil.example",
	"/%2Fevil.example",
	"/%2F%2Fevil.example",
	"/%5Cevil.example",
	"/%5C%5Cevil.example",
	"https://evil.example/fi/my",
	"http:/evil.example",
	"HTTPS://evil.example",
	"//evil.example/fi/my",
	"javascript:alert(1)",
	"JaVaScRiPt:alert(1)",
	" javascript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"\uff0f\uff0fevil.example", // fullwidth solidus
	"/\uff0fevil.example",
	"/\u2215evil.example", // division slash
	"/\u2044evil.example", // fraction slash
	"/\uff3cevil.example", // fullwidth reverse solidus
	"/fi/my\u202e",        // right-to-left override
	"/fi/\u200bmy",        // zero-width space
	" /fi/my",
	"\t/fi/my",
	"\x00/fi/my",
	"/fi/my\x00",
	"/fi/my\x7f",
	"/fi/my\t",
	"/fi//evil.example",
	"/fi/..//evil.example",
	"/fi/../../evil.example",
	"/fi/%2e%2e/%2e%2e//evil.example",
	"/fi/%2F%2Fevil.example",
	"/fi/%5Cevil.example",
	"/fi\\evil.example",
	"/fi\\/evil.example",
	"/fi/%00",
	"/fi/%0a",
	"/de/my",
	"/api/v1/session",
	"/auth/logout",
	"/s/x/app.js",
	"/fievil",
	"fi/my",
	"evil.example",
	"?next=//evil.example",
	"#//evil.example",
	"/",
	"/fi/" + strings.Repeat("a", maxRedirectLen-3), // one byte too long
}

// ownNext are our own pages: they are kept as given.
var ownNext = []string{
	"/fi/my",
	"/sv/",
	"/en",
	"/fi/drafts/01jabcdefghjkmnpqrstvwxyz0123456/step/2",
	"/fi/services?q=p%C3%A4iv%C3%A4hoito&page=2",
	"/en/drafts/abc/step/1#field-name",
	"/sv/cases/xyz?new=1",
}

var testLoginLink = regexp.MustCompile(`href="/auth/test-login\?[^"]*"`)

func TestLocalPath(t *testing.T) {
	for _, v := range hostileNext {
		if got, ok := localPath(v); ok || got != "" {
			t.Errorf("localPath(%.80q) = %.80q, %v: want refused", v, got, ok)
		}
	}
	for _, v := range ownNext {
		if got, ok := localPath(v); !ok || got != v {
			t.Errorf("localPath(%.80q) = %.80q, %v: want kept", v, got, ok)
		}
	}
}

// TestRedirectTargets sends every hostile value through each redirect
// that takes its target from input and checks the answer stays on our
// own page (the fallback), and that the pages carrying the value on to a
// form do not carry it.
func TestRedirectTargets(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.RateLimits = false })
	aino := e.login("140386-902R")
	plainLink := testLoginLink.FindString(e.do(req{path: "/fi/login"}).body)
	if plainLink == "" {
		t.Fatal("no test login link on the login page")
	}
	for _, v := range hostileNext {
		q := url.QueryEscape(v)
		// Logged in, the login page redirects to next at once.
		r := e.do(req{path: "/fi/login?next=" + q, cookies: []*http.Cookie{aino}})
		if loc := r.Header.Get("Location"); r.StatusCode != 303 || loc != "/fi/my" {
			t.Errorf("GET /fi/login?next=%.80q: %d Location %.80q, want 303 /fi/my", v, r.StatusCode, loc)
		}
		// Not logged in, the login page passes next on to the test login
		// link: the same link as with no next at all.
		r = e.do(req{path: "/fi/login?next=" + q})
		if got := testLoginLink.FindString(r.body); got != plainLink {
			t.Errorf("login page with next=%.80q links to %s, want %s", v, got, plainLink)
		}
		// Test login.
		r = e.do(req{method: "POST", path: "/auth/test-login?lang=fi", body: "user=140386-902R&next=" + q})
		if loc := r.Header.Get("Location"); r.StatusCode != 303 || loc != "/fi/my" {
			t.Errorf("POST /auth/test-login next=%.80q: %d Location %.80q, want 303 /fi/my", v, r.StatusCode, loc)
		}
		// The test login page keeps next in a hidden field.
		r = e.do(req{path: "/auth/test-login?lang=fi&next=" + q})
		if strings.Contains(r.body, `name="next"`) {
			t.Errorf("test login page carries next=%.80q on", v)
		}
		// The acting-for form.
		r = e.do(req{path: "/fi/acting-for?next=" + q, cookies: []*http.Cookie{aino}})
		if strings.Contains(r.body, `name="next"`) {
			t.Errorf("acting-for page carries next=%.80q on", v)
		}
		r = e.do(req{method: "POST", path: "/fi/acting-for", body: "principal=&_csrf=" + url.QueryEscape(e.csrf(aino)) + "&next=" + q, cookies: []*http.Cookie{aino}})
		if loc := r.Header.Get("Location"); r.StatusCode != 303 || loc != "/fi/my" {
			t.Errorf("POST /fi/acting-for next=%.80q: %d Location %.80q, want 303 /fi/my", v, r.StatusCode, loc)
		}
		if nc := cookie(r, cookieSession); nc != nil && nc.Value != "" {
			aino = nc
		}
	}
	// Our own pages are kept.
	for _, v := range ownNext {
		r := e.do(req{method: "POST", path: "/auth/test-login?lang=fi", body: "user=140386-902R&next=" + url.QueryEscape(v)})
		if loc := r.Header.Get("Location"); loc != v {
			t.Errorf("POST /auth/test-login next=%.80q: Location %.80q", v, loc)
		}
	}
}

// TestStepActionRedirect: a step's action names the field to scroll back
// to; whatever it says, the answer stays on the step, and nothing of it
// reaches the Location header raw.
func TestStepActionRedirect(t *testing.T) {
	e := newEnv(t)
	f := e.resident("030392-974H")
	step := f.start("fi", "sports-shift")
	for _, action := range []string{"remove:a\r\nSet-Cookie: a=b", "remove:a\tb", "removefile:\x00", "remove:\u202ex"} {
		r := f.post(step, url.Values{"action": {action}, "version": {"1"}})
		if loc := location(r); r.StatusCode != http.StatusSeeOther || loc != step {
			t.Errorf("action %.80q: %d Location %.80q, want %s", action, r.StatusCode, loc, step)
		}
		if r.Header.Get("Set-Cookie") != "" && strings.Contains(r.Header.Get("Set-Cookie"), "a=b") {
			t.Errorf("action %.80q set a cookie", action)
		}
	}
	r := f.post(step, url.Values{"action": {"remove:field-x"}, "version": {"1"}})
	if loc := location(r); loc != step+"#field-x" {
		t.Errorf("plain action: Location %q, want %s#field-x", loc, step)
	}
}
