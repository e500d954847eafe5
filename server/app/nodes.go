package app

import (
	"bytes"
	"context"
	"log/slog"

	"asiointi/server/notify"
	"asiointi/server/store"
)

// liveChannel is the PostgreSQL NOTIFY channel of the live hubs.
const liveChannel = "asiointi_live"

// hubBus joins the live hubs of the nodes that share one PostgreSQL
// store: what one node's hub publishes (an event for a person's pages, a
// session's end) is sent with NOTIFY, and every other node's hub does the
// same for its own connections. A node that loses the connection closes
// its pages with CloseResync when it is back, so that they fetch what
// they missed.
type hubBus struct {
	st   *store.Store
	hub  *notify.Hub
	node string // this node's id: it ignores its own messages
	log  *slog.Logger
}

// Broadcast implements notify.Bus.
func (b *hubBus) Broadcast(payload []byte) {
	msg := append([]byte(b.node+" "), payload...)
	if err := b.st.Notify(liveChannel, msg); err != nil {
		b.log.Warn("live event not sent to the other nodes", "err", err.Error())
	}
}

// listen passes the other nodes' messages to the hub until ctx ends.
func (b *hubBus) listen(ctx context.Context) {
	b.st.Listen(ctx, liveChannel, func(p []byte) {
		node, rest, ok := bytes.Cut(p, []byte(" "))
		if ok && string(node) != b.node {
			b.hub.Receive(rest)
		}
	}, b.hub.Resync)
}
