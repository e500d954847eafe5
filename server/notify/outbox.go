package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"asiointi/server/population"
	"asiointi/server/store"
)

// Delivery is one notification owed to one channel (for push: to one
// device). It waits in the outbox bucket under a key that sorts by when
// it is due, so the dispatcher reads only what is due.
type Delivery struct {
	ID      string `json:"id"`
	Notice  string `json:"notice"`
	User    string `json:"user"`
	Channel string `json:"channel"`
	Target  string `json:"target,omitempty"` // push: the subscription id
	Attempt int    `json:"attempt,omitempty"`
}

// Key is the delivery's idempotency key: the same on every attempt, so a
// receiver can drop a repeat (e-mail Message-ID, SMS Idempotency-Key,
// web push Topic).
func (d Delivery) Key() string {
	k := d.Notice + "." + d.Channel
	if d.Target != "" {
		k += "." + d.Target
	}
	return k
}

func outboxKey(due time.Time, id string) string {
	return fmt.Sprintf("%013d/%s", max(due.UnixMilli(), 0), id)
}

func enqueue(tx *store.Tx, d Delivery, due time.Time) error {
	if d.ID == "" {
		d.ID = store.NewID(due)
	}
	return tx.Put(store.Outbox, outboxKey(due, d.ID), d)
}

// Message is what a Sender delivers: rendered in the recipient's language.
type Message struct {
	Key     string // idempotency key (Delivery.Key)
	Channel string
	To      string // e-mail address, phone number or push subscription id
	User    string // recipient's person id
	Lang    string
	Subject string // e-mail
	Text    string // e-mail plain part, SMS text
	HTML    string // e-mail HTML part
	Title   string // push: a neutral title, no personal data
	Link    string // absolute (or site-relative) link to the thing
	Notice  string // notification id
}

// A Sender delivers messages of one channel. Its errors decide what
// happens next: nil is delivered; a *RetryError or any plain error is
// tried again later; an error wrapping ErrPermanent is logged and dropped.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a failure that retrying cannot mend (a 400 or 413,
// an address that does not exist, a subscription that is gone).
var ErrPermanent = errors.New("permanent delivery failure")

// RetryError asks for another attempt no sooner than After (a
// Retry-After header).
type RetryError struct {
	After time.Duration
	Err   error
}

func (e *RetryError) Error() string { return fmt.Sprintf("retry after %s: %v", e.After, e.Err) }
func (e *RetryError) Unwrap() error { return e.Err }

// Directory finds a recipient's language and addresses.
type Directory interface {
	Person(id string) (population.Person, error)
}

// Dispatcher delivers the outbox. Every delivery stays in the store until
// its channel took it, so a crash loses nothing; what was in flight at a
// crash is sent again when its lease runs out (receivers drop the repeat
// by its key). Several dispatchers (nodes) may run on one store: a
// delivery is leased by moving it forward in the outbox before sending.
type Dispatcher struct {
	Store   *store.Store
	Render  *Renderer
	People  Directory
	Senders map[string]Sender // by channel; a channel without one is dropped with a log line
	Log     *slog.Logger
	Now     func() time.Time

	Lease       time.Duration // how long a taken delivery is hidden from others (45 s: longer than any adapter's timeout)
	Batch       int           // deliveries taken at once (256)
	Workers     int           // sends at once (32)
	Poll        time.Duration // how often to look when not woken (250 ms: live pages wait for it)
	MaxAttempts int           // then give up (12, about a day of backoff)
	Backoff     time.Duration // first retry delay, doubled each time (15 s), at most 1 h

	once sync.Once
	wake chan struct{}
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.wake = make(chan struct{}, 1)
		if d.Now == nil {
			d.Now = time.Now
		}
		if d.Log == nil {
			d.Log = slog.Default()
		}
		if d.Lease <= 0 {
			d.Lease = 45 * time.Second
		}
		if d.Batch <= 0 {
			d.Batch = 256
		}
		if d.Workers <= 0 {
			d.Workers = 32
		}
		if d.Poll <= 0 {
			d.Poll = 250 * time.Millisecond
		}
		if d.MaxAttempts <= 0 {
			d.MaxAttempts = 12
		}
		if d.Backoff <= 0 {
			d.Backoff = 15 * time.Second
		}
	})
}

// Kick asks the dispatcher to look at the outbox now (after a commit that
// queued something).
func (d *Dispatcher) Kick() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	d.init()
	t := time.NewTicker(d.Poll)
	defer t.Stop()
	for {
		for {
			n, err := d.RunOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					d.Log.Error("notification outbox", "err", err)
				}
				break
			}
			if n < d.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// taken is a leased delivery with what its message needs.
type taken struct {
	key   string // outbox key while leased
	d     Delivery
	n     Notification
	found bool
}

