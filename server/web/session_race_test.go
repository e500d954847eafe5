package web

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestLogoutAndRotationStick is the probe of issue 7 over HTTP: after a
// minute idle (so every request records activity), many requests read the
// session while it is logged out or rotated; the old cookie must be dead.
func TestLogoutAndRotationStick(t *testing.T) {
	e := newEnv(t)
	for round := 0; round < 8; round++ {
		c := e.login("140386-902R")
		tok := e.csrf(c)
		e.clock.Add(61 * time.Second)
		var wg sync.WaitGroup
		for i := 0; i < 24; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.do(req{path: "/api/v1/session", cookies: []*http.Cookie{c}})
			}()
		}
		if round%2 == 0 {
			e.do(req{method: "POST", path: "/auth/logout", body: "_csrf=" + tok, cookies: []*http.Cookie{c}})
		} else {
			r := e.do(req{method: "PUT", path: "/api/v1/session/acting-for", body: `{"principal":null}`, headers: map[string]string{"X-CSRF-Token": tok}, cookies: []*http.Cookie{c}})
			if r.StatusCode != 200 {
				t.Fatalf("acting-for: %d %s", r.StatusCode, r.body)
			}
		}
		wg.Wait()
		if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{c}}); r.StatusCode != 303 {
			t.Errorf("round %d: old cookie still works after %s", round, [2]string{"logout", "rotation"}[round%2])
		}
	}
}
