package store

import (
	"encoding/json"
	"errors"
	"strconv"
)

// Tx is a transaction. Values are JSON-encoded. What it reads and writes
// goes to its backend: a bbolt transaction (boltTx, the default) or a
// PostgreSQL one (pgTx); everything above this file is the same for both.
type Tx struct {
	b txBackend
	// deferCounts: a write transaction, whose counters wait in counts
	// until finish (counters.go).
	deferCounts bool
	counts      map[string]pendingCount
	countsBig   bool // counts held maxPooledCounts: not pooled again
	// vals holds the values the transaction stored (keep), which the
	// backend keeps until the transaction ends: filled chunks in
	// valsFull, the current one in vals.
	vals     []byte
	valsFull [][]byte
}

// txBackend is what a backend implements: bytes at string keys in named
// buckets, keys ordered by their bytes (bbolt's order, which PostgreSQL's
// bytea comparison gives too). bucket is one of allBuckets (else an
// error); raw values handed to fn are valid only during the call.
type txBackend interface {
	getRaw(bucket, key string) ([]byte, error) // ErrNotFound when absent
	putRaw(bucket, key string, raw []byte) error
	delete(bucket, key string) error
	scan(bucket, prefix string, fn func(key string, raw []byte) error) error
	scanReverse(bucket, prefix string, fn func(key string, raw []byte) error) error
	scanFrom(bucket, prefix, from string, fn func(key string, raw []byte) error) error
	scanReverseBefore(bucket, prefix, before string, fn func(key string, raw []byte) error) error
	pageReverse(bucket, prefix, cursor string, limit int, take func(key string, raw []byte) (bool, error)) (string, error)
	count(bucket string) (int, error)
}

// ErrStop ends a Scan early without error.
var ErrStop = errors.New("store: stop scan")

// Get decodes the value at key into v. It returns ErrNotFound when absent.
// A compressed value is decompressed into a reused buffer: an
// UnmarshalJSON of v must copy what it keeps (as encoding/json requires).
func (t *Tx) Get(bucket, key string, v any) error {
	raw, err := t.stored(bucket, key)
	if err != nil {
		return err
	}
	if compressed(bucket, raw) {
		w := getWriteBuf()
		defer w.release()
		if raw, err = w.unpacked(bucket, key, raw); err != nil {
			return err
		}
	}
	return json.Unmarshal(raw, v)
}

// GetRaw returns the raw bytes at key, valid only inside the transaction.
func (t *Tx) GetRaw(bucket, key string) ([]byte, error) {
	raw, err := t.stored(bucket, key)
	if err != nil {
		return nil, err
	}
	return unpack(bucket, key, raw)
}

// GetRawInto is GetRaw decompressing a compressed value into buf's
// memory instead of a new slice, for a caller that reads many values one
// after another (issue 9: prefill read 20 earlier cases, 36 KB, per
// draft). The value is valid until buf is used again or the transaction
// ends; grown is buf as it grew, to pass to the next call.
func (t *Tx) GetRawInto(bucket, key string, buf []byte) (val, grown []byte, err error) {
	raw, err := t.stored(bucket, key)
	if err != nil {
		return nil, buf, err
	}
	return unpackInto(bucket, key, raw, buf)
}

// stored is the stored form of the value at key: a pending counter's,
// or the backend's.
func (t *Tx) stored(bucket, key string) ([]byte, error) {
	if raw, ok := t.pendingRaw(bucket, key); ok {
		if raw == nil {
			return nil, ErrNotFound
		}
		return raw, nil
	}
	return t.b.getRaw(bucket, key)
}

// Has reports whether key exists.
func (t *Tx) Has(bucket, key string) bool {
	if raw, ok := t.pendingRaw(bucket, key); ok {
		return raw != nil
	}
	_, err := t.b.getRaw(bucket, key)
	return err == nil
}

