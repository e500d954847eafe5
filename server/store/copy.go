package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
)

// BucketSum is what Copy compares of one bucket on both sides: how many
// keys, and a SHA-256 over every key and value in key order.
type BucketSum struct {
	Bucket string
	Keys   int
	Sum    [32]byte
}

// CopyResult tells what Copy copied and verified.
type CopyResult struct {
	Buckets []BucketSum // the source's, equal to the destination's
	Keys    int         // in every bucket together
}

// ErrNotEmpty refuses a copy into a store that holds data already.
var ErrNotEmpty = errors.New("store: the destination holds data already; copy only into a new, empty store")

// copyChunk is how many records go into one write of the destination.
const copyChunk = 2000

// Copy copies every record of src into dst (a new, empty store of either
// backend: bbolt to PostgreSQL and back) from one snapshot of src, then
// verifies every bucket on both sides (key counts and hashes). src must not
// change meanwhile on bbolt (the file is locked) and should not on
// PostgreSQL (stop the servers): what is copied is the snapshot, and a
// later change makes the verification fail.
func Copy(dst, src *Store) (CopyResult, error) {
	var res CopyResult
	if err := dst.View(func(tx *Tx) error {
		for _, b := range allBuckets {
			empty := true
			err := tx.Scan(b, "", func(k string, _ []byte) error {
				if b == Meta && (k == "schema" || k == "probe") {
					return nil // what opening the store wrote
				}
				empty = false
				return ErrStop
			})
			if err != nil {
				return err
			}
			if !empty {
				return fmt.Errorf("%w (bucket %s)", ErrNotEmpty, b)
			}
		}
		return nil
	}); err != nil {
		return res, err
	}
	err := src.View(func(tx *Tx) error {
		type rec struct {
			k string
			v []byte
		}
		var chunk []rec
		var bucket string
		flush := func() error {
			if len(chunk) == 0 {
				return nil
			}
			err := dst.UpdateAlone(func(dtx *Tx) error {
				for _, r := range chunk {
					if err := dtx.PutRaw(bucket, r.k, r.v); err != nil {
						return err
					}
				}
				return nil
			})
			chunk = chunk[:0]
			return err
		}
		for _, b := range allBuckets {
			bucket = b
			err := tx.Scan(b, "", func(k string, v []byte) error {
				chunk = append(chunk, rec{k, bytes.Clone(v)})
				if len(chunk) == copyChunk {
					return flush()
				}
				return nil
			})
			if err == nil {
				err = flush()
			}
			if err != nil {
				return fmt.Errorf("copy bucket %s: %w", b, err)
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	from, err := sums(src)
	if err != nil {
		return res, fmt.Errorf("verify the source: %w", err)
	}
	to, err := sums(dst)
	if err != nil {
		return res, fmt.Errorf("verify the copy: %w", err)
	}
	var bad []error
	for i := range from {
		if from[i] != to[i] {
			bad = append(bad, fmt.Errorf("bucket %s: %d keys in the source, %d in the copy, or their contents differ",
				from[i].Bucket, from[i].Keys, to[i].Keys))
		}
		res.Keys += from[i].Keys
	}
	res.Buckets = from
	return res, errors.Join(bad...)
}

// sums are every bucket's BucketSum (Meta without its probe, which each
// store writes on its own).
func sums(s *Store) ([]BucketSum, error) {
	out := make([]BucketSum, len(allBuckets))
	err := s.View(func(tx *Tx) error {
		for i, b := range allBuckets {
			var h hash.Hash = sha256.New()
			n := 0
			err := tx.Scan(b, "", func(k string, v []byte) error {
				if b == Meta && k == "probe" {
					return nil
				}
				var l [8]byte
				binary.BigEndian.PutUint64(l[:], uint64(len(k)))
				h.Write(l[:])
				h.Write([]byte(k))
				binary.BigEndian.PutUint64(l[:], uint64(len(v)))
				h.Write(l[:])
				h.Write(v)
				n++
				return nil
			})
			if err != nil {
				return err
			}
			out[i] = BucketSum{Bucket: b, Keys: n}
			copy(out[i].Sum[:], h.Sum(nil))
		}
		return nil
	})
	return out, err
}
