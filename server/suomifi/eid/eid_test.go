package eid_test

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"asiointi/server/identity"
	"asiointi/server/store"
	. "asiointi/server/suomifi/eid"
	"asiointi/server/suomifi/eid/eidtest"
)

const spBase = "https://asiointi.test"

var aino = eidtest.Person{Hetu: "140386-902R", GivenName: "Aino", Surname: "Virtanen",
	Mail: "aino@example.fi", HomeMunicipality: "999", Street: "Kotikatu 1", PostalCode: "99100", City: "Esimerkkilä"}

type rig struct {
	sp     *SP
	idp    *eidtest.IdP
	srv    *httptest.Server
	client *http.Client
	states *identity.LoginStates
	close  func()
}

var (
	shared     *rig
	sharedOnce sync.Once
)

// TestMain closes the shared rig.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.close()
	}
	os.Exit(code)
}

// newRig answers the local IdP and an SP that trusts it (and is trusted),
// started once for the package (RSA keys take a while to make), set back
// to behaving and to logging in Aino.
func newRig(t *testing.T) *rig {
	t.Helper()
	sharedOnce.Do(func() { shared = startRig(t) })
	if shared == nil {
		t.Fatal("rig did not start")
	}
	if err := shared.idp.SetFault(eidtest.Good); err != nil {
		t.Fatal(err)
	}
	shared.idp.SetPerson(aino)
	return shared
}

func startRig(t *testing.T) *rig {
	dir, err := os.MkdirTemp("", "eid")
	if err != nil {
		t.Fatal(err)
	}
	// The rig outlives the test that starts it: bbolt (LoginStates run
	// on both backends in server/identity's tests).
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{states: &identity.LoginStates{Store: st, Now: time.Now}}
	var h http.Handler = http.NotFoundHandler()
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) { h.ServeHTTP(w, q) }))
	r.close = func() { r.srv.Close(); st.Close(); os.RemoveAll(dir) }
	if r.idp, err = eidtest.New(r.srv.URL, aino); err != nil {
		t.Fatal(err)
	}
	h = r.idp
	meta, err := r.idp.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	key, cert, _, _ := testKeyPair(t, dir)
	r.sp, err = New(Config{BaseURL: spBase, Key: key, Cert: cert, IDPMetadata: meta,
		PinnedCerts: []string{r.idp.CertFingerprint()}, States: r.states})
	if err != nil {
		t.Fatal(err)
	}
	spMeta, err := r.sp.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.idp.Register(spMeta); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	r.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return r
}

// login runs the browser's part: to the IdP with the AuthnRequest, and
// back with the form it posts; it answers the attempt token and the form.
func (r *rig) login(t *testing.T, next string) (string, url.Values) {
	t.Helper()
	to, token, err := r.sp.StartLogin(next)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(to)
	q := u.Query()
	if q.Get("SAMLRequest") == "" || q.Get("Signature") == "" || q.Get("SigAlg") != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" {
		t.Fatalf("AuthnRequest redirect is not signed with RSA-SHA256: %s", to)
	}
	resp, err := r.client.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("IdP answered %d: %s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), spBase+ACSPath) {
		t.Fatalf("IdP form does not post to the ACS: %s", body)
	}
	return token, r.idp.LastAnswer()
}

