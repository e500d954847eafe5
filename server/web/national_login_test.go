package web

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"asiointi/server/config"
	"asiointi/server/suomifi/eid/eidtest"
)

// samlEnv is a server whose resident login is the local test IdP.
type samlEnv struct {
	*env
	idp     *eidtest.IdP
	idpURL  string
	browser *http.Client // the browser's side at the IdP
}

func newSAMLEnv(t *testing.T, mode config.Mode) *samlEnv {
	t.Helper()
	return newSAMLEnvOn(t, mode, true, "")
}

// newSAMLEnvOn is newSAMLEnv on a seeded store or (seed false) a new
// installation's, with the population data adapter named (config's
// default when "").
func newSAMLEnvOn(t *testing.T, mode config.Mode, seed bool, population string) *samlEnv {
	t.Helper()
	var h http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	idp, err := eidtest.New(srv.URL, eidtest.Person{Hetu: "140386-902R", GivenName: "Aino", Surname: "Virtanen"})
	if err != nil {
		t.Fatal(err)
	}
	h = idp
	dir := t.TempDir()
	meta, _ := idp.Metadata()
	certPEM, keyPEM, err := eidtest.KeyPairPEM("localhost")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"idp.xml": meta, "sp.crt": certPEM, "sp.key": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnvOn(t, seed, func(c *config.Config) {
		c.Mode = mode
		if population != "" {
			c.Population = population
		}
		c.BaseURL = "http://localhost:8080"
		c.IdentityProvider = config.IDPSuomiFi
		c.SAMLIDPMetadata = filepath.Join(dir, "idp.xml")
		c.SAMLCertFile, c.SAMLKeyFile = filepath.Join(dir, "sp.crt"), filepath.Join(dir, "sp.key")
		c.SAMLIDPCertSHA256 = []string{idp.CertFingerprint()}
	})
	res := e.do(req{path: "/saml/metadata"})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "http://localhost:8080/saml/acs") {
		t.Fatalf("SP metadata: %d %s", res.StatusCode, res.body)
	}
	if err := idp.Register([]byte(res.body)); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &samlEnv{env: e, idp: idp, idpURL: srv.URL, browser: browser}
}

// atIdP makes the browser's request to the IdP and answers its status
// and where it sends the browser next.
func (e *samlEnv) atIdP(to string) (int, string) {
	e.t.Helper()
	if !strings.HasPrefix(to, e.idpURL) {
		e.t.Fatalf("sent to %s, want the IdP", to)
	}
	res, err := e.browser.Get(to)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// samlLogin logs in through the IdP and answers the session cookie (nil
// when refused) and the answer to the posted assertion.
func (e *samlEnv) samlLogin(next string) (*http.Cookie, resp) {
	e.t.Helper()
	res := e.do(req{path: "/auth/national-login?lang=fi&next=" + url.QueryEscape(next)})
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("national login: %d", res.StatusCode)
	}
	attempt := cookie(res, cookieSAML)
	if attempt == nil || attempt.Value == "" || !attempt.HttpOnly {
		e.t.Fatalf("no attempt cookie: %v", res.Header["Set-Cookie"])
	}
	if st, _ := e.atIdP(res.Header.Get("Location")); st != http.StatusOK {
		e.t.Fatalf("IdP answered %d", st)
	}
	form := e.idp.LastAnswer()
	acs := e.do(req{method: "POST", path: "/saml/acs", body: form.Encode(), cookies: []*http.Cookie{attempt},
		headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": e.idpURL}})
	c := cookie(acs, cookieSession)
	if c != nil && c.Value == "" {
		c = nil
	}
	return c, acs
}

func TestNationalLogin(t *testing.T) {
	e := newSAMLEnv(t, config.Demo)
	sess, res := e.samlLogin("/fi/cases")
	if res.StatusCode != http.StatusSeeOther || sess == nil || res.Header.Get("Location") != "/fi/cases" {
		t.Fatalf("ACS: %d %v %s", res.StatusCode, res.Header, res.body)
	}
	if my := e.do(req{path: "/fi/my", cookies: []*http.Cookie{sess}}); my.StatusCode != http.StatusOK || !strings.Contains(my.body, "Aino") {
		t.Errorf("my page: %d", my.StatusCode)
	}
	t.Run("answer without this browser's attempt", func(t *testing.T) {
		res := e.do(req{path: "/auth/national-login?lang=fi"})
		e.atIdP(res.Header.Get("Location"))
		form := e.idp.LastAnswer()
		acs := e.do(req{method: "POST", path: "/saml/acs", body: form.Encode()})
		if acs.StatusCode != http.StatusForbidden || cookie(acs, cookieSession) != nil {
			t.Errorf("ACS without attempt cookie: %d", acs.StatusCode)
		}
	})
	t.Run("no installation-wide limit", func(t *testing.T) {
		// Fifteen answers (refused: no attempt) are not throttled as if
		// every resident were one account.
		for i := range 15 {
			if res := e.do(req{method: "POST", path: "/saml/acs", body: "SAMLResponse=eA%3D%3D"}); res.StatusCode != http.StatusForbidden {
				t.Fatalf("answer %d: %d, want 403", i+1, res.StatusCode)
			}
		}
	})
	t.Run("refused assertion", func(t *testing.T) {
		if err := e.idp.SetFault(eidtest.WrongAudience); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = e.idp.SetFault(eidtest.Good) }()
		c, res := e.samlLogin("/fi/my")
		if c != nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("wrong audience: %d, session %v", res.StatusCode, c)
		}
	})
	t.Run("open redirect", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example/fi/my", "/\\evil.example"} {
			_, res := e.samlLogin(next)
			if loc := res.Header.Get("Location"); loc != "/fi/my" {
				t.Errorf("next %q: sent to %q, want /fi/my", next, loc)
			}
		}
	})
	t.Run("first login creates the person", func(t *testing.T) {
		e.idp.SetPerson(eidtest.Person{Hetu: "010199-9986", GivenName: "Uusi", Surname: "Asukas", AddressProtected: true})
		c, res := e.samlLogin("/fi/my")
		if c == nil {
			t.Fatalf("login refused: %d", res.StatusCode)
		}
		p, err := e.s.dir.PersonByHetu("010199-9986")
		if err != nil || p.Name() != "Uusi Asukas" || !p.AddressProtected || p.BirthDate != "1999-01-01" {
			t.Errorf("person = %+v, %v", p, err)
		}
	})
}

