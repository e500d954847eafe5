package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrDiskFull is the error of a write that failed because the file system
// (or the user's quota) is full: errors.Is(err, ErrDiskFull). Nothing of
// the transaction was stored; earlier data stays readable, and writes work
// again once space is freed. Its method DiskFull lets a layer that does
// not import store (web, answering 507) recognise it with errors.As and
// an interface{ DiskFull() bool }.
var ErrDiskFull error = diskFullError{}

type diskFullError struct{}

func (diskFullError) Error() string { return "store: disk full" }

// DiskFull marks the error as a full disk.
func (diskFullError) DiskFull() bool { return true }

// write runs body in a read-write transaction and commits it: the one
// path of every write (Update's groups, UpdateAlone, the schema check and
// the probe). An error of body is returned as it is (the transaction rolls
// back). A failed commit is a failure of the writes it carries (n):
// counted, logged when the store stops being writable, and wrapped in
// ErrDiskFull for a full disk.
func (s *Store) write(n int, body func(*bolt.Tx) error) error {
	bodyErr, commitErr := s.commitTx(body)
	if commitErr != nil {
		return s.failed(commitErr, uint64(n))
	}
	return bodyErr
}

// commitTx runs body in a read-write transaction and commits it. It
// returns body's error (nothing was committed) or the commit's, not both.
func (s *Store) commitTx(body func(*bolt.Tx) error) (bodyErr, commitErr error) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if bodyErr = body(tx); bodyErr != nil {
			return bodyErr
		}
		if s.opt.CommitFault != nil {
			return s.opt.CommitFault()
		}
		return nil
	})
	switch {
	case bodyErr != nil:
		return bodyErr, nil
	case err == nil:
		return nil, nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return err, nil // closed, not a failed write
	}
	return nil, err
}

// failed records a failed commit of n writes: the store is not writable
// until a commit succeeds.
func (s *Store) failed(err error, n uint64) error {
	full := isDiskFull(err)
	if full {
		s.failsDiskFull.Add(n)
	} else {
		s.failsOther.Add(n)
	}
	if s.writable.CompareAndSwap(true, false) && s.opt.Log != nil {
		if full {
			s.opt.Log.Error("disk full: the database cannot write; /readyz answers 503 until a write succeeds", "path", s.path, "err", err.Error())
		} else {
			s.opt.Log.Error("the database cannot write; /readyz answers 503 until a write succeeds", "path", s.path, "err", err.Error())
		}
	}
	if full {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}

// isDiskFull tells a full file system or quota from other failures.
func isDiskFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || pgDiskFull(err) {
		return true
	}
	// bbolt reports a failed resize of the file with its cause as text.
	msg := err.Error()
	return strings.Contains(msg, syscall.ENOSPC.Error()) || strings.Contains(msg, syscall.EDQUOT.Error())
}

// probe checks whether a store that could not write can again: the file
// system must report Options.MinFree free (where it can tell), and a small
// write must commit. A failed probe is not counted as a write failure (no
// one's data was lost).
func (s *Store) probe() {
	free, known := freeSpace(filepath.Dir(s.path))
	if known && free < s.opt.MinFree {
		return
	}
	_, err := s.commitTx(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(Meta)).Put([]byte("probe"), []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	})
	if err != nil {
		s.failed(err, 0)
		return
	}
	if s.writable.CompareAndSwap(false, true) && s.opt.Log != nil {
		s.opt.Log.Info("store writes again", "path", s.path, "freeBytes", free)
	}
}
