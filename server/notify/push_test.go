package notify_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"asiointi/server/notify"
	"asiointi/server/store"
)

var b64 = base64.RawURLEncoding

// browser is a device's push subscription keys (the user agent's side).
type browser struct {
	priv *ecdh.PrivateKey
	auth []byte
}

func newBrowser(t *testing.T) *browser {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return &browser{priv: priv, auth: auth}
}

func (b *browser) keys() (p256dh, auth string) {
	return b64.EncodeToString(b.priv.PublicKey().Bytes()), b64.EncodeToString(b.auth)
}

// decrypt opens an RFC 8291 aes128gcm body as the browser would.
func (b *browser) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("short body")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idlen || idlen != 65 {
		return nil, errors.New("bad key id")
	}
	if rs != 2048 {
		return nil, errors.New("record size is not 2048")
	}
	asPub, err := ecdh.P256().NewPublicKey(body[21 : 21+idlen])
	if err != nil {
		return nil, err
	}
	ct := body[21+idlen:]
	secret, err := b.priv.ECDH(asPub)
	if err != nil {
		return nil, err
	}
	info := append(append([]byte("WebPush: info\x00"), b.priv.PublicKey().Bytes()...), asPub.Bytes()...)
	ikm, err := hkdf.Key(sha256.New, secret, b.auth, string(info), 32)
	if err != nil {
		return nil, err
	}
	cek, _ := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	nonce, _ := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	blk, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(blk)
	plain, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		return nil, err
	}
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 || plain[i] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:i], nil
}

// verifyVAPID checks the Authorization header: ES256 signature by the
// server's public key, audience the endpoint's origin, expiry within a day.
func verifyVAPID(header, origin, wantKey string, now time.Time) error {
	rest, ok := strings.CutPrefix(header, "vapid t=")
	if !ok {
		return errors.New("not a vapid header")
	}
	tok, k, ok := strings.Cut(rest, ", k=")
	if !ok || k != wantKey {
		return errors.New("wrong or no public key")
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	var hdr struct{ Alg, Typ string }
	raw, _ := b64.DecodeString(parts[0])
	if json.Unmarshal(raw, &hdr) != nil || hdr.Alg != "ES256" {
		return errors.New("not ES256")
	}
	pub, _ := b64.DecodeString(k)
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pub)
	if err != nil {
		return err
	}
	sig, _ := b64.DecodeString(parts[2])
	if len(sig) != 64 {
		return errors.New("signature length")
	}
	h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(key, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("bad signature")
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	raw, _ = b64.DecodeString(parts[1])
	if err := json.Unmarshal(raw, &claims); err != nil {
		return err
	}
	exp := time.Unix(claims.Exp, 0)
	switch {
	case claims.Aud != origin:
		return errors.New("audience " + claims.Aud)
	case !exp.After(now) || exp.After(now.Add(24*time.Hour)):
		return errors.New("expiry out of range")
	case !strings.HasPrefix(claims.Sub, "mailto:") && !strings.HasPrefix(claims.Sub, "https://"):
		return errors.New("subject " + claims.Sub)
	}
	return nil
}

// pushService is a local fake push service.
type pushService struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	answers []int // by request; the last repeats
	got     []pushed
	key     string
	browser *browser
}

type pushed struct {
	path, topic, ttl, urgency string
	payload                   []byte
	err                       error
}

func newPushService(t *testing.T, b *browser, key string) *pushService {
	ps := &pushService{t: t, browser: b, key: key, answers: []int{201}}
	ps.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			w.WriteHeader(201) // reached only by following a redirect
			ps.mu.Lock()
			ps.got = append(ps.got, pushed{path: r.URL.Path})
			ps.mu.Unlock()
			return
		}
		body, _ := io.ReadAll(r.Body)
		p := pushed{path: r.URL.Path, topic: r.Header.Get("Topic"), ttl: r.Header.Get("TTL"), urgency: r.Header.Get("Urgency")}
		if r.Header.Get("Content-Encoding") != "aes128gcm" {
			p.err = errors.New("content encoding " + r.Header.Get("Content-Encoding"))
		} else if err := verifyVAPID(r.Header.Get("Authorization"), "http://"+r.Host, ps.key, time.Now()); err != nil {
			p.err = err
		} else {
			p.payload, p.err = ps.browser.decrypt(body)
		}
		ps.mu.Lock()
		n := min(len(ps.got), len(ps.answers)-1)
		a := ps.answers[n]
		ps.got = append(ps.got, p)
		ps.mu.Unlock()
		switch a {
		case 302:
			http.Redirect(w, r, "/moved", http.StatusFound)
			return
		case 503:
			w.Header().Set("Retry-After", "30")
		}
		w.WriteHeader(a)
	}))
	t.Cleanup(ps.srv.Close)
	return ps
}