// Put stores v JSON-encoded at key.
func (t *Tx) Put(bucket, key string, v any) error {
	w := getWriteBuf()
	defer w.release()
	raw, err := w.marshal(v)
	if err != nil {
		return err
	}
	t.forget(bucket, key)
	return t.b.putRaw(bucket, key, t.keep(w.packed(bucket, raw)))
}

// PutRaw stores raw bytes at key. The backend may keep raw until the
// transaction ends: it must not change meanwhile.
func (t *Tx) PutRaw(bucket, key string, raw []byte) error {
	t.forget(bucket, key)
	if compressedBuckets[bucket] && len(raw) >= compressMin {
		w := getWriteBuf()
		defer w.release()
		raw = t.keep(w.packed(bucket, raw))
	}
	return t.b.putRaw(bucket, key, raw)
}

// Delete removes key.
func (t *Tx) Delete(bucket, key string) error {
	t.forget(bucket, key)
	return t.b.delete(bucket, key)
}

// Scan calls fn for every key with the prefix, in key order. raw is valid
// only during the call. Returning ErrStop ends the scan early.
func (t *Tx) Scan(bucket, prefix string, fn func(key string, raw []byte) error) error {
	if err := t.settle(bucket); err != nil {
		return err
	}
	return t.b.scan(bucket, prefix, unpacking(bucket, fn))
}

// ScanReverse is Scan from the last matching key backwards.
func (t *Tx) ScanReverse(bucket, prefix string, fn func(key string, raw []byte) error) error {
	if err := t.settle(bucket); err != nil {
		return err
	}
	return t.b.scanReverse(bucket, prefix, unpacking(bucket, fn))
}

// ScanFrom is Scan of the keys with the prefix from the key from on
// (inclusive; from "" or before the prefix: from the first).
func (t *Tx) ScanFrom(bucket, prefix, from string, fn func(key string, raw []byte) error) error {
	if err := t.settle(bucket); err != nil {
		return err
	}
	return t.b.scanFrom(bucket, prefix, from, unpacking(bucket, fn))
}

// ScanReverseBefore is ScanReverse of the keys with the prefix that sort
// before the key before (exclusive; "" or past the prefix: from the last).
func (t *Tx) ScanReverseBefore(bucket, prefix, before string, fn func(key string, raw []byte) error) error {
	if err := t.settle(bucket); err != nil {
		return err
	}
	return t.b.scanReverseBefore(bucket, prefix, before, unpacking(bucket, fn))
}

// Count returns the number of keys in a bucket.
func (t *Tx) Count(bucket string) (int, error) {
	if err := t.settle(bucket); err != nil {
		return 0, err
	}
	return t.b.count(bucket)
}

// counter reads a named counter: 0 when absent (its pending value when
// it has one).
func (t *Tx) counter(name string, unsigned bool) (int64, error) {
	if p, ok := t.counts[name]; ok {
		return p.n, nil
	}
	raw, err := t.b.getRaw(Counters, name)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return parseCount(name, raw, unsigned)
}

// NextSeq returns the next value of a named counter (1, 2, 3, …). A
// stored value that is not a number is an error: starting again from 1
// would hand out numbers already given.
func (t *Tx) NextSeq(name string) (uint64, error) {
	n, err := t.counter(name, true)
	if err != nil {
		return 0, err
	}
	u := uint64(n) + 1
	t.forget(Counters, name)
	return u, t.b.putRaw(Counters, name, strconv.AppendUint(nil, u, 10))
}

// AddCount adds delta to a named counter and returns the new value; a
// counter that reaches zero is removed. A stored value that is not a
// number is an error (taking it for zero would drop what it counts).
// In a write transaction the counter is written once, when its functions
// have run; what the transaction reads sees the value (counters.go).
func (t *Tx) AddCount(name string, delta int64) (int64, error) {
	if t.deferCount(name) {
		return t.addCount(name, delta)
	}
	n, err := t.counter(name, false)
	if err != nil {
		return 0, err
	}
	n += delta
	if n <= 0 {
		return 0, t.b.delete(Counters, name)
	}
	return n, t.b.putRaw(Counters, name, strconv.AppendInt(nil, n, 10))
}
