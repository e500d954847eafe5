package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// Counters of a write transaction are kept in the Tx and written once,
// when its functions have run (Tx.finish), not at every AddCount (issue
// 9: a submit adds to 10–30 counters — the report aggregates, the inbox
// counts, the unread count — and a group commit runs many submits that
// add to the same ones in one transaction; every write was a bbolt
// cursor walk and a node update, or a statement on PostgreSQL). What the
// transaction reads sees the pending values: GetRaw, Get and Has of a
// counter answer from them, NextSeq and AddCount continue from them, a
// Put or Delete of a counter replaces its pending value, and a scan,
// count, walk or page of the bucket writes them out first. A Tx lives for
// one attempt: a group that is run again (a function failed) or a
// PostgreSQL transaction that is retried starts with none pending.

// pendingCount is a counter's value in the transaction.
type pendingCount struct {
	n int64 // the value now (0: no key)
	// stored: the key holds n as it would be written (or is absent and
	// n is 0), so nothing needs writing.
	stored bool
}

// addCount is AddCount in a write transaction: the counter's value is
// read once, and kept with the delta added.
func (t *Tx) addCount(name string, delta int64) (int64, error) {
	p, ok := t.counts[name]
	if !ok {
		raw, err := t.b.getRaw(Counters, name)
		switch {
		case errors.Is(err, ErrNotFound):
			p = pendingCount{stored: true}
		case err != nil:
			return 0, err
		default:
			n, err := parseCount(name, raw, func(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) })
			if err != nil {
				return 0, err
			}
			var buf [20]byte
			p = pendingCount{n: n, stored: bytes.Equal(raw, strconv.AppendInt(buf[:0], n, 10))}
		}
		if t.counts == nil {
			t.counts = make(map[string]pendingCount)
		}
	}
	base := p
	p.n += delta
	if p.n < 0 {
		p.n = 0
	}
	p.stored = base.stored && p.n == base.n
	t.counts[name] = p
	return p.n, nil
}

// deferCount tells whether AddCount of name waits for the end of the
// transaction: in a write transaction, for a name the backends take as
// a key (any other fails or is no-op as it always did, at once).
func (t *Tx) deferCount(name string) bool {
	return t.deferCounts && name != "" && len(name) <= bolt.MaxKeySize
}

// pendingRaw answers a read of key in bucket from the pending counters:
// ok when it is one, raw nil when it is zero (no key).
func (t *Tx) pendingRaw(bucket, key string) (raw []byte, ok bool) {
	if bucket != Counters || len(t.counts) == 0 {
		return nil, false
	}
	p, ok := t.counts[key]
	if !ok || p.n == 0 {
		return nil, ok
	}
	return strconv.AppendInt(nil, p.n, 10), true
}

// forget drops a pending counter that a direct write replaces.
func (t *Tx) forget(bucket, key string) {
	if bucket == Counters && len(t.counts) > 0 {
		delete(t.counts, key)
	}
}

// settle writes the pending counters out before a read of the bucket
// that does not go by one key (a scan, a count, a walk, a page).
func (t *Tx) settle(bucket string) error {
	if bucket != Counters || len(t.counts) == 0 {
		return nil
	}
	return t.writeCounts()
}

// finish ends a write transaction's functions: the pending counters are
// written (before bbolt's commit, or with PostgreSQL's last batch).
func (t *Tx) finish() error {
	if len(t.counts) == 0 {
		return nil
	}
	return t.writeCounts()
}

// writeCounts writes every pending counter that changed, in key order
// (on PostgreSQL, concurrent transactions then lock the rows of the
// counters they share in one order), and forgets them.
func (t *Tx) writeCounts() error {
	names := make([]string, 0, len(t.counts))
	for name, p := range t.counts {
		if !p.stored {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		var err error
		if n := t.counts[name].n; n == 0 {
			err = t.b.delete(Counters, name)
		} else {
			err = t.b.putRaw(Counters, name, strconv.AppendInt(nil, n, 10))
		}
		if err != nil {
			return err
		}
	}
	clear(t.counts)
	return nil
}

// parseCount is a counter's stored value read by parse; a value that is
// not a count is an error.
func parseCount(name string, raw []byte, parse func(string) (int64, error)) (int64, error) {
	n, err := parse(string(raw))
	if err != nil {
		return 0, fmt.Errorf("store: counter %q holds %q, not a count: %w", name, raw, err)
	}
	return n, nil
}
