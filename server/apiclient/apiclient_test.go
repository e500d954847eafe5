package apiclient_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"asiointi/server/apiclient"
	"asiointi/server/app"
	"asiointi/server/config"
	"asiointi/server/identity"
)

// The demo people of CONTRACT.md.
const (
	maria = "030392-974H"
	aino  = "140386-902R"
)

// startServer runs the whole server in this process on a free loopback
// port, in demo mode with rate limits off, and returns its origin.
func startServer(t *testing.T) string {
	t.Helper()
	env := map[string]string{"ASIOINTI_ADDR": "127.0.0.1:0", "ASIOINTI_DATA": t.TempDir(), "ASIOINTI_RATE_LIMITS": "off"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	m := &app.Main{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return "http://" + m.Addr()
}

// sportsShift is a complete, valid sports-shift answer set.
func sportsShift() map[string]any {
	return map[string]any{
		"contactFirstName": "Maria", "contactLastName": "Nieminen", "contactEmail": "maria@example.fi",
		"contactPhone": "+358 40 123 4567", "groupName": "Tiistain sähly", "groupType": "informal",
		"ageGroup": "adults", "participants": 12, "hall": "ball-hall", "weekday": "tue",
		"startTime": "18.30", "duration": "90", "season": "full", "equipmentNeeded": false,
	}
}

func TestDraftToCase(t *testing.T) {
	base := startServer(t)
	hc := apiclient.NewHTTPClient(2, 10*time.Second)
	s, err := apiclient.Login(hc, base, maria)
	if err != nil {
		t.Fatal(err)
	}
	if u := s.User(); u.ID == "" || u.Kind != identity.Resident || s.CSRF() == "" || !strings.HasPrefix(s.Cookie(), "asiointi_session=") {
		t.Fatalf("session: user %+v, token %q, cookie %q", u, s.CSRF(), s.Cookie())
	}

	d, err := s.CreateDraft("sports-shift")
	if err != nil {
		t.Fatal(err)
	}
	// An incomplete draft does not pass: 422 with the field errors.
	_, err = s.Submit(d.ID)
	if apiclient.Status(err) != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), `"errors"`) {
		t.Fatalf("submit of an empty draft: %v, want a 422 StatusError with the field errors", err)
	}
	v, err := s.Save(d.ID, d.Version, sportsShift())
	if err != nil || v != d.Version+1 {
		t.Fatalf("save: version %d, %v; want %d", v, err, d.Version+1)
	}
	// A stale version is refused with 409 and changes nothing.
	if _, err := s.Save(d.ID, d.Version, map[string]any{"groupName": "stale"}); apiclient.Status(err) != http.StatusConflict {
		t.Fatalf("stale save: %v, want 409", err)
	}
	// Pre-encoded answers are sent as they are.
	raw, _ := json.Marshal(sportsShift())
	raw = []byte(strings.Replace(string(raw), "Tiistain sähly", "Keskiviikon sähly", 1))
	if v, err = s.Save(d.ID, v, json.RawMessage(raw)); err != nil || v != d.Version+2 {
		t.Fatalf("raw save: version %d, %v", v, err)
	}
	got, err := s.Draft(d.ID)
	if err != nil || got.Version != v || got.Data["groupName"] != "Keskiviikon sähly" || got.Submitted {
		t.Fatalf("draft: %+v, %v", got, err)
	}

	sub, err := s.Submit(d.ID)
	if err != nil || sub.Status != "submitted" {
		t.Fatalf("submit: %+v, %v", sub, err)
	}
	again, err := s.Submit(d.ID)
	if err != nil || again != sub {
		t.Errorf("submit again: %+v, %v; want the same case %+v", again, err, sub)
	}
	c, err := s.Case(sub.ID)
	if err != nil || c.Reference != sub.Reference || len(c.Events) == 0 || c.Events[0].Type != "submitted" {
		t.Errorf("case: %+v, %v", c, err)
	}
	list, err := s.Cases()
	if err != nil || len(list) != 1 || list[0].ID != sub.ID {
		t.Errorf("cases: %+v, %v", list, err)
	}
	if got, err := s.Draft(d.ID); err != nil || !got.Submitted {
		t.Errorf("the sent draft: %+v, %v; want submitted", got, err)
	}

	// Someone else's draft is not found.
	other, err := apiclient.Login(hc, base, aino)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Draft(d.ID); apiclient.Status(err) != http.StatusNotFound {
		t.Errorf("another resident reading the draft: %v, want 404", err)
	}
	if ps, err := other.Principals(); err != nil || len(ps) == 0 {
		t.Errorf("principals of Aino: %+v, %v", ps, err)
	}
	var form struct {
		Service string `json:"service"`
		Steps   []any  `json:"steps"`
	}
	if err := apiclient.Anonymous(hc, base).Form("sports-shift", &form); err != nil || form.Service != "sports-shift" || len(form.Steps) == 0 {
		t.Errorf("form: %+v, %v", form, err)
	}
	if err := apiclient.Anonymous(hc, base).Form("no-such-service", &form); apiclient.Status(err) != http.StatusNotFound {
		t.Errorf("form of an unknown service: %v, want 404", err)
	}
}

