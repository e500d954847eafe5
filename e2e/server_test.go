package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The demo people of CONTRACT.md used by the tests.
const (
	hetuAino  = "140386-902R"
	nameAino  = "Aino Virtanen"
	userKaisa = "kaisa"
	nameKaisa = "Kaisa Käsittelijä"
)

// demoHetus are all demo henkilötunnukset: none may ever appear in a log.
var demoHetus = []string{
	"140386-902R", "021184-9139", "210620A925C", "090111A936M",
	"050840-948K", "300468-951T", "171279-9677", "030392-974H",
}

// Server is a running asiointi server started by startServer.
type Server struct {
	URL     string // http://127.0.0.1:PORT, no trailing slash
	Addr    string // 127.0.0.1:PORT
	DataDir string

	t       testing.TB
	cmd     *exec.Cmd
	logs    *lockedBuffer
	logFile *os.File
	exited  chan struct{}
	waitErr error
	once    sync.Once
}

// startServer builds nothing (TestMain built the binary): it starts the
// server on a free loopback port with a fresh data directory in demo mode
// with rate limits off, plus env ("NAME=value"; an ASIOINTI_ADDR there is
// used instead of a free port), and waits for /readyz.
// At the end of the test it stops the server with SIGTERM and fails the test
// unless the server exits 0 (graceful shutdown) and its log holds no
// henkilötunnus.
func startServer(t testing.TB, env ...string) *Server {
	t.Helper()
	requireE2E(t)
	if serverBin == "" {
		t.Fatal("the server binary was not built (TestMain did not run?)")
	}
	data, err := os.MkdirTemp("", "asiointi-e2e-data-")
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	for _, e := range env { // a test that must know the address first picks it
		if a, ok := strings.CutPrefix(e, "ASIOINTI_ADDR="); ok {
			addr = a
		}
	}
	s := &Server{
		URL: "http://" + addr, Addr: addr, DataDir: data, t: t,
		logs: &lockedBuffer{}, exited: make(chan struct{}),
	}
	if f, err := os.Create(artifactPath(t, "server.log")); err == nil {
		s.logFile = f
	}
	cmd := exec.Command(serverBin)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(),
		"ASIOINTI_ADDR="+addr,
		"ASIOINTI_DATA="+data,
		"ASIOINTI_MODE=demo",
		"ASIOINTI_RATE_LIMITS=off",
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout = s.logs
	cmd.Stderr = s.logs
	if s.logFile != nil {
		cmd.Stdout = &teeWriter{s.logs, s.logFile}
		cmd.Stderr = cmd.Stdout
	}
	s.cmd = cmd
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.Stop()
		if s.logFile != nil {
			s.logFile.Close()
		}
		if t.Failed() {
			t.Logf("server log (%s):\n%s", addr, tail(s.Logs(), 4000))
		}
		os.RemoveAll(data)
	})
	if err := s.waitReady(20 * time.Second); err != nil {
		t.Fatalf("server did not become ready: %v\nlog:\n%s", err, s.Logs())
	}
	t.Logf("server ready at %s in %s", s.URL, time.Since(start).Round(time.Millisecond))
	return s
}

func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("server exited early: %v", s.waitErr)
		default:
		}
		resp, err := client.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("timeout waiting for GET /readyz = 200")
}

// Stop sends SIGTERM and waits (at most 15 s) for the server to exit; the
// test fails unless it exits with status 0. It runs at most once (also from
// the test's cleanup) and does nothing after Kill.
func (s *Server) Stop() {
	s.once.Do(func() {
		t := s.t
		t.Helper()
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(15 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
			t.Errorf("server did not exit within 15 s of SIGTERM (graceful shutdown must finish in ≤10 s)")
			return
		}
		if s.waitErr != nil {
			t.Errorf("server did not shut down cleanly on SIGTERM: %v (want exit status 0)", s.waitErr)
		}
		logs := s.Logs()
		for _, h := range demoHetus {
			if strings.Contains(logs, h) {
				t.Errorf("server log contains a henkilötunnus (%s): logs must never hold one", h)
			}
		}
	})
}

// Kill ends the server at once with SIGKILL (no graceful shutdown); the
// cleanup then checks nothing about its exit.
func (s *Server) Kill() {
	s.once.Do(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
}

// Logs is what the server has written to stdout and stderr so far.
func (s *Server) Logs() string { return s.logs.String() }

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type teeWriter struct {
	a *lockedBuffer
	f *os.File
}

func (w *teeWriter) Write(p []byte) (int, error) {
	_, _ = w.f.Write(p)
	return w.a.Write(p)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
