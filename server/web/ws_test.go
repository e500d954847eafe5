package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"

	"asiointi/server/notify"
)

// serve runs the app on a loopback port for clients that need a real
// connection (WebSocket).
func (e *env) serve() string {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	go e.s.App().Listener(ln)
	e.t.Cleanup(func() { e.s.Shutdown(5 * time.Second) })
	return ln.Addr().String()
}

func dialWS(addr, origin string, cookies ...*http.Cookie) (*fws.Conn, int, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	for _, c := range cookies {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	d := fws.Dialer{HandshakeTimeout: 5 * time.Second}
	conn, res, err := d.DialContext(context.Background(), "ws://"+addr+"/ws", h)
	code := 0
	if res != nil {
		code = res.StatusCode
	}
	return conn, code, err
}

func readEvent(t *testing.T, c *fws.Conn) (notify.Event, int) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ev notify.Event
	err := c.ReadJSON(&ev)
	var ce *fws.CloseError
	if errors.As(err, &ce) {
		return ev, ce.Code
	}
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return ev, 0
}

// waitConns waits until the hub holds exactly n connections.
func waitConns(t *testing.T, e *env, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for e.s.hub.Len() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections, want %d", e.s.hub.Len(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLiveSocket(t *testing.T) {
	e := newEnv(t)
	addr := e.serve()
	origin := "http://" + addr
	helmi := e.login("050840-948K")
	for _, tc := range []struct {
		name    string
		origin  string
		cookies []*http.Cookie
		want    int
	}{
		{"not logged in", origin, nil, 401},
		{"another site", "https://evil.example", []*http.Cookie{helmi}, 403},
		{"no origin", "", []*http.Cookie{helmi}, 403},
	} {
		if _, code, err := dialWS(addr, tc.origin, tc.cookies...); err == nil || code != tc.want {
			t.Errorf("%s: %d %v, want %d", tc.name, code, err, tc.want)
		}
	}
	c, _, err := dialWS(addr, origin, helmi)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	live := e.s.Live()
	waitConns(t, e, 1)
	e.proxySubmit("050840-948K", "Helmi Korhonen", "case1")
	if err := live.Send(context.Background(), notify.Message{User: e.personID("050840-948K"), Notice: "n1", Link: "/cases/case1"}); err != nil {
		t.Fatal(err)
	}
	if ev, code := readEvent(t, c); code != 0 || ev.Type != "notification" || ev.Unread != 1 || ev.ID != "n1" {
		t.Errorf("event %+v close %d", ev, code)
	}
	// Logout closes the session's sockets.
	e.do(req{method: "POST", path: "/auth/logout", body: "_csrf=" + e.csrf(helmi), cookies: []*http.Cookie{helmi}})
	if _, code := readEvent(t, c); code != notify.CloseSessionEnded {
		t.Errorf("after logout: close %d", code)
	}
	waitConns(t, e, 0)
	// A change of acting-for closes the sockets opened before it.
	juhani := e.client("300468-951T")
	cj, _, err := dialWS(addr, origin, juhani.cookie)
	if err != nil {
		t.Fatal(err)
	}
	defer cj.Close()
	waitConns(t, e, 1)
	if r, _ := juhani.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": juhani.principal("Helmi Korhonen")}); r.StatusCode != 200 {
		t.Fatalf("acting-for: %d", r.StatusCode)
	}
	if _, code := readEvent(t, cj); code != notify.CloseSessionEnded {
		t.Errorf("after acting-for change: close %d", code)
	}
	waitConns(t, e, 0)
	// Shutdown: 1001.
	sven := e.login("171279-9677")
	c2, _, err := dialWS(addr, origin, sven)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	waitConns(t, e, 1)
	e.s.hub.Shutdown()
	if _, code := readEvent(t, c2); code != fws.CloseGoingAway {
		t.Errorf("shutdown: close %d", code)
	}
}
