package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCompact: the compacted file holds the same keys and values, is
// smaller after deletions, and the file as it was is kept; an open store
// is refused.
func TestCompact(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	err = s.UpdateAlone(func(tx *Tx) error {
		for i := range 3000 {
			if err := tx.PutRaw(Drafts, fmt.Sprintf("k%05d", i), []byte(strings.Repeat("x", 500))); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = s.UpdateAlone(func(tx *Tx) error {
			for i := range 3000 {
				if i%10 != 0 {
					if err := tx.Delete(Drafts, fmt.Sprintf("k%05d", i)); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compact(dir, time.Now()); err == nil || !strings.Contains(err.Error(), "stop the server") {
		t.Errorf("compact of an open store: %v", err)
	}
	s.Close()
	res, err := Compact(dir, time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if res.After >= res.Before || res.Kept != filepath.Join(dir, FileName+".before-compact-20261126T150000Z") {
		t.Errorf("result %+v", res)
	}
	if _, err := os.Stat(res.Kept); err != nil {
		t.Errorf("the file as it was: %v", err)
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if errs := s.Check(); len(errs) > 0 {
		t.Errorf("check: %v", errs)
	}
	n := 0
	s.View(func(tx *Tx) error {
		return tx.Scan(Drafts, "", func(k string, raw []byte) error {
			n++
			if len(raw) != 500 {
				t.Errorf("%s: %d bytes", k, len(raw))
			}
			return nil
		})
	})
	if n != 300 {
		t.Errorf("%d keys after compacting, want 300", n)
	}
}
