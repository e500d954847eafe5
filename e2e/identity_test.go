package e2e

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asiointi/server/suomifi/eid/eidtest"
)

// TestNationalLoginSLO: in Chromium, a resident logs in through the local
// SAML IdP (signed and encrypted assertions, as Suomi.fi), lands where
// they were going, and logs out with single logout started by us and,
// after logging in again, by the IdP.
func TestNationalLoginSLO(t *testing.T) {
	requireE2E(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	idpURL := "http://" + ln.Addr().String()
	const hetu = "010199-9986"
	idp, err := eidtest.New(idpURL, eidtest.Person{Hetu: hetu, GivenName: "Testi", Surname: "Asukas"})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: idp, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })

	dir := t.TempDir()
	meta, _ := idp.Metadata()
	certPEM, keyPEM, err := eidtest.KeyPairPEM("asiointi-e2e")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"idp.xml": meta, "sp.crt": certPEM, "sp.key": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	srv := startServer(t, "ASIOINTI_ADDR="+addr, "ASIOINTI_BASE_URL=http://"+addr, "ASIOINTI_IDP=suomifi-saml",
		"ASIOINTI_SAML_IDP_METADATA="+filepath.Join(dir, "idp.xml"),
		"ASIOINTI_SAML_KEY="+filepath.Join(dir, "sp.key"), "ASIOINTI_SAML_CERT="+filepath.Join(dir, "sp.crt"))
	resp, err := http.Get(srv.URL + "/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	spMeta, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := idp.Register(spMeta); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t, srv, browserOpts{})
	nationalLogin := func() {
		t.Helper()
		open(t, ctx, "/fi/login?next=/fi/my")
		// The navigation leaves for the IdP's origin: click, then wait.
		act(t, ctx, chromedp.Click(chromedp.CSS(`a[href^="/auth/national-login"]`)))
		// To the IdP, whose form posts the assertion back to /saml/acs.
		if !waitFor(t, ctx, "the my page after national login", `location.pathname === "/fi/my" && document.readyState === "complete"`, 15*time.Second) {
			t.Fatalf("national login ended at %s", location(t, ctx))
		}
		if !strings.Contains(bodyText(t, ctx), "Testi") {
			t.Errorf("my page does not greet the person: %s", bodyText(t, ctx))
		}
	}
	loggedOut := func(what string) {
		t.Helper()
		open(t, ctx, "/fi/my")
		if p := curPath(t, ctx); !strings.HasPrefix(p, "/fi/login") {
			t.Errorf("%s: /fi/my shows %s, want the login page", what, p)
		}
	}

	t.Run("SP-initiated logout", func(t *testing.T) {
		nationalLogin()
		act(t, ctx, chromedp.Click(chromedp.CSS(`header .logout-form button[type="submit"]`)))
		// Out to the IdP's single logout and back with its answer.
		if !waitFor(t, ctx, "the logged-out page", `location.pathname === "/fi/logged-out" && document.readyState === "complete"`, 15*time.Second) {
			t.Fatalf("logout ended at %s", location(t, ctx))
		}
		loggedOut("after our logout")
	})
	t.Run("IdP-initiated logout", func(t *testing.T) {
		nationalLogin()
		open(t, ctx, idpURL+eidtest.IdPLogoutPath)
		// The IdP's LogoutRequest went through /saml/slo and back.
		if !waitFor(t, ctx, "back at the IdP", `location.origin === `+jsString(idpURL), 15*time.Second) {
			t.Fatalf("IdP logout ended at %s", location(t, ctx))
		}
		loggedOut("after the IdP's logout")
	})
	if strings.Contains(srv.Logs(), hetu) {
		t.Error("the server log holds the henkilötunnus")
	}
}
