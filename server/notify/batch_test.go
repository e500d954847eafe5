package notify_test

import (
	"context"
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