func (ps *pushService) received() []pushed {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]pushed(nil), ps.got...)
}

func TestPush(t *testing.T) {
	for _, tc := range []struct {
		name      string
		answers   []int
		sends     int  // requests the push service sees
		delivered bool // the outbox is empty at the end
		subLeft   bool // the subscription is still there
	}{
		{"delivered", []int{201}, 1, true, true},
		{"410 removes the subscription", []int{410}, 1, true, false},
		{"404 removes the subscription", []int{404}, 1, true, false},
		{"503 is retried", []int{503, 201}, 2, true, true},
		{"429 is retried", []int{429, 201}, 2, true, true},
		{"413 is dropped, not retried", []int{413, 201}, 1, true, true},
		{"400 is dropped, not retried", []int{400, 201}, 1, true, true},
		{"a redirect is not followed", []int{302}, 1, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t, t.TempDir())
			keys, err := notify.LoadVAPID(st)
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := notify.LoadVAPID(st); again != keys {
				t.Fatal("VAPID keys changed on the second start")
			}
			b := newBrowser(t)
			ps := newPushService(t, b, keys.Public)
			ps.answers = tc.answers
			u, _ := url.Parse(ps.srv.URL)
			clk := &clock{t: time.Now()}
			push := &notify.Push{Store: st, Keys: keys, Hosts: []string{u.Host}, Subscriber: "https://asiointi.example.fi", Now: clk.Now}
			p256dh, auth := b.keys()
			sub, err := push.Subscribe("helmi", ps.srv.URL+"/push/abc", p256dh, auth, "Firefox on Linux")
			if err != nil {
				t.Fatal(err)
			}
			err = st.Update(func(tx *store.Tx) error {
				return notify.Submitted(tx, notify.Action{Case: "c1", Service: "home-help", At: clk.Now(),
					Actor: notify.Person{ID: "juhani", Name: "Juhani Korhonen"}, Principal: &notify.Person{ID: "helmi", Name: "Helmi Korhonen"}})
			})
			if err != nil {
				t.Fatal(err)
			}
			d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: clk.Now,
				Senders: map[string]notify.Sender{notify.ChannelPush: push, notify.ChannelEmail: &fakeSender{}}}
			for range 3 {
				if _, err := d.RunOnce(context.Background()); err != nil {
					t.Fatal(err)
				}
				clk.Add(time.Hour)
			}
			got := ps.received()
			if len(got) != tc.sends {
				t.Fatalf("push service saw %d requests, want %d: %+v", len(got), tc.sends, got)
			}
			for _, p := range got {
				if p.err != nil {
					t.Fatalf("push: %v", p.err)
				}
				if p.path != "/push/abc" || p.ttl != "86400" || p.urgency != "normal" || len(p.topic) == 0 || len(p.topic) > 32 {
					t.Errorf("request %+v", p)
				}
				var pl notify.PushPayload
				if err := json.Unmarshal(p.payload, &pl); err != nil {
					t.Fatalf("payload %q: %v", p.payload, err)
				}
				if pl.Title != "Sinulle on uusi ilmoitus." || pl.ID == "" || pl.Link != "/fi/cases/c1" || pl.ID != p.topic {
					t.Errorf("payload %+v", pl)
				}
				for _, personal := range []string{"Helmi", "Juhani", "Korhonen", "050840-948K", "Kotipalvelu"} {
					if strings.Contains(string(p.payload), personal) {
						t.Errorf("payload carries %q: %s", personal, p.payload)
					}
				}
			}
			if outboxLen(t, st) != 0 {
				t.Errorf("outbox not empty")
			}
			devs, _ := push.Devices("helmi")
			if (len(devs) == 1) != tc.subLeft {
				t.Errorf("%d subscriptions left", len(devs))
			}
			if tc.subLeft && (devs[0].ID != sub || devs[0].Device != "Firefox on Linux") {
				t.Errorf("device %+v", devs[0])
			}
		})
	}
}

