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
	c       *bolt.Cursor
	prefix  []byte
	reverse bool
	started bool
	from    []byte // forward: the first key; reverse: the bound (exclusive)
	k, v    []byte
}

// Iter starts a walk of the keys with prefix in key order from the key
// from on (inclusive; "" or before the prefix: from the first), or with
// reverse from the last key below from backwards (exclusive; "" or past
// the prefix: from the last). Call Next before the first key.
func (t *Tx) Iter(bucket, prefix, from string, reverse bool) (*Iter, error) {
	b, err := t.bucket(bucket)
	if err != nil {
		return nil, err
	}
	it := &Iter{c: b.Cursor(), prefix: []byte(prefix), reverse: reverse}
	if from != "" && len(from) >= len(prefix) && from[:len(prefix)] == prefix {
		it.from = []byte(from)
	}
	return it, nil
}

// Next moves to the next key of the walk; false when there is none.
func (it *Iter) Next() bool {
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

// Value is the current key's value.
func (it *Iter) Value() []byte { return it.v }
