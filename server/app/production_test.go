package app_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"asiointi/server/app"
	"asiointi/server/config"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/staffsso/ssotest"
	"asiointi/server/store"
	"asiointi/server/suomifi/eid/eidtest"
	"asiointi/server/suomifi/messages/messagestest"
)

// serve starts an http.Handler on a loopback port (the local IdP,
// provider and Messages API).
func serve(t *testing.T) (string, func(http.Handler)) {
	t.Helper()
	var h http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	return srv.URL, func(x http.Handler) { h = x }
}

// production is a production configuration against the local test IdP,
// OIDC provider and Messages API, on a new data directory.
type production struct {
	cfg  config.Config
	idp  *eidtest.IdP
	prov *ssotest.Provider
}

func newProduction(t *testing.T) production {
	t.Helper()
	idpURL, setIdP := serve(t)
	idp, err := eidtest.New(idpURL, eidtest.Person{Hetu: "010199-9986", GivenName: "Uusi", Surname: "Asukas", AddressProtected: true})
	if err != nil {
		t.Fatal(err)
	}
	setIdP(idp)
	provURL, setProv := serve(t)
	prov, err := ssotest.New(provURL, "asiointi", "oidc-s3cret-value", ssotest.User{Subject: "s1", Name: "Kaisa", Roles: []string{"asiointi:handler"}})
	if err != nil {
		t.Fatal(err)
	}
	setProv(prov)
	msgURL, setMsg := serve(t)
	setMsg(messagestest.New("api-user", "msg-s3cret-value", "0123456-7"))

	dir := t.TempDir()
	meta, _ := idp.Metadata()
	certPEM, keyPEM, err := eidtest.KeyPairPEM("asiointi.test")
	if err != nil {
		t.Fatal(err)
	}
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := map[string]string{
		"ASIOINTI_MODE": "production", "ASIOINTI_ADDR": "127.0.0.1:0", "ASIOINTI_DATA": filepath.Join(dir, "data"),
		"ASIOINTI_BASE_URL": "https://asiointi.test", "ASIOINTI_IDP": "suomifi-saml",
		"ASIOINTI_SAML_IDP_METADATA": file("idp.xml", meta), "ASIOINTI_SAML_KEY": file("sp.key", keyPEM),
		"ASIOINTI_SAML_CERT":         file("sp.crt", certPEM),
		"ASIOINTI_STAFF_OIDC_ISSUER": provURL, "ASIOINTI_STAFF_OIDC_CLIENT_ID": "asiointi",
		"ASIOINTI_STAFF_OIDC_CLIENT_SECRET_FILE": file("oidc-secret", []byte("oidc-s3cret-value\n")),
		"ASIOINTI_MESSAGES_URL":                  msgURL, "ASIOINTI_MESSAGES_USERNAME": "api-user",
		"ASIOINTI_MESSAGES_PASSWORD_FILE": file("msg-secret", []byte("msg-s3cret-value")), "ASIOINTI_MESSAGES_SERVICE_ID": "0123456-7",
		"ASIOINTI_SMTP_URL": "smtp://127.0.0.1:1", "ASIOINTI_MAIL_FROM": "noreply@asiointi.test",
		"ASIOINTI_SMS_URL": "https://sms.asiointi.test/send", "ASIOINTI_SMS_TOKEN": "sms-s3cret-value",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("production settings refused:\n%v", err)
	}
	return production{cfg: cfg, idp: idp, prov: prov}
}

