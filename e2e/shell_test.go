package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// finnishShellWords are Finnish strings of the page shell that must never
// show on a Swedish or English page.
var finnishShellWords = []string{"Kirjaudu", "Etusivu", "Siirry sisältöön", "Tarvitsetko apua", "Puhelin", "Demo: tämä on"}

func TestFrontPageInEachLanguage(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	headings := map[string]string{}
	for _, lang := range []string{"fi", "sv", "en"} {
		resp := open(t, ctx, "/"+lang+"/")
		if resp.Status != http.StatusOK {
			t.Fatalf("GET /%s/: HTTP %d", lang, resp.Status)
		}
		if got := eval[string](t, ctx, `document.documentElement.lang`); got != lang {
			t.Errorf("/%s/: <html lang=%q>, want %q", lang, got, lang)
		}
		h1 := textOf(t, ctx, "main h1")
		if h1 == "" {
			t.Errorf("/%s/: empty <h1>", lang)
		}
		for other, h := range headings {
			if h == h1 {
				t.Errorf("/%s/ and /%s/ have the same heading %q: the front page is not translated", lang, other, h1)
			}
		}
		headings[lang] = h1
		if lang != "fi" {
			body := bodyText(t, ctx)
			for _, w := range finnishShellWords {
				if strings.Contains(body, w) {
					t.Errorf("/%s/ shows Finnish shell text %q", lang, w)
				}
			}
		}
		// The language switcher names each language in that language.
		if n := count(t, ctx, `nav.lang-nav a[hreflang][lang]`); n != 3 {
			t.Errorf("/%s/: %d language links with lang and hreflang, want 3", lang, n)
		}
		if cur := textOf(t, ctx, `nav.lang-nav a[aria-current="page"]`); cur != map[string]string{"fi": "Suomi", "sv": "Svenska", "en": "English"}[lang] {
			t.Errorf("/%s/: current language link is %q", lang, cur)
		}
		checkPage(t, ctx, "front-"+lang)
	}
	t.Logf("headings: %v", headings)
}

func TestRootRedirectsByAcceptLanguage(t *testing.T) {
	srv := startServer(t)
	c := newHTTPClient(t, srv)
	for _, tc := range []struct{ accept, want string }{
		{"sv-FI,sv;q=0.9,en;q=0.5", "/sv/"},
		{"en-GB,en;q=0.9", "/en/"},
		{"fi-FI,fi;q=0.9", "/fi/"},
		{"de-DE", "/fi/"},
		{"", "/fi/"},
	} {
		var r response
		if tc.accept == "" {
			r = c.get(t, "/")
		} else {
			r = c.get(t, "/", "Accept-Language: "+tc.accept)
		}
		loc := r.Header.Get("Location")
		if r.Status < 300 || r.Status > 399 || !strings.HasSuffix(strings.TrimPrefix(loc, srv.URL), tc.want) {
			t.Errorf("GET / with Accept-Language %q: HTTP %d to %q, want a redirect to %s", tc.accept, r.Status, loc, tc.want)
		}
	}
}

func TestLanguageSwitchKeepsThePage(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	open(t, ctx, "/fi/login")
	checkPage(t, ctx, "login-fi")
	click(t, ctx, `nav.lang-nav a[hreflang="sv"]`)
	if p := curPath(t, ctx); p != "/sv/login" {
		t.Fatalf("after choosing Svenska on /fi/login the page is %s, want /sv/login", p)
	}
	if got := eval[string](t, ctx, `document.documentElement.lang`); got != "sv" {
		t.Errorf("/sv/login: <html lang=%q>", got)
	}
	body := bodyText(t, ctx)
	for _, w := range finnishShellWords {
		if strings.Contains(body, w) {
			t.Errorf("/sv/login shows Finnish shell text %q", w)
		}
	}
	checkPage(t, ctx, "login-sv")
	click(t, ctx, `nav.lang-nav a[hreflang="en"]`)
	if p := curPath(t, ctx); p != "/en/login" {
		t.Fatalf("after choosing English on /sv/login the page is %s, want /en/login", p)
	}
	checkPage(t, ctx, "login-en")

	// Pages outside /{lang}/ keep their language in the query.
	open(t, ctx, "/auth/test-login?lang=fi")
	click(t, ctx, `nav.lang-nav a[hreflang="sv"]`)
	if p := curPath(t, ctx); !strings.HasPrefix(p, "/auth/test-login?") || !strings.Contains(p, "lang=sv") {
		t.Errorf("after choosing Svenska on the test login page the page is %s", p)
	}
	if got := eval[string](t, ctx, `document.documentElement.lang`); got != "sv" {
		t.Errorf("test login in Swedish: <html lang=%q>", got)
	}
	checkPage(t, ctx, "test-login-sv")
}

