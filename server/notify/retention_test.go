package notify_test

import (
	"context"
	"testing"
	"time"

	"asiointi/server/notify"
	"asiointi/server/store"
)

// TestPrune: read notices go after KeepRead, unread ones after
// KeepNotice (the unread count follows), the demo outbox's messages after
// KeepRecorded; newer ones stay.
func TestPrune(t *testing.T) {
	st := openStore(t, t.TempDir())
	inbox := &notify.Inbox{Store: st}
	rec := &notify.Recorder{Store: st, Now: func() time.Time { return t0 }}
	now := t0.Add(notify.KeepNotice)
	day := 24 * time.Hour
	notices := []struct {
		name string
		age  time.Duration
		read bool
		kept bool
	}{
		{"read, new", day, true, true},
		{"read, just under", notify.KeepRead - time.Minute, true, true},
		{"read, old", notify.KeepRead, true, false},
		{"unread, older than read ones are kept", notify.KeepRead + day, false, true},
		{"unread, at the limit", notify.KeepNotice, false, false},
		{"unread, older", notify.KeepNotice + day, false, false},
	}
	ids := map[string]string{}
	err := st.Update(func(tx *store.Tx) error {
		for _, n := range notices {
			nt := notify.Notification{ID: store.NewID(now.Add(-n.age)), User: "helmi", Kind: notify.KindProxySubmitted, At: now.Add(-n.age), Link: "/cases/x"}
			ids[n.name] = nt.ID
			if err := notify.Record(tx, nt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notices {
		if n.read {
			if err := inbox.MarkRead("helmi", ids[n.name]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, at := range []time.Time{now.Add(-notify.KeepRecorded), now.Add(-notify.KeepRecorded + time.Minute)} {
		rec.Now = func() time.Time { return at }
		if err := rec.Send(context.Background(), notify.Message{Key: store.NewID(at) + ".email", Channel: notify.ChannelEmail, To: "helmi@example.fi"}); err != nil {
			t.Fatal(err)
		}
	}

	n, err := notify.Prune(st, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("pruned %d, want 3 notices and 1 message", n)
	}
	list, _ := inbox.List("helmi", 0)
	kept := map[string]bool{}
	for _, nt := range list {
		kept[nt.ID] = true
	}
	for _, nt := range notices {
		if kept[ids[nt.name]] != nt.kept {
			t.Errorf("%s: kept %v, want %v", nt.name, kept[ids[nt.name]], nt.kept)
		}
	}
	if u, _ := inbox.Unread("helmi"); u != 1 {
		t.Errorf("unread %d, want 1", u)
	}
	if msgs, _ := rec.List(); len(msgs) != 1 {
		t.Errorf("demo outbox keeps %d, want 1", len(msgs))
	}
	if n, err := notify.Prune(st, now); n != 0 || err != nil {
		t.Errorf("again: %d %v", n, err)
	}
}
