package store

import "encoding/json"

// Values decodes the value of every key with the prefix into a T, in key
// order. It returns nil when no key matches; a value that does not decode
// ends the scan with its error.
func Values[T any](tx *Tx, bucket, prefix string) ([]T, error) {
	return values[T](tx.Scan, bucket, prefix)
}

// ValuesReverse is Values from the last matching key backwards (newest
// first, for keys that end in an id from NewID).
func ValuesReverse[T any](tx *Tx, bucket, prefix string) ([]T, error) {
	return values[T](tx.ScanReverse, bucket, prefix)
}

func values[T any](scan func(bucket, prefix string, fn func(string, []byte) error) error, bucket, prefix string) ([]T, error) {
	var out []T
	err := scan(bucket, prefix, func(_ string, raw []byte) error {
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
