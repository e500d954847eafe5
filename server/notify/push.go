package notify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"asiointi/server/store"
)

// Subscription is one device's web push subscription.
type Subscription struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	Endpoint  string    `json:"endpoint"`
	P256dh    string    `json:"p256dh"`
	Auth      string    `json:"auth"`
	Device    string    `json:"device,omitempty"` // browser and OS, from the User-Agent
	CreatedAt time.Time `json:"createdAt"`
}

// VAPID is the application server's key pair (URL-safe base64).
type VAPID struct {
	Public  string `json:"public"`
	Private string `json:"private"`
}

// LoadVAPID returns the stored VAPID keys, generating them at first start.
func LoadVAPID(st *store.Store) (VAPID, error) {
	var k VAPID
	err := st.UpdateAlone(func(tx *store.Tx) error {
		err := tx.Get(store.Settings, "vapid", &k)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		priv, pub, err := webpush.GenerateVAPIDKeys()
		if err != nil {
			return err
		}
		k = VAPID{Public: pub, Private: priv}
		return tx.Put(store.Settings, "vapid", k)
	})
	return k, err
}

// Refusals of a subscription.
var (
	ErrHostNotAllowed  = errors.New("notify: push endpoint host is not allowed")
	ErrBadSubscription = errors.New("notify: not a push subscription")
)

// Push keeps devices' subscriptions and sends web push messages. A
// message carries no personal data: a neutral title, the notification id
// and a link; the page shows the details after login.
type Push struct {
	Store *store.Store
	Keys  VAPID
	// Hosts are the allowed endpoint hosts (ASIOINTI_PUSH_HOSTS): host,
	// host:port or *.domain. Endpoints must be https, except loopback
	// hosts named here.
	Hosts []string
	// Subscriber is the VAPID contact: a bare https URL or e-mail address.
	Subscriber string
	Client     *http.Client // nil: NewHTTPClient(10 s), made once
	Now        func() time.Time

	clientOnce sync.Once
}

// AllowedEndpoint checks an endpoint against the allowlist.
func (p *Push) AllowedEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.User != nil {
		return ErrBadSubscription
	}
	host := strings.ToLower(u.Hostname())
	hostPort := strings.ToLower(u.Host)
	listed := false
	for _, h := range p.Hosts {
		switch {
		case strings.HasPrefix(h, "*."):
			listed = listed || strings.HasSuffix(host, h[1:])
		case strings.Contains(h, ":") && !strings.HasPrefix(h, "["):
			listed = listed || hostPort == h
		default:
			listed = listed || host == h
		}
	}
	switch {
	case !listed:
		return ErrHostNotAllowed
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(host):
		return nil
	}
	return ErrHostNotAllowed
}

// Subscribe keeps a device's subscription for user and returns its id. The
// same endpoint again replaces the earlier record.
func (p *Push) Subscribe(user, endpoint, p256dh, auth, device string) (string, error) {
	if err := p.AllowedEndpoint(endpoint); err != nil {
		return "", err
	}
	if k, err := decodeKey(p256dh); err != nil || len(k) != 65 || k[0] != 4 {
		return "", ErrBadSubscription
	}
	if k, err := decodeKey(auth); err != nil || len(k) != 16 {
		return "", ErrBadSubscription
	}
	now := p.now()
	sub := Subscription{ID: store.NewID(now), User: user, Endpoint: endpoint, P256dh: p256dh, Auth: auth,
		Device: device, CreatedAt: now}
	err := p.Store.Update(func(tx *store.Tx) error {
		var old []string
		if err := tx.Scan(store.PushSubs, user+"/", func(k string, raw []byte) error {
			var s Subscription
			if err := unmarshal(raw, &s); err != nil {
				return err
			}
			if s.Endpoint == endpoint {
				old = append(old, k)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range old {
			if err := tx.Delete(store.PushSubs, k); err != nil {
				return err
			}
		}
		return tx.Put(store.PushSubs, user+"/"+sub.ID, sub)
	})
	return sub.ID, err
}

// Unsubscribe removes one of the user's subscriptions; anyone else's is
// ErrNotFound.
func (p *Push) Unsubscribe(user, id string) error {
	if !store.ValidID(id) || strings.Contains(user, "/") {
		return ErrNotFound
	}
	return p.Store.Update(func(tx *store.Tx) error {
		if !tx.Has(store.PushSubs, user+"/"+id) {
			return ErrNotFound
		}
		return tx.Delete(store.PushSubs, user+"/"+id)
	})
}

// Devices lists the user's subscriptions, oldest first.
func (p *Push) Devices(user string) ([]Subscription, error) {
	var out []Subscription
	err := p.Store.View(func(tx *store.Tx) (err error) {
		out, err = store.Values[Subscription](tx, store.PushSubs, user+"/")
		return err
	})
	return out, err
}

// PushPayload is what a push message says, encrypted for the device.
type PushPayload struct {
	Title string `json:"title"`
	ID    string `json:"id"`   // the notification's id
	Link  string `json:"link"` // site-relative
}

// Send delivers m to the device m.To (a subscription id of m.User).
func (p *Push) Send(ctx context.Context, m Message) error {
	var sub Subscription
	if m.Device != nil && m.Device.ID == m.To {
		sub = *m.Device
	} else {
		err := p.Store.View(func(tx *store.Tx) error { return tx.Get(store.PushSubs, m.User+"/"+m.To, &sub) })
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: the subscription was removed", ErrPermanent)
		}
		if err != nil {
			return err
		}
	}
	if err := p.AllowedEndpoint(sub.Endpoint); err != nil {
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	link := m.Link
	if u, err := url.Parse(link); err == nil {
		link = u.RequestURI()
	}
	body, err := json.Marshal(PushPayload{Title: m.Title, ID: m.Notice, Link: link})
	if err != nil {
		return err
	}
	p.clientOnce.Do(func() {
		if p.Client == nil {
			p.Client = NewHTTPClient(10 * time.Second)
		}
	})
	client := p.Client
	res, err := webpush.SendNotificationWithContext(ctx, body, &webpush.Subscription{Endpoint: sub.Endpoint,
		Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}}, &webpush.Options{
		HTTPClient: client, RecordSize: 2048, Subscriber: p.Subscriber,
		Topic: m.Notice, // a repeat of the same notification replaces the first
		TTL:   int((24 * time.Hour).Seconds()), Urgency: webpush.UrgencyNormal,
		VAPIDPublicKey: p.Keys.Public, VAPIDPrivateKey: p.Keys.Private,
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone {
		// The browser dropped the subscription: forget the device.
		if err := p.Store.Update(func(tx *store.Tx) error { return tx.Delete(store.PushSubs, m.User+"/"+m.To) }); err != nil {
			return err
		}
		return fmt.Errorf("%w: subscription gone (%d), removed", ErrPermanent, res.StatusCode)
	}
	return HTTPOutcome(res, p.now())
}

func (p *Push) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}
