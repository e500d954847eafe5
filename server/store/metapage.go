package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"time"
)

// bbolt keeps two meta pages (pages 0 and 1) and writes them in turn; it
// opens a file whose newest meta page is damaged by falling back to the
// other, and its own consistency check does not look at them. So a file
// with one damaged meta page works but has lost its fallback: the next
// damage loses the database. checkMetaPages reads both pages from the file
// and verifies them as bbolt does on open (magic, version, FNV-1a checksum
// over the meta fields).
//
// The layout is bbolt's (go.etcd.io/bbolt/internal/common, format version
// 2), in the machine's byte order: a 16-byte page header, then magic,
// version, pageSize, flags (uint32 each), the root bucket (root page id,
// sequence), freelist page id, high-water page id, txid (uint64 each) and
// the checksum (uint64) over everything from magic to txid.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	metaOffset     = 16        // the page header before the meta fields
	metaSummed     = 4*4 + 5*8 // magic … txid
	metaSize       = metaSummed + 8
	minPageSize    = 512
	maxPageSize    = 1 << 20
	metaReadTries  = 3
	metaRetryPause = 20 * time.Millisecond
)

// metaProblem says what is wrong with one meta page, or "" when it is valid.
func metaProblem(page []byte) (problem string, pageSize uint32) {
	if len(page) < metaOffset+metaSize {
		return "cut short", 0
	}
	m := page[metaOffset : metaOffset+metaSize]
	ord := binary.NativeEndian
	pageSize = ord.Uint32(m[8:])
	switch {
	case ord.Uint32(m[0:]) != boltMagic:
		return "not a bbolt meta page (wrong magic number)", pageSize
	case ord.Uint32(m[4:]) != boltVersion:
		return fmt.Sprintf("unknown format version %d", ord.Uint32(m[4:])), pageSize
	}
	h := fnv.New64a()
	h.Write(m[:metaSummed])
	if h.Sum64() != ord.Uint64(m[metaSummed:]) {
		return "checksum mismatch", pageSize
	}
	return "", pageSize
}

// readMetaPages returns the problems of both meta pages of the file.
func readMetaPages(f io.ReaderAt) []error {
	var probs [2]string
	page := make([]byte, metaOffset+metaSize)
	n, err := f.ReadAt(page, 0)
	if err != nil && !(errors.Is(err, io.EOF) && n == len(page)) {
		return []error{fmt.Errorf("read meta page 0: %w", err)}
	}
	var size0 uint32
	probs[0], size0 = metaProblem(page)
	// Page 1 starts one page in. The page size is page 0's when page 0 is
	// valid; otherwise each plausible size is tried, as bbolt does.
	var sizes []int64
	if probs[0] == "" {
		sizes = []int64{int64(size0)}
	} else {
		if size0 >= minPageSize && size0 <= maxPageSize && size0&(size0-1) == 0 {
			sizes = append(sizes, int64(size0))
		}
		sizes = append(sizes, int64(os.Getpagesize()), 4096, 8192, 16384, 32768, 65536)
	}
	for i, sz := range sizes {
		p := "cut short"
		if n, err := f.ReadAt(page, sz); n == len(page) || err == nil {
			p, _ = metaProblem(page)
		}
		if p == "" {
			probs[1] = ""
			break
		}
		if i == 0 {
			probs[1] = p // what is wrong where page 1 should be
		}
	}
	var errs []error
	switch {
	case probs[0] != "" && probs[1] != "":
		errs = append(errs, fmt.Errorf("both meta pages are damaged (page 0: %s; page 1: %s): bbolt cannot open this file", probs[0], probs[1]))
	case probs[0] != "" || probs[1] != "":
		bad, good := 0, 1
		if probs[0] == "" {
			bad, good = 1, 0
		}
		errs = append(errs, fmt.Errorf("meta page %d is damaged (%s): the database runs on meta page %d alone and has no fallback left; "+
			"take a backup now (asiointi backup writes both meta pages afresh) and restore it", bad, probs[bad], good))
	}
	return errs
}

// checkMetaPages verifies both meta pages of the database file. The server
// may be writing a meta page while it is read, so a problem is reported
// only when it is seen on every one of a few reads.
func checkMetaPages(path string) []error {
	f, err := os.Open(path)
	if err != nil {
		return []error{fmt.Errorf("read meta pages: %w", err)}
	}
	defer f.Close()
	var errs []error
	for try := range metaReadTries {
		if errs = readMetaPages(f); len(errs) == 0 {
			return nil
		}
		if try < metaReadTries-1 {
			time.Sleep(metaRetryPause)
		}
	}
	return errs
}
