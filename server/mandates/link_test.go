package mandates_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"asiointi/server/mandates"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// TestLinkFlow: the application's per-person flow over real HTTP against
// the fake — register, the browser's choice and return, the state
// checked, the code exchanged, the chosen principal, an authorisation
// asked at every check (a revocation refuses at once), and the session
// unregistered at logout.
func TestLinkFlow(t *testing.T) {
	w := newWorld(t)
	st, err := storetest.Open(t, t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	link := &mandates.Link{Client: w.client, Store: st, Now: func() time.Time { return w.now }}
	ctx := context.Background()
	const back = "https://asiointi.example.fi/fi/acting-for/mandates/return"

	// browse follows the authorize URL to the fake's page, picks name and
	// returns the query the application is sent back with.
	browse := func(authURL, name string) url.Values {
		t.Helper()
		nofollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := nofollow.Get(authURL)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`<a class="principal" href="([^"]+)">` + name + `</a>`).FindSubmatch(page)
		if m == nil {
			t.Fatalf("no %s on the choice page: %s", name, page)
		}
		res, err = nofollow.Get(w.api.URL + strings.ReplaceAll(string(m[1]), "&amp;", "&"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		to, err := url.Parse(res.Header.Get("Location"))
		if err != nil || res.StatusCode != http.StatusFound || !strings.HasPrefix(to.String(), back) {
			t.Fatalf("the choice went to %q (%d)", res.Header.Get("Location"), res.StatusCode)
		}
		return to.Query()
	}

	if _, err := link.Allowed(ctx, "juhani", helmi, []string{issue}); !errors.Is(err, mandates.ErrNoSession) {
		t.Errorf("before any choice: %v", err)
	}
	authURL, err := link.Begin(ctx, "juhani", juhani, mandates.Persons, back, "fi")
	if err != nil {
		t.Fatal(err)
	}
	q := browse(authURL, "Helmi Korhonen")
	if _, err := link.Complete(ctx, "juhani", q.Get("code"), "forged", back); !errors.Is(err, mandates.ErrBadState) {
		t.Errorf("a forged state: %v", err)
	}
	if _, err := link.Complete(ctx, "maria", q.Get("code"), q.Get("state"), back); !errors.Is(err, mandates.ErrNoSession) {
		t.Errorf("another person's return: %v", err)
	}
	d, err := link.Complete(ctx, "juhani", q.Get("code"), q.Get("state"), back)
	if err != nil || d.Person != helmi || d.Organization != nil {
		t.Fatalf("chosen %+v, %v", d, err)
	}
	if _, err := link.Complete(ctx, "juhani", q.Get("code"), q.Get("state"), back); !errors.Is(err, mandates.ErrBadState) {
		t.Errorf("the return replayed: %v", err)
	}
	if h, ok := link.ChosenHetu("juhani"); !ok || h != helmi {
		t.Errorf("chosen %q %v", h, ok)
	}
	for _, tc := range []struct {
		name   string
		issues []string
		want   bool
	}{
		{"the mandate's issue", []string{issue}, true},
		{"another issue", []string{"http://valtuusrekisteri.suomi.fi/avustuksen_hakeminen"}, false},
	} {
		if ok, err := link.Allowed(ctx, "juhani", helmi, tc.issues); err != nil || ok != tc.want {
			t.Errorf("%s: %v, %v", tc.name, ok, err)
		}
	}
	w.fake.Revoke(juhani, helmi)
	if ok, err := link.Allowed(ctx, "juhani", helmi, []string{issue}); err != nil || ok {
		t.Errorf("revoked: %v, %v", ok, err)
	}
	if err := link.End(ctx, "juhani"); err != nil {
		t.Fatal(err)
	}
	if w.fake.Count("unregister") != 1 || w.fake.Count("authorization") != 3 {
		t.Errorf("calls %v", w.fake.Calls)
	}
	if _, ok := link.ChosenHetu("juhani"); ok {
		t.Error("the choice outlived the logout")
	}

	// The service down: a clear error that names no henkilötunnus.
	w.api.Close()
	_, err = link.Begin(ctx, "juhani", juhani, mandates.Persons, back, "fi")
	if !errors.Is(err, mandates.ErrUnavailable) || strings.Contains(err.Error(), juhani) {
		t.Errorf("service down: %v", err)
	}
}