func TestRefusals(t *testing.T) {
	base := startServer(t)
	hc := apiclient.NewHTTPClient(1, 10*time.Second)

	if _, err := apiclient.Login(hc, base, "010101-0101"); err == nil || apiclient.Status(err) != 0 {
		t.Errorf("login as an unknown person: %v, want an error", err)
	}
	if _, err := apiclient.Resume(hc, base); err == nil {
		t.Error("Resume without a cookie jar: no error")
	}
	jar, _ := cookiejar.New(nil)
	if _, err := apiclient.Resume(&http.Client{Jar: jar}, base); err == nil {
		t.Error("Resume of a jar without a session: no error")
	}
	// Calls that change something without a session are refused.
	anon := apiclient.Anonymous(hc, base)
	if _, err := anon.CreateDraft("sports-shift"); apiclient.Status(err) != http.StatusForbidden {
		t.Errorf("create without a session: %v, want 403", err)
	}
	// A transport error is no status.
	dead := apiclient.Anonymous(hc, "http://127.0.0.1:1")
	if _, err := dead.Cases(); err == nil || apiclient.Status(err) != 0 {
		t.Errorf("no server: %v, want a transport error", err)
	}
	if apiclient.Status(nil) != 0 || apiclient.Status(errors.New("x")) != 0 {
		t.Error("Status of a non-StatusError is not 0")
	}
	// Do returns the status unjudged.
	s, err := apiclient.Login(hc, base, maria)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if code, err := s.Do("GET", "/api/v1/drafts/nonexistent", nil, &out); code != http.StatusNotFound || err != nil || out != nil {
		t.Errorf("Do of a missing draft: %d, %v, %v", code, err, out)
	}
}

// TestResumeSharesAPageSession: a client that logged in through the
// pages (cookie jar) uses the same session for the API.
func TestResumeSharesAPageSession(t *testing.T) {
	base := startServer(t)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.PostForm(base+"/auth/test-login", url.Values{"user": {maria}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s, err := apiclient.Resume(hc, base)
	if err != nil {
		t.Fatal(err)
	}
	if s.Cookie() != "" || s.User().Kind != identity.Resident {
		t.Errorf("resumed session: cookie %q (want it left in the jar), user %+v", s.Cookie(), s.User())
	}
	if _, err := s.CreateDraft("sports-shift"); err != nil {
		t.Errorf("create through a resumed session: %v", err)
	}
	// Login with a jar leaves the cookie in the jar too.
	jar2, _ := cookiejar.New(nil)
	s2, err := apiclient.Login(&http.Client{Jar: jar2, CheckRedirect: hc.CheckRedirect}, base, aino)
	if err != nil || s2.Cookie() != "" {
		t.Fatalf("login with a jar: cookie %q, %v", s2.Cookie(), err)
	}
	if _, err := s2.CreateDraft("sports-shift"); err != nil {
		t.Errorf("create after a login with a jar: %v", err)
	}
}

func TestAppendSaveBody(t *testing.T) {
	got := string(apiclient.AppendSaveBody([]byte("x"), 12, []byte(`{"a":1}`)))
	if got != `x{"version":12,"data":{"a":1}}` {
		t.Errorf("AppendSaveBody = %s", got)
	}
}

// TestActFor: a session switches to acting for a principal (the server
// rotates the session id; the session follows), applies in their name
// and switches back; a principal the person may not act for is refused.
func TestActFor(t *testing.T) {
	base := startServer(t)
	hc := apiclient.NewHTTPClient(2, 10*time.Second)
	s, err := apiclient.Login(hc, base, "300468-951T") // Juhani, with Helmi's mandate
	if err != nil {
		t.Fatal(err)
	}
	before := s.Cookie()
	ps, err := s.Principals()
	if err != nil || len(ps) == 0 {
		t.Fatalf("principals %v %v", ps, err)
	}
	if err := s.ActFor(ps[0].ID); err != nil {
		t.Fatal(err)
	}
	if s.Cookie() == before || s.Cookie() == "" {
		t.Errorf("the session cookie did not follow the rotation: %q", s.Cookie())
	}
	d, err := s.CreateDraft("home-help")
	if err != nil {
		t.Fatal(err)
	}
	home := map[string]any{"livesAlone": "yes", "helpWith": []any{"washing"}, "situation": "Kaaduin keväällä.",
		"street": "Koulukatu 5", "postalCode": "99100", "city": "Esimerkkilä", "phone": "+358 40 123 4567",
		"hasContactPerson": "no", "consentHealthInfo": true, "confirmCorrect": true}
	if _, err := s.Save(d.ID, d.Version, home); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(d.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ActFor("not-a-principal"); apiclient.Status(err) != http.StatusForbidden {
		t.Errorf("acting for a stranger: %v, want 403", err)
	}
	if err := s.ActFor(""); err != nil {
		t.Errorf("back to oneself: %v", err)
	}
	if _, err := s.CreateDraft("sports-shift"); err != nil {
		t.Errorf("a draft for oneself after switching back: %v", err)
	}
}
