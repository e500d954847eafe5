package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/config"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
)

// clock is an injectable, settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     *testing.T
	s     *Server
	cases *cases.Service
	st    *store.Store
	clock *clock
}

func newEnv(t *testing.T, mutate ...func(*config.Config)) *env {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	for _, m := range mutate {
		m(&cfg)
	}
	st, err := store.Open(cfg.DataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	d, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity.Seed(st, d, clk.Now()); err != nil {
		t.Fatal(err)
	}
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	fs, err := cases.LoadForms(st, cat)
	if err != nil {
		t.Fatal(err)
	}
	cs := &cases.Service{Store: st, Catalog: cat, Forms: fs, Register: &identity.Directory{Store: st}, RefPrefix: "ESI", Now: clk.Now}
	s, err := New(Deps{Config: cfg, Store: st, I18n: msgs, Now: clk.Now, Catalog: cat, Cases: cs})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, s: s, st: st, clock: clk, cases: cs}
}

// req is one request in a scenario.
type req struct {
	method, path, body, ctype string
	headers                   map[string]string
	cookies                   []*http.Cookie
}

type resp struct {
	*http.Response
	body string
}

func (e *env) do(r req) resp {
	e.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	if r.method == "" {
		r.method = "GET"
	}
	host := "localhost:8080"
	if h, ok := r.headers["Host"]; ok {
		host = h
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	hr.Host = host
	if r.ctype != "" {
		hr.Header.Set("Content-Type", r.ctype)
	} else if r.body != "" && strings.HasPrefix(r.body, "{") {
		hr.Header.Set("Content-Type", "application/json")
	} else if r.body != "" {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range r.headers {
		if k == "Host" {
			continue
		}
		hr.Header.Set(k, v)
	}
	for _, c := range r.cookies {
		hr.AddCookie(c)
	}
	res, err := e.s.App().Test(hr, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return resp{res, string(b)}
}

func cookie(res resp, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// login logs in with the test login and returns the session cookie.
func (e *env) login(user string) *http.Cookie {
	e.t.Helper()
	res := e.do(req{method: "POST", path: "/auth/test-login", body: "user=" + url.QueryEscape(user)})
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", user, res.StatusCode)
	}
	c := cookie(res, cookieSession)
	if c == nil || c.Value == "" {
		e.t.Fatalf("login %s: no session cookie", user)
	}
	return c
}

// csrf fetches the API token for a session.
func (e *env) csrf(c *http.Cookie) string {
	e.t.Helper()
	res := e.do(req{path: "/api/v1/session", cookies: []*http.Cookie{c}})
	i := strings.Index(res.body, `"csrfToken":"`)
	if i < 0 {
		e.t.Fatalf("no csrf token in %s", res.body)
	}
	rest := res.body[i+len(`"csrfToken":"`):]
	return rest[:strings.Index(rest, `"`)]
}
