package staffsso_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"asiointi/server/identity"
	"asiointi/server/staffsso"
	"asiointi/server/staffsso/ssotest"
	"asiointi/server/store"
)

var kaisa = ssotest.User{Subject: "u-1", Username: "kaisa@kunta.fi", Name: "Kaisa Käsittelijä", Email: "kaisa@kunta.fi",
	Roles: []string{"asiointi:handler:early-education", "asiointi:handler:social", "other-app:admin"}}

type rig struct {
	prov   *ssotest.Provider
	client *staffsso.Client
	states *identity.LoginStates
}

var (
	shared *rig
	once   sync.Once
	stop   []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range stop {
		f()
	}
	os.Exit(code)
}

// newRig answers the local provider and a client of it, made once (RSA
// keys take a while), behaving and logging in Kaisa.
func newRig(t *testing.T) *rig {
	t.Helper()
	once.Do(func() {
		var h http.Handler = http.NotFoundHandler()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		stop = append(stop, srv.Close)
		prov, err := ssotest.New(srv.URL, "asiointi", "s3cret", kaisa)
		if err != nil {
			t.Fatal(err)
		}
		h = prov
		dir, _ := os.MkdirTemp("", "staffsso")
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		stop = append(stop, func() { st.Close(); os.RemoveAll(dir) })
		states := &identity.LoginStates{Store: st, Now: time.Now}
		c, err := staffsso.New(context.Background(), staffsso.Config{Issuer: srv.URL, ClientID: "asiointi", ClientSecret: "s3cret",
			BaseURL: "https://asiointi.test", States: states, Services: services})
		if err != nil {
			t.Fatal(err)
		}
		shared = &rig{prov: prov, client: c, states: states}
	})
	if shared == nil {
		t.Fatal("rig did not start")
	}
	shared.prov.SetFault(ssotest.Good)
	shared.prov.SetUser(kaisa)
	return shared
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// login runs the browser's part: to the provider and back; it answers the
// attempt token and the callback's query.
func (r *rig) login(t *testing.T) (string, url.Values) {
	t.Helper()
	to, token, err := r.client.StartLogin("/fi/staff")
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.Parse(to)
	if q.Query().Get("code_challenge_method") != "S256" || q.Query().Get("nonce") == "" || q.Query().Get("state") == "" {
		t.Fatalf("authorization request without PKCE, nonce or state: %s", to)
	}
	resp, err := noRedirect.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), "https://asiointi.test"+staffsso.CallbackPath) {
		t.Fatalf("provider sent the browser to %q (%d)", resp.Header.Get("Location"), resp.StatusCode)
	}
	return token, back.Query()
}

func TestLogin(t *testing.T) {
	r := newRig(t)
	token, q := r.login(t)
	got, err := r.client.FinishLogin(context.Background(), token, q)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "u-1" || got.Username != "kaisa@kunta.fi" || got.Name != "Kaisa Käsittelijä" || got.IDToken == "" || got.Next != "/fi/staff" {
		t.Errorf("login = %+v", got)
	}
	// "social" is no service of the municipality, other-app's role no role here.
	if want := (staffsso.Grant{Roles: map[string]string{"early-education": "handler"}}); !reflect.DeepEqual(got.Grant, want) {
		t.Errorf("grant = %+v, want %+v", got.Grant, want)
	}
	// The same answer again: the attempt is used up (and the code too).
	if _, err := r.client.FinishLogin(context.Background(), token, q); !errors.Is(err, staffsso.ErrNoAttempt) {
		t.Errorf("again: %v", err)
	}
	lo := r.client.LogoutURL(got.IDToken, "https://asiointi.test/fi/logged-out")
	if u, _ := url.Parse(lo); u == nil || u.Path != "/logout" || u.Query().Get("id_token_hint") != got.IDToken {
		t.Errorf("logout URL = %q", lo)
	}
}

