package web

import (
	"strings"
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

// wsServe runs one connection: it writes what the hub queues, pings, and
// ends on the hub's word (logout, acting-for change, shutdown, a queue
// that overflowed) or when the session's time is up.
func (s *Server) wsServe(c *websocket.Conn) {
	user, _ := c.Locals("wsUser").(string)
	key, _ := c.Locals("wsSession").(string)
	left, _ := c.Locals("wsLeft").(time.Duration)
	conn := s.hub.Register(user, key)
	defer s.hub.Unregister(conn)

	c.SetReadLimit(4096)
	c.SetReadDeadline(time.Now().Add(wsPongWait))
	c.SetPongHandler(func(string) error { return c.SetReadDeadline(time.Now().Add(wsPongWait)) })
	read := make(chan struct{})
	go func() { // the client says nothing we need; reading runs pongs and notices a close
		defer close(read)
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				conn.Close(0, "")
				return
			}
		}
	}()
	defer func() {
		c.Close() // ends the reader before the connection goes back to its pool
		<-read
	}()
	closeWith := func(code int, reason string) {
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(wsWriteWait))
	}
	if since, ok := c.Locals("wsSince").(string); ok {
		// Registered first: what arrives meanwhile is queued too (and
		// may come twice; a page only fetches itself again).
		if err := s.wsReplay(c, user, since); err != nil {
			return
		}
	}
	ping := time.NewTicker(wsPingEvery)
	defer ping.Stop()
	expiry := time.NewTimer(left)
	defer expiry.Stop()
	for {
		select {
		case msg := <-conn.Out():
			c.SetWriteDeadline(time.Now().Add(wsWriteWait))
			if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ping.C:
			if err := c.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteWait)); err != nil {
				return
			}
		case <-expiry.C:
			closeWith(notify.CloseSessionEnded, "session ended")
			return
		case <-conn.Done():
			if code, reason := conn.Reason(); code != 0 {
				closeWith(code, reason)
			}
			return
		}
	}
}

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
