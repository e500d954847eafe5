package web

import (
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"asiointi/server/notify"
)

// TestBenchFanout measures one event fanned out to 1,000 open sockets of
// one person (ASIOINTI_BENCH=fanout; no timing assertions): latency from
// Publish to each client's read, clients in the same process.
func TestBenchFanout(t *testing.T) {
	if os.Getenv("ASIOINTI_BENCH") != "fanout" {
		t.Skip("set ASIOINTI_BENCH=fanout")
	}
	const clients = 1000
	e := newEnv(t)
	addr := e.serve()
	helmi := e.login("050840-948K")
	var wg sync.WaitGroup
	got := make(chan time.Duration, clients)
	var start time.Time
	var startMu sync.RWMutex
	for i := range clients {
		c, _, err := dialWS(addr, "http://"+addr, helmi)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		defer c.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(60 * time.Second))
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
			startMu.RLock()
			got <- time.Since(start)
			startMu.RUnlock()
		}()
	}
	waitConns(t, e, clients)
	startMu.Lock()
	start = time.Now()
	startMu.Unlock()
	e.s.hub.Publish(e.personID("050840-948K"), notify.Event{Type: "notification", ID: "n1", Unread: 1})
	wg.Wait()
	close(got)
	var ds []time.Duration
	for d := range got {
		ds = append(ds, d)
	}
	slices.Sort(ds)
	if len(ds) != clients {
		t.Fatalf("%d of %d received", len(ds), clients)
	}
	t.Logf("fan-out to %d sockets: p50 %v, p99 %v, max %v", clients, ds[len(ds)/2].Round(time.Microsecond),
		ds[len(ds)*99/100].Round(time.Microsecond), ds[len(ds)-1].Round(time.Microsecond))
}