// TestLoginRefused: every misbehaviour of the provider, and every answer
// that is not this browser's, is refused.
func TestLoginRefused(t *testing.T) {
	r := newRig(t)
	for _, tc := range []struct {
		name  string
		fault ssotest.Fault
		user  *ssotest.User
		edit  func(token string, q url.Values) (string, url.Values)
		want  string // in the error
	}{
		{name: "bad signature", fault: ssotest.BadSignature, want: "signature"},
		{name: "wrong audience", fault: ssotest.WrongAudience, want: "audience"},
		{name: "wrong nonce", fault: ssotest.WrongNonce, want: "nonce"},
		{name: "expired", fault: ssotest.Expired, want: "expired"},
		{name: "wrong issuer", fault: ssotest.WrongIssuer, want: "issue"},
		{name: "no staff role", user: &ssotest.User{Subject: "u-2", Username: "x", Roles: []string{"other-app:admin"}}, want: "no staff role"},
		{name: "state of another login", edit: func(tok string, q url.Values) (string, url.Values) {
			q.Set("state", identity.NewToken())
			return tok, q
		}, want: "state"},
		{name: "another browser", edit: func(_ string, q url.Values) (string, url.Values) { return identity.NewToken(), q }, want: "no login attempt"},
		{name: "provider error", edit: func(tok string, q url.Values) (string, url.Values) {
			q.Set("error", "access_denied")
			return tok, q
		}, want: "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.prov.SetFault(tc.fault)
			if tc.user != nil {
				r.prov.SetUser(*tc.user)
			}
			defer r.prov.SetUser(kaisa)
			token, q := r.login(t)
			if tc.edit != nil {
				token, q = tc.edit(token, q)
			}
			_, err := r.client.FinishLogin(context.Background(), token, q)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one about %q", err, tc.want)
			}
		})
	}
}

// services are the served municipality's services in these tests.
var services = []string{"building-notification", "early-education", "home-help"}

// TestPrefixRoles: the claim's values map to a role per service (issue
// 13's staff roles): without a service for every service, with one for
// that service; the strongest wins; other values and services are
// ignored, and with none left the login is refused.
func TestPrefixRoles(t *testing.T) {
	all := func(role string) map[string]string {
		return map[string]string{"building-notification": role, "early-education": role, "home-help": role}
	}
	for _, tc := range []struct {
		name   string
		values []string
		want   map[string]string // nil: refused
		role   string
	}{
		{"no values", nil, nil, ""},
		{"no roles of ours", []string{"asiointi:clerk", "asiointi", "other:manager", "asiointi:handler:a:b"}, nil, ""},
		{"a service not served", []string{"asiointi:admin:summer-job-voucher"}, nil, ""},
		{"one service", []string{"asiointi:handler:building-notification"}, map[string]string{"building-notification": "handler"}, "handler"},
		{"every service", []string{"asiointi:handler"}, all("handler"), "handler"},
		{"every service, trailing colon", []string{"asiointi:manager:"}, all("manager"), "manager"},
		{"per service", []string{"asiointi:handler:building-notification", "asiointi:manager:home-help", " asiointi:admin:early-education "},
			map[string]string{"building-notification": "handler", "home-help": "manager", "early-education": "admin"}, "admin"},
		{"the strongest wins", []string{"asiointi:manager:home-help", "asiointi:handler"},
			map[string]string{"building-notification": "handler", "early-education": "handler", "home-help": "manager"}, "manager"},
		{"admin of all, handler of one", []string{"asiointi:handler:home-help", "asiointi:admin"}, all("admin"), "admin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := staffsso.PrefixRoles{Services: services}.Map(tc.values)
			if ok != (tc.want != nil) || (ok && !reflect.DeepEqual(got.Roles, tc.want)) {
				t.Errorf("%+v %v, want %v", got, ok, tc.want)
			}
			if got.Role() != tc.role {
				t.Errorf("strongest role %q, want %q", got.Role(), tc.role)
			}
		})
	}
	if g, ok := (staffsso.PrefixRoles{Prefix: "kunta", Services: services}).Map([]string{"asiointi:admin", "kunta:handler:home-help"}); !ok ||
		!reflect.DeepEqual(g.Roles, map[string]string{"home-help": "handler"}) {
		t.Errorf("another prefix: %+v %v", g, ok)
	}
}
