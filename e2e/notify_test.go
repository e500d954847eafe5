package e2e

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
)

// apiUser is a resident using the JSON API with a cookie jar (the session
// cookie rotates when acting-for changes; the CSRF token is read again).
type apiUser struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

func apiLogin(t *testing.T, base, hetu string) *apiUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &apiUser{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	res, err := u.hc.PostForm(base+"/auth/test-login", url.Values{"user": {hetu}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %v %v", hetu, res, err)
	}
	res.Body.Close()
	u.readCSRF()
	return u
}

func (u *apiUser) readCSRF() {
	var s struct{ CSRFToken string }
	u.call("GET", "/api/v1/session", nil, 200, &s)
	u.csrf = s.CSRFToken
}

func (u *apiUser) call(method, path string, in any, want int, out any) {
	u.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", u.csrf)
	res, err := u.hc.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		u.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			u.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// TestNotifiedOfProxySubmit: Juhani, acting for Helmi, sends an application
// for home help. Helmi's open "my applications" page shows it without a
// reload, her device gets exactly one push (through a local push service),
// and without JavaScript the bell and the notifications page are right
// after a reload.
func TestNotifiedOfProxySubmit(t *testing.T) {
	var mu sync.Mutex
	var pushes []http.Header
	pushSvc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		pushes = append(pushes, r.Header.Clone())
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer pushSvc.Close()
	srv := startServer(t, "ASIOINTI_PUSH_HOSTS="+strings.TrimPrefix(pushSvc.URL, "http://"))

	// Helmi's page is open, with JS.
	ctx := newBrowser(t, srv, browserOpts{})
	login(t, ctx, "fi", "050840-948K")
	open(t, ctx, "/fi/my")
	// Her device's subscription, against the local push service.
	priv, _ := ecdh.P256().GenerateKey(rand.Reader)
	auth := make([]byte, 16)
	rand.Read(auth)
	sub := fmt.Sprintf(`{"endpoint":%q,"keys":{"p256dh":%q,"auth":%q}}`, pushSvc.URL+"/push/helmi",
		base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(auth))
	status := eval[int](t, ctx, `fetch('/api/v1/session').then(r => r.json()).then(s => fetch('/api/v1/push/subscriptions', {method: 'POST',
		headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken}, body: `+"`"+sub+"`"+`})).then(r => r.status)`)
	if status != 201 {
		t.Fatalf("push subscription: %d", status)
	}
	eval[bool](t, ctx, `window.__notReloaded = true`)
	time.Sleep(500 * time.Millisecond) // the live socket opens after load

	// Juhani sends an application for home help in Helmi's name.
	juhani := apiLogin(t, srv.URL, "300468-951T")
	var principals []struct{ ID, Name string }
	juhani.call("GET", "/api/v1/me/principals", nil, 200, &principals)
	var helmi string
	for _, p := range principals {
		if p.Name == "Helmi Korhonen" {
			helmi = p.ID
		}
	}
	juhani.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": helmi}, 200, nil)
	juhani.readCSRF()
	var d struct {
		ID      string
		Version int
		Data    map[string]any
	}
	juhani.call("POST", "/api/v1/drafts", map[string]any{"service": "home-help"}, 201, &d)
	juhani.call("GET", "/api/v1/drafts/"+d.ID, nil, 200, &d)
	for k, v := range map[string]any{"checkDetails": true, "livesAlone": "yes", "helpWith": []string{"washing", "shopping"},
		"situation": "Kaaduin keväällä, enkä jaksa enää käydä kaupassa yksin.", "hasContactPerson": "no",
		"consentHealthInfo": true, "confirmCorrect": true} {
		d.Data[k] = v
	}
	juhani.call("PUT", "/api/v1/drafts/"+d.ID, map[string]any{"version": d.Version, "data": d.Data}, 200, nil)
	var c struct{ ID, Reference string }
	sent := time.Now()
	juhani.call("POST", "/api/v1/drafts/"+d.ID+"/submit", nil, 201, &c)

	if !waitFor(t, ctx, "the new application on Helmi's open page", fmt.Sprintf(`document.querySelector('#my-live').textContent.includes(%q)`, c.Reference), 5*time.Second) {
		t.Errorf("Helmi's my page did not show %s without a reload", c.Reference)
	}
	if !eval[bool](t, ctx, `window.__notReloaded === true`) {
		t.Errorf("the page was reloaded")
	}
	if got := textOf(t, ctx, "#bell .bell-count"); got != "1" {
		t.Errorf("bell count %q, want 1", got)
	}
	for time.Since(sent) < 5*time.Second {
		mu.Lock()
		n := len(pushes)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // a second push would come now
	mu.Lock()
	if len(pushes) != 1 {
		t.Errorf("%d pushes within 5 s, want exactly 1", len(pushes))
	} else if h := pushes[0]; h.Get("Content-Encoding") != "aes128gcm" || h.Get("Topic") == "" || h.Get("TTL") == "" || !strings.HasPrefix(h.Get("Authorization"), "vapid t=") {
		t.Errorf("push headers %v", h)
	}
	mu.Unlock()
	// The service worker shows a push as a notification that links to the
	// application.
	regs := make(chan serviceworker.RegistrationID, 16)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			for _, r := range e.Registrations {
				if !r.IsDeleted {
					select {
					case regs <- r.RegistrationID:
					default:
					}
				}
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, ctx, `navigator.serviceWorker.ready.then(() => true)`)
	call(t, ctx, browser.SetPermission, browser.SetPermissionParams{Permission: &browser.PermissionDescriptor{Name: "notifications"},
		Setting: browser.PermissionSettingGranted, Origin: srv.URL})
	call(t, ctx, serviceworker.Enable, cdp.Empty{})
	var reg serviceworker.RegistrationID
	select {
	case reg = <-regs:
	case <-time.After(10 * time.Second):
		t.Fatal("no service worker registration reported")
	}
	link := "/fi/cases/" + c.ID
	call(t, ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{Origin: srv.URL, RegistrationID: reg,
		Data: `{"title":"Sinulle on uusi ilmoitus.","id":"n1","link":"` + link + `"}`})
	if !waitFor(t, ctx, "the notification", fmt.Sprintf(`navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns =>
		ns.length === 1 && ns[0].title === 'Sinulle on uusi ilmoitus.' && ns[0].data.link === %q)`, link), 5*time.Second) {
		t.Errorf("the service worker showed no notification")
	}

	open(t, ctx, "/fi/notifications")
	checkPage(t, ctx, "notifications")
	open(t, ctx, "/fi/settings/notifications")
	checkPage(t, ctx, "notification-settings")

	// Without JavaScript: right after a reload.
	nojs := newBrowser(t, srv, browserOpts{NoJS: true})
	login(t, nojs, "sv", "050840-948K")
	open(t, nojs, "/sv/my")
	if got := textOf(t, nojs, "#bell .bell-count"); got != "1" {
		t.Errorf("no JS: bell count %q", got)
	}
	open(t, nojs, "/sv/notifications")
	if body := bodyText(t, nojs); !strings.Contains(body, "Juhani Korhonen skickade en ansökan för din räkning: Ansökan om hemservice.") {
		t.Errorf("no JS: notifications page: %.500s", body)
	}
	click(t, nojs, `form[action$="/read-all"] button`)
	if n := count(t, nojs, "#bell .bell-count:not([hidden])"); n != 0 {
		t.Errorf("no JS: the bell still counts after read-all")
	}
}
