package store

import "encoding/json"

// Values decodes the value of every key with the prefix into a T, in key
// order. It returns nil when no key matches; a value that does not decode
// ends the scan with its error.
func Values[T any](tx *Tx, bucket, prefix string) ([]T, error) {
	return values[T](tx, tx.b.scan, bucket, prefix)
}

// ValuesReverse is Values from the last matching key backwards (newest
// first, for keys that end in an id from NewID).
func ValuesReverse[T any](tx *Tx, bucket, prefix string) ([]T, error) {
	return values[T](tx, tx.b.scanReverse, bucket, prefix)
}

// values scans the backend itself: a compressed value is decompressed
// into one pooled buffer, as Get does, since each is decoded (and
// json.Unmarshal copies what it keeps) before the next.
func values[T any](tx *Tx, scan func(bucket, prefix string, fn func(string, []byte) error) error, bucket, prefix string) ([]T, error) {
	if err := tx.settle(bucket); err != nil {
		return nil, err
	}
	var w *writeBuf
	if compressedBuckets[bucket] {
		w = getWriteBuf()
		defer w.release()
	}
	var out []T
	err := scan(bucket, prefix, func(key string, raw []byte) error {
		if w != nil && compressed(bucket, raw) {
			var err error
			if raw, err = w.unpacked(bucket, key, raw); err != nil {
				return err
			}
		}
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
