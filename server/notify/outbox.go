package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

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
	// Link is a live delivery's: the notification's link, all a page is
	// told, so that the dispatcher need not read the notification (one
	// queued before it was written reads it). On another channel's
	// delivery it stands for the live one, which Record then spares in a
	// store no other node shares: the dispatcher tells the open pages
	// when it first takes the delivery (Attempt 0; again after a crash,
	// as any delivery in flight).
	Link    string `json:"link,omitempty"`
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

// outboxKey is "%013d/%s" of due's milliseconds and id, made without fmt
// (it is made in the write of every event that notifies).
func outboxKey(due time.Time, id string) string {
	var digits [20]byte
	ms := strconv.AppendInt(digits[:0], max(due.UnixMilli(), 0), 10)
	var buf [64]byte // an id is 32 bytes
	b := buf[:0]
	for range 13 - len(ms) {
		b = append(b, '0')
	}
	b = append(append(append(b, ms...), '/'), id...)
	return string(b)
}

func enqueue(tx *store.Tx, d Delivery, due time.Time) error {
	if d.ID == "" {
		d.ID = store.NewID(due)
	}
	return tx.PutRaw(store.Outbox, outboxKey(due, d.ID), encodeDelivery(&d))
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
	// Secret is a one-time token the link and text carry (an invitation
	// link): a Sender that keeps messages must not keep it on disk.
	Secret string
	// Device is the push subscription To names, read with the delivery
	// (nil: the sender reads it).
	Device *Subscription
}

// LinkFunc makes the link of a notification sent outside the app on
// channel: the path after /{lang} and the secret it carries. It runs
// at delivery, so no link token waits in the store; an error wrapping
// ErrPermanent drops the delivery (the thing it asked about is closed).
type LinkFunc func(ctx context.Context, n Notification, channel string) (path, secret string, err error)

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

// Directory finds a recipient's language and addresses: Person needs to
// fill in no more than Language, Email, Phone and Hetu (the server reads
// just those, identity.Directory.Reach).
type Directory interface {
	Person(id string) (population.Person, error)
}

// batchPeople remembers, for one RunOnce, the recipients the Directory
// found: a batch of deliveries names the same people many times (a proxy
// submit's principal on two channels, a busy handler), and their
// addresses are read once per batch, as at the batch's start.
type batchPeople struct {
	dir  Directory
	mu   sync.Mutex
	seen map[string]population.Person
}

func (b *batchPeople) Person(id string) (population.Person, error) {
	b.mu.Lock()
	p, ok := b.seen[id]
	b.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := b.dir.Person(id)
	if err != nil { // not kept: an unknown person is rare, a failed read may mend
		return p, err
	}
	b.mu.Lock()
	if b.seen == nil {
		b.seen = map[string]population.Person{}
	}
	b.seen[id] = p
	b.mu.Unlock()
	return p, nil
}

// ErrNoAddress is the permanent failure of a delivery to a recipient
// without an address on its channel (no e-mail address, no phone).
// Such drops are common (the register holds few e-mail addresses), so
// each is logged at debug level and RunOnce logs one warning per batch
// with their number per channel; metrics count them as dropped.
var ErrNoAddress = fmt.Errorf("%w: no address", ErrPermanent)

// noAddress is ErrNoAddress of each channel, made once.
var noAddress = map[string]error{}

func init() {
	for _, ch := range []string{ChannelEmail, ChannelSMS, ChannelPush, ChannelSuomiFi} {
		noAddress[ch] = fmt.Errorf("%w for %s", ErrNoAddress, ch)
	}
}

// Outcomes of one delivery attempt.
const (
	OutcomeDelivered   = "delivered"   // the channel took it
	OutcomeRetry       = "retry"       // tried again later
	OutcomeDropped     = "dropped"     // a permanent failure
	OutcomeGivenUp     = "given_up"    // failed MaxAttempts times
	OutcomeInterrupted = "interrupted" // shutdown: taken again after the lease
)

// Outcomes lists every outcome.
var Outcomes = []string{OutcomeDelivered, OutcomeRetry, OutcomeDropped, OutcomeGivenUp, OutcomeInterrupted}

