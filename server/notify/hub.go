package notify

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
)

// ChannelLive delivers to the person's open pages (WebSocket); always on.
const ChannelLive = "live"

// Close codes of live connections.
const (
	CloseGoingAway    = 1001 // the server shuts down: reconnect later
	CloseResync       = 4000 // the connection fell behind: reconnect and fetch again
	CloseSessionEnded = 4001 // logout, expiry or a change of acting-for
)

// Types of live message.
const (
	EventNotification = "notification" // a new notification (ID, Unread, Link)
	EventResync       = "resync"       // more was missed than is sent: fetch again
)

// Event is one live message to a page: JSON {type, …}.
type Event struct {
	Type   string `json:"type"` // EventNotification or EventResync
	ID     string `json:"id,omitempty"`
	Unread int    `json:"unread"`
	Link   string `json:"link,omitempty"`
}

// Hub keeps the open live connections by person. A connection that
// cannot keep up is closed with CloseResync rather than let anyone wait.
type Hub struct {
	// QueueSize bounds each connection's queue (32).
	QueueSize int

	mu    sync.RWMutex
	conns map[string]map[*Conn]struct{} // by person id
	down  bool
	bus   Bus
}

// Bus carries what a hub publishes to the hubs of the other nodes that
// share the store (server/app: PostgreSQL NOTIFY); a hub without one is
// the only node. The nodes' hubs pass what arrives to Receive.
type Bus interface {
	Broadcast(payload []byte)
}

// relayed is a hub's message to the other nodes' hubs.
type relayed struct {
	User    string `json:"user,omitempty"`
	Event   *Event `json:"event,omitempty"`
	Session string `json:"session,omitempty"` // CloseSession
}

// SetBus connects the hub to the other nodes' hubs; set it before the
// hub is used.
func (h *Hub) SetBus(b Bus) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bus = b
}

func (h *Hub) broadcast(r relayed) {
	h.mu.RLock()
	b := h.bus
	h.mu.RUnlock()
	if b == nil {
		return
	}
	if raw, err := json.Marshal(r); err == nil {
		b.Broadcast(raw)
	}
}

// Receive does here what another node's hub did there: publishes its
// event to this node's connections of the person, or closes the
// session's. A message it cannot read is dropped.
func (h *Hub) Receive(payload []byte) {
	var r relayed
	if json.Unmarshal(payload, &r) != nil {
		return
	}
	if r.Event != nil && r.User != "" {
		h.publish(r.User, *r.Event)
	}
	if r.Session != "" {
		h.closeSession(r.Session)
	}
}

// Resync closes every connection with CloseResync: the pages reconnect
// and fetch again (what other nodes published while the bus was down
// never arrived).
func (h *Hub) Resync() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, cs := range h.conns {
		for c := range cs {
			c.Close(CloseResync, "resync")
		}
	}
}

// Conn is one open connection's queue. Whoever writes to the connection
// either reads Out and Done, or (so that an idle connection needs no
// goroutine waiting on them) sets OnWake and looks when it is called.
type Conn struct {
	User, Session string

	out    chan []byte
	done   chan struct{}
	once   sync.Once
	code   int
	reason string
	wake   atomic.Pointer[func()]
	ping   atomic.Bool
}

// OnWake sets f to be called whenever the connection has something to
// do: a queued message, a ping due, or its end. f must not block. It is
// called once now, for what may already be waiting.
func (c *Conn) OnWake(f func()) {
	c.wake.Store(&f)
	f()
}

func (c *Conn) poke() {
	if f := c.wake.Load(); f != nil {
		(*f)()
	}
}

// PingDue reports whether a ping is due, and clears it.
func (c *Conn) PingDue() bool { return c.ping.Swap(false) }

// Busy reports whether the connection has something to do (what wakes
// it): a queued message, a ping due, or its end.
func (c *Conn) Busy() bool {
	select {
	case <-c.done:
		return true
	default:
		return len(c.out) > 0 || c.ping.Load()
	}
}

