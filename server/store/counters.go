package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

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
			n, err := parseCount(name, raw, false)
			if err != nil {
				return 0, err
			}
			var buf [20]byte
			p = pendingCount{n: n, stored: bytes.Equal(raw, strconv.AppendInt(buf[:0], n, 10))}
		}
		if t.counts == nil {
			t.counts, _ = countMaps.Get().(map[string]pendingCount)
			if t.counts == nil {
				t.counts = make(map[string]pendingCount, 16)
			}
		}
		if len(t.counts) >= maxPooledCounts {
			t.countsBig = true
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
// counters they share in one order), and forgets them. The values are
// cut from one buffer (the backend keeps each until the transaction
// ends), not allocated one by one.
func (t *Tx) writeCounts() error {
	names := make([]string, 0, len(t.counts))
	size := 0
	for name, p := range t.counts {
		if !p.stored {
			names = append(names, name)
			var buf [20]byte
			size += len(strconv.AppendInt(buf[:0], p.n, 10))
		}
	}
	slices.Sort(names)
	values := make([]byte, 0, size)
	for _, name := range names {
		var err error
		if n := t.counts[name].n; n == 0 {
			err = t.b.delete(Counters, name)
		} else {
			start := len(values)
			values = strconv.AppendInt(values, n, 10)
			err = t.b.putRaw(Counters, name, values[start:len(values):len(values)])
		}
		if err != nil {
			return err
		}
	}
	clear(t.counts)
	return nil
}

// The maps of pending counters are pooled (issue 9: a submit adds to
// 10–30 counters, and the map grew to them in every transaction); one
// that held maxPooledCounts or more is left to the collector.
var countMaps sync.Pool

const maxPooledCounts = 256

// release ends the Tx's use of what it shares with later transactions
// (the map of pending counters): when its transaction has ended.
func (t *Tx) release() {
	if t.counts == nil {
		return
	}
	if !t.countsBig {
		clear(t.counts)
		countMaps.Put(t.counts)
	}
	t.counts, t.countsBig = nil, false
}

// parseCount is a counter's stored value, unsigned (a sequence) or not; a
// value that is not a count is an error.
func parseCount(name string, raw []byte, unsigned bool) (int64, error) {
	var n int64
	var err error
	if unsigned {
		var u uint64
		u, err = strconv.ParseUint(string(raw), 10, 64)
		n = int64(u)
	} else {
		n, err = strconv.ParseInt(string(raw), 10, 64)
	}
	if err != nil {
		return 0, fmt.Errorf("store: counter %q holds %q, not a count: %w", name, raw, err)
	}
	return n, nil
}
