package store

import "errors"

// PutPlain stores raw at key as it is, also in a bucket whose values are
// compressed (compress.go): for short records written in a hot path
// whose compression costs more than the bytes it saves (a notification:
// about 300 bytes, 120 fewer compressed, for 10 µs of CPU with the
// dictionary, issue 10). They read as any value written before
// compression; compact compresses them later (repack).
func (t *Tx) PutPlain(bucket, key string, raw []byte) error {
	return t.b.putRaw(bucket, key, raw)
}

// Take removes key and reports whether it was there: a lookup and a
// delete in one (on bbolt one cursor seek instead of two), for a claim such
// as the notification dispatcher's lease of a delivery.
func (t *Tx) Take(bucket, key string) (bool, error) {
	if b, ok := t.b.(*boltTx); ok {
		c, _, found, err := b.keyCursor(bucket, key)
		if err != nil || !found {
			return false, err
		}
		return true, c.Delete()
	}
	if _, err := t.b.getRaw(bucket, key); err != nil {
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	return true, t.b.delete(bucket, key)
}

// Shared is Store.Shared of the transaction's store: whether other
// processes write to it too (PostgreSQL), so that what one process
// keeps in memory does not stand for what is stored.
func (t *Tx) Shared() bool {
	_, bolt := t.b.(*boltTx)
	return !bolt
}
