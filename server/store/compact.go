package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// CompactResult tells what Compact did.
type CompactResult struct {
	Before, After int64  // file sizes in bytes
	Kept          string // where the file as it was is kept
}

// Compact rewrites the database in dir into a new file with every page
// full (bbolt's Compact), keeps the file as it was next to it
// (asiointi.db.before-compact-<time>) and puts the new one in its place.
// It is offline: it holds the file's lock throughout, and refuses while a
// server has the file open. bbolt never gives freed pages back to the file
// system and splits pages half full, so a store that grew before its
// records got smaller (issue 9) shrinks only this way. It also stores
// the values of the compressed buckets as they are written today
// (compress.go): plain JSON of earlier versions, or compressed without
// today's dictionary, is compressed again (repack).
func Compact(dir string, now time.Time) (CompactResult, error) {
	var res CompactResult
	path := filepath.Join(dir, FileName)
	st, err := os.Stat(path)
	if err != nil {
		return res, err
	}
	res.Before = st.Size()
	src, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return res, fmt.Errorf("open %s: the database is in use: stop the server first", path)
		}
		return res, fmt.Errorf("open %s: %w", path, err)
	}
	defer src.Close()
	tmp := path + ".compact"
	os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{NoSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return res, err
	}
	err = compactCopy(dst, src, 64<<20)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("compact %s: %w", path, err)
	}
	res.Kept = path + ".before-compact-" + now.UTC().Format("20060102T150405Z")
	// The lock is on the open file, which the renames do not move: no
	// server can open either name until src closes.
	if err := os.Rename(path, res.Kept); err != nil {
		os.Remove(tmp)
		return res, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Rename(res.Kept, path) // put the original back
		return res, err
	}
	if st, err := os.Stat(path); err == nil {
		res.After = st.Size()
	}
	return res, syncFile(dir)
}

// compactCopy copies every bucket of src to dst with pages full, the
// values of compressed buckets repacked, committing every txMax bytes
// (bbolt's Compact, which copies values as they are, with repack).
func compactCopy(dst, src *bolt.DB, txMax int) error {
	tx, err := dst.Begin(true)
	if err != nil {
		return err
	}
	defer func() { tx.Rollback() }()
	size := 0
	var copyBucket func(path [][]byte, from *bolt.Bucket) error
	copyBucket = func(path [][]byte, from *bolt.Bucket) error {
		to := func() (*bolt.Bucket, error) { // in the current transaction
			b := tx.Bucket(path[0])
			for _, name := range path[1:] {
				b = b.Bucket(name)
			}
			if b == nil {
				return nil, fmt.Errorf("compact: bucket %q vanished", path)
			}
			b.FillPercent = 1.0
			return b, nil
		}
		b, err := to()
		if err != nil {
			return err
		}
		if err := b.SetSequence(from.Sequence()); err != nil {
			return err
		}
		return from.ForEach(func(k, v []byte) error {
			if size += len(k) + len(v); size > txMax {
				if err := tx.Commit(); err != nil {
					return err
				}
				if tx, err = dst.Begin(true); err != nil {
					return err
				}
				size = 0
				if b, err = to(); err != nil {
					return err
				}
			}
			if v == nil { // a bucket inside
				if _, err := b.CreateBucket(k); err != nil {
					return err
				}
				if err := copyBucket(append(path[:len(path):len(path)], k), from.Bucket(k)); err != nil {
					return err
				}
				b, err = to() // the copy may have committed
				return err
			}
			if len(path) == 1 {
				v = repack(string(path[0]), v)
			}
			return b.Put(k, v)
		})
	}
	err = src.View(func(stx *bolt.Tx) error {
		return stx.ForEach(func(name []byte, from *bolt.Bucket) error {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
			return copyBucket([][]byte{name}, from)
		})
	})
	if err != nil {
		return err
	}
	return tx.Commit()
}

// syncFile fsyncs a file or directory.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
