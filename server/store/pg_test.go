package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"asiointi/server/internal/pgtest"
)

// TestKeysInByteOrder: both backends order keys by their bytes (bbolt's
// order; PostgreSQL's bytea), whatever the characters.
func TestKeysInByteOrder(t *testing.T) {
	s := open(t)
	keys := []string{"a", "a\x00", "a\x01", "a/", "a/b", "aé", "aa", "a\x7f", "A", "b", "a0", "a\u00ff", "a\U0001F600", "ab c"}
	if err := s.Update(func(tx *Tx) error {
		for _, k := range keys {
			if err := tx.PutRaw(Settings, k, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(keys)
	sort.Strings(want)
	var up, down []string
	s.View(func(tx *Tx) error {
		tx.Scan(Settings, "", func(k string, raw []byte) error {
			if string(raw) != k {
				t.Errorf("%q holds %q", k, raw)
			}
			up = append(up, k)
			return nil
		})
		return tx.ScanReverse(Settings, "", func(k string, _ []byte) error { down = append(down, k); return nil })
	})
	if !slices.Equal(up, want) {
		t.Errorf("Scan: %q\nwant %q", up, want)
	}
	slices.Reverse(want)
	if !slices.Equal(down, want) {
		t.Errorf("ScanReverse: %q\nwant %q", down, want)
	}
}

// TestScanBatches: a scan longer than the backend's batches visits every
// key once, in order, also when fn writes in the same transaction.
func TestScanBatches(t *testing.T) {
	s := open(t)
	const n = 2500
	if err := s.UpdateAlone(func(tx *Tx) error {
		for i := range n {
			if err := tx.PutRaw(Events, fmt.Sprintf("k/%05d", i), []byte("x")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var seen int
	err := s.Update(func(tx *Tx) error {
		seen = 0
		return tx.Scan(Events, "k/", func(k string, _ []byte) error {
			if want := fmt.Sprintf("k/%05d", seen); k != want {
				return fmt.Errorf("key %q, want %q", k, want)
			}
			seen++
			return tx.PutRaw(Counters, "seen", []byte(fmt.Sprint(seen)))
		})
	})
	if err != nil || seen != n {
		t.Fatalf("saw %d of %d: %v", seen, n, err)
	}
	var back int
	s.View(func(tx *Tx) error {
		return tx.ScanReverse(Events, "k/", func(k string, _ []byte) error {
			if want := fmt.Sprintf("k/%05d", n-1-back); k != want {
				return fmt.Errorf("key %q, want %q", k, want)
			}
			back++
			return nil
		})
	})
	if back != n {
		t.Fatalf("reverse saw %d of %d", back, n)
	}
}

// openPG opens a store on url (a node of a shared database).
func openPG(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPostgresNodesShareOneDatabase: stores opened at once on one
// database (app nodes starting together) migrate it once; their
// concurrent writes to the same counters are serialised (PostgreSQL's
// serialization failures are retried): every increment counts, and no
// sequence number is handed out twice.
func TestPostgresNodesShareOneDatabase(t *testing.T) {
	url := pgtest.URL(t)
	const nodes = 3
	stores := make([]*Store, nodes)
	var wg sync.WaitGroup
	errs := make([]error, nodes)
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(t.TempDir(), Options{URL: url})
		}()
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		t.Cleanup(func() { s.Close() })
	}

	const writers, each = 8, 15
	seqs := make(chan uint64, nodes*writers*each)
	for i := range nodes * writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[i%nodes]
			for range each {
				var n uint64
				err := s.Update(func(tx *Tx) error {
					var err error
					if n, err = tx.NextSeq("ref"); err != nil {
						return err
					}
					_, err = tx.AddCount("total", 2)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				seqs <- n
			}
		}()
	}
	wg.Wait()
	close(seqs)
	seen := map[uint64]bool{}
	for n := range seqs {
		if seen[n] {
			t.Errorf("sequence number %d handed out twice", n)
		}
		seen[n] = true
	}
	var total int64
	stores[1].View(func(tx *Tx) error {
		total, _ = tx.counter("total", false)
		return nil
	})
	if len(seen) != nodes*writers*each || total != 2*nodes*writers*each {
		t.Errorf("%d numbers, total %d; want %d and %d", len(seen), total, nodes*writers*each, 2*nodes*writers*each)
	}
	t.Logf("retries: %d, %d, %d", stores[0].Retries(), stores[1].Retries(), stores[2].Retries())
	if f, o := stores[0].WriteFailures(); f+o != 0 {
		t.Errorf("write failures %d, %d", f, o)
	}
}

// TestPostgresBackupAndCheck: a PostgreSQL store is backed up with
// PostgreSQL's tools, not by the server; Check finds it clean, and finds
// rows of a bucket the program does not know; a read-only open refuses to
// write; a second open of a database migrated further is refused.
func TestPostgresBackupAndCheck(t *testing.T) {
	url := pgtest.URL(t)
	s := openPG(t, url)
	if _, err := s.BackupFile(t.TempDir() + "/x.db"); !errors.Is(err, ErrBackupPostgres) {
		t.Errorf("backup: %v", err)
	}
	if errs := s.Check(); len(errs) > 0 {
		t.Errorf("check: %v", errs)
	}
	if v, err := s.Schema(); err != nil || v != fmt.Sprint(SchemaVersion) {
		t.Errorf("schema %q, %v", v, err)
	}
	ro, err := Open("", Options{URL: url, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Update(func(tx *Tx) error { return tx.PutRaw(Meta, "x", nil) }); err == nil {
		t.Error("a read-only store wrote")
	}
	if _, err := s.pg.pool.Exec(t.Context(), `INSERT INTO kv VALUES ('nosuch', 'k', 'v')`); err != nil {
		t.Fatal(err)
	}
	if errs := s.Check(); len(errs) != 1 {
		t.Errorf("check with a stray bucket: %v", errs)
	}
	if _, err := s.pg.pool.Exec(t.Context(), `INSERT INTO asiointi_migrations (version) VALUES (999)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open("", Options{URL: url}); err == nil {
		t.Error("opened a database of a newer program")
	}
}

// TestWritesInAViewAreRefused: on both backends a View cannot write.
func TestWritesInAViewAreRefused(t *testing.T) {
	s := open(t)
	err := s.View(func(tx *Tx) error { return tx.PutRaw(Settings, "k", []byte("v")) })
	if err == nil {
		t.Error("a put in a View succeeded")
	}
	if err := s.View(func(tx *Tx) error { return tx.Delete(Settings, "k") }); err == nil {
		t.Error("a delete in a View succeeded")
	}
	s.View(func(tx *Tx) error {
		if tx.Has(Settings, "k") {
			t.Error("the put of a View was kept")
		}
		return nil
	})
}

// TestPostgresExclusiveAndNotify: what one node does alone is refused to
// another while it runs (and allowed after); a message one node sends
// reaches the other's listener.
func TestPostgresExclusiveAndNotify(t *testing.T) {
	url := pgtest.URL(t)
	a, b := openPG(t, url), openPG(t, url)
	if !a.Shared() {
		t.Fatal("a PostgreSQL store is not shared")
	}
	var ranB bool
	ranA, err := a.Exclusive("job", func() {
		var err error
		if ranB, err = b.Exclusive("job", func() {}); err != nil {
			t.Error(err)
		}
	})
	if err != nil || !ranA || ranB {
		t.Errorf("A ran %v, B ran %v while A held it: %v", ranA, ranB, err)
	}
	if ran, err := b.Exclusive("job", func() {}); err != nil || !ran {
		t.Errorf("B after A: ran %v, %v", ran, err)
	}

	got := make(chan string, 4)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Listen(ctx, "asiointi_test", func(p []byte) { got <- string(p) }, func() {})
	}()
	// NOTIFY reaches only listeners already listening: send until heard.
	deadline := time.After(10 * time.Second)
	for heard := false; !heard; {
		if err := a.Notify("asiointi_test", []byte("hello")); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-got:
			heard = p == "hello"
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatal("the other node never heard it")
		}
	}
	cancel()
	<-done
}

// TestBoltIsNotShared: on bbolt Exclusive just runs, and Notify and
// Listen do nothing.
func TestBoltIsNotShared(t *testing.T) {
	s := openBolt(t)
	if s.Shared() {
		t.Error("bbolt says shared")
	}
	if ran, err := s.Exclusive("job", func() {}); !ran || err != nil {
		t.Errorf("ran %v, %v", ran, err)
	}
	if err := s.Notify("c", []byte("x")); err != nil {
		t.Error(err)
	}
	if err := s.Listen(t.Context(), "c", func([]byte) { t.Error("heard") }, func() {}); err != nil {
		t.Error(err)
	}
}