// Dispatcher delivers the outbox. Every delivery stays in the store until
// its channel took it, so a crash loses nothing; what was in flight at a
// crash is sent again (receivers drop the repeat by its key). Several
// dispatchers (nodes) may run on one shared store (PostgreSQL): there a
// delivery is leased by moving it forward in the outbox before sending,
// and what was in flight at a crash is sent again when its lease runs
// out. A store that is this process's alone (bbolt) keeps its leases in
// memory (memLeases): no write before sending, only the outcome's, and
// what was in flight at a crash is sent again at the restart.
type Dispatcher struct {
	Store   *store.Store
	Render  *Renderer
	People  Directory
	Senders map[string]Sender // by channel; a channel without one is dropped with a log line
	// Links make the e-mail and SMS links of the kinds named (invitations:
	// a fresh one-time token per message); other kinds link to n.Link.
	Links map[string]LinkFunc
	Log   *slog.Logger
	Now   func() time.Time

	Lease       time.Duration // how long a taken delivery is hidden from others (45 s: longer than any adapter's timeout)
	Batch       int           // deliveries taken at once (256)
	Workers     int           // sends at once (32)
	Poll        time.Duration // how often to look when not woken (250 ms: live pages wait for it)
	MaxAttempts int           // then give up (12, about a day of backoff)
	Backoff     time.Duration // first retry delay, doubled each time (15 s), at most 1 h

	// Observe, when set, hears each attempt's channel, outcome (one of
	// Outcomes) and how long the send took (metrics).
	Observe func(channel, outcome string, took time.Duration)

	once sync.Once
	wake chan struct{}
	mem  *memLeases // the store's in-memory leases; nil on a shared store
}

// memLeases are the leases of the deliveries of one unshared store that
// this process has taken (by outbox key, until when), in place of the
// lease a shared store writes: only this process sends that store's
// deliveries, and a crash that forgets them ends what it was sending
// too. One RunOnce at a time runs per store (run), so a delivery one
// run sends and removes is never read by another meanwhile; a lease
// outlives its run only when its outcome could not be written (or the
// run was cancelled), and hides the delivery until it runs out, as a
// written lease would.
type memLeases struct {
	run   sync.Mutex
	until map[string]time.Time // guarded by run
}

// storeLeases holds each unshared store's memLeases, so that every
// Dispatcher of one store in the process shares them (held weakly: a
// store's entry goes with the store).
var storeLeases sync.Map // weak.Pointer[store.Store] → *memLeases

func leasesOf(st *store.Store) *memLeases {
	k := weak.Make(st)
	if l, ok := storeLeases.Load(k); ok {
		return l.(*memLeases)
	}
	l, loaded := storeLeases.LoadOrStore(k, &memLeases{until: map[string]time.Time{}})
	if !loaded {
		runtime.AddCleanup(st, func(k weak.Pointer[store.Store]) { storeLeases.Delete(k) }, k)
	}
	return l.(*memLeases)
}