func TestLogin(t *testing.T) {
	r := newRig(t)
	token, form := r.login(t, "/fi/my")
	got, err := r.sp.FinishLogin(token, form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	p := got.Person
	if p.Hetu != aino.Hetu || p.FirstName != "Aino" || p.LastName != "Virtanen" || p.Email != aino.Mail || p.HomeMunicipality != "999" {
		t.Errorf("person = %+v", p)
	}
	if p.AddressProtected || p.Address.PostalCode != "99100" || p.Address.Street["fi"] != "Kotikatu 1" || p.Address.City["fi"] != "Esimerkkilä" {
		t.Errorf("address = %+v protected %v", p.Address, p.AddressProtected)
	}
	f := got.Federated
	if f.Method != "suomifi-saml" || f.NameID == "" || f.SessionIndex == "" || f.NameIDFormat != string(saml.TransientNameIDFormat) {
		t.Errorf("federated = %+v", f)
	}
	if got.Next != "/fi/my" {
		t.Errorf("next = %q", got.Next)
	}
	// The same answer again: the attempt is used up.
	if _, err := r.sp.FinishLogin(token, form.Get("SAMLResponse")); !errors.Is(err, ErrNoAttempt) {
		t.Errorf("replay: err = %v, want ErrNoAttempt", err)
	}
}

func TestLoginAddressProtected(t *testing.T) {
	r := newRig(t)
	p := aino
	p.AddressProtected = true
	r.idp.SetPerson(p)
	token, form := r.login(t, "/fi/my")
	got, err := r.sp.FinishLogin(token, form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Person.AddressProtected || got.Person.Address.PostalCode != "" || len(got.Person.Address.Street) != 0 {
		t.Errorf("person = %+v, want address protected and no address", got.Person)
	}
}

// TestLoginRefused: every way the IdP (or someone in between) can get it
// wrong is refused.
func TestLoginRefused(t *testing.T) {
	tests := []struct {
		fault eidtest.Fault
		want  error
	}{
		{eidtest.WrongAudience, saml.ErrAudienceMismatch},
		{eidtest.Expired, saml.ErrExpired},
		{eidtest.Unsigned, saml.ErrInvalidSignature},
		{eidtest.WrongSignature, saml.ErrInvalidSignature},
		{eidtest.WrongInResponseTo, saml.ErrRequestIDMismatch},
		{eidtest.MissingHetu, ErrMissingHetu},
		{eidtest.WrongDestination, saml.ErrDestinationMismatch},
		{eidtest.LowLoA, saml.ErrAuthnContextMismatch},
	}
	r := newRig(t)
	for _, tc := range tests {
		t.Run(string(tc.fault), func(t *testing.T) {
			if err := r.idp.SetFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			token, form := r.login(t, "/fi/my")
			_, err := r.sp.FinishLogin(token, form.Get("SAMLResponse"))
			if !errors.Is(err, tc.want) && !(tc.fault == eidtest.Unsigned && err != nil && strings.Contains(err.Error(), "signature element not present")) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestLoginReplayedAssertion: even with a login attempt that expects the
// very same request id (as if the attacker held this browser's cookie),
// an assertion is accepted once.
func TestLoginReplayedAssertion(t *testing.T) {
	r := newRig(t)
	token, form := r.login(t, "/fi/my")
	clone, err := CloneAttempt(r.states, token)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []error{nil, saml.ErrAssertionReplayed} {
		tok, err := clone()
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.sp.FinishLogin(tok, form.Get("SAMLResponse"))
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("use %d: err = %v, want %v", i+1, err, want)
		}
	}
}

// TestLoginOtherBrowser: an answer without this browser's attempt (no
// cookie, or another's) is refused.
func TestLoginOtherBrowser(t *testing.T) {
	r := newRig(t)
	_, form := r.login(t, "/fi/my")
	for _, tok := range []string{"", identity.NewToken()} {
		if _, err := r.sp.FinishLogin(tok, form.Get("SAMLResponse")); !errors.Is(err, ErrNoAttempt) {
			t.Errorf("token %q: err = %v, want ErrNoAttempt", tok, err)
		}
	}
}

// TestPinnedCertificate: metadata whose signing certificate is not pinned
// is refused at start.
func TestPinnedCertificate(t *testing.T) {
	r := newRig(t)
	meta, _ := r.idp.Metadata()
	key, cert, _, _ := testKeyPair(t, t.TempDir())
	_, err := New(Config{BaseURL: spBase, Key: key, Cert: cert, IDPMetadata: meta,
		PinnedCerts: []string{strings.Repeat("ab", 32)}, States: r.states})
	if err == nil || !strings.Contains(err.Error(), "pinned") {
		t.Errorf("err = %v, want a refusal for no pinned certificate", err)
	}
}

func testKeyPair(t *testing.T, dir string) (key *rsaKey, cert *x509Cert, certFile, keyFile string) {
	t.Helper()
	certPEM, keyPEM, err := eidtest.KeyPairPEM("asiointi.test")
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "sp.crt"), filepath.Join(dir, "sp.key")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	key, cert, err = LoadKeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert, certFile, keyFile
}

type (
	rsaKey   = rsa.PrivateKey
	x509Cert = x509.Certificate
)

// follow makes the browser's GET and answers where it is sent next.
func (r *rig) follow(t *testing.T, to string) string {
	t.Helper()
	resp, err := r.client.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET %s: %d %s", to, resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

func arrive(t *testing.T, to string) *http.Request {
	t.Helper()
	if !strings.HasPrefix(to, spBase+SLOPath+"?") {
		t.Fatalf("sent to %s, want our SLO endpoint", to)
	}
	return httptest.NewRequest(http.MethodGet, to, nil)
}

func TestLogoutSPInitiated(t *testing.T) {
	r := newRig(t)
	token, form := r.login(t, "/fi/my")
	in, err := r.sp.FinishLogin(token, form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	to, lt, err := r.sp.StartLogout(in.Federated)
	if err != nil || to == "" {
		t.Fatalf("StartLogout: %q, %v", to, err)
	}
	if q, _ := url.Parse(to); q.Query().Get("Signature") == "" {
		t.Errorf("LogoutRequest is not signed: %s", to)
	}
	back := r.follow(t, to)
	req := arrive(t, back)
	// Someone else's answer, or none, does not count.
	if err := r.sp.FinishLogout(identity.NewToken(), req); !errors.Is(err, ErrNoAttempt) {
		t.Errorf("other browser: err = %v", err)
	}
	if err := r.sp.FinishLogout(lt, req); err != nil {
		t.Errorf("FinishLogout: %v", err)
	}
	if err := r.sp.FinishLogout(lt, req); !errors.Is(err, ErrNoAttempt) {
		t.Errorf("again: err = %v, want ErrNoAttempt", err)
	}
}

func TestLogoutIdPInitiated(t *testing.T) {
	r := newRig(t)
	token, form := r.login(t, "/fi/my")
	in, err := r.sp.FinishLogin(token, form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	to := r.follow(t, r.srv.URL+eidtest.IdPLogoutPath)
	req := arrive(t, to)
	if !IsLogoutRequest(req) {
		t.Fatal("not a LogoutRequest")
	}
	// An unsigned copy is refused.
	u, _ := url.Parse(to)
	q := u.Query()
	q.Del("Signature")
	q.Del("SigAlg")
	u.RawQuery = q.Encode()
	if _, err := r.sp.HandleIdPLogout(arrive(t, u.String())); err == nil {
		t.Error("unsigned LogoutRequest accepted")
	}
	lo, err := r.sp.HandleIdPLogout(req)
	if err != nil {
		t.Fatal(err)
	}
	if !lo.Matches(&in.Federated) {
		t.Errorf("logout %+v does not match the login %+v", lo, in.Federated)
	}
	other := in.Federated
	other.NameID = "someone-else"
	if lo.Matches(&other) {
		t.Error("logout matches another person's login")
	}
	// The IdP takes our signed answer.
	resp, err := r.client.Get(lo.Answer)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		t.Errorf("IdP refused our LogoutResponse: %d", resp.StatusCode)
	}
	// The same LogoutRequest again is refused.
	if _, err := r.sp.HandleIdPLogout(arrive(t, to)); err == nil {
		t.Error("replayed LogoutRequest accepted")
	}
}
