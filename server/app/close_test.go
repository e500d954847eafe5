package app_test

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestCloseAfterAFailedRun: when start-up fails after the server listens
// (here the metrics address is taken), Close stops what did start, frees
// the address and closes the store instead of panicking.
func TestCloseAfterAFailedRun(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	m := open(t, t.TempDir(), nil)
	m.Config.Addr = "127.0.0.1:0"
	m.Config.MetricsAddr = taken.Addr().String()
	err = m.Run()
	if err == nil || !strings.Contains(err.Error(), "metrics listener") {
		m.Close()
		t.Fatalf("Run with a taken metrics address: %v", err)
	}
	addr := m.Addr()
	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Close did not return")
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("%s still accepts after Close", addr)
	}
	if m.Store.Ready() {
		t.Error("the store is still open")
	}
}
