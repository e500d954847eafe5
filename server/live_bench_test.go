package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// TestBenchIdleSockets measures the server's resident memory growth for
// 10,000 idle authenticated WebSockets (ASIOINTI_BENCH=idle; no timing
// or size assertions): the real binary as a child process, the clients
// in this one.
func TestBenchIdleSockets(t *testing.T) {
	if os.Getenv("ASIOINTI_BENCH") != "idle" {
		t.Skip("set ASIOINTI_BENCH=idle")
	}
	const conns = 10000
	tmp := t.TempDir()
	// ASIOINTI_BENCH_BIN names another build to measure (an earlier
	// version, for a comparison in the same run).
	bin := os.Getenv("ASIOINTI_BENCH_BIN")
	if bin == "" {
		bin = filepath.Join(tmp, "asiointi")
		if out, err := exec.Command(goTool(t), "build", "-o", bin, ".").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	srv := startServer(t, bin, filepath.Join(tmp, "data"), "ASIOINTI_MAX_CONNS_PER_IP=20000")
	res, err := newHTTPClient(1).PostForm(srv.base+"/auth/test-login", url.Values{"user": {"050840-948K"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var cookie string
	for _, c := range res.Cookies() {
		if c.Name == "asiointi_session" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no session cookie")
	}
	rss := func() int {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(srv.cmd.Process.Pid) + "/status")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
				n, _ := strconv.Atoi(f[1])
				return n
			}
		}
		return 0
	}
	before := rss()
	h := http.Header{"Cookie": {cookie}, "Origin": {srv.base}}
	wsURL := "ws" + strings.TrimPrefix(srv.base, "http") + "/ws"
	var mu sync.Mutex
	var open []*fws.Conn
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	var failed int
	start := time.Now()
	for range conns {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			d := fws.Dialer{HandshakeTimeout: 20 * time.Second}
			c, _, err := d.DialContext(context.Background(), wsURL, h)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				return
			}
			open = append(open, c)
		}()
	}
	wg.Wait()
	t.Logf("%d sockets open in %v (%d failed)", len(open), time.Since(start).Round(time.Millisecond), failed)
	// Right after the connections opened (the garbage of 10,000
	// handshakes not yet collected), and idle after the runtime's forced
	// collection (every 2 minutes) and scavenging.
	for _, wait := range []time.Duration{2 * time.Second, 130 * time.Second} {
		time.Sleep(wait)
		after := rss()
		t.Logf("server RSS %d MB before, %d MB with %d idle sockets (+%v): growth %d MB (%.1f KB per socket)",
			before/1024, after/1024, len(open), wait, (after-before)/1024, float64(after-before)/float64(max(len(open), 1)))
	}
	for _, c := range open {
		c.Close()
	}
}
