package store

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"asiointi/server/internal/pgtest"
)

// TestCountersWithinATransaction: a write transaction's counters are
// written at its end (counters.go), and everything the transaction reads
// meanwhile sees their values: the counter itself, NextSeq, scans and
// counts of the bucket; a Put or Delete of a counter replaces the value.
// On both backends.
func TestCountersWithinATransaction(t *testing.T) {
	s := open(t)
	if err := s.Update(func(tx *Tx) error {
		for k, v := range map[string]string{"a": "5", "b": "1", "y": "007", "z": "007"} {
			if err := tx.PutRaw(Counters, k, []byte(v)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	add := func(name string, d int64) func(*Tx) (string, error) {
		return func(tx *Tx) (string, error) { n, err := tx.AddCount(name, d); return fmt.Sprint(n), err }
	}
	get := func(name string) func(*Tx) (string, error) {
		return func(tx *Tx) (string, error) {
			raw, err := tx.GetRaw(Counters, name)
			if errors.Is(err, ErrNotFound) {
				return "absent", nil
			}
			var n int
			if err == nil {
				err = tx.Get(Counters, name, &n) // the JSON reading agrees
			}
			return fmt.Sprintf("%s has=%v json=%d", raw, tx.Has(Counters, name), n), err
		}
	}
	steps := []struct {
		name string
		op   func(*Tx) (string, error)
		want string
	}{
		{"add to a stored one", add("a", 2), "7"},
		{"read it", get("a"), "7 has=true json=7"},
		{"down to zero", add("b", -1), "0"},
		{"read a zero", get("b"), "absent"},
		{"has a zero", func(tx *Tx) (string, error) { return fmt.Sprint(tx.Has(Counters, "b")), nil }, "false"},
		{"up from zero", add("b", 3), "3"},
		{"below zero stays zero", add("n", -4), "0"},
		{"and counts from zero", add("n", 1), "1"},
		{"a sequence goes on from it", func(tx *Tx) (string, error) { n, err := tx.NextSeq("a"); return fmt.Sprint(n), err }, "8"},
		{"and adds to the sequence's value", add("a", 1), "9"},
		{"a put replaces it", func(tx *Tx) (string, error) { return "", tx.PutRaw(Counters, "a", []byte("20")) }, ""},
		{"add after the put", add("a", 1), "21"},
		{"a delete removes it", func(tx *Tx) (string, error) { return "", tx.Delete(Counters, "a") }, ""},
		{"read after the delete", get("a"), "absent"},
		{"add after the delete", add("a", 1), "1"},
		{"a new one", add("c", 4), "4"},
		{"a scan sees them all", func(tx *Tx) (string, error) {
			var out []string
			err := tx.Scan(Counters, "", func(k string, raw []byte) error { out = append(out, k+"="+string(raw)); return nil })
			return fmt.Sprint(out), err
		}, "[a=1 b=3 c=4 n=1 y=007 z=007]"},
		{"add after the scan", add("c", 1), "5"},
		{"a reverse scan sees it", func(tx *Tx) (string, error) {
			var out []string
			err := tx.ScanReverse(Counters, "c", func(k string, raw []byte) error { out = append(out, k+"="+string(raw)); return nil })
			return fmt.Sprint(out), err
		}, "[c=5]"},
		{"a walk sees a removal", func(tx *Tx) (string, error) {
			if _, err := tx.AddCount("n", -1); err != nil {
				return "", err
			}
			it, err := tx.Iter(Counters, "", "", false)
			if err != nil {
				return "", err
			}
			var out []string
			for it.Next() {
				out = append(out, string(it.Key()))
			}
			return fmt.Sprint(out), it.Err()
		}, "[a b c y z]"},
		{"add after the walk", add("z", 1), "8"},
		{"a page sees it", func(tx *Tx) (string, error) {
			var out []string
			_, err := tx.PageReverse(Counters, "z", "", 0, func(k string, raw []byte) (bool, error) {
				out = append(out, k+"="+string(raw))
				return true, nil
			})
			return fmt.Sprint(out), err
		}, "[z=8]"},
		{"add nothing to a value not written as a count is", add("y", 0), "7"},
	}
	var got []string
	err := s.Update(func(tx *Tx) error {
		got = got[:0]
		for _, st := range steps {
			v, err := st.op(tx)
			if err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
			got = append(got, v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range steps {
		if got[i] != st.want {
			t.Errorf("%s: got %q, want %q", st.name, got[i], st.want)
		}
	}
	var stored []string
	s.View(func(tx *Tx) error {
		return tx.Scan(Counters, "", func(k string, raw []byte) error { stored = append(stored, k+"="+string(raw)); return nil })
	})
	if want := "[a=1 b=3 c=5 y=7 z=8]"; fmt.Sprint(stored) != want {
		t.Errorf("stored %v, want %s", stored, want)
	}
}

// TestAddCountInAViewIsRefused: a View cannot count, on both backends.
func TestAddCountInAViewIsRefused(t *testing.T) {
	s := open(t)
	if err := s.View(func(tx *Tx) error { _, err := tx.AddCount("k", 1); return err }); err == nil {
		t.Error("AddCount in a View succeeded")
	}
}

// TestCountersOfAGroup: the writes of a group commit share their
// transaction's pending counters: each sees the ones before it, and a
// write that fails (an error or a panic after adding) leaves nothing
// behind when the group runs again without it, however often it ran.
func TestCountersOfAGroup(t *testing.T) {
	s := openBolt(t)
	inside, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	holder := make(chan error, 1)
	go func() {
		holder <- s.Update(func(tx *Tx) error {
			once.Do(func() { close(inside) })
			<-release
			return nil
		})
	}()
	<-inside

	const n = 8
	fail := map[int]string{2: "error", 5: "panic"}
	seen := make([]int64, n)
	runs := make([]atomic.Int32, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(func(tx *Tx) error {
				runs[i].Add(1)
				v, err := tx.AddCount("shared", 1)
				if err != nil {
					return err
				}
				if _, err := tx.AddCount(fmt.Sprintf("own/%d", i), 1); err != nil {
					return err
				}
				var read int64
				if err := tx.Get(Counters, "shared", &read); err != nil || read != v {
					return fmt.Errorf("AddCount gave %d, a read %d (%v)", v, read, err)
				}
				seen[i] = v
				switch fail[i] {
				case "error":
					return errors.New("boom")
				case "panic":
					panic("boom")
				}
				return nil
			})
		}()
		waitFor(t, func() bool { return len(s.ops) == i+1 })
	}
	close(release)
	wg.Wait()
	if err := <-holder; err != nil {
		t.Fatal(err)
	}

	var good []int64
	rerun := false
	for i := range n {
		if fail[i] == "" {
			if errs[i] != nil {
				t.Errorf("write %d: %v", i, errs[i])
			}
			good = append(good, seen[i])
			rerun = rerun || runs[i].Load() > 1
		} else if errs[i] == nil {
			t.Errorf("write %d succeeded", i)
		}
	}
	if !rerun {
		t.Fatal("no write ran twice: the writes were not committed as one group")
	}
	slices.Sort(good)
	if want := []int64{1, 2, 3, 4, 5, 6}; !slices.Equal(good, want) {
		t.Errorf("the writes that committed saw %v, want %v", good, want)
	}
	var stored []string
	s.View(func(tx *Tx) error {
		return tx.Scan(Counters, "", func(k string, raw []byte) error { stored = append(stored, k+"="+string(raw)); return nil })
	})
	if want := "[own/0=1 own/1=1 own/3=1 own/4=1 own/6=1 own/7=1 shared=6]"; fmt.Sprint(stored) != want {
		t.Errorf("stored %v, want %s", stored, want)
	}
}

// TestCountersOfARetriedTransaction: a PostgreSQL transaction run again
// after a serialization failure starts with no counter pending from the
// attempt that failed.
func TestCountersOfARetriedTransaction(t *testing.T) {
	var faults atomic.Int32
	s, err := Open(t.TempDir(), Options{URL: pgtest.URL(t), CommitFault: func() error {
		if faults.Add(1) == 1 {
			return &pgconn.PgError{Code: "40001", Message: "could not serialize access (test)"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	faults.Store(0) // the schema's write at Open went through it
	var runs int
	var last int64
	if err := s.Update(func(tx *Tx) error {
		runs++
		var err error
		last, err = tx.AddCount("k", 1)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	s.View(func(tx *Tx) error { raw, _ = tx.GetRaw(Counters, "k"); raw = slices.Clone(raw); return nil })
	if runs != 2 || last != 1 || string(raw) != "1" {
		t.Errorf("ran %d times, the last AddCount gave %d, stored %q; want 2, 1, \"1\"", runs, last, raw)
	}
}