func TestNationalLogoutSP(t *testing.T) {
	e := newSAMLEnv(t, config.Demo)
	sess, _ := e.samlLogin("/fi/my")
	res := e.do(req{method: "POST", path: "/auth/logout", cookies: []*http.Cookie{sess}})
	attempt := cookie(res, cookieSAML)
	if res.StatusCode != http.StatusSeeOther || attempt == nil || attempt.Value == "" {
		t.Fatalf("logout: %d, attempt %v", res.StatusCode, attempt)
	}
	// The logout form leads to the IdP: the pages' CSP allows that origin.
	if page := e.do(req{path: "/fi/my", cookies: []*http.Cookie{sess}}); !strings.Contains(page.Header.Get("Content-Security-Policy"), "form-action 'self' "+e.idpURL+";") {
		t.Errorf("CSP %q does not let the logout form go to the IdP", page.Header.Get("Content-Security-Policy"))
	}
	if strings.Contains(res.Header.Get("Clear-Site-Data"), "cookies") {
		t.Error("Clear-Site-Data clears the attempt cookie too")
	}
	if my := e.do(req{path: "/fi/my", cookies: []*http.Cookie{sess}}); my.StatusCode != http.StatusSeeOther {
		t.Errorf("session still alive: %d", my.StatusCode)
	}
	st, back := e.atIdP(res.Header.Get("Location"))
	if st/100 != 3 || !strings.HasPrefix(back, "http://localhost:8080/saml/slo?") {
		t.Fatalf("IdP: %d %s", st, back)
	}
	u, _ := url.Parse(back)
	done := e.do(req{path: u.RequestURI(), cookies: []*http.Cookie{attempt}})
	if done.StatusCode != http.StatusSeeOther || done.Header.Get("Location") != pathsIn("fi").LoggedOut() {
		t.Errorf("SLO response: %d %s", done.StatusCode, done.Header.Get("Location"))
	}
}

func TestNationalLogoutIdP(t *testing.T) {
	e := newSAMLEnv(t, config.Demo)
	sess, _ := e.samlLogin("/fi/my")
	st, to := e.atIdP(e.idpURL + eidtest.IdPLogoutPath)
	if st/100 != 3 || !strings.HasPrefix(to, "http://localhost:8080/saml/slo?") {
		t.Fatalf("IdP logout: %d %s", st, to)
	}
	u, _ := url.Parse(to)
	// A forged request (signature dropped) ends nothing.
	q := u.Query()
	q.Del("Signature")
	forged := e.do(req{path: "/saml/slo?" + q.Encode(), cookies: []*http.Cookie{sess}})
	if forged.StatusCode != http.StatusBadRequest {
		t.Errorf("unsigned LogoutRequest: %d", forged.StatusCode)
	}
	if my := e.do(req{path: "/fi/my", cookies: []*http.Cookie{sess}}); my.StatusCode != http.StatusOK {
		t.Fatalf("session ended by a forged request: %d", my.StatusCode)
	}
	res := e.do(req{path: u.RequestURI()}) // from another browser: every session of that login ends
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), e.idpURL) {
		t.Fatalf("SLO: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if my := e.do(req{path: "/fi/my", cookies: []*http.Cookie{sess}}); my.StatusCode != http.StatusSeeOther {
		t.Errorf("session alive after IdP logout: %d", my.StatusCode)
	}
	if st, _ := e.atIdP(res.Header.Get("Location")); st >= 400 {
		t.Errorf("IdP refused our answer: %d", st)
	}
}

