// Package apiclient is a small client of Asiointi's JSON API (/api/v1 in
// CONTRACT.md) for the programs and tests that drive a running server over
// HTTP: the load generator (server/loadgen), the kill-and-restart
// durability test (server/durability_test.go) and the end-to-end tests
// (e2e). A Session logs in through the demo test login, keeps the session
// cookie and sends the CSRF token of GET /api/v1/session with every call
// that changes something.
//
// The typed calls (CreateDraft, Save, Submit, …) expect the status
// CONTRACT.md gives for success; any other answer is a *StatusError that
// carries the status and the start of the body (Status tells it apart from
// a transport error). Do is the untyped call for anything else.
package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// sessionCookie is the name of the session cookie (CONTRACT.md).
const sessionCookie = "asiointi_session"

// NewHTTPClient returns a client for about conns concurrent sessions
// against one server: connections kept alive (and dropped before the
// server's 30 s idle limit), no compression, HTTP/1.1, redirects not
// followed (the test login answers 303 with the session cookie), each
// request limited to timeout. Sessions may share it.
func NewHTTPClient(conns int, timeout time.Duration) *http.Client {
	conns = max(conns, 1)
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        4 * conns,
			MaxIdleConnsPerHost: 2 * conns,
			IdleConnTimeout:     20 * time.Second,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
			WriteBufferSize:     8 << 10,
			ReadBufferSize:      8 << 10,
		},
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Session is one logged-in person's (or staff member's) session. It is
// safe for concurrent use.
type Session struct {
	base   string
	hc     *http.Client
	cookie string // "asiointi_session=…"; empty when hc keeps cookies in a jar
	csrf   string
	user   User
}

// User is the logged-in user of GET /api/v1/session.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Login logs in as user (a demo henkilötunnus or a staff user name)
// through POST /auth/test-login, which only a server in demo mode has, and
// reads the new session's CSRF token. base is the server's origin
// (http://host:port). When hc has a cookie jar the session cookie stays in
// it; otherwise the Session keeps it.
func Login(hc *http.Client, base, user string) (*Session, error) {
	resp, err := hc.PostForm(base+"/auth/test-login", url.Values{"user": {user}})
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("test login as %s: %s, want 303 (is the server in demo mode, with ASIOINTI_RATE_LIMITS=off?)", user, resp.Status)
	}
	s := &Session{base: base, hc: hc}
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			s.cookie = sessionCookie + "=" + ck.Value
		}
	}
	if s.cookie == "" {
		return nil, fmt.Errorf("test login as %s: no session cookie", user)
	}
	if hc.Jar != nil {
		s.cookie = "" // the jar has it and sends it
	}
	if err := s.readSession(); err != nil {
		return nil, fmt.Errorf("test login as %s: %w", user, err)
	}
	return s, nil
}

// Resume is the session that hc's cookie jar already holds (after a login
// through the pages, say): it reads the session's CSRF token.
func Resume(hc *http.Client, base string) (*Session, error) {
	if hc.Jar == nil {
		return nil, errors.New("apiclient.Resume: the http.Client has no cookie jar")
	}
	s := &Session{base: base, hc: hc}
	if err := s.readSession(); err != nil {
		return nil, err
	}
	return s, nil
}

// Anonymous is a session without a login, for the public calls (the
// catalogue, a service's form).
func Anonymous(hc *http.Client, base string) *Session {
	return &Session{base: base, hc: hc}
}

// readSession reads the CSRF token and user of GET /api/v1/session; a
// session without a user or token is an error.
func (s *Session) readSession() error {
	var out struct {
		CSRFToken string `json:"csrfToken"`
		User      *User  `json:"user"`
	}
	if err := s.call("GET", "/api/v1/session", nil, http.StatusOK, &out); err != nil {
		return err
	}
	if out.CSRFToken == "" || out.User == nil {
		return errors.New("GET /api/v1/session: no CSRF token or no user: not logged in")
	}
	s.csrf, s.user = out.CSRFToken, *out.User
	return nil
}

// Base is the server's origin, http://host:port.
func (s *Session) Base() string { return s.base }

// Cookie is the Cookie header value of the session ("asiointi_session=…"),
// for a client that writes its own requests; empty when the http.Client
// keeps the cookie in a jar.
func (s *Session) Cookie() string { return s.cookie }

// CSRF is the session's CSRF token, sent as X-CSRF-Token.
func (s *Session) CSRF() string { return s.csrf }

