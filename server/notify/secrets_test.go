package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"asiointi/server/notify"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// TestInvitationDelivery: a notification with a Contact reaches someone
// the register does not know; the Links hook makes its outside link at
// delivery (the in-app link stays token-free); the demo recorder shows
// the link in full but keeps only a scrubbed copy in the store, also
// after a restart; a hook's permanent error drops the delivery.
func TestInvitationDelivery(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	now := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	note := func(user string, c *notify.Contact, inv string) notify.Notification {
		return notify.Notification{User: user, Kind: notify.KindInvitation, At: now, Link: "/invitations/" + inv,
			Params: map[string]string{"service": "home-help", "actor": "Aino Virtanen", "invitation": inv,
				"expiresAt": now.AddDate(0, 0, 14).Format(time.RFC3339Nano)}, Contact: c}
	}
	err := st.Update(func(tx *store.Tx) error {
		if err := notify.Record(tx, note("invitee-1", &notify.Contact{Email: "outi@example.fi", Phone: "+358 40 111 2222"}, "inv1")); err != nil {
			return err
		}
		return notify.Record(tx, note("sven", nil, "closed"))
	})
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{}
	var mu sync.Mutex
	rec := &notify.Recorder{Store: st, Now: func() time.Time { return now }}
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: func() time.Time { return now },
		Senders: map[string]notify.Sender{notify.ChannelEmail: rec, notify.ChannelSMS: rec},
		Links: map[string]notify.LinkFunc{notify.KindInvitation: func(_ context.Context, n notify.Notification, ch string) (string, string, error) {
			if n.Params["invitation"] == "closed" {
				return "", "", fmt.Errorf("%w: closed", notify.ErrPermanent)
			}
			tok := "tok" + strings.Repeat("x", 40) + ch
			mu.Lock()
			secrets[ch] = tok
			mu.Unlock()
			return "/i/" + tok, tok, nil
		}}}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	list, err := rec.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("recorded %d messages, want e-mail and SMS to Outi only: %+v", len(list), list)
	}
	for _, m := range list {
		tok := secrets[m.Channel]
		if !strings.HasSuffix(m.Link, "/fi/i/"+tok) || !strings.Contains(m.Body, tok) {
			t.Errorf("%s: link %q body %q", m.Channel, m.Link, m.Body)
		}
		if m.Channel == notify.ChannelEmail && m.To != "outi@example.fi" || m.Channel == notify.ChannelSMS && m.To != "+358 40 111 2222" {
			t.Errorf("%s to %q", m.Channel, m.To)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	raw := storetest.Contents(t, dir)
	for _, tok := range secrets {
		if bytes.Contains(raw, []byte(tok)) {
			t.Errorf("a link token is in the database file")
		}
	}
	st = openStore(t, dir)
	list, err = (&notify.Recorder{Store: st}).List() // a restart: memory is gone
	if err != nil || len(list) != 2 {
		t.Fatalf("after restart: %d %v", len(list), err)
	}
	for _, m := range list {
		if !strings.Contains(m.Link, notify.Scrubbed) || !strings.Contains(m.Body, notify.Scrubbed) {
			t.Errorf("after restart %s shows %q", m.Channel, m.Link)
		}
	}
}
