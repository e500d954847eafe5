package web

import (
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"asiointi/server/notify"
	"asiointi/server/store"
)

// Live updates over a WebSocket (/ws): the person's open pages hear of
// their new notifications. Messages are JSON {type, …}. A page connects
// with ?since= the id of the newest notification it has seen; the server
// first sends what came after it (at most wsReplay, or one "resync" when
// more was missed: the page fetches itself again), so a page that was
// away, or a server that restarted, loses nothing, and pages that missed
// nothing fetch nothing.
const (
	wsPingEvery = 30 * time.Second
	wsPongWait  = 70 * time.Second // two pings may go unanswered
	wsWriteWait = 10 * time.Second
	wsReplay    = 20
)

// wsAuth admits a logged-in session from this site's own pages.
func (s *Server) wsAuth(c *fiber.Ctx) error {
	sess := session(c)
	if sess == nil {
		return fiber.ErrUnauthorized
	}
	if c.Get(fiber.HeaderOrigin) != s.origin(c) {
		return fiber.ErrForbidden
	}
	if !websocket.IsWebSocketUpgrade(c) {
		return fiber.ErrUpgradeRequired
	}
	if since := c.Query("since"); since != "" && !store.ValidID(since) {
		return fiber.ErrBadRequest
	}
	if c.Request().URI().QueryArgs().Has("since") {
		c.Locals("wsSince", strings.Clone(c.Query("since")))
	}
	c.Locals("wsUser", strings.Clone(sess.UserID))
	c.Locals("wsSession", strings.Clone(sess.Key))
	c.Locals("wsLeft", s.sessions.ExpiresAt(*sess).Sub(s.now()))
	return c.Next()
}

// wsServe runs one connection. Its goroutine only reads (the client says
// nothing we need; reading runs pongs and notices a close); a writer
// goroutine runs only while the hub has something for it (wsWriter), so
// an idle connection costs one goroutine. It ends on the hub's word
// (logout, acting-for change, shutdown, a queue that overflowed), when
// the session's time is up, or when the peer goes away or stops
// answering pings.
func (s *Server) wsServe(c *websocket.Conn) {
	user, _ := c.Locals("wsUser").(string)
	key, _ := c.Locals("wsSession").(string)
	left, _ := c.Locals("wsLeft").(time.Duration)
	conn := s.hub.Register(user, key)
	defer s.hub.Unregister(conn)
	s.wsPings.Do(func() { go s.wsPinger() })

	c.SetReadLimit(4096)
	c.SetReadDeadline(time.Now().Add(wsPongWait))
	c.SetPongHandler(func(string) error {
		select {
		case <-conn.Done(): // ending: a late pong does not keep it open
			return errWSEnded
		default:
			return c.SetReadDeadline(time.Now().Add(wsPongWait))
		}
	})
	if since, ok := c.Locals("wsSince").(string); ok {
		// Registered first: what arrives meanwhile is queued too (and
		// may come twice; a page only fetches itself again).
		if err := s.wsReplay(c, user, since); err != nil {
			return
		}
	}
	w := &wsWriter{c: c, conn: conn}
	conn.OnWake(w.wake)
	defer w.stop() // before the connection goes back to its pool
	expiry := time.AfterFunc(left, func() { conn.Close(notify.CloseSessionEnded, "session ended") })
	defer expiry.Stop()
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
	}
}

// wsPinger marks a ping due on every connection every wsPingEvery, until
// the hub shuts down.
func (s *Server) wsPinger() {
	t := time.NewTicker(wsPingEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.hub.Ping()
		case <-s.wsStop:
			return
		}
	}
}

// wsWriter writes what the hub has for one connection, in a goroutine
// that runs while there is something to write.
type wsWriter struct {
	c    *websocket.Conn
	conn *notify.Conn

	mu      sync.Mutex
	running bool // a writer goroutine runs
	ended   bool // no more writers: the connection ends
	wg      sync.WaitGroup
}

// wake starts the writer unless it runs (the hub's OnWake: never blocks).
func (w *wsWriter) wake() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running || w.ended {
		return
	}
	w.running = true
	w.wg.Add(1)
	go w.run()
}

// stop lets no writer start again and waits for the one running.
func (w *wsWriter) stop() {
	w.mu.Lock()
	w.ended = true
	w.mu.Unlock()
	w.wg.Wait()
}

func (w *wsWriter) run() {
	defer w.wg.Done()
	for w.step() {
	}
}

// step does one thing the connection has to do; false when there is
// nothing left (the writer stops) or the connection ended.
func (w *wsWriter) step() bool {
	select {
	case <-w.conn.Done():
		if code, reason := w.conn.Reason(); code != 0 {
			w.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(wsWriteWait))
		}
		w.end()
		return false
	default:
	}
	select {
	case msg := <-w.conn.Out():
		w.c.SetWriteDeadline(time.Now().Add(wsWriteWait))
		if err := w.c.WriteMessage(websocket.TextMessage, msg); err != nil {
			w.end()
			return false
		}
		return true
	default:
	}
	if w.conn.PingDue() {
		if err := w.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteWait)); err != nil {
			w.end()
			return false
		}
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn.Busy() { // arrived after the looks above: its wake saw this writer running
		return true
	}
	w.running = false
	return false
}

// end stops writing for good and ends the reader (wsServe returns).
func (w *wsWriter) end() {
	w.mu.Lock()
	w.running, w.ended = false, true
	w.mu.Unlock()
	w.conn.Close(0, "") // when the write failed
	w.c.SetReadDeadline(time.Now())
}

var errWSEnded = errors.New("live connection ended")

// wsReplay sends the person's notifications after since, or "resync"
// when there are more than wsReplay of them (or they cannot be read).
func (s *Server) wsReplay(c *websocket.Conn, user, since string) error {
	missed, more, err := s.inbox.Since(user, since, wsReplay)
	unread := 0
	if err == nil && len(missed) > 0 {
		unread, _, err = s.inbox.State(user)
	}
	var events []notify.Event
	if err != nil || more {
		events = []notify.Event{{Type: notify.EventResync}}
	} else {
		for _, n := range missed {
			events = append(events, notify.Event{Type: notify.EventNotification, ID: n.ID, Unread: unread, Link: n.Link})
		}
	}
	for _, ev := range events {
		c.SetWriteDeadline(time.Now().Add(wsWriteWait))
		if err := c.WriteJSON(ev); err != nil {
			return err
		}
	}
	return nil
}
