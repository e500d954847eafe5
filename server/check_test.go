package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asiointi/server/store"
)

// TestCheckReportsDamagedMetaPage: `asiointi check` on a database whose
// second meta page is damaged (bbolt still opens it) exits 1 and names
// the page, instead of saying "ok".
func TestCheckReportsDamagedMetaPage(t *testing.T) {
	dir, _ := seededStore(t)

	// Flip a byte of meta page 1's transaction id (bbolt's layout: a
	// 16-byte page header, the page size at +8, the txid at +48).
	f, err := os.OpenFile(filepath.Join(dir, store.FileName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	var hdr [28]byte
	f.ReadAt(hdr[:], 0)
	at := int64(binary.NativeEndian.Uint32(hdr[24:])) + 16 + 48
	var b [1]byte
	f.ReadAt(b[:], at)
	b[0] ^= 0xff
	f.WriteAt(b[:], at)
	f.Close()

	var out, errb bytes.Buffer
	code := run([]string{"check"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "meta page 1 is damaged (checksum mismatch)") || strings.Contains(out.String(), "ok") {
		t.Fatalf("check: code %d stdout %q stderr %q", code, out.String(), errb.String())
	}
}
