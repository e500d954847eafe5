package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"asiointi/server/internal/pgtest"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// keyOp is one step of TestKeyReadsAndWritesOfOneTransaction.
type keyOp struct {
	op, key, val string // op: get, has, put, delete, take
}

// TestKeyReadsAndWritesOfOneTransaction: the gets, deletes and takes of
// one transaction find their keys after the transaction's own puts and
// deletes in the same bucket and in another one between them (on bbolt
// they reuse one cursor per bucket, boltTx.keyCursor): a key between two
// keys, past the last one, a missing key deleted, a key deleted and put
// again, a leaf of the tree emptied, a bucket deep enough to have branch
// pages. Every answer is checked against a model of the bucket, in the
// write transaction and again in a read one after the commit.
func TestKeyReadsAndWritesOfOneTransaction(t *testing.T) {
	deep := func(i int) string { return fmt.Sprintf("x/%04d", i) }
	long := strings.Repeat("v", 80) // 1,000 of them fill some 30 pages
	model := map[string]string{"a": "1", "c": "3", "e": "5"}
	for i := range 1000 {
		model[deep(i)] = long + fmt.Sprint(i)
	}
	steps := []keyOp{
		{"get", "a", ""}, {"get", "b", ""}, {"has", "b", ""}, {"get", "zzz", ""}, {"get", "", ""},
		{"delete", "b", ""}, {"get", "c", ""}, {"delete", "zzz", ""}, {"get", "e", ""},
		{"put", "b", "2"}, {"get", "b", ""}, {"has", "b", ""}, {"get", "c", ""},
		{"delete", "c", ""}, {"get", "c", ""}, {"has", "c", ""}, {"get", "b", ""}, {"get", "e", ""},
		{"put", "c", "33"}, {"get", "c", ""}, {"delete", "c", ""}, {"delete", "c", ""}, {"get", "c", ""},
		{"take", "a", ""}, {"take", "a", ""}, {"get", "a", ""}, {"take", "zzz", ""},
		{"get", deep(500), ""}, {"put", deep(500), "new"}, {"get", deep(500), ""},
		{"delete", deep(499), ""}, {"get", deep(499), ""}, {"get", deep(501), ""}, {"get", deep(498), ""},
		{"put", "x/0500a", "between"}, {"get", "x/0500a", ""}, {"get", deep(501), ""},
	}
	// Empty whole leaves (the first 150 keys), then read around them.
	for i := range 150 {
		steps = append(steps, keyOp{"delete", deep(i), ""})
	}
	for _, i := range []int{0, 1, 75, 149, 150, 151, 999} {
		steps = append(steps, keyOp{"get", deep(i), ""}, keyOp{"has", deep(i), ""})
	}
	steps = append(steps, keyOp{"get", "x/", ""}, keyOp{"take", deep(150), ""}, keyOp{"get", deep(150), ""},
		keyOp{"put", deep(5), "back"}, keyOp{"get", deep(5), ""}, keyOp{"get", deep(4), ""}, keyOp{"get", deep(6), ""})

	backends := []string{"bolt"}
	if pgtest.Selected() {
		backends = append(backends, "postgres") // CI's second pass
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s := openBolt(t)
			if backend == "postgres" {
				s = open(t)
			}
			want := maps.Clone(model)
			err := s.UpdateAlone(func(tx *Tx) error {
				for _, k := range slices.Sorted(maps.Keys(want)) {
					if err := tx.PutRaw(Settings, k, []byte(want[k])); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Answers in the write transaction, against the model.
			var got, expect []string
			err = s.Update(func(tx *Tx) error {
				got, expect = got[:0], expect[:0]
				for i, st := range steps {
					g, e := runKeyOp(tx, want, st)
					got, expect = append(got, fmt.Sprintf("%d %s %q: %s", i, st.op, st.key, g)), append(expect, fmt.Sprintf("%d %s %q: %s", i, st.op, st.key, e))
					// Another bucket between: its cursor is its own.
					if _, err := tx.GetRaw(Meta, "schema"); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			compareKeyOps(t, "update", got, expect)
			// After the commit: every key of the model reads back, in a
			// read transaction (gets only), and nothing else is there.
			err = s.View(func(tx *Tx) error {
				got, expect = got[:0], expect[:0]
				for _, k := range append(slices.Sorted(maps.Keys(model)), "b", "c", "x/0500a", "zzz", "") {
					g, e := runKeyOp(tx, want, keyOp{"get", k, ""})
					got, expect = append(got, k+": "+g), append(expect, k+": "+e)
				}
				n := 0
				err := tx.Scan(Settings, "", func(k string, raw []byte) error {
					if n++; want[k] != string(raw) {
						got = append(got, fmt.Sprintf("scan %s = %q, want %q", k, raw, want[k]))
					}
					return nil
				})
				if n != len(want) {
					got = append(got, fmt.Sprintf("scan: %d keys, want %d", n, len(want)))
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			compareKeyOps(t, "view", got, expect)
		})
	}
}

// runKeyOp runs st in tx and reports its answer, and the answer the
// model m gives (updating m for a put, delete or take).
func runKeyOp(tx *Tx, m map[string]string, st keyOp) (got, want string) {
	v, ok := m[st.key]
	switch st.op {
	case "get":
		raw, err := tx.GetRaw(Settings, st.key)
		got = fmt.Sprintf("%q %v", raw, err)
		if ok {
			want = fmt.Sprintf("%q %v", v, nil)
		} else {
			want = fmt.Sprintf("%q %v", "", ErrNotFound)
		}
	case "has":
		got, want = fmt.Sprint(tx.Has(Settings, st.key)), fmt.Sprint(ok)
	case "put":
		got, want = fmt.Sprint(tx.PutRaw(Settings, st.key, []byte(st.val))), fmt.Sprint(nil)
		m[st.key] = st.val
	case "delete":
		got, want = fmt.Sprint(tx.Delete(Settings, st.key)), fmt.Sprint(nil)
		delete(m, st.key)
	case "take":
		taken, err := tx.Take(Settings, st.key)
		got, want = fmt.Sprint(taken, err), fmt.Sprint(ok, nil)
		delete(m, st.key)
	}
	return got, want
}

func compareKeyOps(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d answers, want %d: %q", what, len(got), len(want), got)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: %s, want %s", what, got[i], want[i])
		}
	}
}

// TestKeyOfANestedBucket: on bbolt, a key that holds a nested bucket (the
// application makes none, but a file may have one) reads as absent and
// refuses a delete or a take, as bbolt's Bucket.Get and Delete answer,
// also when the transaction's cursor for the bucket was used before; a
// transaction that cannot write refuses a delete, before looking.
func TestKeyOfANestedBucket(t *testing.T) {
	s := openBolt(t)
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Settings))
		for _, k := range []string{"a", "c", "d"} {
			if err := b.Put([]byte(k), []byte(k)); err != nil {
				return err
			}
		}
		_, err := b.CreateBucket([]byte("b"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		run  func(tx *Tx) string
		want string
	}{
		{"get", func(tx *Tx) string { raw, err := tx.GetRaw(Settings, "b"); return fmt.Sprintf("%q %v", raw, err) }, `"" store: not found`},
		{"get before", func(tx *Tx) string { raw, err := tx.GetRaw(Settings, "a"); return fmt.Sprintf("%q %v", raw, err) }, `"a" <nil>`},
		{"has", func(tx *Tx) string { return fmt.Sprint(tx.Has(Settings, "b")) }, "false"},
		{"get after", func(tx *Tx) string { raw, err := tx.GetRaw(Settings, "c"); return fmt.Sprintf("%q %v", raw, err) }, `"c" <nil>`},
		{"delete", func(tx *Tx) string {
			return fmt.Sprint(errors.Is(tx.Delete(Settings, "b"), berrors.ErrIncompatibleValue))
		}, "true"},
		{"take", func(tx *Tx) string {
			ok, err := tx.Take(Settings, "b")
			return fmt.Sprint(ok, errors.Is(err, berrors.ErrIncompatibleValue))
		}, "true true"},
		{"delete then get", func(tx *Tx) string {
			err := tx.Delete(Settings, "d")
			raw, gerr := tx.GetRaw(Settings, "b")
			_, derr := tx.GetRaw(Settings, "d")
			return fmt.Sprintf("%v %q %v %v", err, raw, gerr, derr)
		}, `<nil> "" store: not found store: not found`},
	}
	err = s.Update(func(tx *Tx) error {
		for _, tt := range tests {
			if got := tt.run(tx); got != tt.want {
				t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(func(tx *Tx) error {
		for _, tt := range tests[:4] {
			if got := tt.run(tx); got != tt.want {
				t.Errorf("view: %s: %s, want %s", tt.name, got, tt.want)
			}
		}
		if err := tx.Delete(Settings, "zzz"); !errors.Is(err, berrors.ErrTxNotWritable) {
			t.Errorf("view: delete of a missing key: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestKeyReadsAllocateNothing: on bbolt, reading a key of a bucket already
// opened in the transaction allocates nothing (each Get made a cursor
// and grew its stack), nor does deleting a missing key.
func TestKeyReadsAllocateNothing(t *testing.T) {
	s := openBolt(t)
	err := s.Update(func(tx *Tx) error {
		for i := range 500 {
			if err := tx.PutRaw(Settings, fmt.Sprintf("k/%04d", i), []byte(strings.Repeat("v", 100))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func(tx *Tx) func() {
		return func() {
			if _, err := tx.GetRaw(Settings, "k/0250"); err != nil {
				t.Fatal(err)
			}
			if tx.Has(Settings, "k/0250x") || !tx.Has(Settings, "k/0499") {
				t.Fatal("has")
			}
		}
	}
	s.View(func(tx *Tx) error {
		if n := testing.AllocsPerRun(100, read(tx)); n != 0 {
			t.Errorf("view: %.1f allocations per read", n)
		}
		return nil
	})
	s.Update(func(tx *Tx) error {
		f := read(tx)
		if n := testing.AllocsPerRun(100, func() {
			f()
			if err := tx.Delete(Settings, "k/0250x"); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("update: %.1f allocations per read", n)
		}
		return nil
	})
}

// BenchmarkKeyTransaction: allocations of the store in transactions shaped
// like a submit's (issue 9): a write one of key reads in three buckets,
// counters added, a sequence number, puts and a delete, and a read one
// of key reads. `go test -run x -bench KeyTransaction -benchmem
// ./server/store/`.
func BenchmarkKeyTransaction(b *testing.B) {
	s, err := openWith(b, b.TempDir(), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	keys := make([]string, 3000) // made here, not in the loops measured
	for i := range keys {
		keys[i] = fmt.Sprintf("k/%05d", i)
	}
	key := func(i int) string { return keys[i] }
	missing := []string{"missing/0", "missing/1", "missing/2"}
	val := []byte(strings.Repeat("v", 90))
	err = s.UpdateAlone(func(tx *Tx) error {
		for i := range 3000 {
			for _, bk := range []string{Settings, Drafts, People} {
				if err := tx.PutRaw(bk, key(i), val); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	counters := make([]string, 15)
	for i := range counters {
		counters[i] = fmt.Sprintf("c/%02d", i)
	}
	read := func(tx *Tx, n int) error {
		for j := range 4 {
			for _, bk := range []string{Settings, Drafts, People} {
				if _, err := tx.GetRaw(bk, key((n*7+j*131)%3000)); err != nil {
					return err
				}
			}
		}
		if tx.Has(Settings, "k/") {
			return errors.New("has k/")
		}
		return nil
	}
	b.Run("update", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			err := s.Update(func(tx *Tx) error {
				if err := read(tx, n); err != nil {
					return err
				}
				for _, c := range counters {
					if _, err := tx.AddCount(c, 1); err != nil {
						return err
					}
				}
				if _, err := tx.NextSeq("seq"); err != nil {
					return err
				}
				if err := tx.PutRaw(Drafts, key(n%3000), val); err != nil {
					return err
				}
				return tx.Delete(Settings, missing[n%len(missing)])
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("view", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			if err := s.View(func(tx *Tx) error { return read(tx, n) }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
