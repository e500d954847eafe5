package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"asiointi/server/internal/pgtest"
)

// openWith opens a store in dir on the backend the run selects: bbolt,
// or PostgreSQL when ASIOINTI_TEST_STORE=postgres (CI's second pass), as
// storetest.Open does for the other packages' tests.
func openWith(t testing.TB, dir string, opt Options) (*Store, error) {
	t.Helper()
	if pgtest.Selected() && opt.URL == "" {
		opt.URL = pgtest.URLFor(t, dir)
	}
	return Open(dir, opt)
}

// open is a store on the backend the run selects; openBolt one on bbolt
// for the tests of what only bbolt has (group commit, the file).
func open(t testing.TB) *Store {
	t.Helper()
	s, err := openWith(t, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openBolt(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPutGetScan(t *testing.T) {
	s := open(t)
	err := s.Update(func(tx *Tx) error {
		for i := 0; i < 5; i++ {
			if err := tx.Put(Drafts, fmt.Sprintf("u1/%02d", i), map[string]int{"n": i}); err != nil {
				return err
			}
		}
		return tx.Put(Drafts, "u2/00", map[string]int{"n": 99})
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	s.View(func(tx *Tx) error {
		return tx.Scan(Drafts, "u1/", func(k string, _ []byte) error { got = append(got, k); return nil })
	})
	if len(got) != 5 || got[0] != "u1/00" {
		t.Errorf("scan: %v", got)
	}
	var rev []string
	s.View(func(tx *Tx) error {
		return tx.ScanReverse(Drafts, "u1/", func(k string, _ []byte) error {
			rev = append(rev, k)
			if len(rev) == 2 {
				return ErrStop
			}
			return nil
		})
	})
	if fmt.Sprint(rev) != "[u1/04 u1/03]" {
		t.Errorf("reverse: %v", rev)
	}
	var v map[string]int
	if err := s.View(func(tx *Tx) error { return tx.Get(Drafts, "nope", &v) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing key: %v", err)
	}
	if err := s.View(func(tx *Tx) error { return tx.Put("nosuch", "k", 1) }); err == nil {
		t.Error("write to unknown bucket accepted")
	}
}

// TestKeysOfOneTransaction: the keys of one transaction's gets, puts and
// deletes stay apart (on bbolt they pass through one reused buffer,
// boltTx.keyBytes): keys that are prefixes of one another, a longer key
// after a shorter one, buckets opened between them.
func TestKeysOfOneTransaction(t *testing.T) {
	s := open(t)
	keys := []string{"abc", "ab", "abcdef", "a", "b", "abd"}
	err := s.Update(func(tx *Tx) error {
		for i, k := range keys {
			if err := tx.PutRaw(Events, k, []byte(fmt.Sprint(i))); err != nil {
				return err
			}
			if err := tx.PutRaw(Meta, "m"+k, []byte(k)); err != nil { // another bucket in between
				return err
			}
			if raw, err := tx.GetRaw(Events, keys[0]); err != nil || string(raw) != "0" {
				return fmt.Errorf("after put %q: %s = %q, %v", k, keys[0], raw, err)
			}
		}
		return tx.Delete(Events, "b")
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	s.View(func(tx *Tx) error {
		return tx.Scan(Events, "", func(k string, raw []byte) error { got = append(got, k+"="+string(raw)); return nil })
	})
	if want := "[a=3 ab=1 abc=0 abcdef=2 abd=5]"; fmt.Sprint(got) != want {
		t.Errorf("stored %v, want %s", got, want)
	}
}

func TestUpdateRollsBackOnError(t *testing.T) {
	s := open(t)
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		tx.Put(Cases, "a", 1)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if s.View(func(tx *Tx) error { return tx.Get(Cases, "a", new(int)) }) == nil {
		t.Error("write of a failed transaction is visible")
	}
}

func TestSeqAndIDs(t *testing.T) {
	s := open(t)
	var wg sync.WaitGroup
	seen := sync.Map{}
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n uint64
			if err := s.Update(func(tx *Tx) error { var err error; n, err = tx.NextSeq("ref/2026"); return err }); err != nil {
				t.Error(err)
			}
			if _, dup := seen.LoadOrStore(n, true); dup {
				t.Errorf("sequence value %d given twice", n)
			}
		}()
	}
	wg.Wait()
	a, b := NewID(time.Unix(1, 0)), NewID(time.Unix(2, 0))
	if !(a < b) || !ValidID(a) || ValidID("x") || len(a) != 32 {
		t.Errorf("ids: %s %s", a, b)
	}
}

func TestBackupWhileWritingAndCheck(t *testing.T) {
	s := openBolt(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.Update(func(tx *Tx) error { return tx.Put(Events, fmt.Sprintf("%08d", i), "x") })
		}
	}()
	time.Sleep(20 * time.Millisecond)
	dir := t.TempDir()
	if _, err := s.BackupFile(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	b, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if errs := b.Check(); len(errs) > 0 {
		t.Fatalf("backup does not check clean: %v", errs)
	}
	if v, _ := b.Schema(); v != fmt.Sprint(SchemaVersion) {
		t.Errorf("schema %q", v)
	}
}

func TestLockTimeout(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = Open(dir, Options{Timeout: 100 * time.Millisecond})
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("second open: %v after %v", err, time.Since(start))
	}
}

func TestCorruptFileRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Damage both meta pages: bbolt must refuse the file rather than serve it.
	f, _ := os.OpenFile(filepath.Join(dir, FileName), os.O_RDWR, 0)
	junk := make([]byte, 64)
	for i := range junk {
		junk[i] = 0xAB
	}
	f.WriteAt(junk, 16)
	f.WriteAt(junk, 4096+16)
	f.Close()
	if r, err := Open(dir, Options{ReadOnly: true, Timeout: time.Second}); err == nil {
		r.Close()
		t.Fatal("a file with broken meta pages opened")
	}
}

func BenchmarkRawPut(b *testing.B) {
	s := open(b)
	val := make([]byte, 1024)
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := NewID(time.Now())
			s.Update(func(tx *Tx) error { return tx.PutRaw(Drafts, k, val) })
		}
	})
}

// A counter whose stored value is not a number is an error, never a
// silent restart from zero (which would give a case reference twice or
// drop a file that is still referred to).
func TestCountersRefuseDamagedValues(t *testing.T) {
	tests := []struct {
		name   string
		stored string // "" = absent
		op     func(*Tx) (int64, error)
		want   int64
		ok     bool
	}{
		{"next of absent", "", func(tx *Tx) (int64, error) { n, err := tx.NextSeq("c"); return int64(n), err }, 1, true},
		{"next of 41", "41", func(tx *Tx) (int64, error) { n, err := tx.NextSeq("c"); return int64(n), err }, 42, true},
		{"next of junk", "4x", func(tx *Tx) (int64, error) { n, err := tx.NextSeq("c"); return int64(n), err }, 0, false},
		{"next of empty", " ", func(tx *Tx) (int64, error) { n, err := tx.NextSeq("c"); return int64(n), err }, 0, false},
		{"next of negative", "-3", func(tx *Tx) (int64, error) { n, err := tx.NextSeq("c"); return int64(n), err }, 0, false},
		{"add to absent", "", func(tx *Tx) (int64, error) { return tx.AddCount("c", 2) }, 2, true},
		{"add to 3", "3", func(tx *Tx) (int64, error) { return tx.AddCount("c", -1) }, 2, true},
		{"add to 1 removes", "1", func(tx *Tx) (int64, error) { return tx.AddCount("c", -1) }, 0, true},
		{"add to junk", "zz", func(tx *Tx) (int64, error) { return tx.AddCount("c", -1) }, 0, false},
		{"add to overflow", "99999999999999999999999", func(tx *Tx) (int64, error) { return tx.AddCount("c", 1) }, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			if tc.stored != "" {
				if err := s.Update(func(tx *Tx) error { return tx.PutRaw(Counters, "c", []byte(tc.stored)) }); err != nil {
					t.Fatal(err)
				}
			}
			var got int64
			err := s.Update(func(tx *Tx) error { var err error; got, err = tc.op(tx); return err })
			if tc.ok != (err == nil) || got != tc.want {
				t.Fatalf("got %d, %v; want %d, ok=%v", got, err, tc.want, tc.ok)
			}
			var after []byte
			s.View(func(tx *Tx) error {
				raw, _ := tx.GetRaw(Counters, "c")
				after = append(after, raw...)
				return nil
			})
			switch {
			case !tc.ok && string(after) != tc.stored:
				t.Errorf("a refused update changed the counter to %q", after)
			case tc.ok && tc.want == 0 && after != nil:
				t.Errorf("a counter at zero is kept as %q", after)
			case tc.ok && tc.want > 0 && string(after) != fmt.Sprint(tc.want):
				t.Errorf("stored %q, want %d", after, tc.want)
			}
		})
	}
}

