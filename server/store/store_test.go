package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func open(t testing.TB) *Store {
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
	s := open(t)
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
