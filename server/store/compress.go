package store

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Values in the buckets of compressedBuckets are stored zstd-compressed
// when that makes them smaller (issue 9: a case record is about 1.5 KB of
// JSON, two to a 4 KB page; compressed, about 0.9 KB, four to a page).
// The codec sits in Tx, above both backends: everything reads and writes
// JSON as before, and a value written before (plain JSON) reads as it
// is, so no migration is needed and compact or a copy keeps working.
// A compressed value starts with zstd's frame magic, which no JSON value
// does.
//
// zstd (github.com/klauspost/compress, already in the module graph
// through fasthttp) rather than compress/flate: about the same size on
// these records, several times faster to decompress, and its encoder and
// decoder are safe for concurrent use without pools.
var compressedBuckets = map[string]bool{Cases: true}

// compressMin: shorter values are stored as they are (a frame's header
// and the lack of repetition leave little to gain).
const compressMin = 256

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

var codec = sync.OnceValues(func() (*zstd.Encoder, *zstd.Decoder) {
	// Small windows and one block at a time: records are a few KB, and
	// the coder's memory stays small.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(1<<16), zstd.WithLowerEncoderMem(true), zstd.WithEncoderCRC(false))
	if err != nil {
		panic(err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(64<<20))
	if err != nil {
		panic(err)
	}
	return enc, dec
})

// pack is the stored form of raw in bucket.
func pack(bucket string, raw []byte) []byte {
	if !compressedBuckets[bucket] || len(raw) < compressMin {
		return raw
	}
	enc, _ := codec()
	out := enc.EncodeAll(raw, make([]byte, 0, len(raw)/2+64))
	if len(out) >= len(raw) {
		return raw
	}
	return out
}

// unpack is the value of a stored one: raw itself unless compressed.
func unpack(bucket, key string, raw []byte) ([]byte, error) {
	if !compressedBuckets[bucket] || !bytes.HasPrefix(raw, zstdMagic) {
		return raw, nil
	}
	_, dec := codec()
	out, err := dec.DecodeAll(raw, nil)
	if err != nil {
		return nil, fmt.Errorf("store: %s/%s: %w", bucket, key, err)
	}
	return out, nil
}

// unpacking wraps a scan's fn so that it gets values unpacked.
func unpacking(bucket string, fn func(key string, raw []byte) error) func(key string, raw []byte) error {
	if !compressedBuckets[bucket] {
		return fn
	}
	return func(key string, raw []byte) error {
		v, err := unpack(bucket, key, raw)
		if err != nil {
			return err
		}
		return fn(key, v)
	}
}
