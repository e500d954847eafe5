package e2e

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"asiointi/server/apiclient"
)

// httpClient is a plain HTTP client against one server, with a cookie jar,
// for checks that need the raw response (headers, exact HTML).
type httpClient struct {
	*http.Client
	srv *Server
}

// newHTTPClient returns a client that keeps cookies and does not follow
// redirects (responses show the 3xx as it is).
func newHTTPClient(t testing.TB, srv *Server) *httpClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &httpClient{
		Client: &http.Client{
			Jar:     jar,
			Timeout: 20 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		srv: srv,
	}
}

// response is a read HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   string
}

func (c *httpClient) do(t testing.TB, req *http.Request) response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// get fetches path (relative to the server); headers are "Name: value".
func (c *httpClient) get(t testing.TB, path string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return c.do(t, req)
}

// postForm posts a form to path.
func (c *httpClient) postForm(t testing.TB, path string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.srv.URL)
	req.Header.Set("Referer", c.srv.URL+path)
	return c.do(t, req)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfFrom is the first CSRF form token in an HTML page.
func csrfFrom(t testing.TB, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no _csrf field in the page")
	}
	return html.UnescapeString(m[1])
}

// login logs the client in through the demo test login (the picker's form,
// with its CSRF token) and returns where the server sent it.
func (c *httpClient) login(t testing.TB, lang, user string) string {
	t.Helper()
	picker := c.get(t, "/auth/test-login?lang="+lang)
	if picker.Status != http.StatusOK {
		t.Fatalf("GET /auth/test-login: HTTP %d", picker.Status)
	}
	r := c.postForm(t, "/auth/test-login?lang="+lang, url.Values{"_csrf": {csrfFrom(t, picker.Body)}, "user": {user}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("POST /auth/test-login as %s: HTTP %d, want 303\n%s", user, r.Status, tail(r.Body, 500))
	}
	return r.Header.Get("Location")
}

// api is the JSON API (asiointi/server/apiclient) in the client's session,
// after c.login.
func (c *httpClient) api(t testing.TB) *apiclient.Session {
	t.Helper()
	s, err := apiclient.Resume(c.Client, c.srv.URL)
	if err != nil {
		t.Fatalf("the JSON API in the session of the page login: %v", err)
	}
	return s
}