func TestLoginAndLogout(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	open(t, ctx, "/fi/")
	if strings.Contains(bodyText(t, ctx), nameAino) {
		t.Fatalf("the front page shows %s before login", nameAino)
	}
	open(t, ctx, "/auth/test-login?lang=fi")
	checkPage(t, ctx, "test-login-fi")
	login(t, ctx, "fi", hetuAino)
	if p := curPath(t, ctx); p != "/fi/my" {
		t.Errorf("after login the page is %s, want /fi/my", p)
	}
	if h := textOf(t, ctx, "main h1"); h != "Omat asiat" {
		t.Errorf("my page heading %q, want %q", h, "Omat asiat")
	}
	if who := textOf(t, ctx, "header .who"); !strings.Contains(who, nameAino) {
		t.Errorf("header shows %q, want the name %s", who, nameAino)
	}
	// One logout button shown (a phone has its own in the menu, hidden here).
	if n := eval[int](t, ctx, `[...document.querySelectorAll('header form[action^="/auth/logout"] button')].filter(b => b.checkVisibility()).length`); n != 1 {
		t.Errorf("%d logout buttons shown in the header, want 1", n)
	}
	checkPage(t, ctx, "my-fi")

	// The name and the logout button are on every page, in every language.
	for _, tc := range []struct{ path, h1 string }{{"/sv/my", "Mina ärenden"}, {"/en/my", "My page"}, {"/en/", ""}} {
		open(t, ctx, tc.path)
		if who := textOf(t, ctx, "header .who"); !strings.Contains(who, nameAino) {
			t.Errorf("%s: header shows %q, want %s", tc.path, who, nameAino)
		}
		if tc.h1 != "" {
			if h := textOf(t, ctx, "main h1"); h != tc.h1 {
				t.Errorf("%s: heading %q, want %q", tc.path, h, tc.h1)
			}
		}
	}
	checkPage(t, ctx, "front-en-logged-in")
	open(t, ctx, "/sv/my")
	checkPage(t, ctx, "my-sv")

	// A resident on a staff page gets a localized error page.
	if resp := open(t, ctx, "/fi/staff/kiosk"); resp.Status != http.StatusForbidden {
		t.Errorf("resident on /fi/staff/kiosk: HTTP %d, want 403", resp.Status)
	}
	checkPage(t, ctx, "forbidden-fi")

	open(t, ctx, "/fi/my")
	logout(t, ctx)
	if p := curPath(t, ctx); p != "/fi/logged-out" {
		t.Errorf("after logout the page is %s, want /fi/logged-out", p)
	}
	if strings.Contains(bodyText(t, ctx), nameAino) {
		t.Errorf("the logged-out page shows %s", nameAino)
	}
	checkPage(t, ctx, "logged-out-fi")
	open(t, ctx, "/fi/my")
	if p := curPath(t, ctx); !strings.HasPrefix(p, "/fi/login") {
		t.Errorf("/fi/my after logout went to %s, want the login page", p)
	}
	if strings.Contains(bodyText(t, ctx), nameAino) {
		t.Errorf("%s after logout shows %s", curPath(t, ctx), nameAino)
	}

	if resp := open(t, ctx, "/en/no-such-page"); resp.Status != http.StatusNotFound {
		t.Errorf("/en/no-such-page: HTTP %d, want 404", resp.Status)
	}
	checkPage(t, ctx, "not-found-en")
	open(t, ctx, "/sv/timed-out")
	checkPage(t, ctx, "timed-out-sv")
}

