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
			BaseURL: "https://asiointi.test", States: states})
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
	if want := (staffsso.Grant{Role: "handler", Units: []string{"early-education", "social"}}); !reflect.DeepEqual(got.Grant, want) {
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

func TestPrefixRoles(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   staffsso.Grant
		ok     bool
	}{
		{nil, staffsso.Grant{}, false},
		{[]string{"asiointi:clerk", "asiointi", "other:manager"}, staffsso.Grant{}, false},
		{[]string{"asiointi:handler:building"}, staffsso.Grant{Role: "handler", Units: []string{"building"}}, true},
		{[]string{"asiointi:handler"}, staffsso.Grant{Role: "handler"}, true},
		{[]string{"asiointi:handler:building", "asiointi:manager:social", "asiointi:manager:early-education"},
			staffsso.Grant{Role: "manager", Units: []string{"early-education", "social"}}, true},
		{[]string{"asiointi:manager:social", "asiointi:manager"}, staffsso.Grant{Role: "manager"}, true},
		{[]string{"asiointi:admin:social", "asiointi:handler"}, staffsso.Grant{Role: "admin"}, true},
	} {
		got, ok := staffsso.PrefixRoles{}.Map(tc.values)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: %+v %v, want %+v %v", tc.values, got, ok, tc.want, tc.ok)
		}
	}
}
