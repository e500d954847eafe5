package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
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

// TestLiveResync: a page connects with ?since= the newest notification it
// saw (the layout tells it); the server first sends what it missed, oldest
// first, or "resync" when that is more than it replays; without since it
// sends nothing, and junk is refused.
func TestLiveResync(t *testing.T) {
	e := newEnv(t)
	addr := e.serve()
	origin := "http://" + addr
	sven := e.login("171279-9677")
	svenID := e.personID("171279-9677")
	page := e.do(req{path: "/sv/my", cookies: []*http.Cookie{sven}})
	if !strings.Contains(page.body, `data-live-since=""`) {
		t.Fatalf("a page for someone without notifications: no empty data-live-since")
	}
	e.proxySubmit("171279-9677", "Sven Lindqvist", "case1")
	_, first, _ := e.s.inbox.State(svenID)
	page = e.do(req{path: "/sv/my", cookies: []*http.Cookie{sven}})
	if !strings.Contains(page.body, `data-live-since="`+first+`"`) {
		t.Fatalf("the page does not name the newest notification %s", first)
	}
	// Two more arrive while the page is away.
	for _, c := range []string{"case2", "case3"} {
		e.clock.Add(time.Minute)
		e.proxySubmit("171279-9677", "Sven Lindqvist", c)
	}
	dial := func(query string) (*fws.Conn, int) {
		t.Helper()
		h := http.Header{"Origin": {origin}, "Cookie": {sven.Name + "=" + sven.Value}}
		d := fws.Dialer{HandshakeTimeout: 5 * time.Second}
		c, res, err := d.DialContext(context.Background(), "ws://"+addr+"/ws"+query, h)
		if err != nil {
			return nil, res.StatusCode
		}
		t.Cleanup(func() { c.Close() })
		return c, 0
	}
	c, _ := dial("?since=" + first)
	for _, want := range []string{"/cases/case2", "/cases/case3"} {
		if ev, code := readEvent(t, c); code != 0 || ev.Type != notify.EventNotification || ev.Link != want || ev.Unread != 3 || ev.ID <= first {
			t.Errorf("replayed %+v (close %d), want %s", ev, code, want)
		}
	}
	// Then live events as usual, nothing more replayed.
	waitConns(t, e, 1)
	e.s.hub.Publish(svenID, notify.Event{Type: notify.EventNotification, ID: "x", Unread: 4})
	if ev, _ := readEvent(t, c); ev.ID != "x" {
		t.Errorf("after the replay: %+v", ev)
	}
	// From the start (a page made before any notification): all three.
	c, _ = dial("?since=")
	for range 3 {
		if ev, _ := readEvent(t, c); ev.Type != notify.EventNotification {
			t.Errorf("from the start: %+v", ev)
		}
	}
	// More missed than replayed: one resync.
	for i := range wsReplay {
		e.proxySubmit("171279-9677", "Sven Lindqvist", "many"+strconv.Itoa(i))
	}
	c, _ = dial("?since=" + first)
	if ev, _ := readEvent(t, c); ev.Type != notify.EventResync {
		t.Errorf("many missed: %+v, want resync", ev)
	}
	e.s.hub.Publish(svenID, notify.Event{Type: notify.EventNotification, ID: "y"})
	if ev, _ := readEvent(t, c); ev.ID != "y" {
		t.Errorf("after the resync: %+v", ev)
	}
	// Without since (an older page): nothing replayed.
	c, _ = dial("")
	waitConns(t, e, 4)
	e.s.hub.Publish(svenID, notify.Event{Type: notify.EventNotification, ID: "z"})
	if ev, _ := readEvent(t, c); ev.ID != "z" {
		t.Errorf("without since: %+v first", ev)
	}
	if _, code := dial("?since=../x"); code != 400 {
		t.Errorf("junk since: %d, want 400", code)
	}
}

// TestLiveIdleCost: an idle connection holds one goroutine (its reader);
// a writer runs only while there is something to write, pings included.
func TestLiveIdleCost(t *testing.T) {
	e := newEnv(t)
	addr := e.serve()
	sven := e.login("171279-9677")
	const n = 20
	var conns []*fws.Conn
	pinged := make(chan struct{}, n)
	open := func() {
		for range n {
			c, _, err := dialWS(addr, "http://"+addr, sven)
			if err != nil {
				t.Fatal(err)
			}
			c.SetPingHandler(func(string) error { pinged <- struct{}{}; return nil })
			conns = append(conns, c)
		}
		waitConns(t, e, len(conns))
	}
	open() // the first connections start what runs once (the pinger)
	settle := func() int {
		var g int
		for range 50 { // goroutines that finished their work may take a moment to go
			g = runtime.NumGoroutine()
			time.Sleep(10 * time.Millisecond)
			if runtime.NumGoroutine() == g {
				break
			}
		}
		return g
	}
	before := settle()
	open()
	grew := settle() - before
	t.Logf("%d idle connections: %d goroutines", n, grew)
	if grew > n*3/2 {
		t.Errorf("%d idle connections took %d goroutines, want about %d", n, grew, n)
	}
	// A ping reaches every connection (the clients read to see it), and
	// the writers go away again.
	e.s.hub.Ping()
	for _, c := range conns {
		go func() {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			c.ReadMessage()
		}()
	}
	for range conns {
		select {
		case <-pinged:
		case <-time.After(5 * time.Second):
			t.Fatal("a connection was not pinged")
		}
	}
	for _, c := range conns {
		c.Close()
	}
	waitConns(t, e, 0)
}

// TestShutdownTwice: a second shutdown (a test's cleanup after the
// program's) is harmless.
func TestShutdownTwice(t *testing.T) {
	e := newEnv(t)
	addr := e.serve()
	c, _, err := dialWS(addr, "http://"+addr, e.login("171279-9677"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitConns(t, e, 1)
	for range 2 {
		if err := e.s.Shutdown(time.Second); err != nil {
			t.Fatal(err)
		}
	}
}