// held reports whether the delivery at key is leased at now.
func (l *memLeases) held(key string, now time.Time) bool {
	until, ok := l.until[key]
	return ok && now.Before(until)
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
		if !d.Store.Shared() {
			d.mem = leasesOf(d.Store)
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
	from  string                // outbox key when due
	key   string                // outbox key while leased (in memory: from)
	raw   []byte                // the delivery as stored (a written lease moves it)
	gone  bool                  // not in the outbox (carried): nothing to remove after
	sent  bool                  // handed to its channel's Sender (else dropped before)
	write func(*store.Tx) error // a storeSender's delivery, written with the outcome
	d     Delivery
	n     Notification
	found bool
	sub   *Subscription // push: the device, when it still exists
}

// carried is the live delivery that d carries (Delivery.Link), taken out
// with it: a page told twice after a crash shows the same notification.
// It goes by d's id (logs name the delivery that carried it): it is
// never stored, and only its retry, if any, gets an id of its own.
func carried(d Delivery) *taken {
	l := Delivery{ID: d.ID, Notice: d.Notice, User: d.User, Channel: ChannelLive, Link: d.Link}
	return &taken{d: l, gone: true, found: true, n: Notification{ID: l.Notice, User: l.User, Link: l.Link}}
}

// RunOnce takes the deliveries due now, sends them and records the
// outcome; it returns how many it took.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	d.init()
	mem := d.mem
	if mem != nil {
		mem.run.Lock()
		defer mem.run.Unlock()
	}
	now := d.Now()
	if mem != nil {
		for k, until := range mem.until { // left by a failed or stopped run: forget those run out
			if !now.Before(until) {
				delete(mem.until, k)
			}
		}
	}
	// What is due, with its notification and device, is read outside the
	// write: a written lease, a write that every other write waits for,
	// only moves the stored bytes of what is still there.
	var due []*taken
	err := d.Store.View(func(tx *store.Tx) error {
		due = due[:0]
		limit := outboxKey(now, "~")
		err := tx.Scan(store.Outbox, "", func(k string, raw []byte) error {
			if k > limit || len(due) >= d.Batch {
				return store.ErrStop
			}
			if mem != nil && mem.held(k, now) {
				return nil // in flight, or its outcome was not written
			}
			j := &taken{from: k}
			if err := decodeDelivery(raw, &j.d); err != nil {
				return fmt.Errorf("notify: outbox %s: %w", k, err)
			}
			if mem == nil { // leased: its bytes move
				j.raw = bytes.Clone(raw)
			}
			due = append(due, j)
			return nil
		})
		if err != nil {
			return err
		}
		for _, j := range due {
			var err error
			switch {
			case j.d.Channel == ChannelLive && j.d.Link != "": // all a page is told
				j.n = Notification{ID: j.d.Notice, User: j.d.User, Link: j.d.Link}
			case j.d.Channel == ChannelLive: // a page needs its link only
				var n struct {
					Link string `json:"link"`
				}
				err = get(tx, store.Notices, j.d.User+"/"+j.d.Notice, &n)
				j.n = Notification{ID: j.d.Notice, User: j.d.User, Link: n.Link}
			default:
				var raw []byte
				if raw, err = tx.GetRaw(store.Notices, j.d.User+"/"+j.d.Notice); err == nil {
					err = decodeNotification(raw, &j.n)
				}
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			j.found = err == nil
			if j.d.Channel == ChannelPush {
				var sub Subscription
				err := get(tx, store.PushSubs, j.d.User+"/"+j.d.Target, &sub)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				if err == nil {
					j.sub = &sub
				}
			}
		}
		return nil
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	jobs := make([]*taken, 0, len(due))
	leaseUntil := now.Add(d.Lease)
	// The live delivery a delivery carries (Delivery.Link) is told with
	// its first attempt.
	take := func(j *taken) {
		jobs = append(jobs, j)
		if j.d.Channel != ChannelLive && j.d.Link != "" && j.d.Attempt == 0 {
			jobs = append(jobs, carried(j.d))
		}
	}
	if mem != nil {
		// A store of this process alone: leased in memory, nothing
		// written before sending (one write per batch fewer, issue 10).
		for _, j := range due {
			j.key = j.from
			mem.until[j.key] = leaseUntil
			take(j)
		}
	} else {
		err = d.Store.Update(func(tx *store.Tx) error {
			jobs = jobs[:0]
			for _, j := range due {
				// A key names one delivery's one attempt (its due time and
				// id), so a key still there holds the bytes read above.
				if there, err := tx.Take(store.Outbox, j.from); err != nil {
					return err
				} else if !there {
					continue // another dispatcher took it
				}
				j.key = outboxKey(leaseUntil, j.d.ID)
				if err := tx.PutRaw(store.Outbox, j.key, j.raw); err != nil {
					return err
				}
				take(j)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	// A worker's outcome is written before it sends again, so a crash
	// repeats only what was in flight (at most Workers). The writer
	// commits the outcomes of the waiting workers together: when all busy
	// workers wait, when outcomeBatch wait, or outcomeWait after the
	// first (one commit instead of one per message). A delivery dropped
	// before its channel saw it (no address: common, the register holds
	// few e-mail addresses) would only be dropped again, and a live
	// delivery leased in memory is no one's to repeat but open pages',
	// which show a notification once however often they hear of it:
	// their workers go on at once, and their outcomes ride with the next
	// commit (outcomeBatch of them at most, or all the batch). When
	// outcomes cannot be written (the store failed), the rest is not
	// sent: it stays leased and is taken again after the lease.
	done := make(chan *outcome, len(jobs))
	var failed atomic.Bool
	people := &batchPeople{dir: d.People}
	work := func(j *taken) {
		// What was taken out is sent even so: nothing is written after
		// it unless it must be tried again.
		if (failed.Load() && !j.gone) || ctx.Err() != nil {
			done <- &outcome{skipped: true}
			return
		}
		start := time.Now()
		err := d.send(ctx, j, people)
		o := d.decide(j, err)
		o.took = time.Since(start)
		if o.name == OutcomeInterrupted || (o.j.gone && o.retry == nil) {
			o.skipped = true // nothing to write
			done <- &o
			return
		}
		if !j.sent || (d.mem != nil && j.d.Channel == ChannelLive) {
			done <- &o // written with the next commit, not waited for
			return
		}
		o.written = make(chan error, 1)
		done <- &o
		<-o.written
	}
	// Workers goroutines take the jobs in turn (not one goroutine each).
	next := make(chan *taken, len(jobs))
	for _, j := range jobs {
		next <- j
	}
	close(next)
	for range min(d.Workers, len(jobs)) {
		go func() {
			for j := range next {
				work(j)
			}
		}()
	}
	var first error
	var pending []*outcome
	waiting := 0 // of pending, those whose worker waits for the write
	var timer <-chan time.Time
	remaining := len(jobs)       // not yet written or skipped
	var noAddress map[string]int // dropped for want of an address, by channel
	flush := func() {
		if len(pending) == 0 {
			return
		}
		err := d.write(pending)
		if err != nil {
			failed.Store(true)
			if first == nil {
				first = err
			}
		}
		for _, o := range pending {
			if err == nil && d.mem != nil {
				delete(d.mem.until, o.j.key) // (a carried one has none)
			}
			if err == nil && d.Observe != nil {
				d.Observe(o.j.d.Channel, o.name, o.took)
			}
			if err == nil && o.noAddress {
				if noAddress == nil {
					noAddress = map[string]int{}
				}
				noAddress[o.j.d.Channel]++
			}
			if o.written != nil {
				o.written <- err
			}
		}
		remaining -= len(pending)
		pending, waiting, timer = pending[:0], 0, nil
	}
	for remaining > 0 {
		select {
		case o := <-done:
			if o.skipped {
				remaining--
				if o.name != "" && d.Observe != nil { // it was tried
					d.Observe(o.j.d.Channel, o.name, o.took)
				}
				break
			}
			pending = append(pending, o)
			if o.written != nil {
				waiting++
			}
			if timer == nil {
				timer = time.After(outcomeWait)
			}
		case <-timer:
			flush()
		}
		// The workers still busy: those with a job not yet reported,
		// and those waiting for this write.
		busy := min(d.Workers, remaining-len(pending)+waiting)
		if len(pending) >= outcomeBatch || len(pending) == remaining || (waiting > 0 && waiting >= busy) {
			flush()
		}
	}
	for _, ch := range slices.Sorted(maps.Keys(noAddress)) {
		d.Log.Warn("notifications not delivered: the recipient has no address", "channel", ch, "count", noAddress[ch])
	}
	return len(jobs), first
}

// Outcomes are written in batches of at most outcomeBatch, at most
// outcomeWait after the first of them is known (when not every busy
// worker waits sooner).
const (
	outcomeBatch = 128
	outcomeWait  = 10 * time.Millisecond
)

// outcome is what became of one taken delivery.
type outcome struct {
	j         *taken
	name      string    // one of Outcomes
	retry     *Delivery // the next attempt, due at due
	due       time.Time
	took      time.Duration
	skipped   bool       // nothing to write (not sent, shutting down, or taken out and done)
	noAddress bool       // dropped: the recipient has no address on the channel
	written   chan error // the write's result, to the waiting worker
}

// decide is what becomes of a delivery after a send that answered err:
// removed (delivered or dropped) or put back with its next attempt's time.
func (d *Dispatcher) decide(j *taken, err error) outcome {
	o := outcome{j: j, name: OutcomeDelivered}
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		// Shutting down: it stays leased and is taken again after the
		// lease.
		o.name = OutcomeInterrupted
	case errors.Is(err, ErrNoAddress):
		o.name, o.noAddress = OutcomeDropped, true
		d.Log.Debug("notification not delivered", "channel", j.d.Channel, "notice", j.d.Notice, "delivery", j.d.ID, "err", err)
	case errors.Is(err, ErrPermanent):
		o.name = OutcomeDropped
		d.Log.Warn("notification not delivered", "channel", j.d.Channel, "notice", j.d.Notice, "delivery", j.d.ID, "err", err)
	case j.d.Attempt+1 >= d.MaxAttempts:
		o.name = OutcomeGivenUp
		d.Log.Error("notification given up", "channel", j.d.Channel, "notice", j.d.Notice, "delivery", j.d.ID, "attempts", j.d.Attempt+1, "err", err)
	default:
		o.name = OutcomeRetry
		nd := j.d
		nd.Attempt++
		if j.gone { // carried: stored now, under an id of its own
			nd.ID = store.NewID(d.Now())
		}
		wait := d.backoff(nd.Attempt)
		var ra *RetryError
		if errors.As(err, &ra) && ra.After > 0 {
			wait = min(ra.After, 24*time.Hour)
		}
		d.Log.Info("notification retry", "channel", j.d.Channel, "notice", j.d.Notice, "delivery", j.d.ID, "attempt", nd.Attempt, "in", wait.String(), "err", err)
		o.retry, o.due = &nd, d.Now().Add(wait)
	}
	return o
}

// write records outcomes in one transaction: each leased delivery is
// removed (a carried one was never stored), and put back for its next
// attempt when it has one.
func (d *Dispatcher) write(outcomes []*outcome) error {
	return d.Store.Update(func(tx *store.Tx) error {
		for _, o := range outcomes {
			if o.j.write != nil && o.name == OutcomeDelivered {
				if err := o.j.write(tx); err != nil {
					return err
				}
			}
			switch {
			case o.j.gone:
			case d.mem != nil:
				there, err := tx.Take(store.Outbox, o.j.key)
				if err != nil {
					return err
				}
				if !there {
					// Leased in memory and removed meanwhile (ForgetCase:
					// its case was deleted): no next attempt either.
					continue
				}
			default:
				if err := tx.Delete(store.Outbox, o.j.key); err != nil {
					return err
				}
			}
			if o.retry != nil {
				if err := tx.PutRaw(store.Outbox, outboxKey(o.due, o.retry.ID), encodeDelivery(o.retry)); err != nil {
					return err
				}
			}
		}
		return nil
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
func (d *Dispatcher) send(ctx context.Context, j *taken, people Directory) error {
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
		j.sent = true
		return snd.Send(ctx, Message{Key: j.d.Key(), Channel: ChannelLive, To: j.d.User, User: j.d.User,
			Notice: j.n.ID, Link: j.n.Link})
	}
	p, err := people.Person(j.d.User)
	if err != nil && j.n.Contact == nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: recipient unknown", ErrPermanent)
		}
		return err
	}
	if c := j.n.Contact; c != nil { // the given address comes first
		if err != nil {
			p = population.Person{Language: c.Lang}
		}
		if c.Email != "" {
			p.Email = c.Email
		}
		if c.Phone != "" {
			p.Phone = c.Phone
		}
	}
	lang := p.Language
	if lang != "fi" && lang != "sv" && lang != "en" {
		lang = "fi"
	}
	n := j.n
	var secret string
	if link := d.Links[n.Kind]; link != nil && (j.d.Channel == ChannelEmail || j.d.Channel == ChannelSMS) {
		path, sec, err := link(ctx, n, j.d.Channel)
		if err != nil {
			return err
		}
		n.Link, secret = path, sec
	}
	m := Message{Key: j.d.Key(), Channel: j.d.Channel, User: j.d.User, Lang: lang, Notice: n.ID, Secret: secret}
	switch j.d.Channel {
	case ChannelEmail:
		m.To = strings.TrimSpace(p.Email)
	case ChannelSMS:
		m.To = strings.TrimSpace(p.Phone)
	case ChannelPush:
		m.To, m.Device = j.d.Target, j.sub
	case ChannelSuomiFi:
		m.To = strings.TrimSpace(p.Hetu)
	}
	if m.To == "" { // before rendering what would not be sent
		if err := noAddress[j.d.Channel]; err != nil {
			return err
		}
		return fmt.Errorf("%w for %s", ErrNoAddress, j.d.Channel)
	}
	m.Link = d.Render.URL(lang, n)
	switch j.d.Channel {
	case ChannelEmail:
		m.Subject, m.Text, m.HTML = d.Render.Mail(lang, n)
	case ChannelSMS:
		m.Text = d.Render.SMS(lang, n)
	case ChannelPush:
		m.Title = d.Render.PushTitle(lang)
	case ChannelSuomiFi:
		m.Subject, m.Text, _ = d.Render.Mail(lang, j.n)
	}
	j.sent = true
	if ss, ok := snd.(storeSender); ok && ss.store() == d.Store {
		j.write = ss.record(m) // written with the outcome (write)
		return nil
	}
	return snd.Send(ctx, m)
}

// queuePush owes n to every push device of its recipient.
func queuePush(q *queue) error {
	var subs []string
	prefix := q.n.User + "/"
	if err := q.tx.Scan(store.PushSubs, prefix, func(k string, _ []byte) error {
		subs = append(subs, k[len(prefix):])
		return nil
	}); err != nil {
		return err
	}
	for _, id := range subs {
		if err := q.add(ChannelPush, id); err != nil {
			return err
		}
	}
	return nil
}
