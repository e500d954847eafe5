package notify

import (
	"context"
	"strings"
	"sync"
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
// A message's secret (an invitation link's token) is kept in memory
// only: the stored copy shows Scrubbed in its place, so after a restart
// the outbox shows the message without a working link.
type Recorder struct {
	Store *store.Store
	Now   func() time.Time

	mu      sync.Mutex
	secrets map[string]Recorded // by key: the full messages that carried a secret
}

// Scrubbed stands for a secret in a stored message.
const Scrubbed = "[removed]"

// secretsKept bounds the full messages kept in memory (the oldest go).
const secretsKept = 1000

// Send records m; a repeat of the same delivery key replaces the first.
func (r *Recorder) Send(_ context.Context, m Message) error {
	return r.Store.Update(r.record(m))
}

// record makes the write that records m. A Dispatcher of r's store runs
// it in the write of the delivery's outcome (storeSender), so that a
// recorded message costs no write of its own, and is recorded exactly
// when its delivery is marked done.
func (r *Recorder) record(m Message) func(*store.Tx) error {
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	rec := Recorded{Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Text, Link: m.Link, At: now, Key: m.Key}
	stored := rec
	if m.Secret != "" {
		stored.Body = strings.ReplaceAll(rec.Body, m.Secret, Scrubbed)
		stored.Link = strings.ReplaceAll(rec.Link, m.Secret, Scrubbed)
		stored.Subject = strings.ReplaceAll(rec.Subject, m.Secret, Scrubbed)
	}
	if m.Secret != "" { // before the stored copy shows, so List never shows it scrubbed
		r.keep(rec)
	}
	return func(tx *store.Tx) error { return tx.Put(store.DevOutbox, m.Key, stored) }
}

// storeSender is a Sender whose delivery is a write to the store (the
// demo recorder): when it is the dispatcher's store, the dispatcher runs
// that write with the delivery's outcome instead of calling Send.
type storeSender interface {
	Sender
	store() *store.Store
	record(m Message) func(*store.Tx) error
}

func (r *Recorder) store() *store.Store { return r.Store }

// keep holds a message with its secret in memory for the outbox page.
func (r *Recorder) keep(rec Recorded) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]Recorded{}
	}
	if len(r.secrets) >= secretsKept {
		oldest := ""
		for k, v := range r.secrets {
			if oldest == "" || v.At.Before(r.secrets[oldest].At) {
				oldest = k
			}
		}
		delete(r.secrets, oldest)
	}
	r.secrets[rec.Key] = rec
}

// List returns every recorded message, newest first.
func (r *Recorder) List() ([]Recorded, error) {
	var out []Recorded
	err := r.Store.View(func(tx *store.Tx) (err error) {
		// Keys start with the notification id, which sorts by time.
		out, err = store.ValuesReverse[Recorded](tx, store.DevOutbox, "")
		return err
	})
	r.mu.Lock()
	for i := range out {
		if full, ok := r.secrets[out[i].Key]; ok {
			out[i] = full
		}
	}
	r.mu.Unlock()
	return out, err
}
