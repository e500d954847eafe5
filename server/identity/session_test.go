package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// openStore opens a store in dir. fsync is off: these tests count writes
// and races, not durability (the store's own tests cover that), and a
// clean Close still leaves everything on disk for the reopen.
func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := storetest.Open(t, dir, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newSessions(st *store.Store, now func() time.Time, touch time.Duration) *Sessions {
	return &Sessions{Store: st, Idle: 30 * time.Minute, KioskIdle: 10 * time.Minute, Absolute: 12 * time.Hour, Touch: touch, Now: now}
}

// TestTouchNeverResurrects races many requests that read a session and
// record activity against its logout or its rotation (acting-for), and
// checks the old token is dead afterwards: at once, and after a restart.
// Every Get writes LastSeen here (Touch 0), so the race is wide open.
func TestTouchNeverResurrects(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	m := newSessions(st, time.Now, 0)
	var dead, live []string
	const rounds, readers = 30, 24
	for round := 0; round < rounds; round++ {
		tok, s, err := m.Create(Session{UserID: "u1", Kind: Resident, Name: "Aino"})
		if err != nil {
			t.Fatal(err)
		}
		var gets atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for g := 0; g < readers; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := m.Get(tok); err != nil && !errors.Is(err, ErrNoSession) {
						t.Error(err)
						return
					}
					gets.Add(1)
				}
			}()
		}
		waitFor := func(n int64) {
			for gets.Load() < n {
				time.Sleep(100 * time.Microsecond)
			}
		}
		waitFor(readers)
		if round%2 == 0 {
			if err := m.Delete(s.Key); err != nil {
				t.Fatal(err)
			}
		} else {
			ntok, _, err := m.Rotate(s)
			if err != nil {
				t.Fatal(err)
			}
			live = append(live, ntok)
		}
		// The readers that had the session in hand finish their writes now.
		waitFor(gets.Load() + 2*readers)
		close(stop)
		wg.Wait()
		if _, err := m.Get(tok); !errors.Is(err, ErrNoSession) {
			t.Errorf("round %d: old token still works after %s: %v", round, [2]string{"logout", "rotation"}[round%2], err)
		}
		dead = append(dead, tok)
	}
	if t.Failed() {
		return
	}
	// A restart: nothing in memory, only what the store holds.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir)
	defer st.Close()
	m = newSessions(st, time.Now, 0)
	for i, tok := range dead {
		if _, err := m.Get(tok); !errors.Is(err, ErrNoSession) {
			t.Errorf("after a restart, ended session %d still works: %v", i, err)
		}
	}
	for i, tok := range live {
		if s, err := m.Get(tok); err != nil || s.UserID != "u1" {
			t.Errorf("after a restart, rotated session %d lost: %v", i, err)
		}
	}
	var n int
	if err := st.View(func(tx *store.Tx) (err error) { n, err = tx.Count(store.Sessions); return err }); err != nil {
		t.Fatal(err)
	}
	if n != len(live) {
		t.Errorf("%d sessions stored, want %d (the rotated ones)", n, len(live))
	}
}

// TestRotateAfterLogout: an acting-for switch that raced with logout must
// not start a new session from the ended one.
func TestRotateAfterLogout(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	clk := newClock()
	m := newSessions(st, clk.Now, time.Minute)
	tok, s, err := m.Create(Session{UserID: "u1", Kind: Resident})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(s.Key); err != nil {
		t.Fatal(err)
	}
	if ntok, _, err := m.Rotate(s); !errors.Is(err, ErrNoSession) {
		t.Errorf("rotation of an ended session: %v", err)
		if _, err := m.Get(ntok); err == nil {
			t.Error("the rotated copy of an ended session works")
		}
	}
	if _, err := m.Get(tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("ended session: %v", err)
	}
}

// TestRotationThenLogout: a logout sent with the token of before an
// acting-for change (the two requests crossed) ends the session the
// change made as well; a request that merely crossed a rotation is told
// so (ErrRotated), a request after logout is not.
func TestRotationThenLogout(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	clk := newClock()
	m := newSessions(st, clk.Now, time.Minute)
	tokA, a, err := m.Create(Session{UserID: "u1", Kind: Resident})
	if err != nil {
		t.Fatal(err)
	}
	tokB, _, err := m.Rotate(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(tokA); !errors.Is(err, ErrRotated) || !errors.Is(err, ErrNoSession) {
		t.Errorf("rotated-away token: %v, want ErrRotated (an ErrNoSession)", err)
	}
	if _, err := m.Get(tokB); err != nil {
		t.Fatalf("new token: %v", err)
	}
	if err := m.End(tokA); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"old": tokA, "new": tokB} {
		if _, err := m.Get(tok); !errors.Is(err, ErrNoSession) || errors.Is(err, ErrRotated) {
			t.Errorf("%s token after logout: %v, want ErrNoSession", name, err)
		}
	}
	// A rotation of the ended session fails and creates nothing.
	if _, _, err := m.Rotate(a); !errors.Is(err, ErrNoSession) {
		t.Errorf("rotating an ended session: %v", err)
	}
	var n int
	if err := st.View(func(tx *store.Tx) (err error) { n, err = tx.Count(store.Sessions); return err }); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d sessions stored after logout, want 0", n)
	}
}