// RunOnce takes the deliveries due now, sends them and records the
// outcome; it returns how many it took.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	d.init()
	now := d.Now()
	var due []string
	err := d.Store.View(func(tx *store.Tx) error {
		limit := outboxKey(now, "~")
		return tx.Scan(store.Outbox, "", func(k string, _ []byte) error {
			if k > limit || len(due) >= d.Batch {
				return store.ErrStop
			}
			due = append(due, k)
			return nil
		})
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	var jobs []taken
	leaseUntil := now.Add(d.Lease)
	err = d.Store.Update(func(tx *store.Tx) error {
		jobs = jobs[:0]
		for _, k := range due {
			var del Delivery
			if err := tx.Get(store.Outbox, k, &del); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					continue // another dispatcher took it
				}
				return err
			}
			j := taken{key: outboxKey(leaseUntil, del.ID), d: del}
			if err := tx.Delete(store.Outbox, k); err != nil {
				return err
			}
			if err := tx.Put(store.Outbox, j.key, del); err != nil {
				return err
			}
			err := tx.Get(store.Notices, del.User+"/"+del.Notice, &j.n)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			j.found = err == nil
			jobs = append(jobs, j)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Each outcome is written as soon as it is known (group commit
	// batches them), so a crash repeats only what was in flight.
	// When an outcome cannot be written (the store failed), the rest is
	// not sent: it stays leased and is taken again after the lease.
	errs := make(chan error, len(jobs))
	sem := make(chan struct{}, d.Workers)
	var failed atomic.Bool
	for i := range jobs {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			if failed.Load() || ctx.Err() != nil {
				errs <- nil
				return
			}
			err := d.finish(jobs[i], d.send(ctx, jobs[i]))
			if err != nil {
				failed.Store(true)
			}
			errs <- err
		}()
	}
	var first error
	for range jobs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return len(jobs), first
}

// finish removes a delivery that was delivered or dropped, or puts it
// back with its next attempt's time.
func (d *Dispatcher) finish(j taken, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// Shutting down: it stays leased and is taken again after the
		// lease.
		return nil
	}
	var retry *Delivery
	var due time.Time
	switch {
	case err == nil:
	case errors.Is(err, ErrPermanent):
		d.Log.Warn("notification not delivered", "channel", j.d.Channel, "notice", j.d.Notice, "delivery", j.d.ID, "err", err)
	case j.d.Attempt+1 >= d.MaxAttempts:
		d.Log.Error("notification given up", "channel", j.d.Channel, "notice", j.d.Notice, "delivery", j.d.ID, "attempts", j.d.Attempt+1, "err", err)
	default:
		nd := j.d
		nd.Attempt++
		wait := d.backoff(nd.Attempt)
		var ra *RetryError
		if errors.As(err, &ra) && ra.After > 0 {
			wait = min(ra.After, 24*time.Hour)
		}
		d.Log.Info("notification retry", "channel", j.d.Channel, "notice", j.d.Notice, "delivery", j.d.ID, "attempt", nd.Attempt, "in", wait.String(), "err", err)
		retry, due = &nd, d.Now().Add(wait)
	}
	return d.Store.Update(func(tx *store.Tx) error {
		if err := tx.Delete(store.Outbox, j.key); err != nil {
			return err
		}
		if retry == nil {
			return nil
		}
		return tx.Put(store.Outbox, outboxKey(due, retry.ID), retry)
	})
}

// backoff is the wait before attempt n (1, 2, …): Backoff doubled each
// time, at most an hour, with ±20 % jitter so retries spread out.
func (d *Dispatcher) backoff(n int) time.Duration {
	w := d.Backoff << min(n-1, 20)
	w = min(w, time.Hour)
	return time.Duration(float64(w) * (0.8 + 0.4*rand.Float64()))
}

// send renders and sends one delivery in the recipient's language.
func (d *Dispatcher) send(ctx context.Context, j taken) error {
	if !j.found {
		return fmt.Errorf("%w: the notification is gone", ErrPermanent)
	}
	snd, ok := d.Senders[j.d.Channel]
	if !ok || snd == nil {
		if j.d.Channel == ChannelLive {
			return nil // no live connections in this program (a tool, a test)
		}
		return fmt.Errorf("%w: no %s adapter is configured", ErrPermanent, j.d.Channel)
	}
	if j.d.Channel == ChannelLive {
		return snd.Send(ctx, Message{Key: j.d.Key(), Channel: ChannelLive, To: j.d.User, User: j.d.User,
			Notice: j.n.ID, Link: j.n.Link})
	}
	p, err := d.People.Person(j.d.User)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: recipient unknown", ErrPermanent)
		}
		return err
	}
	lang := p.Language
	if lang != "fi" && lang != "sv" && lang != "en" {
		lang = "fi"
	}
	m := Message{Key: j.d.Key(), Channel: j.d.Channel, User: j.d.User, Lang: lang, Notice: j.n.ID,
		Link: d.Render.URL(lang, j.n)}
	switch j.d.Channel {
	case ChannelEmail:
		m.To = strings.TrimSpace(p.Email)
		m.Subject, m.Text, m.HTML = d.Render.Mail(lang, j.n)
	case ChannelSMS:
		m.To = strings.TrimSpace(p.Phone)
		m.Text = d.Render.SMS(lang, j.n)
	case ChannelPush:
		m.To = j.d.Target
		m.Title = d.Render.PushTitle(lang)
	case ChannelSuomiFi:
		m.To = strings.TrimSpace(p.Hetu)
		m.Subject, m.Text, _ = d.Render.Mail(lang, j.n)
	}
	if m.To == "" {
		return fmt.Errorf("%w: no %s address", ErrPermanent, j.d.Channel)
	}
	return snd.Send(ctx, m)
}

// queuePush owes n to every push device of its recipient.
func queuePush(tx *store.Tx, n Notification) error {
	var subs []string
	if err := tx.Scan(store.PushSubs, n.User+"/", func(k string, _ []byte) error {
		subs = append(subs, strings.TrimPrefix(k, n.User+"/"))
		return nil
	}); err != nil {
		return err
	}
	for _, id := range subs {
		if err := enqueue(tx, Delivery{Notice: n.ID, User: n.User, Channel: ChannelPush, Target: id}, n.At); err != nil {
			return err
		}
	}
	return nil
}
