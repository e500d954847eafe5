package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/internal/cputime"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// TestBenchPush measures push deliveries per second to a local push
// service (ASIOINTI_BENCH=push; no timing assertions): 10,000
// notifications to one device each, through the outbox and the
// dispatcher, with RFC 8291 encryption and VAPID signing per message.
func TestBenchPush(t *testing.T) {
	if os.Getenv("ASIOINTI_BENCH") != "push" {
		t.Skip("set ASIOINTI_BENCH=push")
	}
	const total = 10000
	st, err := storetest.Open(t, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, _ := notify.LoadVAPID(st)
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(201)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	// The program's own client (Client nil): its connection reuse counts.
	push := &notify.Push{Store: st, Keys: keys, Hosts: []string{u.Host}, Subscriber: "https://asiointi.example.fi"}
	users := make([]string, 1000)
	for i := range users {
		users[i] = fmt.Sprintf("user%04d", i)
		b := newBrowser(t)
		p256dh, auth := b.keys()
		if _, err := push.Subscribe(users[i], fmt.Sprintf("%s/push/%d", srv.URL, i), p256dh, auth, ""); err != nil {
			t.Fatal(err)
		}
		prefs := &notify.Prefs{Store: st}
		if err := prefs.Save(users[i], []string{notify.ChannelPush}, map[string][]string{notify.KindDraftExpiring: {notify.ChannelPush}}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	for start := 0; start < total; start += 500 {
		err := st.Update(func(tx *store.Tx) error {
			for i := start; i < start+500; i++ {
				n := notify.Notification{User: users[i%len(users)], Kind: notify.KindDraftExpiring, At: now, Link: "/drafts/x",
					Params: map[string]string{"service": "home-help", "expiresAt": now.Add(48 * time.Hour).Format(time.RFC3339Nano)}}
				if err := notify.Record(tx, n); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: everyone{}, Batch: 1024, Workers: 64,
		Senders: map[string]notify.Sender{notify.ChannelPush: push}}
	cpu0 := cputime.Process()
	t0 := time.Now()
	for {
		n, err := d.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	el := time.Since(t0)
	cpu := cputime.Process() - cpu0
	n := got.Load()
	t.Logf("%d pushes in %v: %.0f/s; CPU %v in all (test push service included), %v per message", n, el.Round(time.Millisecond),
		float64(n)/el.Seconds(), cpu.Round(time.Millisecond), (cpu / time.Duration(max(n, 1))).Round(time.Microsecond))
	if n != total {
		t.Errorf("%d delivered, want %d", n, total)
	}
	// The same-run baseline: the same number of POSTs of the same size
	// (RecordSize 2048 plus the header) to the same service through the
	// same kind of client and concurrency, without the outbox, encryption
	// or VAPID: the HTTP floor the pipeline's figure compares with.
	hc := notify.NewHTTPClient(10 * time.Second)
	body := make([]byte, 2048+86)
	cpu0 = cputime.Process()
	t0 = time.Now()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range d.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= total {
				res, err := hc.Post(srv.URL+"/push/floor", "application/octet-stream", bytes.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	el = time.Since(t0)
	cpu = cputime.Process() - cpu0
	t.Logf("baseline, plain POSTs: %d in %v: %.0f/s; CPU %v per message", total, el.Round(time.Millisecond),
		float64(total)/el.Seconds(), (cpu / total).Round(time.Microsecond))
}

type everyone struct{}

func (everyone) Person(id string) (p population.Person, err error) {
	p.ID, p.Language = id, "fi"
	return p, nil
}

// BenchmarkRecordProxySubmit: what notify.Submitted of a proxy submit
// (two notifications: the principal's with an e-mail, the actor's in-app
// only) costs inside the write of the submit; 32 of them share a write,
// as submits share a group commit, on a store without fsync. Run:
//
//	go test -run xxx -bench RecordProxySubmit -benchmem ./server/notify/
func BenchmarkRecordProxySubmit(b *testing.B) {
	st, err := storetest.Open(b, b.TempDir(), store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const group = 32
	at := time.Now()
	cases := make([]string, b.N)
	for i := range cases {
		cases[i] = fmt.Sprintf("c%08d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += group {
		err := st.Update(func(tx *store.Tx) error {
			for j := i; j < min(i+group, b.N); j++ {
				if err := notify.Submitted(tx, notify.Action{Case: cases[j], Reference: "KOT-2026-000001", Service: "home-help",
					At: at.Add(time.Duration(j)), Actor: notify.Person{ID: "juhani", Name: "Juhani Korhonen"},
					Principal: &notify.Person{ID: "helmi", Name: "Helmi Korhonen"}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDispatchRecorder: the dispatcher delivers b.N proxy submits'
// notifications (Helmi's e-mail, which has an address here, and the live
// ones) to the demo outbox recorder on its own store, fsync on: what a
// delivery costs in demo mode, the recorder's write included. Run:
//
//	go test -run '^$' -bench DispatchRecorder -benchmem -benchtime 3000x ./server/notify/
func BenchmarkDispatchRecorder(b *testing.B) {
	st, err := storetest.Open(b, b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	at := time.Now()
	err = st.Update(func(tx *store.Tx) error {
		for i := range b.N {
			if err := notify.Submitted(tx, notify.Action{Case: fmt.Sprintf("c%08d", i), Service: "home-help", At: at,
				Actor: notify.Person{ID: "juhani", Name: "Juhani Korhonen"}, Principal: &notify.Person{ID: "helmi", Name: "Helmi Korhonen"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	msg, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	d := &notify.Dispatcher{Store: st, People: demo, Now: func() time.Time { return at.Add(time.Second) },
		Render:  &notify.Renderer{Msg: msg, BaseURL: "https://asiointi.example.fi", ServiceName: func(id, _ string) string { return id }},
		Senders: map[string]notify.Sender{notify.ChannelEmail: &notify.Recorder{Store: st}}}
	b.ReportAllocs()
	b.ResetTimer()
	for {
		n, err := d.RunOnce(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
}
