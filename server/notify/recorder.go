package notify

import (
	"context"
	"time"

	"asiointi/server/store"
)

// Recorded is one message the demo "sent" (GET /api/v1/dev/outbox).
type Recorded struct {
	Channel string    `json:"channel"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	Link    string    `json:"link,omitempty"`
	At      time.Time `json:"at"`
	Key     string    `json:"key"`
}

// Recorder is the demo's e-mail and SMS adapter: it keeps every message,
// full text and link, for the demo outbox page instead of sending it.
type Recorder struct {
	Store *store.Store
	Now   func() time.Time
}

// Send records m; a repeat of the same delivery key replaces the first.
func (r *Recorder) Send(_ context.Context, m Message) error {
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	rec := Recorded{Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Text, Link: m.Link, At: now, Key: m.Key}
	return r.Store.Update(func(tx *store.Tx) error { return tx.Put(store.DevOutbox, m.Key, rec) })
}

// List returns every recorded message, newest first.
func (r *Recorder) List() ([]Recorded, error) {
	var out []Recorded
	err := r.Store.View(func(tx *store.Tx) (err error) {
		// Keys start with the notification id, which sorts by time.
		out, err = store.ValuesReverse[Recorded](tx, store.DevOutbox, "")
		return err
	})
	return out, err
}
