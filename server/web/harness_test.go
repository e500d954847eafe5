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

	"asiointi/server/cases"
	"asiointi/server/config"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
	"asiointi/server/wiring"
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
	addr  string // when set, requests go over a real connection (serve)
}

func newEnv(t *testing.T, mutate ...func(*config.Config)) *env {
	t.Helper()
	return newEnvOn(t, true, mutate...)
}

// newEnvOn is newEnv with the demo register seeded into the store, or
// (seed false) only its municipality: a production installation's new
// data file after asiointi import-municipality, where people come from
// their logins.
func newEnvOn(t *testing.T, seed bool, mutate ...func(*config.Config)) *env {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	for _, m := range mutate {
		m(&cfg)
	}
	st, err := storetest.Open(t, cfg.DataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	// The demo register, in production mode too (where app.Open seeds
	// nothing: a real installation loads its own).
	d, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if seed {
		if _, err := identity.Seed(st, d, clk.Now()); err != nil {
			t.Fatal(err)
		}
	} else if _, err := identity.ImportMunicipality(st, d.Municipality); err != nil {
		t.Fatal(err)
	}
	return newNode(t, cfg, st, clk)
}

// newNode builds a server on the store as the program's wiring does
// (app.Open builds it the same way).
func newNode(t *testing.T, cfg config.Config, st *store.Store, clk *clock) *env {
	t.Helper()
	parts, err := wiring.Build(st, wiring.Options{Config: cfg, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Config: cfg, Now: clk.Now, Storage: st,
		Messages: parts.Messages, Municipality: parts.Municipality, Catalog: parts.Catalog, Cases: parts.Cases,
		Directory: parts.Directory, Sessions: parts.Sessions, Secret: parts.Secret,
		Inbox: parts.Inbox, Prefs: parts.Prefs, Outbox: parts.Outbox, Push: parts.Push,
		Statements: parts.Statements, Feedback: parts.Feedback, Access: parts.Access,
		EID: parts.EID, StaffSSO: parts.StaffSSO, Mandates: parts.Mandates})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, s: s, st: st, clock: clk, cases: parts.Cases}
}

// otherNode is a second app node on e's store, with the same settings and
// clock: what another process behind the same balancer would be.
func (e *env) otherNode() *env {
	e.t.Helper()
	return newNode(e.t, e.s.cfg, e.st, e.clock)
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
	if e.addr != "" {
		return e.doHTTP(hr)
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