func TestCount(t *testing.T) {
	s := open(t)
	s.Update(func(tx *Tx) error { tx.Put(Events, "a", 1); return tx.Put(Events, "b", 2) })
	var n int
	err := s.View(func(tx *Tx) (err error) { n, err = tx.Count(Events); return err })
	if err != nil || n != 2 {
		t.Errorf("Count = %d, %v", n, err)
	}
	if err := s.View(func(tx *Tx) (err error) { _, err = tx.Count("nosuch"); return err }); err == nil {
		t.Error("Count of an unknown bucket is no error")
	}
}

// TestPooledTxKeepsNothing: a Tx given back to the pool holds no
// reference to its transaction, its buckets or its values, so a pooled
// one keeps no pages alive and a later one starts clean.
func TestPooledTxKeepsNothing(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n *boltTxn
	err = s.db.Update(func(tx *bolt.Tx) error {
		n = newBoltTx(tx, true)
		for _, b := range allBuckets[:8] {
			if err := n.Tx.Put(b, "k", strings.Repeat("v", 200)); err != nil {
				return err
			}
			n.Tx.Has(b, "k")
		}
		_, err := n.Tx.AddCount("c", 1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	open := n.bt.open[:cap(n.bt.open)]
	n.put()
	if n.bt.tx != nil || n.Tx.b != nil || n.Tx.vals != nil || len(n.Tx.valsFull) != 0 || n.Tx.counts != nil || len(n.bt.open) != 0 {
		t.Fatalf("a pooled Tx keeps state: %+v", n)
	}
	for i, o := range open {
		if o.b != nil || o.c != nil || o.name != "" {
			t.Fatalf("a pooled Tx keeps opened bucket %d: %q", i, o.name)
		}
	}
}
