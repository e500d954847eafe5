package cases_test

import (
	"encoding/json"
	"testing"

	"asiointi/server/notify"
	"asiointi/server/store"
)

// TestSubmitNotifies: a proxy's submit tells the principal and the actor,
// in the transaction that makes the case; acting for oneself, starting,
// saving and repeating a submit tell nobody.
func TestSubmitNotifies(t *testing.T) {
	e := newEnv(t)
	inbox := &notify.Inbox{Store: e.st}
	juhani, helmi, aino := e.ref(hetuJuhani), e.principal(hetuHelmi, "mandate"), e.ref(hetuAino)

	d := e.create("home-help", juhani, helmi)
	e.save(d, homeHelpAnswers())
	own := e.create("sports-shift", aino, nil)
	e.save(own, sportsShiftAnswers())
	for _, who := range []string{juhani.ID, helmi.ID, aino.ID} {
		if ns, _ := inbox.List(who, 0); len(ns) != 0 {
			t.Fatalf("%s notified by a draft: %+v", who, ns)
		}
	}
	if n := countPrefix(t, e.st, store.Outbox, ""); n != 0 {
		t.Fatalf("%d deliveries queued by drafts", n)
	}

	c := e.submit(d)
	e.submit(own)
	if _, err := e.svc.Submit(d.ID, juhani); err != nil { // a repeat
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who, kind string
	}{{helmi.ID, notify.KindProxySubmitted}, {juhani.ID, notify.KindSubmittedFor}} {
		ns, err := inbox.List(tc.who, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1 {
			t.Fatalf("%s has %d notifications, want 1: %+v", tc.who, len(ns), ns)
		}
		n := ns[0]
		if n.Kind != tc.kind || n.Link != "/cases/"+c.ID || n.Params["actor"] != juhani.Name ||
			n.Params["principal"] != helmi.Name || n.Params["service"] != "home-help" || n.Read {
			t.Errorf("%s got %+v", tc.who, n)
		}
		if u, _ := inbox.Unread(tc.who); u != 1 {
			t.Errorf("%s unread %d, want 1", tc.who, u)
		}
	}
	if ns, _ := inbox.List(aino.ID, 0); len(ns) != 0 {
		t.Errorf("Aino notified of her own submit: %+v", ns)
	}
	// Helmi's defaults send e-mail for a proxy action (no push device
	// yet); Juhani's keep his in the app.
	var got []notify.Delivery
	live := 0
	e.st.View(func(tx *store.Tx) error {
		return tx.Scan(store.Outbox, "", func(_ string, raw []byte) error {
			var d notify.Delivery
			if err := json.Unmarshal(raw, &d); err != nil {
				return err
			}
			if d.Channel == notify.ChannelLive {
				live++
			} else {
				got = append(got, d)
			}
			return nil
		})
	})
	if len(got) != 1 || got[0].User != helmi.ID || got[0].Channel != notify.ChannelEmail {
		t.Errorf("outbox %+v, want one e-mail to Helmi", got)
	}
	if live != 2 {
		t.Errorf("%d live deliveries, want one to each", live)
	}
}
