package main

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"asiointi/server/identity"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// TestKillNotifications: the server gets SIGKILL while it dispatches
// committed notifications to an SMS gateway; after a restart every one
// arrives, and only what was in flight at the kill arrives twice (the
// gateway can drop those by their Idempotency-Key). On bbolt the
// dispatcher's leases are in memory, so what was in flight is sent again
// as soon as the server is back (on a shared store after its 45 s
// lease); skipped with -short.
func TestKillNotifications(t *testing.T) {
	if testing.Short() {
		t.Skip("kill-and-restart test; skipped with -short")
	}
	const total = 300
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "asiointi")
	if out, err := exec.Command(goTool(t), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dataDir := filepath.Join(tmp, "data")
	startServer(t, bin, dataDir).terminate(t) // seeds the demo people

	// Commit the notifications while the server is down.
	st, err := store.Open(dataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	helmi, err := (&identity.Directory{Store: st}).PersonByHetu("050840-948K")
	if err != nil {
		t.Fatal(err)
	}
	if err := (&notify.Prefs{Store: st}).Save(helmi.ID, []string{notify.ChannelSMS, notify.ChannelEmail, notify.ChannelPush},
		map[string][]string{notify.KindProxySubmitted: {notify.ChannelSMS}}); err != nil {
		t.Fatal(err)
	}
	err = st.Update(func(tx *store.Tx) error {
		for range total {
			if err := notify.Submitted(tx, notify.Action{Case: store.NewID(time.Now()), Service: "home-help", At: time.Now(),
				Actor: notify.Person{ID: "someone", Name: "Juhani Korhonen"}, Principal: &notify.Person{ID: helmi.ID, Name: helmi.Name()}}); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	got := map[string]int{}
	sent := 0
	halfway := make(chan struct{})
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // a gateway takes its time
		mu.Lock()
		got[r.Header.Get("Idempotency-Key")]++
		sent++
		if sent == total/3 {
			close(halfway)
		}
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer gw.Close()
	env := []string{"ASIOINTI_SMS_URL=" + gw.URL + "/send"}

	srv := startServer(t, bin, dataDir, env...)
	select {
	case <-halfway:
	case <-time.After(60 * time.Second):
		t.Fatalf("the dispatcher did not get a third through in 60 s\n%s", srv.tail())
	}
	srv.kill()
	mu.Lock()
	atKill := sent
	mu.Unlock()
	t.Logf("killed after %d of %d messages", atKill, total)

	srv = startServer(t, bin, dataDir, env...)
	defer srv.terminate(t)
	deadline := time.Now().Add(120 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d notifications arrived after the restart", n, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // anything more would be a repeat
	mu.Lock()
	defer mu.Unlock()
	twice := 0
	for k, n := range got {
		switch {
		case n == 2:
			twice++
		case n > 2:
			t.Errorf("%s arrived %d times", k, n)
		}
	}
	// At most the dispatcher's workers (32) were in flight at the kill.
	if twice > 32 {
		t.Errorf("%d messages arrived twice; only those in flight at the kill may", twice)
	}
	t.Logf("%d arrived twice (in flight at the kill), %d messages in all", twice, sent)
}