// TestLoginPageOffers: national login when configured; test login only
// in demo mode.
func TestLoginPageOffers(t *testing.T) {
	for _, mode := range []config.Mode{config.Demo, config.Production} {
		t.Run(string(mode), func(t *testing.T) {
			e := newSAMLEnv(t, mode)
			res := e.do(req{path: "/fi/login?next=/fi/my"})
			if !strings.Contains(res.body, `href="/auth/national-login?lang=fi&amp;next=%2Ffi%2Fmy"`) {
				t.Errorf("no national login: %s", res.body)
			}
			if got := strings.Contains(res.body, "/auth/test-login"); got != (mode == config.Demo) {
				t.Errorf("test login offered = %v", got)
			}
		})
	}
}

// TestNationalLoginFillsRelations: on a new installation's data file a
// guardian's first national login brings the minors in her guardianship
// from the population data adapter (the demo register here), and she can
// act for them at once; a mandate holder gets his principal. Without an
// adapter a first login brings no relations.
func TestNationalLoginFillsRelations(t *testing.T) {
	e := newSAMLEnvOn(t, config.Production, false, config.PopulationDemo)
	principals := func(e *samlEnv, c *http.Cookie) string {
		t.Helper()
		res := e.do(req{path: "/api/v1/me/principals", cookies: []*http.Cookie{c}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("principals: %d %s", res.StatusCode, res.body)
		}
		return res.body
	}
	aino, res := e.samlLogin("/fi/my")
	if aino == nil {
		t.Fatalf("login refused: %d", res.StatusCode)
	}
	body := principals(e, aino)
	if !strings.Contains(body, `"name":"Eetu Virtanen"`) || !strings.Contains(body, `"name":"Ella Virtanen"`) {
		t.Fatalf("Aino's principals after her first login: %s", body)
	}
	eetu := regexp.MustCompile(`"id":"([^"]+)","name":"Eetu Virtanen"`).FindStringSubmatch(body)
	if eetu == nil {
		t.Fatalf("no id for Eetu in %s", body)
	}
	sw := e.do(req{method: "PUT", path: "/api/v1/session/acting-for?lang=fi", body: `{"principal":"` + eetu[1] + `"}`,
		headers: map[string]string{"X-CSRF-Token": e.csrf(aino)}, cookies: []*http.Cookie{aino}})
	acting := cookie(sw, cookieSession)
	if sw.StatusCode != http.StatusOK || acting == nil || acting.Value == "" {
		t.Fatalf("acting for Eetu: %d %s", sw.StatusCode, sw.body)
	}
	if my := e.do(req{path: "/fi/my", cookies: []*http.Cookie{acting}}); my.StatusCode != http.StatusOK || !strings.Contains(my.body, "Eetu") {
		t.Errorf("my page while acting for Eetu: %d", my.StatusCode)
	}

	// A later login finds the relations as they are (not twice).
	if c, _ := e.samlLogin("/fi/my"); c == nil {
		t.Fatal("second login refused")
	}
	ward, err := e.s.dir.PersonByHetu("210620A925C")
	if err != nil || len(ward.Guardians) != 1 || ward.Address.PostalCode != "99100" {
		t.Errorf("Eetu = %+v, %v", ward, err)
	}

	e.idp.SetPerson(eidtest.Person{Hetu: "300468-951T", GivenName: "Juhani", Surname: "Korhonen"})
	juhani, _ := e.samlLogin("/fi/my")
	if juhani == nil || !strings.Contains(principals(e, juhani), `"name":"Helmi Korhonen"`) {
		t.Errorf("Juhani's mandate from Helmi is not there")
	}

	t.Run("no adapter", func(t *testing.T) {
		e := newSAMLEnvOn(t, config.Production, false, config.PopulationNone)
		aino, _ := e.samlLogin("/fi/my")
		if aino == nil {
			t.Fatal("login refused")
		}
		if body := principals(e, aino); strings.Contains(body, "Eetu") {
			t.Errorf("principals without a population adapter: %s", body)
		}
	})
}
