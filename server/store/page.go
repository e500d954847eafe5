package store

import (
	"bytes"
	"errors"
)

// ErrBadCursor answers a page cursor that is not one this store handed
// out (not an id).
var ErrBadCursor = errors.New("store: bad page cursor")

// PageReverse visits the keys with prefix newest first (for keys that end
// in an id from NewID), starting below prefix+cursor (at the last key when
// cursor is ""), until take has taken limit entries. take reports whether
// it took an entry: one it skips (an expired draft, an index entry ahead
// of a deleted record) does not count. raw is valid only during the call.
//
// next is the cursor of the following page: the rest after the prefix of
// the last key taken, or "" when no key with the prefix follows it (a next
// page may still turn out empty when every key left is skipped). Only the
// keys of one page and the one after it are read, however many there are.
// A cursor that is not an id is ErrBadCursor; limit <= 0 takes all.
func (t *Tx) PageReverse(bucket, prefix, cursor string, limit int, take func(key string, raw []byte) (bool, error)) (next string, err error) {
	if cursor != "" && !ValidID(cursor) {
		return "", ErrBadCursor
	}
	if err := t.settle(bucket); err != nil {
		return "", err
	}
	if compressedBuckets[bucket] {
		plain := take
		take = func(key string, raw []byte) (bool, error) {
			v, err := unpack(bucket, key, raw)
			if err != nil {
				return false, err
			}
			return plain(key, v)
		}
	}
	return t.b.pageReverse(bucket, prefix, cursor, limit, take)
}

func (t *boltTx) pageReverse(bucket, prefix, cursor string, limit int, take func(key string, raw []byte) (bool, error)) (next string, err error) {
	b, err := t.bucket(bucket)
	if err != nil {
		return "", err
	}
	c := b.Cursor()
	p := []byte(prefix)
	var k, v []byte
	if cursor != "" {
		// The page starts at the key just below prefix+cursor.
		k, _ = c.Seek(append(append([]byte{}, p...), cursor...))
	} else {
		k, _ = c.Seek(append(append([]byte{}, p...), 0xff))
	}
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	taken := 0
	for ; k != nil && bytes.HasPrefix(k, p); k, v = c.Prev() {
		if limit > 0 && taken == limit {
			return next, nil // a key follows the last one taken
		}
		ok, err := take(string(k), v)
		if err != nil {
			return "", err
		}
		if ok {
			taken++
			next = string(k[len(p):])
		}
	}
	return "", nil
}
