package store

import (
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// RawBolt is plain bbolt with its own Batch (fsync on, MaxBatchDelay 2 ms
// as bbolt's documentation suggests for latency-sensitive writers),
// for measurements that compare the store path with the bare library on
// the same machine (server/loadgen -mode raw). The application never uses it.
type RawBolt struct{ db *bolt.DB }

// OpenRawBolt opens a bare bbolt file in dir with one bucket.
func OpenRawBolt(dir string) (*RawBolt, error) {
	db, err := bolt.Open(filepath.Join(dir, "raw.db"), 0o600, nil)
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists([]byte("raw")); return err })
	if err != nil {
		db.Close()
		return nil, err
	}
	db.MaxBatchDelay = 2 * time.Millisecond
	return &RawBolt{db: db}, nil
}

// Put writes one key through bbolt's Batch.
func (r *RawBolt) Put(key string, val []byte) error {
	return r.db.Batch(func(tx *bolt.Tx) error { return tx.Bucket([]byte("raw")).Put([]byte(key), val) })
}

// Close closes the file.
func (r *RawBolt) Close() error { return r.db.Close() }