func TestBackButtonAfterLogoutShowsNothingPersonal(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	open(t, ctx, "/fi/")
	login(t, ctx, "fi", hetuAino) // lands on /fi/my
	if !strings.Contains(bodyText(t, ctx), nameAino) {
		t.Fatalf("my page does not show %s", nameAino)
	}
	resp := open(t, ctx, "/fi/my")
	if cc := header(resp, "Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("personal page Cache-Control = %q, want no-store", cc)
	}
	logout(t, ctx)
	if p := curPath(t, ctx); p != "/fi/logged-out" {
		t.Fatalf("after logout the page is %s", p)
	}
	// Go back to the personal page, as someone at a shared computer would.
	eval[bool](t, ctx, `history.back(), true`)
	time.Sleep(300 * time.Millisecond)
	waitFor(t, ctx, "the page after going back to load", `document.readyState === 'complete' && location.pathname !== '/fi/logged-out'`, 10*time.Second)
	// A page restored from the back/forward cache is reloaded by app.js;
	// give it the time to do so, then the name must be gone for good.
	if !waitFor(t, ctx, "the name to disappear", `document.readyState === 'complete' && !document.body.innerText.includes(`+jsString(nameAino)+`)`, 10*time.Second) {
		t.Fatalf("after logout and Back the page (%s) shows %s", curPath(t, ctx), nameAino)
	}
	time.Sleep(700 * time.Millisecond)
	if strings.Contains(bodyText(t, ctx), nameAino) {
		t.Fatalf("after logout and Back the page (%s) shows %s", curPath(t, ctx), nameAino)
	}
	t.Logf("after Back: %s", curPath(t, ctx))

	// Logout tells the browser to drop everything of this site.
	c := newHTTPClient(t, srv)
	c.login(t, "fi", hetuAino)
	my := c.get(t, "/fi/my")
	if cc := my.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("GET /fi/my logged in: Cache-Control %q, want no-store", cc)
	}
	r := c.postForm(t, "/auth/logout?lang=fi", url.Values{"_csrf": {csrfFrom(t, my.Body)}})
	if r.Status != http.StatusSeeOther {
		t.Errorf("POST /auth/logout: HTTP %d, want 303", r.Status)
	}
	csd := r.Header.Get("Clear-Site-Data")
	for _, d := range []string{`"cache"`, `"cookies"`, `"storage"`} {
		if !strings.Contains(csd, d) {
			t.Errorf("logout Clear-Site-Data = %q, want %s in it", csd, d)
		}
	}
}

func TestPagesWorkWithoutJavaScript(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{NoJS: true})

	open(t, ctx, "/fi/")
	if h := textOf(t, ctx, "main h1"); h == "" {
		t.Fatal("front page without JS: no <main> heading")
	}
	if !eval[bool](t, ctx, `!!document.querySelector('main') && document.querySelector('main').innerText.trim().length > 40`) {
		t.Error("front page without JS: <main> is (nearly) empty")
	}
	screenshot(t, ctx, "nojs-front-fi")
	login(t, ctx, "fi", hetuAino)
	if p := curPath(t, ctx); p != "/fi/my" {
		t.Fatalf("without JS login landed on %s, want /fi/my", p)
	}
	if h := textOf(t, ctx, "main h1"); h != "Omat asiat" {
		t.Errorf("my page without JS: heading %q", h)
	}
	if !strings.Contains(textOf(t, ctx, "header .who"), nameAino) {
		t.Errorf("my page without JS does not show %s in the header", nameAino)
	}
	screenshot(t, ctx, "nojs-my-fi")
	// app.js registers the service worker on every ordinary page: none
	// here shows that the pages above really ran without scripts.
	if n := eval[int](t, ctx, `navigator.serviceWorker.getRegistrations().then(rs => rs.length)`); n != 0 {
		t.Errorf("%d service worker registrations: scripts were not disabled", n)
	}
	logout(t, ctx)
	if p := curPath(t, ctx); p != "/fi/logged-out" {
		t.Errorf("without JS logout landed on %s", p)
	}
	if strings.Contains(bodyText(t, ctx), nameAino) {
		t.Errorf("logged-out page without JS shows %s", nameAino)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}
