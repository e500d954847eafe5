package store

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckReportsADamagedMetaPage damages one of the two meta pages of a
// real database file: bbolt still opens it (from the other page), and
// Check must say which page is damaged and why.
func TestCheckReportsADamagedMetaPage(t *testing.T) {
	tests := []struct {
		name   string
		page   int
		offset int // within the meta fields
		want   string
	}{
		{"clean", -1, 0, ""},
		{"page 0 txid", 0, 48, "meta page 0 is damaged (checksum mismatch)"},
		{"page 1 txid", 1, 48, "meta page 1 is damaged (checksum mismatch)"},
		{"page 0 root", 0, 16, "meta page 0 is damaged (checksum mismatch)"},
		{"page 1 high-water mark", 1, 40, "meta page 1 is damaged (checksum mismatch)"},
		{"page 1 checksum", 1, 56, "meta page 1 is damaged (checksum mismatch)"},
		{"page 0 magic", 0, 0, "meta page 0 is damaged (not a bbolt meta page"},
		{"page 1 magic", 1, 1, "meta page 1 is damaged (not a bbolt meta page"},
		{"page 1 version", 1, 4, "meta page 1 is damaged (unknown format version"},
		{"page 0 page size", 0, 9, "meta page 0 is damaged (checksum mismatch)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 5 { // a few commits: both meta pages written
				if err := s.Update(func(tx *Tx) error { return tx.Put(Events, fmt.Sprint(i), i) }); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			path := filepath.Join(dir, FileName)
			if tc.page >= 0 {
				damage(t, path, tc.page, tc.offset)
			}
			r, err := Open(dir, Options{ReadOnly: true, Timeout: time.Second})
			if err != nil {
				t.Fatalf("bbolt should open a file with one good meta page: %v", err)
			}
			defer r.Close()
			errs := r.Check()
			if tc.want == "" {
				if len(errs) != 0 {
					t.Fatalf("clean file: %v", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
				t.Fatalf("Check() = %v, want one problem with %q", errs, tc.want)
			}
		})
	}
}

// damage flips one byte of a meta page's fields.
func damage(t *testing.T, path string, page, offset int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var hdr [metaOffset + 12]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		t.Fatal(err)
	}
	pageSize := int64(binary.NativeEndian.Uint32(hdr[metaOffset+8:]))
	at := int64(page)*pageSize + metaOffset + int64(offset)
	var b [1]byte
	if _, err := f.ReadAt(b[:], at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b[:], at); err != nil {
		t.Fatal(err)
	}
}

// Both pages damaged: bbolt refuses the file, and readMetaPages says so.
func TestMetaPagesBothDamaged(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	path := filepath.Join(dir, FileName)
	damage(t, path, 1, 48)
	damage(t, path, 0, 48)
	errs := checkMetaPages(path)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "both meta pages are damaged") {
		t.Fatalf("got %v", errs)
	}
}