// User is who is logged in.
func (s *Session) User() User { return s.user }

// StatusError is an answer with another status than the call expects.
type StatusError struct {
	Method, Path string
	Status       int
	Body         string // the start of the answer's body
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d, body %s", e.Method, e.Path, e.Status, e.Body)
}

// Status is the HTTP status of a *StatusError in err's chain, or 0 (no
// error, or a transport or decoding error).
func Status(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

// Do sends in as JSON (a []byte or json.RawMessage is sent as it is; nil
// sends no body) and decodes a 2xx answer into out (when not nil). Calls
// other than GET carry the CSRF token. It returns the status without
// judging it; err is a transport error, a body that did not arrive whole,
// or a 2xx body that does not decode into out.
func (s *Session) Do(method, path string, in, out any) (int, error) {
	code, raw, err := s.roundTrip(method, path, in)
	if err != nil {
		return code, err
	}
	if out != nil && code >= 200 && code < 300 && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return code, fmt.Errorf("%s %s: HTTP %d %q: %w", method, path, code, clip(raw), err)
		}
	}
	return code, nil
}

// call is Do for a call that must answer want; any other status is a
// *StatusError.
func (s *Session) call(method, path string, in any, want int, out any) error {
	code, raw, err := s.roundTrip(method, path, in)
	if err != nil {
		return err
	}
	if code != want {
		return &StatusError{Method: method, Path: path, Status: code, Body: clip(raw)}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: HTTP %d %q: %w", method, path, code, clip(raw), err)
		}
	}
	return nil
}

func (s *Session) roundTrip(method, path string, in any) (int, []byte, error) {
	code, raw, _, err := s.roundTripHeader(method, path, in)
	return code, raw, err
}

// roundTripHeader is roundTrip that also returns the answer's headers.
func (s *Session) roundTripHeader(method, path string, in any) (int, []byte, http.Header, error) {
	var body io.Reader
	switch b := in.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case json.RawMessage:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return 0, nil, nil, err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		return 0, nil, nil, err
	}
	if s.cookie != "" {
		req.Header.Set("Cookie", s.cookie)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, resp.Header, fmt.Errorf("%s %s: HTTP %d, the body did not arrive whole: %w", method, path, resp.StatusCode, err)
	}
	return resp.StatusCode, raw, resp.Header, nil
}

func clip(raw []byte) string {
	const n = 600
	if len(raw) > n {
		return string(raw[:n]) + "…"
	}
	return string(raw)
}

// ---- typed calls ----

// Draft is a draft as GET /api/v1/drafts/{id} shows it (POST /drafts
// answers only the id and version).
type Draft struct {
	ID        string         `json:"id"`
	Service   string         `json:"service"`
	Version   int            `json:"version"`
	Data      map[string]any `json:"data"`
	Submitted bool           `json:"submitted"`
}

// CreateDraft starts an application of service (POST /drafts, 201) for the
// session's current acting-for principal.
func (s *Session) CreateDraft(service string) (Draft, error) {
	var d Draft
	if err := s.call("POST", "/api/v1/drafts", map[string]string{"service": service}, http.StatusCreated, &d); err != nil {
		return d, err
	}
	if d.ID == "" || d.Version < 1 {
		return d, fmt.Errorf("POST /api/v1/drafts: an answer without an id or version: %+v", d)
	}
	return d, nil
}

// Draft reads a draft (GET /drafts/{id}, 200).
func (s *Session) Draft(id string) (Draft, error) {
	var d Draft
	err := s.call("GET", "/api/v1/drafts/"+id, nil, http.StatusOK, &d)
	return d, err
}

// Save saves data as the next version after version (PUT /drafts/{id},
// 200) and returns the new version; a stale version is a *StatusError 409.
// data is JSON-encoded, or sent as it is when it is a json.RawMessage.
func (s *Session) Save(id string, version int, data any) (int, error) {
	var body []byte
	if raw, ok := data.(json.RawMessage); ok {
		body = AppendSaveBody(nil, version, raw)
	} else {
		raw, err := json.Marshal(data)
		if err != nil {
			return 0, err
		}
		body = AppendSaveBody(nil, version, raw)
	}
	var out struct {
		Version int `json:"version"`
	}
	err := s.call("PUT", "/api/v1/drafts/"+id, body, http.StatusOK, &out)
	return out.Version, err
}

