package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// Iter walks the keys with a prefix one at a time, so that a reader can
// merge several ranges (the inbox's per-service walks) or step through
// them in lockstep, reading only as far as it needs. It lives as long as
// its transaction; Key and Value are valid until the next call to Next.
type Iter struct {
	c       *bolt.Cursor // bbolt: a cursor; other backends: batches (fill)
	fill    func(after []byte) ([][2][]byte, error)
	batch   [][2][]byte
	prefix  []byte
	reverse bool
	started bool
	from    []byte // forward: the first key; reverse: the bound (exclusive)
	k, v    []byte
	err     error
	bucket  string
}

// Iter starts a walk of the keys with prefix in key order from the key
// from on (inclusive; "" or before the prefix: from the first), or with
// reverse from the last key below from backwards (exclusive; "" or past
// the prefix: from the last). Call Next before the first key.
func (t *Tx) Iter(bucket, prefix, from string, reverse bool) (*Iter, error) {
	if err := t.settle(bucket); err != nil {
		return nil, err
	}
	it := &Iter{prefix: []byte(prefix), reverse: reverse, bucket: bucket}
	if from != "" && len(from) >= len(prefix) && from[:len(prefix)] == prefix {
		it.from = []byte(from)
	}
	if bt, ok := t.b.(*boltTx); ok {
		b, err := bt.bucket(bucket)
		if err != nil {
			return nil, err
		}
		it.c = b.Cursor()
		return it, nil
	}
	// Another backend reads ahead iterBatch keys at a time through its
	// range scans; after is the last key handed out (nil: none yet).
	it.fill = func(after []byte) ([][2][]byte, error) {
		var out [][2][]byte
		take := func(k string, v []byte) error {
			out = append(out, [2][]byte{[]byte(k), append([]byte(nil), v...)})
			if len(out) == iterBatch {
				return ErrStop
			}
			return nil
		}
		var err error
		switch {
		case !reverse && after != nil:
			err = t.b.scanFrom(bucket, prefix, string(after)+"\x00", take)
		case !reverse:
			err = t.b.scanFrom(bucket, prefix, string(it.from), take)
		case after != nil:
			err = t.b.scanReverseBefore(bucket, prefix, string(after), take)
		default:
			err = t.b.scanReverseBefore(bucket, prefix, string(it.from), take)
		}
		return out, err
	}
	return it, nil
}

// iterBatch is how many keys an Iter on PostgreSQL reads at a time.
const iterBatch = 64

// nextBatched is Next for a backend without cursors.
func (it *Iter) nextBatched() bool {
	if len(it.batch) == 0 {
		if it.started && it.k == nil {
			return false
		}
		var err error
		if it.batch, err = it.fill(it.k); err != nil || len(it.batch) == 0 {
			it.started, it.k, it.v, it.batch = true, nil, nil, nil
			if err != nil {
				it.err = err
			}
			return false
		}
	}
	it.started = true
	it.k, it.v = it.batch[0][0], it.batch[0][1]
	it.batch = it.batch[1:]
	return true
}

// Err is the error that ended the walk early, if any (a PostgreSQL read
// that failed mid-walk), or of a Value that could not be read.
func (it *Iter) Err() error { return it.err }

// Next moves to the next key of the walk; false when there is none.
func (it *Iter) Next() bool {
	if it.fill != nil {
		return it.nextBatched()
	}
	var k, v []byte
	switch {
	case it.started && !it.reverse:
		k, v = it.c.Next()
	case it.started:
		k, v = it.c.Prev()
	case !it.reverse:
		start := it.prefix
		if it.from != nil {
			start = it.from
		}
		k, v = it.c.Seek(start)
	default:
		end := it.from
		if end == nil {
			end = append(append([]byte{}, it.prefix...), 0xff)
		}
		if k, _ = it.c.Seek(end); k == nil {
			k, v = it.c.Last()
		} else {
			k, v = it.c.Prev()
		}
	}
	it.started = true
	if k == nil || !bytes.HasPrefix(k, it.prefix) {
		it.k, it.v = nil, nil
		return false
	}
	it.k, it.v = k, v
	return true
}

// Key is the current key (nil before the first Next and after the last).
func (it *Iter) Key() []byte { return it.k }

// Value is the current key's value (nil when it cannot be read: see Err).
func (it *Iter) Value() []byte {
	v, err := unpack(it.bucket, string(it.k), it.v)
	if err != nil {
		it.err = err
	}
	return v
}
