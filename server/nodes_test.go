package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"

	"asiointi/server/apiclient"
	"asiointi/server/internal/pgtest"
)

// balancer is the test's load balancer: round robin over the nodes it
// has not been told are gone. It does not retry a request a node cut off
// (that request was not acknowledged).
type balancer struct {
	mu    sync.Mutex
	nodes []*url.URL
	gone  []bool
	next  int
}

func (b *balancer) pick() *url.URL {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		i := b.next % len(b.nodes)
		b.next++
		if !b.gone[i] {
			return b.nodes[i]
		}
	}
}

func (b *balancer) drop(i int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gone[i] = true
}

// back puts node i, restarted at base, behind the balancer again.
func (b *balancer) back(t *testing.T, i int, base string) {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nodes[i], b.gone[i] = u, false
}

func newBalancer(t *testing.T, bases ...string) (*balancer, string) {
	b := &balancer{gone: make([]bool, len(bases))}
	for _, s := range bases {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		b.nodes = append(b.nodes, u)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(b.pick())
			r.Out.Host = r.In.Host // the nodes see the address the clients use
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) },
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return b, srv.URL
}

// TestTwoNodesOnePostgres: two app processes on one PostgreSQL database
// behind one address. Residents log in, autosave and submit through the
// balancer, so every session is used on both nodes. A submission made on
// node A reaches the resident's live connection held by node B. Then A
// gets SIGKILL in the middle of the load: every save and submission
// acknowledged is there when read through B, B goes on serving the same
// sessions, and no reference number is given twice. Then the second
// round: A comes back, both serve, and B gets SIGKILL; everything is
// there when read through A. (Every outbox delivery exactly once across
// nodes, and a dead node's claims taken over: TestDispatchTwoNodes in
// server/notify.)
func TestTwoNodesOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("two server processes; skipped with -short")
	}
	dbURL := pgtest.URL(t)
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "asiointi")
	if out, err := exec.Command(goTool(t), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	a := startServer(t, bin, filepath.Join(tmp, "a"), "ASIOINTI_STORE="+dbURL)
	b := startServer(t, bin, filepath.Join(tmp, "b"), "ASIOINTI_STORE="+dbURL)
	lb, base := newBalancer(t, a.base, b.base)
	def := fetchForm(t, base)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))

	t.Run("a submission on A reaches B's live connection", func(t *testing.T) {
		hc := newHTTPClient(2)
		defer hc.CloseIdleConnections()
		// The service's manager has the inbox open on B; a resident sends
		// an application on A.
		manager, err := apiclient.Login(hc, b.base, "pertti")
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{"Cookie": {manager.Cookie()}, "Origin": {b.base}}
		ws, _, err := (&fws.Dialer{HandshakeTimeout: 10 * time.Second}).Dial("ws"+strings.TrimPrefix(b.base, "http")+"/ws", h)
		if err != nil {
			t.Fatalf("live connection to B: %v", err)
		}
		defer func() { ws.Close() }()
		resident, err := apiclient.Login(hc, a.base, demoResidents[2])
		if err != nil {
			t.Fatal(err)
		}
		// The connection is in B's hub a moment after the handshake: a
		// submission is made again (a new one) until B hears one.
		submitted := map[string]bool{}
		deadline := time.Now().Add(20 * time.Second) // a deadline, not a timing assertion
		for tries := 1; ; tries++ {
			d, err := resident.CreateDraft(durService)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := resident.Save(d.ID, d.Version, def.answers(rng, true)); err != nil {
				t.Fatal(err)
			}
			sub, err := resident.Submit(d.ID)
			if err != nil {
				t.Fatal(err)
			}
			submitted[sub.ID] = true
			ws.SetReadDeadline(time.Now().Add(2 * time.Second))
			for {
				_, msg, err := ws.ReadMessage()
				if err != nil {
					break
				}
				var ev struct{ Type, ID string }
				if json.Unmarshal(msg, &ev) == nil && ev.Type == "case" && submitted[ev.ID] {
					t.Logf("B's connection heard the submission on A (try %d)", tries)
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("B's live connection heard nothing of %d submissions on A", tries)
			}
			// The read timed out: the connection is unusable, open another.
			ws.Close()
			if ws, _, err = (&fws.Dialer{HandshakeTimeout: 10 * time.Second}).Dial("ws"+strings.TrimPrefix(b.base, "http")+"/ws", h); err != nil {
				t.Fatalf("live connection to B: %v", err)
			}
		}
	})

	led := newLedger()
	sessions := loginAll(t, base, durClients)
	load := func(killed *atomic.Bool, d time.Duration, during func()) {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range durClients {
			wg.Add(1)
			seed := rng.Uint64()
			go func() {
				defer wg.Done()
				runClient(ctx, t, base, sessions[i], i%len(demoResidents), def, led, killed, seed)
			}()
		}
		time.Sleep(d)
		during()
		cancel()
		wg.Wait()
	}
	// Both nodes serve; A dies in the middle of it.
	var killed atomic.Bool
	load(&killed, time.Duration(300+rng.IntN(500))*time.Millisecond, func() {
		killed.Store(true)
		a.kill()
		lb.drop(0)
	})
	verify(t, b.base, led, led.takeTouched(), "through node B after node A was killed")
	// B alone, the same sessions: now every failure counts.
	var none atomic.Bool
	load(&none, 500*time.Millisecond, func() {})
	verify(t, b.base, led, led.allDrafts(), "through node B alone")
	if errs := b.errorLines(); len(errs) > 0 {
		t.Errorf("node B logged errors:\n%s", strings.Join(errs, "\n"))
	}
	// The second round: A is back; B dies in the middle of the load.
	a = startServer(t, bin, filepath.Join(tmp, "a"), "ASIOINTI_STORE="+dbURL)
	lb.back(t, 0, a.base)
	var killedB atomic.Bool
	load(&killedB, time.Duration(300+rng.IntN(500))*time.Millisecond, func() {
		killedB.Store(true)
		b.kill()
		lb.drop(1)
	})
	verify(t, a.base, led, led.allDrafts(), "at the end, through node A after node B was killed")
	verifyUniqueReferences(t, a.base, led)
	if errs := a.errorLines(); len(errs) > 0 {
		t.Errorf("node A logged errors:\n%s", strings.Join(errs, "\n"))
	}
	saves, submits, creates := led.counts()
	t.Logf("%d drafts created, %d saves and %d submissions acknowledged, %d requests cut off by the kills", creates, saves, submits, led.cut.Load())
	if saves == 0 || submits == 0 {
		t.Errorf("no acknowledged saves (%d) or submissions (%d): nothing was proven", saves, submits)
	}
}