// AppendSaveBody appends the body of a save, {"version":v,"data":data},
// to buf; data must be a JSON object. A client that writes its own
// requests uses it to build the same body as Save without encoding the
// answers again.
func AppendSaveBody(buf []byte, version int, data []byte) []byte {
	buf = append(buf, `{"version":`...)
	buf = strconv.AppendInt(buf, int64(version), 10)
	buf = append(buf, `,"data":`...)
	buf = append(buf, data...)
	return append(buf, '}')
}

// Submission is the answer of a submit.
type Submission struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Status    string `json:"status"`
}

// Submit sends a draft (POST /drafts/{id}/submit, 201); answers that do
// not pass are a *StatusError 422 whose body lists the field errors. A
// repeated submit answers the same case.
func (s *Session) Submit(id string) (Submission, error) {
	var out Submission
	path := "/api/v1/drafts/" + id + "/submit"
	if err := s.call("POST", path, nil, http.StatusCreated, &out); err != nil {
		return out, err
	}
	if out.ID == "" || out.Reference == "" {
		return out, fmt.Errorf("POST %s: an answer without an id or reference: %+v", path, out)
	}
	return out, nil
}

// Case is a case as GET /cases and GET /cases/{id} show it.
type Case struct {
	ID        string  `json:"id"`
	Reference string  `json:"reference"`
	Service   string  `json:"service"`
	Status    string  `json:"status"`
	Events    []Event `json:"events"`
}

// Event is one event of a case.
type Event struct {
	Type string `json:"type"`
	At   string `json:"at"`
}

// Case reads one of the session's cases (GET /cases/{id}, 200).
func (s *Session) Case(id string) (Case, error) {
	var c Case
	err := s.call("GET", "/api/v1/cases/"+id, nil, http.StatusOK, &c)
	return c, err
}

// Cases lists all the session's cases, newest first (GET /cases, 200),
// following the pages (README "Lists that page").
func (s *Session) Cases() ([]Case, error) {
	var all []Case
	path := "/api/v1/cases?limit=100"
	for range 10000 {
		code, raw, h, err := s.roundTripHeader("GET", path, nil)
		if err != nil {
			return all, err
		}
		if code != http.StatusOK {
			return all, &StatusError{Method: "GET", Path: path, Status: code, Body: clip(raw)}
		}
		var page []Case
		if err := json.Unmarshal(raw, &page); err != nil {
			return all, fmt.Errorf("GET %s: %w", path, err)
		}
		all = append(all, page...)
		next := h.Get("X-Next-Cursor")
		if next == "" {
			return all, nil
		}
		path = "/api/v1/cases?limit=100&cursor=" + url.QueryEscape(next)
	}
	return all, errors.New("GET /api/v1/cases: the pages do not end")
}

// Principal is someone the session's user may act for.
type Principal struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Principals lists whom the user may act for (GET /me/principals, 200).
func (s *Session) Principals() ([]Principal, error) {
	var list []Principal
	err := s.call("GET", "/api/v1/me/principals", nil, http.StatusOK, &list)
	return list, err
}

// ActFor makes the session act for principal (an id from Principals; ""
// for oneself) through PUT /session/acting-for (200). The server rotates
// the session id on the change: the session takes the new cookie (when
// it keeps one) and CSRF token.
func (s *Session) ActFor(principal string) error {
	var in struct {
		Principal *string `json:"principal"`
	}
	if principal != "" {
		in.Principal = &principal
	}
	const path = "/api/v1/session/acting-for"
	code, raw, h, err := s.roundTripHeader("PUT", path, in)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return &StatusError{Method: "PUT", Path: path, Status: code, Body: clip(raw)}
	}
	var out struct {
		CSRFToken string `json:"csrfToken"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.CSRFToken == "" {
		return fmt.Errorf("PUT %s: HTTP %d %q: no CSRF token", path, code, clip(raw))
	}
	s.csrf = out.CSRFToken
	if s.cookie != "" {
		for _, ck := range (&http.Response{Header: h}).Cookies() {
			if ck.Name == sessionCookie && ck.Value != "" {
				s.cookie = sessionCookie + "=" + ck.Value
			}
		}
	}
	return nil
}

// Form reads a service's form definition (GET /services/{id}/form, 200)
// into out, which the caller shapes as it needs.
func (s *Session) Form(service string, out any) error {
	return s.call("GET", "/api/v1/services/"+service+"/form", nil, http.StatusOK, out)
}
