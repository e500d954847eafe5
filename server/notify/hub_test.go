package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"asiointi/server/notify"
	"asiointi/server/store"
)

func closed(c *notify.Conn) (int, bool) {
	select {
	case <-c.Done():
		code, _ := c.Reason()
		return code, true
	default:
		return 0, false
	}
}

func TestHub(t *testing.T) {
	h := &notify.Hub{QueueSize: 2}
	a1, a2, b := h.Register("aino", "s1"), h.Register("aino", "s2"), h.Register("sven", "s3")
	h.Publish("aino", notify.Event{Type: "notification", ID: "n1", Unread: 1})
	for _, c := range []*notify.Conn{a1, a2} {
		var ev notify.Event
		if err := json.Unmarshal(<-c.Out(), &ev); err != nil || ev.ID != "n1" || ev.Unread != 1 {
			t.Errorf("got %+v %v", ev, err)
		}
	}
	if len(b.Out()) != 0 {
		t.Errorf("Sven heard Aino's event")
	}
	// a2 stops reading: the third queued message overflows it, a1 is fine.
	for range 3 {
		h.Publish("aino", notify.Event{Type: "notification"})
		<-a1.Out()
	}
	if code, ok := closed(a2); !ok || code != notify.CloseResync {
		t.Errorf("slow connection: closed %v code %d, want resync", ok, code)
	}
	if _, ok := closed(a1); ok {
		t.Errorf("the reading connection was closed")
	}
	h.CloseSession("s3")
	if code, ok := closed(b); !ok || code != notify.CloseSessionEnded {
		t.Errorf("logout: %v %d", ok, code)
	}
	if _, ok := closed(a1); ok {
		t.Errorf("another session's connection was closed")
	}
	h.Unregister(a2)
	h.Unregister(b)
	if h.Len() != 1 {
		t.Errorf("%d open", h.Len())
	}
	h.Shutdown()
	if code, ok := closed(a1); !ok || code != notify.CloseGoingAway {
		t.Errorf("shutdown: %v %d", ok, code)
	}
	if code, ok := closed(h.Register("aino", "s4")); !ok || code != notify.CloseGoingAway {
		t.Errorf("register after shutdown: %v %d", ok, code)
	}
}

// loopBus hands what one hub broadcasts to the other nodes' hubs, as
// PostgreSQL NOTIFY does in server/app.
type loopBus struct {
	self   *notify.Hub
	others *[]*notify.Hub
}

func (b loopBus) Broadcast(p []byte) {
	for _, h := range *b.others {
		if h != b.self {
			h.Receive(p)
		}
	}
}

// TestHubsAcrossNodes: with a bus, what one node's hub publishes reaches
// the person's connections on the other nodes too, once each; a logout
// on one node closes the session's connections on all; Resync closes
// every local connection with CloseResync.
func TestHubsAcrossNodes(t *testing.T) {
	var hubs []*notify.Hub
	for range 2 {
		h := &notify.Hub{}
		h.SetBus(loopBus{self: h, others: &hubs})
		hubs = append(hubs, h)
	}
	a, b := hubs[0], hubs[1]
	onA, onB, svenB := a.Register("aino", "s1"), b.Register("aino", "s2"), b.Register("sven", "s3")
	a.Publish("aino", notify.Event{Type: "notification", ID: "n1", Unread: 3})
	for _, c := range []*notify.Conn{onA, onB} {
		var ev notify.Event
		if err := json.Unmarshal(<-c.Out(), &ev); err != nil || ev.ID != "n1" || ev.Unread != 3 {
			t.Errorf("got %+v %v", ev, err)
		}
		if len(c.Out()) != 0 {
			t.Error("an event arrived twice")
		}
	}
	if len(svenB.Out()) != 0 {
		t.Error("Sven heard Aino's event")
	}
	a.CloseSession("s2")
	if code, ok := closed(onB); !ok || code != notify.CloseSessionEnded {
		t.Errorf("logout on the other node: %v %d", ok, code)
	}
	if _, ok := closed(onA); ok {
		t.Error("another session's connection was closed")
	}
	b.Receive([]byte("not json")) // dropped
	b.Resync()
	if code, ok := closed(svenB); !ok || code != notify.CloseResync {
		t.Errorf("resync: %v %d", ok, code)
	}
	if _, ok := closed(onA); ok {
		t.Error("resync on one node closed another's connection")
	}
}

// TestLiveDelivery: the dispatcher tells the recipient's open pages, with
// their unread count.
func TestLiveDelivery(t *testing.T) {
	st := openStore(t, t.TempDir())
	h := &notify.Hub{}
	helmi := h.Register("helmi", "s1")
	submitFor(t, st, "c1")
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: func() time.Time { return t0 },
		Senders: map[string]notify.Sender{notify.ChannelLive: &notify.Live{Hub: h, Inbox: &notify.Inbox{Store: st}}, notify.ChannelEmail: &fakeSender{}}}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case raw := <-helmi.Out():
		var ev notify.Event
		json.Unmarshal(raw, &ev)
		if ev.Type != "notification" || ev.Unread != 1 || ev.ID == "" || ev.Link != "/cases/c1" {
			t.Errorf("event %s", raw)
		}
	default:
		t.Fatal("no live event")
	}
	// A live delivery queued before deliveries carried the link: the
	// page is told the notification's.
	list, err := (&notify.Inbox{Store: st}).List("helmi", 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("inbox %v %v", list, err)
	}
	old := notify.Delivery{ID: store.NewID(t0), Notice: list[0].ID, User: "helmi", Channel: notify.ChannelLive}
	if err := st.Update(func(tx *store.Tx) error {
		return tx.Put(store.Outbox, fmt.Sprintf("%013d/%s", t0.UnixMilli(), old.ID), old)
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := d.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("took %d (%v), want the old delivery", n, err)
	}
	select {
	case raw := <-helmi.Out():
		var ev notify.Event
		json.Unmarshal(raw, &ev)
		if ev.ID != list[0].ID || ev.Link != "/cases/c1" {
			t.Errorf("event of the old delivery %s", raw)
		}
	default:
		t.Fatal("no live event of the old delivery")
	}
}

// TestLiveRetried: a live delivery whose send fails is tried again like
// any other (on a store no other node shares it is taken out of the
// outbox when sent, not leased: its next attempt must be put back), and
// once delivered none is left.
func TestLiveRetried(t *testing.T) {
	st := openStore(t, t.TempDir())
	clk := &clock{t: t0}
	submitFor(t, st, "c1")
	live := &fakeSender{reply: func(_ notify.Message, attempt int) error {
		if attempt == 1 {
			return errors.New("unread count not read")
		}
		return nil
	}}
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: clk.Now, Backoff: time.Minute,
		Senders: map[string]notify.Sender{notify.ChannelLive: live, notify.ChannelEmail: &fakeSender{}}}
	for i, want := range []int{3, 2} { // e-mail and two live; the two live again
		if i > 0 {
			clk.Add(2 * time.Minute)
		}
		if n, err := d.RunOnce(context.Background()); err != nil || n != want {
			t.Fatalf("run %d: took %d (%v), want %d", i+1, n, err, want)
		}
		if left := outboxLen(t, st); left != 2-2*i {
			t.Errorf("run %d: %d left in the outbox, want %d", i+1, left, 2-2*i)
		}
	}
	keys := live.keys()
	if len(keys) != 2 {
		t.Errorf("live keys %v, want Helmi's and Juhani's", keys)
	}
	for k, n := range keys {
		if n != 2 {
			t.Errorf("%s sent %d times, want 2", k, n)
		}
	}
}
