package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"asiointi/server/config"
	"asiointi/server/mandates/fake"
)

const homeHelpIssue = "http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito"

// mandatesEnv is the app configured with ASIOINTI_MANDATES=suomifi
// against the local fake over real HTTP; down makes the fake answer 503.
func mandatesEnv(t *testing.T) (*env, *fake.Server, *atomic.Bool) {
	t.Helper()
	f := fake.New("esimerkkila", "checksum-secret", "oauth-secret")
	down := &atomic.Bool{}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		f.ServeHTTP(w, r)
	}))
	t.Cleanup(api.Close)
	e := newEnv(t, func(c *config.Config) {
		c.Mandates, c.MandatesURL, c.MandatesClientID = config.MandatesSuomiFi, api.URL, "esimerkkila"
		c.MandatesSecret, c.MandatesOAuthSecret, c.BaseURL = "checksum-secret", "oauth-secret", "http://localhost:8080"
	})
	f.Now = e.clock.Now
	f.Grant(fake.Mandate{Holder: hetuMaria, Principal: hetuHelmi, PrincipalName: "Helmi Korhonen", Issues: []string{homeHelpIssue},
		ValidTo: e.clock.Now().AddDate(0, 1, 0)})
	f.GrantRole(fake.OrgRole{Holder: hetuMaria, BusinessID: "2345678-0", Name: "Esimerkkilän Urheiluseura ry", Roles: []string{"PJ"}})
	return e, f, down
}

