package mandates_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"asiointi/server/mandates"
	"asiointi/server/mandates/fake"
)

const (
	juhani = "300468-951T"
	helmi  = "050840-948K"
	issue  = "http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito"
)

// world is the fake service, a client of it and the application's
// callback, which records the code the browser brings back.
type world struct {
	fake   *fake.Server
	api    *httptest.Server
	client *mandates.Client
	back   *httptest.Server
	codes  chan string
	now    time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), codes: make(chan string, 1)}
	w.fake = fake.New("asiointi", "checksum-secret", "oauth-secret")
	w.fake.Now = func() time.Time { return w.now }
	w.fake.Grant(fake.Mandate{Holder: juhani, Principal: helmi, PrincipalName: "Helmi Korhonen", Issues: []string{issue},
		ValidTo: w.now.AddDate(0, 1, 0)})
	w.api = httptest.NewServer(w.fake)
	t.Cleanup(w.api.Close)
	w.back = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("state") != "s1" {
			http.Error(rw, "bad state", 400)
			return
		}
		w.codes <- r.URL.Query().Get("code")
		io.WriteString(rw, "back")
	}))
	t.Cleanup(w.back.Close)
	w.client = &mandates.Client{BaseURL: w.api.URL, ClientID: "asiointi", Secret: "checksum-secret", OAuthSecret: "oauth-secret",
		Now: func() time.Time { return w.now }, HTTP: &http.Client{Timeout: 2 * time.Second}}
	return w
}

// choose is the browser: it opens the authorize URL, picks the principal
// by name and follows the redirect back to the application.
func (w *world) choose(t *testing.T, authURL, name string) string {
	t.Helper()
	res, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`<a class="principal" href="([^"]+)">` + name + `</a>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no %s on the choice page: %s", name, page)
	}
	link := strings.ReplaceAll(string(m[1]), "&amp;", "&")
	res, err = http.Get(w.api.URL + link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Host != strings.TrimPrefix(w.back.URL, "http://") {
		t.Fatalf("the browser ended at %s, not back at the application", res.Request.URL)
	}
	return <-w.codes
}

// TestMandatesFlow: the whole flow against the fake, the browser
// redirect included, and the answers ALLOWED, DISALLOWED and expired.
func TestMandatesFlow(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s, err := w.client.Register(ctx, mandates.Persons, juhani)
	if err != nil {
		t.Fatal(err)
	}
	code := w.choose(t, w.client.AuthorizeURL(s, w.back.URL+"/cb", "fi", "s1"), "Helmi Korhonen")
	tok, err := w.client.Token(ctx, code, w.back.URL+"/cb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.client.Token(ctx, code, w.back.URL+"/cb"); err == nil {
		t.Error("a code was exchanged twice")
	}
	ds, err := w.client.Delegates(ctx, s, tok)
	if err != nil || len(ds) != 1 || ds[0].PersonID != helmi || ds[0].Name != "Helmi Korhonen" {
		t.Fatalf("delegates %+v, %v", ds, err)
	}
	for _, tc := range []struct {
		name   string
		issues []string
		at     time.Time
		want   string
	}{
		{"the mandate's issue", []string{issue}, w.now, mandates.Allowed},
		{"another issue", []string{"http://valtuusrekisteri.suomi.fi/avustuksen_hakeminen"}, w.now, mandates.Disallowed},
		{"expired", []string{issue}, w.now.AddDate(0, 2, 0), mandates.Disallowed},
	} {
		w.now = tc.at
		got, err := w.client.Authorization(ctx, s, tok, helmi, tc.issues)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %s", tc.name, got, err, tc.want)
		}
	}
	w.now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	w.fake.Revoke(juhani, helmi)
	if got, _ := w.client.Authorization(ctx, s, tok, helmi, []string{issue}); got != mandates.Disallowed {
		t.Errorf("revoked: %s", got)
	}
	// Another session's token is refused; after unregistering, nothing.
	other, _ := w.client.Register(ctx, mandates.Persons, "030392-974H")
	var ae *mandates.APIError
	if _, err := w.client.Delegates(ctx, other, tok); !errors.As(err, &ae) || ae.Status != 401 {
		t.Errorf("another session's token: %v", err)
	}
	if err := w.client.Unregister(ctx, mandates.Persons, s); err != nil {
		t.Fatal(err)
	}
	if w.fake.Count("unregister") != 1 {
		t.Errorf("calls %v", w.fake.Calls)
	}
}

// TestChecksumRefused: the fake refuses a call whose checksum is made
// with the wrong key, for another path, or too long ago (or ahead).
func TestChecksumRefused(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		edit  func(c *mandates.Client)
		stale bool
	}{
		{"wrong key", func(c *mandates.Client) { c.Secret = "guess" }, false},
		{"wrong client", func(c *mandates.Client) { c.ClientID = "other" }, false},
		{"ten minutes old", func(c *mandates.Client) { c.Now = func() time.Time { return w.now.Add(-10 * time.Minute) } }, true},
		{"ten minutes ahead", func(c *mandates.Client) { c.Now = func() time.Time { return w.now.Add(10 * time.Minute) } }, true},
	} {
		c := *w.client
		tc.edit(&c)
		_, err := c.Register(ctx, mandates.Persons, juhani)
		var ae *mandates.APIError
		if !errors.As(err, &ae) || ae.Status != 401 {
			t.Errorf("%s: %v, want 401", tc.name, err)
		}
	}
	if w.fake.Count("register") != 0 {
		t.Errorf("refused calls were served: %v", w.fake.Calls)
	}
	// The checksum itself: a header for one path does not fit another.
	h := mandates.Checksum("asiointi", "k", "/a?x=1", w.now)
	if err := mandates.VerifyChecksum(h, "asiointi", "k", "/a?x=2", w.now, time.Minute); !errors.Is(err, mandates.ErrBadChecksum) {
		t.Errorf("another query: %v", err)
	}
	if err := mandates.VerifyChecksum(h, "asiointi", "k", "/a?x=1", w.now.Add(2*time.Minute), time.Minute); !errors.Is(err, mandates.ErrStaleChecksum) {
		t.Errorf("stale: %v", err)
	}
	if err := mandates.VerifyChecksum(h, "asiointi", "k", "/a?x=1", w.now, time.Minute); err != nil {
		t.Errorf("good: %v", err)
	}
}

// TestServiceDown: a service that is down, slow or failing is
// ErrUnavailable (the caller goes on without it); the client's time-out
// ends a slow call.
func TestServiceDown(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer slow.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }))
	defer failing.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	for name, base := range map[string]string{"slow": slow.URL, "failing": failing.URL, "gone": gone.URL} {
		c := &mandates.Client{BaseURL: base, ClientID: "asiointi", Secret: "k", HTTP: &http.Client{Timeout: 100 * time.Millisecond}}
		if _, err := c.Register(context.Background(), mandates.Persons, juhani); !errors.Is(err, mandates.ErrUnavailable) {
			t.Errorf("%s: %v, want ErrUnavailable", name, err)
		}
	}
}
