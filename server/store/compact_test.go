package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// TestCompact: the compacted file holds the same keys and values, is
// smaller after deletions, and the file as it was is kept; an open store
// is refused. Case records written before the dictionary (plain, or
// compressed without it) are stored compressed with it, and read the
// same.
func TestCompact(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	noDict, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	record := func(i int) string {
		return fmt.Sprintf(`{"id":"%d","reference":"ESI-2026-%06d","service":"sports-shift","status":"submitted","answers":{"notes":"%s"}}`, i, i, strings.Repeat("vuoro ", i%7))
	}
	err = s.UpdateAlone(func(tx *Tx) error {
		if err := tx.b.putRaw(Cases, "plain", []byte(record(1))); err != nil {
			return err
		}
		if err := tx.b.putRaw(Cases, "zstd", noDict.EncodeAll([]byte(record(2)), nil)); err != nil {
			return err
		}
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
	s.View(func(tx *Tx) error {
		for k, i := range map[string]int{"plain": 1, "zstd": 2} {
			stored, _ := tx.b.getRaw(Cases, k)
			raw, err := tx.GetRaw(Cases, k)
			if err != nil || string(raw) != record(i) {
				t.Errorf("%s reads %v %q", k, err, raw)
			}
			if !bytes.HasPrefix(stored, zstdMagic) || len(stored) >= len(noDict.EncodeAll([]byte(record(i)), nil)) {
				t.Errorf("%s is stored in %d bytes, not compressed with the dictionary", k, len(stored))
			}
		}
		return nil
	})
}
