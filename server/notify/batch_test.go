package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// counting is a Directory that counts its lookups per person.
type counting struct {
	people
	mu    sync.Mutex
	calls map[string]int
}

func (c *counting) Person(id string) (population.Person, error) {
	c.mu.Lock()
	c.calls[id]++
	c.mu.Unlock()
	return c.people.Person(id)
}

// logged keeps the records a logger was given.
type logged struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *logged) Enabled(context.Context, slog.Level) bool { return true }
func (l *logged) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.recs = append(l.recs, r)
	l.mu.Unlock()
	return nil
}
func (l *logged) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logged) WithGroup(string) slog.Handler      { return l }

// lines is "LEVEL message k=v …" of each record.
func (l *logged) lines() []string {
	var out []string
	for _, r := range l.recs {
		s := r.Level.String() + " " + r.Message
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "channel" || a.Key == "count" {
				s += " " + a.String()
			}
			return true
		})
		out = append(out, s)
	}
	return out
}

// TestDispatchBatch: in one batch the directory is asked once per
// recipient however many deliveries name them; a delivery to someone
// without an address on its channel is dropped (ErrNoAddress), logged at
// debug level, and the batch logs one warning with their number per
// channel instead of one per delivery; metrics count each as dropped.
func TestDispatchBatch(t *testing.T) {
	st := openStore(t, t.TempDir())
	dir := &counting{people: people{
		"helmi":  demo["helmi"],
		"noaddr": {ID: "noaddr", Language: "fi"},
	}, calls: map[string]int{}}
	err := st.Update(func(tx *store.Tx) error {
		for i, user := range []string{"noaddr", "helmi", "noaddr", "helmi", "noaddr"} {
			err := notify.Record(tx, notify.Notification{User: user, Kind: notify.KindProxySubmitted, At: t0, Link: fmt.Sprintf("/cases/c%d", i),
				Params: map[string]string{"service": "home-help", "actor": "Juhani Korhonen"}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	log := &logged{}
	mail := &fakeSender{}
	var omu sync.Mutex
	outcomes := map[string]int{}
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: dir, Now: func() time.Time { return t0 }, Workers: 1,
		Log: slog.New(log), Senders: map[string]notify.Sender{notify.ChannelEmail: mail},
		Observe: func(channel, outcome string, _ time.Duration) {
			omu.Lock()
			outcomes[channel+" "+outcome]++
			omu.Unlock()
		}}
	if n, err := d.RunOnce(context.Background()); err != nil || n != 10 { // e-mail and live of each
		t.Fatalf("RunOnce = %d, %v; want 10", n, err)
	}
	if want := map[string]int{"helmi": 1, "noaddr": 1}; !reflect.DeepEqual(dir.calls, want) {
		t.Errorf("directory asked %v, want %v", dir.calls, want)
	}
	if len(mail.got) != 2 {
		t.Errorf("%d e-mails sent, want helmi's 2", len(mail.got))
	}
	want := []string{
		"DEBUG notification not delivered channel=email",
		"DEBUG notification not delivered channel=email",
		"DEBUG notification not delivered channel=email",
		"WARN notifications not delivered: the recipient has no address channel=email count=3",
	}
	if got := log.lines(); !reflect.DeepEqual(got, want) {
		t.Errorf("logged\n%q\nwant\n%q", got, want)
	}
	if want := map[string]int{"email delivered": 2, "email dropped": 3, "live delivered": 5}; !reflect.DeepEqual(outcomes, want) {
		t.Errorf("observed %v, want %v", outcomes, want)
	}
	if n := outboxLen(t, st); n != 0 {
		t.Errorf("outbox holds %d", n)
	}
}

// TestErrNoAddress: the failure of a delivery without an address is a
// permanent one (dropped, not retried).
func TestErrNoAddress(t *testing.T) {
	if !errors.Is(notify.ErrNoAddress, notify.ErrPermanent) {
		t.Error("ErrNoAddress is not permanent")
	}
}

// TestLiveCarried: in a store no other node shares, a notification's
// live delivery rides on its first delivery to another channel (one
// outbox record instead of two; only the actor's, with no other channel,
// has its own); the dispatcher tells the open page once, also when the
// e-mail is retried. On PostgreSQL every delivery has its record.
func TestLiveCarried(t *testing.T) {
	st := openStore(t, t.TempDir())
	h := &notify.Hub{}
	page := h.Register("helmi", "s1")
	submitFor(t, st, "c1") // helmi: e-mail (push: no device) and live; juhani: live
	records := map[string]int{}
	st.View(func(tx *store.Tx) error {
		return tx.Scan(store.Outbox, "", func(_ string, raw []byte) error {
			var d notify.Delivery
			if err := json.Unmarshal(raw, &d); err != nil {
				return err
			}
			s := d.User + " " + d.Channel
			if d.Link != "" {
				s += " " + d.Link
			}
			records[s]++
			return nil
		})
	})
	want := map[string]int{"helmi email /cases/c1": 1, "juhani live /cases/c1": 1}
	if storetest.Postgres() {
		want = map[string]int{"helmi email": 1, "helmi live /cases/c1": 1, "juhani live /cases/c1": 1}
	}
	if !reflect.DeepEqual(records, want) {
		t.Errorf("outbox %v, want %v", records, want)
	}
	clk := &clock{t: t0}
	mail := &fakeSender{reply: func(_ notify.Message, attempt int) error {
		if attempt == 1 {
			return errors.New("connection refused")
		}
		return nil
	}}
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: clk.Now, Backoff: time.Minute,
		Senders: map[string]notify.Sender{notify.ChannelLive: &notify.Live{Hub: h, Inbox: &notify.Inbox{Store: st}}, notify.ChannelEmail: mail}}
	for range 2 {
		if _, err := d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Add(2 * time.Minute)
	}
	if len(mail.got) != 2 || outboxLen(t, st) != 0 {
		t.Errorf("%d e-mails sent (want 2: a retry), outbox %d", len(mail.got), outboxLen(t, st))
	}
	var events []string
	for more := true; more; {
		select {
		case raw := <-page.Out():
			var ev notify.Event
			json.Unmarshal(raw, &ev)
			events = append(events, ev.Type+" "+ev.Link)
		default:
			more = false
		}
	}
	if want := []string{"notification /cases/c1"}; !reflect.DeepEqual(events, want) {
		t.Errorf("page told %q, want %q", events, want)
	}
}
