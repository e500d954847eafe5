package web

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"asiointi/server/config"
	"asiointi/server/store"
)

// subscription is a browser's PushSubscription.toJSON() for endpoint.
func subscription(t *testing.T, endpoint string) map[string]any {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return map[string]any{"endpoint": endpoint, "keys": map[string]string{
		"p256dh": base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), "auth": base64.RawURLEncoding.EncodeToString(auth)}}
}

// TestPushKeyFromConfiguration: VAPID keys given by configuration are the
// ones served (and none is generated); without them the stored pair is.
func TestPushKeyFromConfiguration(t *testing.T) {
	const public = "BPndvap6_JJIY8_uNOpMVlUaCdbVCd8sA_Qk4OBv4cieEk9O3W1P8pdd9XQgLtnsalZnkoIi3z5JpOnllyrWQCg"
	e := newEnv(t, func(c *config.Config) {
		c.VAPIDPublic, c.VAPIDPrivate = public, "Z6WbGThuPaidnAGoCw1KWN2rNKXnmC5qY5n-UdoC54Q"
	})
	var key struct{ PublicKey string }
	mustJSON(t, e.do(req{path: "/api/v1/push/key"}).body, &key)
	if key.PublicKey != public {
		t.Errorf("served %q, want the configured key", key.PublicKey)
	}
	if e.st.View(func(tx *store.Tx) error { return tx.Get(store.Settings, "vapid", &struct{}{}) }) == nil {
		t.Error("a key pair was generated and stored although one was configured")
	}
}

func TestPushAPI(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.PushHosts = []string{"fcm.googleapis.com", "127.0.0.1:9999"} })
	r := e.do(req{path: "/api/v1/push/key"})
	var key struct{ PublicKey string }
	mustJSON(t, r.body, &key)
	if raw, err := base64.RawURLEncoding.DecodeString(key.PublicKey); err != nil || len(raw) != 65 {
		t.Fatalf("public key %q", key.PublicKey)
	}
	helmi, sven := e.client("050840-948K"), e.client("171279-9677")
	good := subscription(t, "https://fcm.googleapis.com/fcm/send/abc")
	for _, tc := range []struct {
		name string
		who  *apiClient
		body map[string]any
		want int
	}{
		{"allowed host", helmi, good, 201},
		{"loopback test service", helmi, subscription(t, "http://127.0.0.1:9999/push"), 201},
		{"host off the allowlist", helmi, subscription(t, "https://push.evil.example/x"), 400},
		{"plain http", helmi, subscription(t, "http://fcm.googleapis.com/fcm/send/abc"), 400},
		{"no keys", helmi, map[string]any{"endpoint": "https://fcm.googleapis.com/x"}, 400},
		{"Sven's", sven, subscription(t, "https://fcm.googleapis.com/fcm/send/sven"), 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, out := tc.who.call("POST", "/api/v1/push/subscriptions", tc.body)
			if r.StatusCode != tc.want {
				t.Errorf("%d, want %d: %s", r.StatusCode, tc.want, r.body)
			}
			if tc.want == 201 && out["id"] == nil {
				t.Errorf("no id: %s", r.body)
			}
			if tc.name == "host off the allowlist" && !strings.Contains(r.body, `"push-host-not-allowed"`) {
				t.Errorf("error %s", r.body)
			}
		})
	}
	if r := e.do(req{method: "POST", path: "/api/v1/push/subscriptions", body: `{"endpoint":"https://fcm.googleapis.com/x"}`, cookies: []*http.Cookie{helmi.cookie}}); r.StatusCode != 403 {
		t.Errorf("without CSRF: %d", r.StatusCode)
	}
	if r := e.do(req{method: "POST", path: "/api/v1/push/subscriptions", body: `{}`}); r.StatusCode != 403 && r.StatusCode != 401 {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
	mine, _ := e.s.push.Devices(e.personID("050840-948K"))
	svens, _ := e.s.push.Devices(e.personID("171279-9677"))
	if len(mine) != 2 || len(svens) != 1 {
		t.Fatalf("devices %d and %d", len(mine), len(svens))
	}
	if r, _ := helmi.call("DELETE", "/api/v1/push/subscriptions/"+svens[0].ID, nil); r.StatusCode != 404 {
		t.Errorf("deleting Sven's: %d", r.StatusCode)
	}
	if r, _ := helmi.call("DELETE", "/api/v1/push/subscriptions/"+mine[0].ID, nil); r.StatusCode != 200 {
		t.Errorf("deleting own: %d", r.StatusCode)
	}
	if mine, _ = e.s.push.Devices(e.personID("050840-948K")); len(mine) != 1 {
		t.Errorf("%d devices left", len(mine))
	}
}

