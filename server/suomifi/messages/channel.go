package messages

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"asiointi/server/notify"
	"asiointi/server/store"
)

// Channel delivers notifications to the recipient's Suomi.fi Messages
// mailbox (notify.ChannelSuomiFi): the message's To is the henkilötunnus;
// a recipient without an active mailbox is a permanent failure (the other
// channels still carry the notification).
type Channel struct{ Client *Client }

// Send implements notify.Sender.
func (ch *Channel) Send(ctx context.Context, m notify.Message) error {
	active, err := ch.Client.ActiveMailboxes(ctx, []string{m.To})
	if err != nil {
		return classify(err)
	}
	if !active[m.To] {
		return fmt.Errorf("%w: no active Suomi.fi mailbox", notify.ErrPermanent)
	}
	body := m.Text
	if m.Link != "" && !strings.Contains(body, m.Link) {
		body = strings.TrimSpace(body) + "\n\n" + m.Link
	}
	_, err = ch.Client.Send(ctx, Electronic{ExternalID: m.Key, RecipientID: m.To, Title: m.Subject, Body: body})
	return classify(err)
}

// classify maps the API's answer to the pipeline's: throttling and
// server errors are tried again (after Retry-After when given), other
// refusals are permanent; network errors are tried again.
func classify(err error) error {
	var ae *APIError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae) && ae.Temporary():
		if ae.RetryAfter > 0 {
			return &notify.RetryError{After: ae.RetryAfter, Err: err}
		}
		return err
	case errors.As(err, &ae):
		return fmt.Errorf("%w: %v", notify.ErrPermanent, err)
	}
	return err
}

// Poller reads the events feed and records what happened to the messages
// sent (delivered, read), keeping its place in the store.
type Poller struct {
	Client *Client
	Store  *store.Store
	Log    *slog.Logger
	// MaxPages bounds one poll (the API gives up to 1000 events a page).
	MaxPages int
}

// Status is what the events said of one sent message.
type Status struct {
	Event string    `json:"event"`
	At    time.Time `json:"at"`
	Read  bool      `json:"read,omitempty"`
}

const (
	continuationKey = "suomifi-messages/continuation"
	statusPrefix    = "suomifi-messages/status/"
)

// PollOnce reads the new events and answers how many it recorded.
func (p *Poller) PollOnce(ctx context.Context) (int, error) {
	var cont string
	err := p.Store.View(func(tx *store.Tx) error {
		err := tx.Get(store.Settings, continuationKey, &cont)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	pages := p.MaxPages
	if pages <= 0 {
		pages = 20
	}
	n := 0
	for range pages {
		evs, next, err := p.Client.Events(ctx, cont)
		if err != nil {
			return n, err
		}
		err = p.Store.Update(func(tx *store.Tx) error {
			for _, e := range evs {
				if e.ExternalID == "" {
					continue
				}
				var s Status
				_ = tx.Get(store.Settings, statusPrefix+e.ExternalID, &s)
				s.Event, s.At = e.Type, e.Time
				s.Read = s.Read || strings.Contains(strings.ToLower(e.Type), "read")
				if err := tx.Put(store.Settings, statusPrefix+e.ExternalID, s); err != nil {
					return err
				}
			}
			return tx.Put(store.Settings, continuationKey, next)
		})
		if err != nil {
			return n, err
		}
		n += len(evs)
		cont = next
		if len(evs) == 0 {
			break
		}
	}
	return n, nil
}

// StatusOf answers what the events said of the message sent with an
// externalId (a notification delivery's key).
func (p *Poller) StatusOf(externalID string) (Status, bool, error) {
	var s Status
	err := p.Store.View(func(tx *store.Tx) error { return tx.Get(store.Settings, statusPrefix+externalID, &s) })
	if errors.Is(err, store.ErrNotFound) {
		return s, false, nil
	}
	return s, err == nil, err
}

// Run polls every interval until ctx ends.
func (p *Poller) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := p.PollOnce(ctx); err != nil && ctx.Err() == nil && p.Log != nil {
			p.Log.Warn("suomi.fi messages events", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