// chooseInMandates is the browser's round trip: the app sends it to the
// fake, it picks name there and is sent back; the return's path and
// query are returned.
func chooseInMandates(t *testing.T, e *env, a *apiClient, start, name string) string {
	t.Helper()
	r := e.do(req{path: start, cookies: []*http.Cookie{a.cookie}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d %s", r.StatusCode, r.body)
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := browser.Get(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`<a class="principal" href="([^"]+)">` + name + `</a>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no %s to choose: %s", name, page)
	}
	base, _ := url.Parse(r.Header.Get("Location"))
	pick, _ := base.Parse(strings.ReplaceAll(string(m[1]), "&amp;", "&"))
	res, err = browser.Get(pick.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || back.Host != "localhost:8080" || back.Path != "/fi/acting-for/mandates/return" {
		t.Fatalf("sent back to %q", res.Header.Get("Location"))
	}
	return back.RequestURI()
}

// TestSuomiFiMandatesInTheApp: with Suomi.fi Mandates configured, the
// register's person mandates no longer count; Maria chooses Helmi in the
// (fake) service and comes back acting for her with a new session id;
// she may then apply for home help for Helmi, checked with the service
// at every step: a revocation refuses the next save (403, the right
// named, Helmi not), the service down answers 503 and leaves her own
// matters alone; a forged return is refused; logout unregisters.
func TestSuomiFiMandatesInTheApp(t *testing.T) {
	e, f, down := mandatesEnv(t)
	if r, _ := e.client(hetuJuhani).call("GET", "/api/v1/me/principals", nil); strings.Contains(r.body, "Helmi") {
		t.Errorf("the register's mandate still counts: %s", r.body)
	}
	maria := e.client(hetuMaria)
	if page := e.do(req{path: "/fi/acting-for", cookies: []*http.Cookie{maria.cookie}}); !strings.Contains(page.body, `id="mandates-choose" href="/fi/acting-for/mandates"`) {
		t.Errorf("the acting-for page offers no choice in Suomi.fi Mandates")
	}
	back := chooseInMandates(t, e, maria, "/fi/acting-for/mandates", "Helmi Korhonen")
	forged := strings.Replace(back, "state=", "state=x", 1)
	if r := e.do(req{path: forged, cookies: []*http.Cookie{maria.cookie}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.body, "ei vastannut lähtöä") {
		t.Errorf("forged return: %d", r.StatusCode)
	}
	if r := e.do(req{path: back}); r.StatusCode == http.StatusSeeOther && cookie(r, cookieSession) != nil {
		t.Errorf("a return without the session was taken")
	}
	old := maria.cookie
	r := e.do(req{path: back, cookies: []*http.Cookie{maria.cookie}})
	nc := cookie(r, cookieSession)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/fi/my" || nc == nil || nc.Value == old.Value {
		t.Fatalf("return: %d %s, new session %v", r.StatusCode, r.Header.Get("Location"), nc)
	}
	maria.cookie, maria.token = nc, e.csrf(nc)
	if r := e.do(req{path: "/api/v1/session", cookies: []*http.Cookie{old}}); strings.Contains(r.body, "Helmi") {
		t.Error("the old session id still works")
	}
	if r, out := maria.call("GET", "/api/v1/session", nil); !strings.Contains(r.body, "Helmi Korhonen") {
		t.Fatalf("not acting for Helmi: %v", out)
	}
	forWhom := regexp.MustCompile(`(?s)<form[^>]*for-whom.*?</form>`)
	helmiChoice := `value="` + e.personID(hetuHelmi) + `"`
	if page := e.do(req{path: "/en/services/home-help", cookies: []*http.Cookie{maria.cookie}}); !strings.Contains(forWhom.FindString(page.body), helmiChoice) {
		t.Errorf("the service page does not offer to apply for Helmi: %s", forWhom.FindString(page.body))
	}
	if page := e.do(req{path: "/en/services/association-grant", cookies: []*http.Cookie{maria.cookie}}); strings.Contains(forWhom.FindString(page.body), helmiChoice) {
		t.Errorf("the grant's page offers Helmi")
	}
	r, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "home-help"})
	if r.StatusCode != 201 {
		t.Fatalf("create for Helmi: %d %s", r.StatusCode, r.body)
	}
	id := out["id"].(string)
	checks := f.Count("authorization")
	if checks == 0 {
		t.Error("the right was not asked of Suomi.fi Mandates")
	}

	f.Revoke(hetuMaria, hetuHelmi)
	r, out = maria.call("POST", "/api/v1/drafts/"+id+"/submit?lang=en", nil)
	apiErr, _ := out["error"].(map[string]any)
	if r.StatusCode != 403 || apiErr["code"] != "on-behalf-requirement" || !strings.Contains(r.body, "Handling social and health care matters") ||
		strings.Contains(r.body, "Helmi") || f.Count("authorization") != checks+1 {
		t.Errorf("revoked: %d %s", r.StatusCode, r.body)
	}

	down.Store(true)
	r, _ = maria.call("POST", "/api/v1/drafts/"+id+"/submit?lang=en", nil)
	if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.body, "mandates-unavailable") || !strings.Contains(r.body, "your own matters") {
		t.Errorf("service down: %d %s", r.StatusCode, r.body)
	}
	maria.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": ""})
	if r, _ := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"}); r.StatusCode != 201 {
		t.Errorf("her own application while the service is down: %d %s", r.StatusCode, r.body)
	}
	down.Store(false)
	if r := e.do(req{method: "POST", path: "/auth/logout", cookies: []*http.Cookie{maria.cookie}, headers: map[string]string{"X-CSRF-Token": maria.token}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", r.StatusCode)
	}
	if f.Count("unregister") != 1 {
		t.Errorf("the Mandates session was not unregistered at logout: %v", f.Calls)
	}
}

// TestSuomiFiMandatesOrganisation: Maria, who has no role in the
// register, chooses in Suomi.fi Mandates the sports club where the
// service's trade-register data gives her the chair's role; she comes
// back acting for the club and may apply for its grant, the role asked
// of the service again at every save; when the role ends in the middle
// of her session, her next save and the submit are refused and the draft
// is kept.
func TestSuomiFiMandatesOrganisation(t *testing.T) {
	e, f, down := mandatesEnv(t)
	maria := e.client(hetuMaria)
	if r, _ := maria.call("GET", "/api/v1/me/principals", nil); strings.Contains(r.body, "Urheiluseura") {
		t.Fatalf("a role before the choice: %s", r.body)
	}
	back := chooseInMandates(t, e, maria, "/fi/acting-for/mandates?for=organization", "Esimerkkilän Urheiluseura ry")
	r := e.do(req{path: back, cookies: []*http.Cookie{maria.cookie}})
	nc := cookie(r, cookieSession)
	if r.StatusCode != http.StatusSeeOther || nc == nil {
		t.Fatalf("return: %d %s", r.StatusCode, r.body)
	}
	maria.cookie, maria.token = nc, e.csrf(nc)
	if r, _ := maria.call("GET", "/api/v1/session", nil); !strings.Contains(r.body, "Esimerkkilän Urheiluseura ry") {
		t.Fatalf("not acting for the club: %s", r.body)
	}
	r, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "association-grant"})
	if r.StatusCode != 201 {
		t.Fatalf("the club's grant: %d %s", r.StatusCode, r.body)
	}
	id := out["id"].(string)
	if r, _ := maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 1, "data": map[string]any{"purpose": "x"}}); r.StatusCode != 200 {
		t.Fatalf("save while the role holds: %d %s", r.StatusCode, r.body)
	}
	if calls := f.Count("organizationRoles"); calls < 3 { // the choice, then the create and the save asked again
		t.Errorf("the role was not asked again at create and save: %d calls", calls)
	}

	down.Store(true)
	if r, _ := maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 2, "data": map[string]any{"purpose": "y"}}); r.StatusCode != http.StatusServiceUnavailable ||
		!strings.Contains(r.body, "mandates-unavailable") {
		t.Errorf("save with the service down: %d %s", r.StatusCode, r.body)
	}
	down.Store(false)
	calls := f.Count("organizationRoles")

	// The role ends in the middle of the session: the next save and the
	// submit are refused, naming the right, and the draft is kept.
	f.RevokeRole(hetuMaria, "2345678-0")
	if r, _ := maria.call("PUT", "/api/v1/drafts/"+id+"?lang=en", map[string]any{"version": 2, "data": map[string]any{"purpose": "y"}}); r.StatusCode != 403 ||
		!strings.Contains(r.body, "on-behalf-requirement") {
		t.Errorf("save after the role ended: %d %s", r.StatusCode, r.body)
	}
	if r, _ := maria.call("POST", "/api/v1/drafts/"+id+"/submit?lang=en", nil); r.StatusCode != 403 || !strings.Contains(r.body, "on-behalf-requirement") {
		t.Errorf("submit after the role ended: %d %s", r.StatusCode, r.body)
	}
	if f.Count("organizationRoles") != calls+2 {
		t.Errorf("save and submit did not ask Suomi.fi Mandates: %d calls, want %d", f.Count("organizationRoles"), calls+2)
	}
	if r, out := maria.call("GET", "/api/v1/drafts/"+id, nil); r.StatusCode != 200 || out["version"] != float64(2) {
		t.Errorf("the draft after the refusals: %d %v", r.StatusCode, out)
	}
}
