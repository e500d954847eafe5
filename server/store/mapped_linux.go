//go:build linux

package store

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// residentFile is the process's resident memory that is backed by files
// (shared pages: its mapped files, the database's among them), in bytes,
// from /proc/self/statm.
func residentFile() (int64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b) // size resident shared text lib data dt, in pages
	if len(f) < 3 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil {
		return 0, false
	}
	return n * int64(os.Getpagesize()), true
}

// trimMapped drops the pages of the database file mapped into the
// process (see mapped.go). It holds a read transaction meanwhile: bbolt
// maps the file anew (when it grows) only when no transaction is open,
// so the range is the mapping's throughout.
func (s *Store) trimMapped() error {
	return s.db.View(func(tx *bolt.Tx) error {
		data, n := tx.DB().Info().Data, uintptr(tx.Size())
		if data == 0 || n == 0 {
			return nil
		}
		if _, _, e := unix.Syscall(unix.SYS_MADVISE, data, n, unix.MADV_DONTNEED); e != 0 {
			return fmt.Errorf("madvise: %w", e)
		}
		return nil
	})
}