// TestPushNeverOnKiosk: a shared computer cannot subscribe, and is not
// offered the button.
func TestPushNeverOnKiosk(t *testing.T) {
	e := newEnv(t)
	kaisa := e.login("kaisa")
	res := e.do(req{method: "POST", path: "/fi/staff/kiosk", body: "kiosk=on&_csrf=" + e.csrf(kaisa), cookies: []*http.Cookie{kaisa}})
	dev := cookie(res, cookieDevice)
	res = e.do(req{method: "POST", path: "/auth/test-login", body: "user=050840-948K", cookies: []*http.Cookie{dev}})
	s := cookie(res, cookieSession)
	tok := e.csrf(s)
	r := e.do(req{method: "POST", path: "/api/v1/push/subscriptions", body: mustMarshal(t, subscription(t, "https://fcm.googleapis.com/fcm/send/k")),
		cookies: []*http.Cookie{dev, s}, headers: map[string]string{"X-CSRF-Token": tok}})
	if r.StatusCode != 403 || !strings.Contains(r.body, `"kiosk"`) {
		t.Errorf("kiosk subscribe: %d %s", r.StatusCode, r.body)
	}
	page := e.do(req{path: "/fi/settings/notifications", cookies: []*http.Cookie{dev, s}})
	must(t, page, 200, "Ilmoitusasetukset")
	mustNot(t, page, `id="push-enable"`)
}

func TestDevicesInSettings(t *testing.T) {
	e := newEnv(t)
	helmi := e.resident("050840-948K")
	must(t, helmi.get("/fi/settings/notifications"), 200, "Push-ilmoitukset eivät ole käytössä yhdessäkään laitteessa.", `id="push-enable" hidden`)
	id, err := e.s.push.Subscribe(e.personID("050840-948K"), "https://fcm.googleapis.com/fcm/send/abc",
		subscription(t, "")["keys"].(map[string]string)["p256dh"], subscription(t, "")["keys"].(map[string]string)["auth"], "Firefox, Android")
	if err != nil {
		t.Fatal(err)
	}
	r := helmi.get("/en/settings/notifications")
	must(t, r, 200, "Firefox, Android", "added 23 November 2026", `action="/en/settings/devices/`+id+`/delete"`,
		`name="proxy-submitted" value="push" checked`) // push offered once there is a device
	sven := e.resident("171279-9677")
	if r := sven.post("/fi/settings/devices/"+id+"/delete", nil); r.StatusCode != 404 {
		t.Errorf("Sven removing Helmi's device: %d", r.StatusCode)
	}
	redirectTo(t, helmi.post("/fi/settings/devices/"+id+"/delete", nil), "/fi/settings/notifications?removed=1")
	must(t, helmi.get("/fi/settings/notifications?removed=1"), 200, "Laite on poistettu.")
	if devs, _ := e.s.push.Devices(e.personID("050840-948K")); len(devs) != 0 {
		t.Errorf("device left")
	}
}

func TestDeviceName(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36": "Samsung Internet, Android",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1":    "Safari, iOS",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0":              "Edge, Windows",
		"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0":                                                                     "Firefox, Linux",
		"": "",
	} {
		if got := deviceName(ua); got != want {
			t.Errorf("%q: %q, want %q", ua, got, want)
		}
	}
}

// TestLogoutForgetsDevice: logging out on a device removes that device's
// subscription, not the person's other devices.
func TestLogoutForgetsDevice(t *testing.T) {
	e := newEnv(t)
	helmi := e.client("050840-948K")
	if _, err := e.s.push.Subscribe(e.personID("050840-948K"), "https://fcm.googleapis.com/fcm/send/other",
		subscription(t, "")["keys"].(map[string]string)["p256dh"], subscription(t, "")["keys"].(map[string]string)["auth"], "Tablet"); err != nil {
		t.Fatal(err)
	}
	r := e.do(req{method: "POST", path: "/api/v1/push/subscriptions", body: mustMarshal(t, subscription(t, "https://fcm.googleapis.com/fcm/send/this")),
		cookies: []*http.Cookie{helmi.cookie}, headers: map[string]string{"X-CSRF-Token": helmi.token}})
	dev := cookie(r, cookiePush)
	if r.StatusCode != 201 || dev == nil || !dev.HttpOnly {
		t.Fatalf("subscribe: %d, cookie %+v", r.StatusCode, dev)
	}
	out := e.do(req{method: "POST", path: "/auth/logout", body: "_csrf=" + helmi.token, cookies: []*http.Cookie{helmi.cookie, dev}})
	if c := cookie(out, cookiePush); c == nil || c.Value != "" {
		t.Errorf("push cookie not cleared: %+v", c)
	}
	devs, _ := e.s.push.Devices(e.personID("050840-948K"))
	if len(devs) != 1 || devs[0].Device != "Tablet" {
		t.Errorf("devices after logout: %+v", devs)
	}
}
