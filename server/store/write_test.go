package store

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// logBuffer is a log destination safe for concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestWriteFailures injects failing commits (Options.CommitFault) and
// checks what the store makes of them: a full disk or quota is
// ErrDiskFull, other I/O errors are not; nothing of a failed write is
// kept, earlier data stays readable, the failure is counted and logged
// once, the store says it cannot write, and it finds out by itself (the
// probe) when it can again.
func TestWriteFailures(t *testing.T) {
	tests := []struct {
		name     string
		fault    error
		diskFull bool
	}{
		{"ENOSPC from a write", &os.PathError{Op: "write", Path: "asiointi.db", Err: syscall.ENOSPC}, true},
		{"EDQUOT from fdatasync", &os.PathError{Op: "fdatasync", Path: "asiointi.db", Err: syscall.EDQUOT}, true},
		{"bbolt's resize error, as text", fmt.Errorf("file resize error: %s", syscall.ENOSPC), true},
		{"EIO is not a full disk", &os.PathError{Op: "write", Path: "asiointi.db", Err: syscall.EIO}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var broken atomic.Bool
			var log logBuffer
			s, err := openWith(t, t.TempDir(), Options{
				ProbeEvery: 5 * time.Millisecond,
				MinFree:    1, // whatever the test machine has free
				Log:        slog.New(slog.NewTextHandler(&log, nil)),
				CommitFault: func() error {
					if broken.Load() {
						return tc.fault
					}
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Update(func(tx *Tx) error { return tx.Put(Drafts, "before", 1) }); err != nil {
				t.Fatal(err)
			}
			if !s.Writable() {
				t.Fatal("a fresh store is not writable")
			}

			broken.Store(true)
			// A group of writes, and a write of its own.
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range 5 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.Update(func(tx *Tx) error { return tx.Put(Drafts, fmt.Sprint("w", i), i) })
				}()
			}
			wg.Wait()
			errs[5] = s.UpdateAlone(func(tx *Tx) error { return tx.Put(Drafts, "alone", 1) })
			for i, err := range errs {
				if err == nil {
					t.Fatalf("write %d succeeded on a broken disk", i)
				}
				if errors.Is(err, ErrDiskFull) != tc.diskFull {
					t.Errorf("write %d: %v; ErrDiskFull %v, want %v", i, err, errors.Is(err, ErrDiskFull), tc.diskFull)
				}
				if !errors.Is(err, tc.fault) && !strings.Contains(err.Error(), tc.fault.Error()) {
					t.Errorf("write %d: %v does not carry the cause %v", i, err, tc.fault)
				}
			}
			// A refusal of the write function itself is not a write failure.
			refused := errors.New("refused")
			if err := s.Update(func(tx *Tx) error { return refused }); !errors.Is(err, refused) {
				t.Errorf("refusal: %v", err)
			}
			if s.Writable() {
				t.Error("the store says it can write after failed commits")
			}
			full, other := s.WriteFailures()
			if tc.diskFull && (full != 6 || other != 0) || !tc.diskFull && (full != 0 || other != 6) {
				t.Errorf("failures counted: disk full %d, other %d", full, other)
			}
			// Nothing of the failed writes; the earlier data is there.
			s.View(func(tx *Tx) error {
				for _, k := range []string{"w0", "w4", "alone"} {
					if tx.Has(Drafts, k) {
						t.Errorf("%s was stored by a failed write", k)
					}
				}
				if !tx.Has(Drafts, "before") {
					t.Error("earlier data unreadable")
				}
				return nil
			})
			// The probe keeps failing while the disk is full, uncounted.
			time.Sleep(30 * time.Millisecond)
			if s.Writable() {
				t.Error("writable again while the disk is still full")
			}
			if f, o := s.WriteFailures(); f+o != 6 {
				t.Errorf("probe failures were counted: %d, %d", f, o)
			}
			lines := strings.Count(log.String(), "cannot write")
			if lines != 1 {
				t.Errorf("%d log lines about not writing, want one:\n%s", lines, log.String())
			}
			if strings.Contains(log.String(), "disk full") != tc.diskFull {
				t.Errorf("log says disk full: %v, want %v:\n%s", !tc.diskFull, tc.diskFull, log.String())
			}

			// Space is freed: the store notices without any other write.
			broken.Store(false)
			waitFor(t, s.Writable)
			// The line comes just after the state changes.
			waitFor(t, func() bool { return strings.Contains(log.String(), "store writes again") })
			if err := s.Update(func(tx *Tx) error { return tx.Put(Drafts, "after", 1) }); err != nil {
				t.Fatalf("write after recovery: %v", err)
			}
		})
	}
}

// After a failed write the store stays "cannot write" until the file
// system has MinFree free, even when small writes succeed meanwhile (as
// they do on a full disk when they fit in the file's free pages).
func TestProbeWaitsForFreeSpace(t *testing.T) {
	var broken atomic.Bool
	s, err := Open(t.TempDir(), Options{ProbeEvery: time.Millisecond, MinFree: 1 << 62, CommitFault: func() error {
		if broken.Load() {
			return syscall.ENOSPC
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	broken.Store(true)
	if err := s.Update(func(tx *Tx) error { return tx.Put(Drafts, "a", 1) }); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("err %v", err)
	}
	broken.Store(false)
	if err := s.Update(func(tx *Tx) error { return tx.Put(Drafts, "a", 1) }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // many probes
	if s.Writable() {
		t.Fatal("writable again with less than MinFree free")
	}
	if free, known := freeSpace(t.TempDir()); known && free <= 0 {
		t.Errorf("free space %d", free)
	}
}
