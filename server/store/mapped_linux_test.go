package store

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// mappedRss is how much of the file at path the process has resident in
// its mappings, in bytes, from /proc/self/smaps.
func mappedRss(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	var n int64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = len(fields) >= 6 && fields[5] == path
			continue
		}
		if rest, ok := strings.CutPrefix(line, "Rss:"); in && ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("smaps: %q", line)
			}
			n += kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// fillMapped writes n values of 64 KiB (random bytes, not compressed) in
// one transaction each 16, and returns them by key.
func fillMapped(t *testing.T, s *Store, n int) map[string][]byte {
	t.Helper()
	want := map[string][]byte{}
	for i := 0; i < n; i += 16 {
		err := s.Update(func(tx *Tx) error {
			for j := i; j < i+16 && j < n; j++ {
				v := make([]byte, 64<<10)
				rand.Read(v)
				k := fmt.Sprintf("blob/%04d", j)
				want[k] = v
				if err := tx.PutRaw(Blobs, k, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return want
}

// readMapped reads every value back and compares it with what was written.
func readMapped(t *testing.T, s *Store, want map[string][]byte) {
	t.Helper()
	if err := readBack(s, want); err != nil {
		t.Fatal(err)
	}
}

func readBack(s *Store, want map[string][]byte) error {
	return s.View(func(tx *Tx) error {
		for k, v := range want {
			got, err := tx.GetRaw(Blobs, k)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			if !bytes.Equal(got, v) {
				return fmt.Errorf("%s: read back different bytes", k)
			}
		}
		return nil
	})
}

// TestTrimMapped: after reading 8 MiB of the file the process has it
// mapped; trimMapped drops those pages from the process, and every value
// reads back the same afterwards.
func TestTrimMapped(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{MappedBudget: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	path := filepath.Join(dir, FileName)
	want := fillMapped(t, s, 128)
	readMapped(t, s, want)
	if got := mappedRss(t, path); got < 4<<20 {
		t.Fatalf("after reading 8 MiB, %d bytes of the file are mapped: the test measures nothing", got)
	}
	if err := s.trimMapped(); err != nil {
		t.Fatal(err)
	}
	if got := mappedRss(t, path); got > 1<<20 {
		t.Fatalf("after trimMapped, %d bytes of the file are still mapped", got)
	}
	readMapped(t, s, want)
	if got := s.MappedTrims(); got != 0 {
		t.Fatalf("a store with MappedBudget -1 trimmed %d times", got)
	}
}

// TestMappedWatch: a store whose mapped pages grow past its budget drops
// them by itself.
func TestMappedWatch(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{MappedBudget: 2 << 20, MappedCheckEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	path := filepath.Join(dir, FileName)
	want := fillMapped(t, s, 128)
	deadline := time.Now().Add(10 * time.Second)
	for {
		readMapped(t, s, want)
		time.Sleep(20 * time.Millisecond)
		if s.MappedTrims() > 0 && mappedRss(t, path) < 4<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %d trims, %d bytes of the file mapped", s.MappedTrims(), mappedRss(t, path))
		}
	}
	if err := s.Close(); err != nil { // stops the watcher; a second Close is harmless
		t.Fatal(err)
	}
}

// TestTrimMappedWhileTheFileGrows drops the mapped pages again and again
// while one goroutine writes (the file grows and bbolt maps it anew) and
// others read and compare: nothing read is ever different (run with
// -race).
func TestTrimMappedWhileTheFileGrows(t *testing.T) {
	s, err := Open(t.TempDir(), Options{MappedBudget: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := fillMapped(t, s, 16)
	var mu sync.Mutex
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	wrote := make(chan struct{})
	go func() { // the writer: 24 more values of 256 KiB, one a write
		defer close(wrote)
		for i := 16; i < 40; i++ {
			v := make([]byte, 256<<10)
			rand.Read(v)
			k := fmt.Sprintf("blob/%04d", i)
			if err := s.Update(func(tx *Tx) error { return tx.PutRaw(Blobs, k, v) }); err != nil {
				errs <- err
				return
			}
			mu.Lock()
			want[k] = v
			mu.Unlock()
		}
	}()
	for range 2 {
		wg.Add(1)
		go func() { // readers
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				snap := make(map[string][]byte, len(want))
				for k, v := range want {
					snap[k] = v
				}
				mu.Unlock()
				if err := readBack(s, snap); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for trims := 0; ; trims++ {
		if err := s.trimMapped(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-wrote:
		default:
			continue
		}
		if trims >= 20 {
			break
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(want) != 40 {
		t.Fatalf("the writer wrote %d of 40 values", len(want))
	}
	readMapped(t, s, want)
}
