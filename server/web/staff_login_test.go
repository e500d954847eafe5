package web

import (
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
		Roles: []string{"asiointi:manager:building"}})
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
	if err != nil || m.Name != "Maija Manageri" || m.Role != "manager" || len(m.Units) != 1 || m.Units[0] != "building" {
		t.Errorf("staff = %+v, %v", m, err)
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
