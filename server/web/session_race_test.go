package web

import (
	"net/http"
	"strings"
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

// TestRequestsCrossingARotation: a request that still carries the token of
// before an acting-for change is not served as the person, but its answer
// does not clear the cookie (the browser holds the new one already); a
// logout sent with that token ends the new session too.
func TestRequestsCrossingARotation(t *testing.T) {
	e := newEnv(t)
	old := e.login("140386-902R")
	r := e.do(req{method: "PUT", path: "/api/v1/session/acting-for", body: `{"principal":null}`, headers: map[string]string{"X-CSRF-Token": e.csrf(old)}, cookies: []*http.Cookie{old}})
	nc := cookie(r, cookieSession)
	if r.StatusCode != 200 || nc == nil || nc.Value == old.Value {
		t.Fatalf("switch: %d", r.StatusCode)
	}
	crossing := e.do(req{path: "/api/v1/session", cookies: []*http.Cookie{old}})
	if strings.Contains(crossing.body, "Aino") {
		t.Error("the rotated-away token is still served as the person")
	}
	if c := cookie(crossing, cookieSession); c != nil {
		t.Errorf("the answer to a request crossing the rotation clears the new cookie: %v", c)
	}
	// An unknown token is cleared as before.
	if c := cookie(e.do(req{path: "/api/v1/session", cookies: []*http.Cookie{{Name: cookieSession, Value: "nonsense"}}}), cookieSession); c == nil || c.MaxAge >= 0 {
		t.Error("an unknown session cookie is not cleared")
	}
	if r := e.do(req{method: "POST", path: "/auth/logout", cookies: []*http.Cookie{old}}); r.StatusCode != 303 {
		t.Fatalf("logout with the old token: %d", r.StatusCode)
	}
	if r := e.do(req{path: "/fi/my", cookies: []*http.Cookie{nc}}); r.StatusCode != 303 {
		t.Error("the session the old token was rotated into survived its logout")
	}
}
