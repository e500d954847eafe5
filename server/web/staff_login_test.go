package web

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"asiointi/server/config"
	"asiointi/server/staffsso/ssotest"
)

func TestStaffLogin(t *testing.T) {
	var h http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	prov, err := ssotest.New(srv.URL, "asiointi", "s3cret", ssotest.User{Subject: "u-7", Username: "maija", Name: "Maija Manageri",
		Roles: []string{"asiointi:manager:building-notification", "asiointi:admin:no-such-service", "other:admin"}})
	if err != nil {
		t.Fatal(err)
	}
	h = prov
	e := newEnv(t, func(c *config.Config) {
		c.BaseURL = "http://localhost:8080"
		c.StaffOIDCIssuer, c.StaffOIDCClientID, c.StaffOIDCClientSecret, c.StaffOIDCRolesClaim = srv.URL, "asiointi", "s3cret", "roles"
	})
	if page := e.do(req{path: "/fi/login"}); !strings.Contains(page.body, `href="/auth/staff-login?lang=fi&amp;next=`) {
		t.Errorf("login page offers no staff login")
	}
	login := func(t *testing.T) (*http.Cookie, resp) {
		t.Helper()
		res := e.do(req{path: "/auth/staff-login?lang=fi&next=/fi/"})
		attempt := cookie(res, cookieOIDC)
		if res.StatusCode != http.StatusSeeOther || attempt == nil || attempt.Value == "" {
			t.Fatalf("staff login: %d", res.StatusCode)
		}
		pr, err := noFollow.Get(res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		pr.Body.Close()
		back, _ := url.Parse(pr.Header.Get("Location"))
		if back == nil || back.Path != "/auth/oidc/callback" {
			t.Fatalf("provider sent to %q", pr.Header.Get("Location"))
		}
		cb := e.do(req{path: back.RequestURI(), cookies: []*http.Cookie{attempt}})
		c := cookie(cb, cookieSession)
		if c != nil && c.Value == "" {
			c = nil
		}
		return c, cb
	}
	sess, res := login(t)
	if sess == nil || res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/fi/" {
		t.Fatalf("callback: %d %s", res.StatusCode, res.body)
	}
	m, err := e.s.dir.StaffMember("sso:u-7")
	if err != nil || m.Name != "Maija Manageri" || m.Role != "manager" || m.Municipality != "esimerkkila" {
		t.Errorf("staff = %+v, %v", m, err)
	}
	// The claim's roles are issue 13's roles per service: the staff pages
	// show her the service she manages.
	roles, err := e.s.dir.RolesOf("sso:u-7")
	if err != nil || !maps.Equal(roles, map[string]string{"building-notification": "manager"}) {
		t.Errorf("roles = %v, %v", roles, err)
	}
	if page := e.do(req{path: "/fi/staff", cookies: []*http.Cookie{sess}}); page.StatusCode != http.StatusOK || !strings.Contains(page.body, "Ilmoitus pienestä rakennustyöstä") {
		t.Errorf("staff page: %d", page.StatusCode)
	}
	if page := e.do(req{path: "/fi/", cookies: []*http.Cookie{sess}}); !strings.Contains(page.Header.Get("Content-Security-Policy"), " "+srv.URL+";") {
		t.Errorf("CSP %q does not let the logout form go to the provider", page.Header.Get("Content-Security-Policy"))
	}
	out := e.do(req{method: "POST", path: "/auth/logout", cookies: []*http.Cookie{sess}})
	lo, _ := url.Parse(out.Header.Get("Location"))
	if out.StatusCode != http.StatusSeeOther || lo == nil || !strings.HasPrefix(lo.String(), srv.URL+"/logout") || lo.Query().Get("id_token_hint") == "" ||
		lo.Query().Get("post_logout_redirect_uri") != "http://localhost:8080"+pathsIn("fi").LoggedOut() {
		t.Errorf("logout: %d %q", out.StatusCode, out.Header.Get("Location"))
	}
	t.Run("the provider's roles are the truth", func(t *testing.T) {
		prov.SetUser(ssotest.User{Subject: "u-7", Username: "maija", Name: "Maija Manageri", Roles: []string{"asiointi:handler:home-help"}})
		if c, res := login(t); c == nil {
			t.Fatalf("second login: %d", res.StatusCode)
		}
		roles, err := e.s.dir.RolesOf("sso:u-7")
		if err != nil || !maps.Equal(roles, map[string]string{"home-help": "handler"}) {
			t.Errorf("roles after the provider changed them = %v, %v", roles, err)
		}
		// With no role of a served service left, the login is refused.
		prov.SetUser(ssotest.User{Subject: "u-7", Username: "maija", Name: "Maija Manageri", Roles: []string{"asiointi:admin:no-such-service"}})
		if c, res := login(t); c != nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("no role: %d, session %v", res.StatusCode, c)
		}
		prov.SetUser(ssotest.User{Subject: "u-7", Username: "maija", Name: "Maija Manageri", Roles: []string{"asiointi:manager:building-notification"}})
	})
	t.Run("refused", func(t *testing.T) {
		for _, f := range []ssotest.Fault{ssotest.BadSignature, ssotest.WrongAudience, ssotest.WrongNonce, ssotest.Expired} {
			prov.SetFault(f)
			c, res := login(t)
			if c != nil || res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d, session %v", f, res.StatusCode, c)
			}
		}
		prov.SetFault(ssotest.Good)
	})
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