func TestPushSubscribe(t *testing.T) {
	st := openStore(t, t.TempDir())
	b := newBrowser(t)
	p256dh, auth := b.keys()
	push := &notify.Push{Store: st, Hosts: []string{"fcm.googleapis.com", "*.notify.windows.com", "127.0.0.1:9999", "localhost"}}
	for _, tc := range []struct {
		endpoint, p256dh, auth string
		want                   error
	}{
		{"https://fcm.googleapis.com/fcm/send/x", p256dh, auth, nil},
		{"https://wns2-par02p.notify.windows.com/w/?token=x", p256dh, auth, nil},
		{"http://127.0.0.1:9999/push", p256dh, auth, nil},
		{"http://localhost/push", p256dh, auth, nil},
		{"http://fcm.googleapis.com/fcm/send/x", p256dh, auth, notify.ErrHostNotAllowed}, // not https
		{"https://evil.example/push", p256dh, auth, notify.ErrHostNotAllowed},
		{"https://fcm.googleapis.com.evil.example/x", p256dh, auth, notify.ErrHostNotAllowed},
		{"https://notify.windows.com.evil/x", p256dh, auth, notify.ErrHostNotAllowed},
		{"http://127.0.0.1:9998/push", p256dh, auth, notify.ErrHostNotAllowed}, // other port
		{"https://user@fcm.googleapis.com/x", p256dh, auth, notify.ErrBadSubscription},
		{"https://fcm.googleapis.com/x", "AAAA", auth, notify.ErrBadSubscription},
		{"https://fcm.googleapis.com/x", p256dh, "", notify.ErrBadSubscription},
	} {
		if _, err := push.Subscribe("helmi", tc.endpoint, tc.p256dh, tc.auth, ""); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.endpoint, err, tc.want)
		}
	}
	devs, _ := push.Devices("helmi")
	if len(devs) != 4 {
		t.Fatalf("%d devices", len(devs))
	}
	// The same endpoint again replaces the record.
	if _, err := push.Subscribe("helmi", "https://fcm.googleapis.com/fcm/send/x", p256dh, auth, "Chrome"); err != nil {
		t.Fatal(err)
	}
	if devs, _ = push.Devices("helmi"); len(devs) != 4 {
		t.Errorf("%d devices after a repeat", len(devs))
	}
	if err := push.Unsubscribe("sven", devs[0].ID); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("someone else's: %v", err)
	}
	if err := push.Unsubscribe("helmi", devs[0].ID); err != nil {
		t.Fatal(err)
	}
	if devs, _ = push.Devices("helmi"); len(devs) != 3 {
		t.Errorf("%d devices after removing one", len(devs))
	}
}

// TestPushReusesConnections: the push sender keeps a connection to the
// push service per concurrent send, not 2 (net/http's default), so that
// a burst does not open a new (TLS) connection for most messages.
func TestPushReusesConnections(t *testing.T) {
	st := openStore(t, t.TempDir())
	keys, _ := notify.LoadVAPID(st)
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(time.Millisecond) // the sends overlap
		w.WriteHeader(201)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	push := &notify.Push{Store: st, Keys: keys, Hosts: []string{u.Host}, Subscriber: "https://asiointi.example.fi"}
	b := newBrowser(t)
	p256dh, auth := b.keys()
	if _, err := push.Subscribe("helmi", srv.URL+"/push/helmi", p256dh, auth, ""); err != nil {
		t.Fatal(err)
	}
	if err := (&notify.Prefs{Store: st}).Save("helmi", []string{notify.ChannelPush}, map[string][]string{notify.KindDraftExpiring: {notify.ChannelPush}}); err != nil {
		t.Fatal(err)
	}
	const total, workers = 160, 8
	err := st.Update(func(tx *store.Tx) error {
		for range total {
			if err := notify.Record(tx, notify.Notification{User: "helmi", Kind: notify.KindDraftExpiring, At: t0, Link: "/drafts/d"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Workers: workers, Batch: 40,
		Senders: map[string]notify.Sender{notify.ChannelPush: push}}
	for {
		n, err := d.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if outboxLen(t, st) != 0 {
		t.Fatalf("outbox not empty")
	}
	if n := conns.Load(); n > workers {
		t.Errorf("%d connections for %d pushes %d at a time, want at most %d", n, total, workers, workers)
	}
}

// TestPushToRemovedDevice: a device removed after its delivery was queued
// gets nothing, and the delivery is dropped.
func TestPushToRemovedDevice(t *testing.T) {
	st := openStore(t, t.TempDir())
	keys, _ := notify.LoadVAPID(st)
	b := newBrowser(t)
	ps := newPushService(t, b, keys.Public)
	u, _ := url.Parse(ps.srv.URL)
	push := &notify.Push{Store: st, Keys: keys, Hosts: []string{u.Host}, Subscriber: "https://asiointi.example.fi"}
	p256dh, auth := b.keys()
	sub, err := push.Subscribe("helmi", ps.srv.URL+"/push/abc", p256dh, auth, "")
	if err != nil {
		t.Fatal(err)
	}
	submitFor(t, st, "c1")
	if err := push.Unsubscribe("helmi", sub); err != nil {
		t.Fatal(err)
	}
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo,
		Senders: map[string]notify.Sender{notify.ChannelPush: push, notify.ChannelEmail: &fakeSender{}}}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ps.received(); len(got) != 0 || outboxLen(t, st) != 0 {
		t.Errorf("sent %d, outbox %d", len(got), outboxLen(t, st))
	}
}
