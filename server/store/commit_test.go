package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGroupCommitIsolatesFailures: writes queued together commit in one
// transaction; a write function that fails (an error or a panic) gets its
// own error and leaves nothing behind, and every other write of its group
// commits as if it had been alone.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	tests := []struct {
		name string
		fail map[int]string // position in the group → "error" | "panic"
	}{
		{"one error in the middle", map[int]string{3: "error"}},
		{"an error and a panic", map[int]string{2: "error", 5: "panic"}},
		{"first and last fail", map[int]string{0: "error", 7: "panic"}},
		{"all fail", map[int]string{0: "error", 1: "error", 2: "panic", 3: "error", 4: "error", 5: "panic", 6: "error", 7: "error"}},
		{"none fail", nil},
	}
	boom := errors.New("boom")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openBolt(t)
			// Hold the committer inside a first write so that the next
			// ones queue up and are taken as one group.
			inside, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			holder := make(chan error, 1)
			go func() {
				holder <- s.Update(func(tx *Tx) error {
					once.Do(func() { close(inside) })
					<-release
					return tx.Put(Events, "holder", 1)
				})
			}()
			<-inside

			const n = 8
			runs := make([]atomic.Int32, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.Update(func(tx *Tx) error {
						runs[i].Add(1)
						if err := tx.Put(Events, fmt.Sprintf("w%d", i), i); err != nil {
							return err
						}
						switch tc.fail[i] {
						case "error":
							return fmt.Errorf("write %d: %w", i, boom)
						case "panic":
							panic(fmt.Sprintf("write %d panics", i))
						}
						return nil
					})
				}()
				// Queue in a known order.
				waitFor(t, func() bool { return len(s.ops) == i+1 })
			}
			close(release)
			wg.Wait()
			if err := <-holder; err != nil {
				t.Fatalf("holder: %v", err)
			}

			rerun := false
			for i := range n {
				key := fmt.Sprintf("w%d", i)
				stored := s.View(func(tx *Tx) error { return tx.Get(Events, key, new(int)) }) == nil
				switch tc.fail[i] {
				case "error":
					if !errors.Is(errs[i], boom) {
						t.Errorf("write %d: err %v, want its own error", i, errs[i])
					}
				case "panic":
					if errs[i] == nil || !strings.Contains(errs[i].Error(), fmt.Sprintf("write %d panics", i)) {
						t.Errorf("write %d: err %v, want its panic", i, errs[i])
					}
				default:
					if errs[i] != nil {
						t.Errorf("write %d failed with %v because of another write", i, errs[i])
					}
					if !stored {
						t.Errorf("write %d succeeded but its key is missing", i)
					}
					if runs[i].Load() > 1 {
						rerun = true
					}
					continue
				}
				if stored {
					t.Errorf("write %d failed but its key was committed", i)
				}
				if r := runs[i].Load(); r != 1 {
					t.Errorf("failed write %d ran %d times, want once", i, r)
				}
			}
			// When a failure came after a good write in the group, that
			// write ran again: proof they shared a transaction.
			first := n
			for i := range tc.fail {
				first = min(first, i)
			}
			if first > 0 && first < n && len(tc.fail) < n && !rerun {
				t.Error("no write ran twice: the writes were not committed as one group")
			}
		})
	}
}

// waitFor polls cond for up to 10 s (a deadline, not a timing assertion).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}