// Out is the queue of messages to write.
func (c *Conn) Out() <-chan []byte { return c.out }

// Done is closed when the connection must end.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Close ends the connection with a close code (0: the peer went away).
func (c *Conn) Close(code int, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
	c.poke()
}

// Reason is the close code and reason, valid once Done is closed.
func (c *Conn) Reason() (int, string) {
	<-c.done
	return c.code, c.reason
}

// Register adds a connection of user's session (key); after Shutdown it
// is closed at once.
func (h *Hub) Register(user, session string) *Conn {
	size := h.QueueSize
	if size <= 0 {
		size = 32
	}
	c := &Conn{User: user, Session: session, out: make(chan []byte, size), done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		c.Close(CloseGoingAway, "shutdown")
		return c
	}
	if h.conns == nil {
		h.conns = map[string]map[*Conn]struct{}{}
	}
	if h.conns[user] == nil {
		h.conns[user] = map[*Conn]struct{}{}
	}
	h.conns[user][c] = struct{}{}
	return c
}

// Unregister removes a connection.
func (h *Hub) Unregister(c *Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns[c.User], c)
	if len(h.conns[c.User]) == 0 {
		delete(h.conns, c.User)
	}
	c.Close(0, "")
}

// Publish queues ev to every open connection of user; a full queue closes
// its connection with CloseResync. It never blocks on a connection; with
// a Bus it also sends ev to the other nodes' connections of user.
func (h *Hub) Publish(user string, ev Event) {
	h.publish(user, ev)
	h.broadcast(relayed{User: user, Event: &ev})
}

// listening reports whether a Publish to user may reach anyone: an open
// connection of theirs here, or a Bus to the other nodes.
func (h *Hub) listening(user string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.bus != nil || len(h.conns[user]) > 0
}

func (h *Hub) publish(user string, ev Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	conns := h.conns[user]
	if len(conns) == 0 { // nothing to encode it for (most staff at most times)
		return
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return
	}
	for c := range conns {
		select {
		case c.out <- b:
			c.poke()
		default:
			c.Close(CloseResync, "resync")
		}
	}
}

// Ping marks a ping due on every open connection (a keepalive that
// finds dead peers).
func (h *Hub) Ping() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, cs := range h.conns {
		for c := range cs {
			c.ping.Store(true)
			c.poke()
		}
	}
}

// CloseSession closes the connections of a session (logout, expiry,
// acting-for change), on every node.
func (h *Hub) CloseSession(session string) {
	if session == "" {
		return
	}
	h.closeSession(session)
	h.broadcast(relayed{Session: session})
}

func (h *Hub) closeSession(session string) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, cs := range h.conns {
		for c := range cs {
			if c.Session == session {
				c.Close(CloseSessionEnded, "session ended")
			}
		}
	}
}

// Shutdown closes every connection with CloseGoingAway and refuses new ones.
func (h *Hub) Shutdown() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.down = true
	for _, cs := range h.conns {
		for c := range cs {
			c.Close(CloseGoingAway, "shutdown")
		}
	}
}

// Len is the number of open connections.
func (h *Hub) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, cs := range h.conns {
		n += len(cs)
	}
	return n
}

// Live is the live channel's sender: it tells the person's open pages
// that a notification arrived, with their unread count.
type Live struct {
	Hub   *Hub
	Inbox *Inbox
}

// Send publishes m to its recipient's open pages (with no page open
// here nor a Bus to other nodes, there is no one to tell).
func (l *Live) Send(_ context.Context, m Message) error {
	if !l.Hub.listening(m.User) {
		return nil
	}
	n, err := l.Inbox.Unread(m.User)
	if err != nil {
		return err
	}
	l.Hub.Publish(m.User, Event{Type: EventNotification, ID: m.Notice, Unread: n, Link: m.Link})
	return nil
}