// TestProductionStarts: with every required setting production mode
// starts against the local test IdP, OIDC provider and Messages API; a
// resident logs in through the IdP (created at first login), the demo-only
// routes answer 404, and no secret reaches the log.
func TestProductionStarts(t *testing.T) {
	p := newProduction(t)
	cfg, idp := p.cfg, p.idp
	// The installation's municipality and register: production seeds
	// nothing (a real installation loads its own); the demo's stand in.
	st, err := store.Open(cfg.DataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	demo, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity.Seed(st, demo, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var logs bytes.Buffer
	m := &app.Main{Config: cfg, Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if err := m.Open(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	if err := m.Run(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	defer m.Close()
	base := "http://" + m.Addr()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, cookies ...*http.Cookie) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	for _, path := range []string{"/auth/test-login", "/api/v1/dev/outbox", "/fi/dev/outbox"} {
		if res, _ := get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 in production", path, res.StatusCode)
		}
	}
	res, err := client.PostForm(base+"/auth/test-login", url.Values{"user": {"140386-902R"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("POST /auth/test-login: %d, want 404", res.StatusCode)
	}
	if res, body := get("/fi/login"); res.StatusCode != http.StatusOK || !strings.Contains(body, "/auth/national-login") ||
		!strings.Contains(body, "/auth/staff-login") || strings.Contains(body, "test-login") {
		t.Errorf("login page: %d\n%s", res.StatusCode, body)
	}
	res, body := get("/saml/metadata")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `entityID="https://asiointi.test/saml/metadata"`) {
		t.Fatalf("metadata: %d %s", res.StatusCode, body)
	}
	if err := idp.Register([]byte(body)); err != nil {
		t.Fatal(err)
	}

	// A resident's national login.
	res, _ = get("/auth/national-login?lang=fi&next=/fi/my")
	var attempt *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "asiointi_saml" {
			attempt = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || attempt == nil {
		t.Fatalf("national login: %d", res.StatusCode)
	}
	ir, err := client.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	ir.Body.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/saml/acs", strings.NewReader(idp.LastAnswer().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(attempt)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var sess *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "asiointi_session" && c.Value != "" {
			sess = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || sess == nil {
		t.Fatalf("ACS: %d", res.StatusCode)
	}
	if res, body := get("/fi/my", sess); res.StatusCode != http.StatusOK || !strings.Contains(body, "Uusi Asukas") {
		t.Errorf("my page after national login: %d", res.StatusCode)
	}
	m.Close()
	for _, secret := range []string{"oidc-s3cret-value", "msg-s3cret-value", "sms-s3cret-value", "010199-9986", "BEGIN"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// TestProductionStartsAfterMunicipalityImport: production mode on a new
// data file refuses to start, naming the command that loads a
// municipality; after `asiointi import-municipality` (here app.
// ImportMunicipality, the stopped store's path) it starts and serves that
// municipality and only its enabled services. The running server takes new
// details through the admin socket, and refuses another municipality.
func TestProductionStartsAfterMunicipalityImport(t *testing.T) {
	p := newProduction(t)
	m := &app.Main{Config: p.cfg, Log: slog.New(slog.DiscardHandler)}
	err := m.Open()
	m.Close()
	if !errors.Is(err, identity.ErrNoMunicipality) || !strings.Contains(err.Error(), "asiointi import-municipality FILE") {
		t.Fatalf("start on a new data file: %v, want the municipality missing, naming the command", err)
	}
	raw, err := os.ReadFile("../../deploy/municipality.example.json")
	if err != nil {
		t.Fatal(err)
	}
	if raw, err = identity.InlineLogo(raw, "../../deploy"); err != nil {
		t.Fatal(err)
	}
	if _, err := app.ImportMunicipality(p.cfg.DataDir, bytes.Replace(raw, []byte(`"home-help"`), []byte(`"home-help", "no-such-service"`), 1)); err == nil ||
		!strings.Contains(err.Error(), `no service "no-such-service"`) {
		t.Fatalf("an unknown service: %v", err)
	}
	what, err := app.ImportMunicipality(p.cfg.DataDir, raw)
	if err != nil || !strings.Contains(what, "municipality kuusimaki") {
		t.Fatalf("import: %q, %v", what, err)
	}

	m = &app.Main{Config: p.cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + m.Addr()
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/fi/", "Kuusimäki", http.StatusOK},
		{"/sv/", "Granbacka", http.StatusOK},
		{"/fi/services/home-help", "Kuusimäki", http.StatusOK},
		{"/fi/services/summer-job-voucher", "", http.StatusNotFound}, // not enabled
		{"/en/privacy", "tietosuoja@kuusimaki.example.fi", http.StatusOK},
		{"/fi/", "/municipality/logo.svg", http.StatusOK}, // its own logo in the header
	} {
		res, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("GET %s: %d, want %d with %q", tc.path, res.StatusCode, tc.status, tc.want)
		}
	}

	// While it runs: new details go through the admin socket; another
	// municipality, or another reference prefix, is refused.
	what, err = app.ImportMunicipality(p.cfg.DataDir, bytes.Replace(raw, []byte(`+358 9 555 1000`), []byte(`+358 9 555 2000`), 1))
	if err != nil || !strings.Contains(what, "updated") {
		t.Errorf("new details: %q, %v", what, err)
	}
	if muni, err := identity.Municipality(m.Store); err != nil || muni.Phone != "+358 9 555 2000" {
		t.Errorf("stored: %+v, %v", muni, err)
	}
	for name, change := range map[string][2]string{
		"another id":     {`"kuusimaki"`, `"naapurila"`},
		"another prefix": {`"KUU"`, `"KUS"`},
	} {
		if _, err := app.ImportMunicipality(p.cfg.DataDir, bytes.Replace(raw, []byte(change[0]), []byte(change[1]), 1)); err == nil {
			t.Errorf("%s: imported", name)
		}
	}
}