// TestSessionLifetimes: idle and absolute timeouts, the kiosk's shorter
// idle time, activity written at most once per Touch interval, and tokens
// that are no tokens.
func TestSessionLifetimes(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	clk := newClock()
	m := newSessions(st, clk.Now, time.Minute)
	stored := func(key string) Session {
		var s Session
		st.View(func(tx *store.Tx) error { return tx.Get(store.Sessions, key, &s) })
		return s
	}
	for _, tc := range []struct {
		name  string
		kiosk bool
		steps []time.Duration // idle gaps between requests
		alive []bool          // whether the request after each gap finds the session
	}{
		{"active within idle", false, []time.Duration{29 * time.Minute, 29 * time.Minute}, []bool{true, true}},
		{"idle timeout", false, []time.Duration{30 * time.Minute}, []bool{false}},
		{"kiosk idle timeout", true, []time.Duration{9 * time.Minute, 10 * time.Minute}, []bool{true, false}},
		{"absolute limit", false, append(repeat(20*time.Minute, 36), time.Minute), append(repeatBool(true, 35), false, false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, _, err := m.Create(Session{UserID: "u", Kind: Resident, Kiosk: tc.kiosk})
			if err != nil {
				t.Fatal(err)
			}
			for i, gap := range tc.steps {
				clk.Add(gap)
				_, err := m.Get(tok)
				if got := err == nil; got != tc.alive[i] {
					t.Fatalf("request %d after %v: alive=%v (%v), want %v", i, gap, got, err, tc.alive[i])
				}
			}
		})
	}
	// Activity is written once per Touch interval, not on every request.
	tok, s, _ := m.Create(Session{UserID: "u", Kind: Resident})
	created := s.LastSeen
	clk.Add(30 * time.Second)
	if got, _ := m.Get(tok); !got.LastSeen.Equal(created) || !stored(s.Key).LastSeen.Equal(created) {
		t.Error("LastSeen written before the Touch interval")
	}
	clk.Add(31 * time.Second)
	if got, _ := m.Get(tok); !got.LastSeen.Equal(clk.Now()) || !stored(s.Key).LastSeen.Equal(clk.Now()) {
		t.Errorf("LastSeen not written after the Touch interval: %v", stored(s.Key).LastSeen)
	}
	for _, bad := range []string{"", "x", strings.Repeat("a", 101), tok + "x"} {
		if _, err := m.Get(bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("token %.20q: %v", bad, err)
		}
	}
	if err := m.End(""); err != nil {
		t.Errorf("End of no token: %v", err)
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func repeatBool(b bool, n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// TestSessionCacheShrinks: memory holds live sessions and, for a while,
// tombstones of ended ones; Sweep evicts the expired sessions and the
// tombstones whose sessions could not be alive any more.
func TestSessionCacheShrinks(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	clk := newClock()
	m := newSessions(st, clk.Now, time.Minute)
	var toks []string
	for i := 0; i < 60; i++ {
		tok, s, err := m.Create(Session{UserID: "u", Kind: Resident})
		if err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 0:
			toks = append(toks, tok)
		case 1:
			if err := m.Delete(s.Key); err != nil {
				t.Fatal(err)
			}
		case 2:
			if _, _, err := m.Rotate(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := m.cachedLen(); n != 80 { // 20 live, 20 logged out, 20 rotated away + 20 rotated into
		t.Fatalf("%d entries in memory, want 80", n)
	}
	// Another process's view: reading from the store fills memory too.
	m2 := newSessions(st, clk.Now, time.Minute)
	for _, tok := range toks {
		if _, err := m2.Get(tok); err != nil {
			t.Fatal(err)
		}
	}
	if m2.cachedLen() != len(toks) {
		t.Fatalf("m2 holds %d, want %d", m2.cachedLen(), len(toks))
	}
	clk.Add(31 * time.Minute)
	n, err := m.Sweep()
	if err != nil || n != 40 {
		t.Fatalf("sweep: %d %v, want 40 expired", n, err)
	}
	if got := m.cachedLen(); got != 40 { // the tombstones stay until the absolute limit
		t.Errorf("%d entries after sweeping expired sessions, want the 40 tombstones", got)
	}
	if _, err := m2.Sweep(); err != nil {
		t.Fatal(err)
	}
	if got := m2.cachedLen(); got != 0 {
		t.Errorf("m2 keeps %d expired sessions in memory", got)
	}
	clk.Add(12 * time.Hour)
	if _, err := m.Sweep(); err != nil {
		t.Fatal(err)
	}
	if got := m.cachedLen(); got != 0 {
		t.Errorf("%d tombstones kept past the absolute limit", got)
	}
	for _, tok := range toks {
		if _, err := m.Get(tok); !errors.Is(err, ErrNoSession) {
			t.Errorf("expired session after sweep: %v", err)
		}
	}
}

// TestRotateVanished: a rotation of a session the store no longer holds
// (swept as expired) fails, and leaves no sign of a rotation behind: the
// old token's requests are not told it was rotated.
func TestRotateVanished(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	m := newSessions(st, newClock().Now, time.Minute)
	tok, s, err := m.Create(Session{UserID: "u1", Kind: Resident})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(func(tx *store.Tx) error { return tx.Delete(store.Sessions, s.Key) }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Rotate(s); !errors.Is(err, ErrNoSession) {
		t.Fatalf("rotating a vanished session: %v", err)
	}
	if _, err := m.Get(tok); !errors.Is(err, ErrNoSession) || errors.Is(err, ErrRotated) {
		t.Errorf("old token: %v, want ErrNoSession and not ErrRotated", err)
	}
}

// TestCSRFTokens: tokens are the HMAC-SHA256 of "csrf:"+binding under the
// secret, in unpadded base64url, whichever secrets are in use in turn (the
// MACs are pooled per secret), and a check accepts exactly that token.
func TestCSRFTokens(t *testing.T) {
	want := func(secret []byte, binding string) string {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte("csrf:" + binding))
		return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}
	secrets := [][]byte{[]byte("one secret"), []byte(NewToken()), []byte("one secret, longer than a block of SHA-256: " + strings.Repeat("x", 80))}
	for round := range 3 {
		for _, secret := range secrets {
			for _, binding := range []string{"k", "pre:" + NewToken(), HashToken("a session"), strings.Repeat("b", 300)} {
				tok := CSRFToken(secret, binding)
				if tok != want(secret, binding) {
					t.Fatalf("round %d: token %q, want %q", round, tok, want(secret, binding))
				}
				if !CheckCSRF(secret, binding, tok) {
					t.Errorf("round %d: the token of %q refused", round, binding)
				}
				for _, bad := range []string{"", tok[:len(tok)-1], tok + "A", want(secrets[(round+1)%len(secrets)], binding), CSRFToken(secret, binding+"x")} {
					if bad != tok && CheckCSRF(secret, binding, bad) {
						t.Errorf("round %d: %q accepted for %q", round, bad, binding)
					}
				}
				if CheckCSRF(secret, "", tok) {
					t.Error("no binding accepted")
				}
			}
		}
	}
}

// TestPerRequestAllocations: a request's session lookup (a session in
// memory) and its CSRF check allocate nothing: they run for every
// request (each allocated several times: a hex key, a new HMAC, strings).
func TestPerRequestAllocations(t *testing.T) {
	m := newSessions(openStore(t, t.TempDir()), newClock().Now, time.Hour)
	tok, _, err := m.Create(Session{UserID: "u1", Kind: Resident, Name: "Aino"})
	if err != nil {
		t.Fatal(err)
	}
	secret, binding := []byte(NewToken()), HashToken(tok)
	csrf := CSRFToken(secret, binding)
	for name, f := range map[string]func(){
		"Get": func() {
			if s, err := m.Get(tok); err != nil || s.Key != binding {
				t.Fatalf("%+v %v", s, err)
			}
		},
		"CheckCSRF": func() {
			if !CheckCSRF(secret, binding, csrf) {
				t.Fatal("refused")
			}
		},
	} {
		if name == "CheckCSRF" && raceDetector {
			continue // its HMACs are pooled
		}
		if n := testing.AllocsPerRun(100, f); n >= 1 {
			t.Errorf("%s: %.0f allocations", name, n)
		}
	}
}
