package notify_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"asiointi/server/notify"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// sendFunc is a Sender made of a function.
type sendFunc func(ctx context.Context, m notify.Message) error

func (f sendFunc) Send(ctx context.Context, m notify.Message) error { return f(ctx, m) }

func outboxKeys(t *testing.T, st *store.Store) []string {
	t.Helper()
	var keys []string
	if err := st.View(func(tx *store.Tx) error {
		return tx.Scan(store.Outbox, "", func(k string, _ []byte) error {
			keys = append(keys, k)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestDispatchMemoryLease: on a store that is the process's alone
// (bbolt) a delivery is leased in memory, not in the store: nothing is
// written while it is in flight; every dispatcher of the store in the
// process sees the lease, so none takes it again until the lease runs
// out; and after a restart (the lease forgotten, as after kill -9) it is
// sent again at once. On PostgreSQL the lease is written
// (TestDispatchTwoNodes).
func TestDispatchMemoryLease(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("bbolt only: a shared store writes its leases")
	}
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	submitFor(t, st, "c1") // an e-mail to Helmi (carrying her live one), a live one to Juhani
	before := outboxKeys(t, st)
	if len(before) != 2 {
		t.Fatalf("outbox %v, want two deliveries", before)
	}
	clk := &clock{t: t0}
	var mu sync.Mutex
	sent := map[string]int{} // e-mails by key
	inSend := make(chan []string, 1)
	mail := sendFunc(func(ctx context.Context, m notify.Message) error {
		mu.Lock()
		sent[m.Key]++
		first := sent[m.Key] == 1
		mu.Unlock()
		if first { // in flight: look at the outbox, then the program stops
			inSend <- outboxKeys(t, st)
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	})
	newDispatcher := func(st *store.Store) *notify.Dispatcher {
		return &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: clk.Now, Lease: time.Minute,
			Senders: map[string]notify.Sender{notify.ChannelEmail: mail}}
	}
	a := newDispatcher(st)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { _, err := a.RunOnce(ctx); ran <- err }()
	// (Juhani's live delivery may be removed meanwhile: it was sent.)
	if during := <-inSend; len(during) == 0 || slices.ContainsFunc(during, func(k string) bool { return !slices.Contains(before, k) }) {
		t.Errorf("outbox while in flight %v, want what it was (%v): a lease was written", during, before)
	}
	cancel() // interrupted: the e-mail's outcome is not written
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	// (Juhani's live delivery is left too when the stop came before its
	// turn.)
	if keys := outboxKeys(t, st); len(keys) == 0 || slices.ContainsFunc(keys, func(k string) bool { return !slices.Contains(before, k) }) {
		t.Fatalf("outbox %v after the run, want the e-mail as it was", keys)
	}

	b := newDispatcher(st) // another dispatcher of the same store
	clk.Add(30 * time.Second)
	if n, err := b.RunOnce(context.Background()); err != nil || n != 0 {
		t.Errorf("taken again while leased: %d, %v", n, err)
	}

	// A restart forgets the lease: the e-mail is sent at once.
	st.Close()
	st, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := newDispatcher(st)
	if n, err := c.RunOnce(context.Background()); err != nil || n < 2 { // the e-mail and the live one it carries (and Juhani's)
		t.Errorf("after the restart took %d, %v; want the e-mail", n, err)
	}
	if n := outboxLen(t, st); n != 0 {
		t.Errorf("outbox %d after delivery", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 1 {
		t.Fatalf("sent %v", sent)
	}
	for k, n := range sent {
		if n != 2 {
			t.Errorf("%s sent %d times: once in flight at the stop, once after the restart", k, n)
		}
	}
}

// TestDispatchMemoryLeaseRunsOut: a delivery leased in memory whose
// outcome was not written (the run stopped) is taken again by the same
// process once the lease runs out, and a failure still backs off (a
// retry is written with its next attempt's time).
func TestDispatchMemoryLeaseRunsOut(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("bbolt only: a shared store writes its leases")
	}
	st := openStore(t, t.TempDir())
	submitFor(t, st, "c1")
	clk := &clock{t: t0}
	attempts := 0
	mail := sendFunc(func(ctx context.Context, m notify.Message) error {
		attempts++ // one e-mail: one send at a time
		switch attempts {
		case 1:
			return context.Canceled // the run stops with it in flight
		case 2:
			return errors.New("connection refused")
		}
		return nil
	})
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: clk.Now, Lease: time.Minute, Backoff: time.Hour,
		Senders: map[string]notify.Sender{notify.ChannelEmail: mail}}
	run := func() int {
		t.Helper()
		n, err := d.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run(); n != 3 { // the e-mail, the live one it carries, Juhani's live one
		t.Fatalf("took %d, want 3", n)
	}
	if n := run(); n != 0 {
		t.Errorf("taken again within its lease: %d", n)
	}
	clk.Add(time.Minute)
	if n := run(); n != 2 || attempts != 2 { // told again with its live one, as after a crash
		t.Fatalf("after the lease took %d (attempts %d), want the e-mail again", n, attempts)
	}
	if n := run(); n != 0 {
		t.Errorf("retried at once: %d", n)
	}
	clk.Add(30 * time.Minute) // under 80 % of the backoff
	if n := run(); n != 0 {
		t.Errorf("retried before the backoff: %d", n)
	}
	clk.Add(time.Hour)
	if n := run(); n != 1 || attempts != 3 {
		t.Errorf("after the backoff took %d (attempts %d)", n, attempts)
	}
	if n := outboxLen(t, st); n != 0 {
		t.Errorf("outbox %d after delivery", n)
	}
}
