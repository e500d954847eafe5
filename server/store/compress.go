package store

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Values in the buckets of compressedBuckets are stored zstd-compressed
// when that makes them smaller (issue 9: a case record is about 1.5 KB of
// JSON, two to a 4 KB page; compressed, about 0.8 KB). The codec sits in
// Tx, above both backends: everything reads and writes JSON as before,
// and a value written before (plain JSON, or compressed without the
// dictionary) reads as it is, so no migration is needed and compact or a
// copy keeps working. A compressed value starts with zstd's frame magic,
// which no JSON value, and no index value of these buckets, does.
//
// Values are compressed with a dictionary (zdict/asiointi-1.txt: the
// shapes of the records, field names from the code and the catalogue's
// forms, placeholder values, no one's data): most of these records are a
// few hundred bytes, too short for zstd to find their field names
// repeated, and the dictionary gives it them; an event, an inbox row or
// a sent draft's record shrinks to about half (plain zstd: a fifth off).
// A frame names its dictionary's id, so a dictionary is never changed:
// a better one is added with a new id (the decoder keeps every one),
// and TestDictionaryUnchanged holds each to its checksum.
//
// zstd (github.com/klauspost/compress, already in the module graph
// through fasthttp) rather than compress/flate: about the same size on
// these records, several times faster to decompress, dictionaries, and
// its encoder and decoder are safe for concurrent use without pools.
var compressedBuckets = map[string]bool{Cases: true, DraftsSent: true, Events: true, CaseIndex: true, Notices: true}

// compressMin: shorter values are stored as they are (the index's keys
// whose values are a few words, counters, empty values).
const compressMin = 96

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// dictID is the id of the dictionary new values are compressed with
// (zstd frames carry it; ids below 32768 are reserved by zstd).
const dictID = 0x41530001

//go:embed zdict/asiointi-1.txt
var dict1 []byte

var codec = sync.OnceValues(func() (*zstd.Encoder, *zstd.Decoder) {
	// Small windows and one block at a time: records are a few KB, and
	// the coder's memory stays small. The fastest level: with the
	// dictionary, the better levels gain a few bytes a record for twice
	// the time.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(1<<16), zstd.WithLowerEncoderMem(true), zstd.WithEncoderCRC(false),
		zstd.WithEncoderDictRaw(dictID, dict1))
	if err != nil {
		panic(err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(64<<20), zstd.WithDecoderDictRaw(dictID, dict1))
	if err != nil {
		panic(err)
	}
	return enc, dec
})

// pack is the stored form of raw in bucket: raw itself, or a new slice.
func pack(bucket string, raw []byte) []byte {
	out, _ := packInto(bucket, raw, nil)
	return out
}

// packInto is pack compressing into dst's memory: the stored form of raw
// (raw itself, or the frame appended to dst[:0]), and dst with what it
// grew to.
func packInto(bucket string, raw, dst []byte) (out, buf []byte) {
	if !compressedBuckets[bucket] || len(raw) < compressMin {
		return raw, dst
	}
	enc, _ := codec()
	if dst == nil {
		dst = make([]byte, 0, len(raw)/2+64)
	}
	buf = enc.EncodeAll(raw, dst[:0])
	if len(buf) >= len(raw) {
		return raw, buf
	}
	return buf, buf
}

// A writeBuf is where Put encodes a value and pack compresses it before
// the stored form is copied out at its size: a value's JSON was garbage
// once compressed, and pack's buffer was sized by a guess (issue 9:
// bytes allocated per write). Get decompresses a value into it too, for
// json.Unmarshal, which copies what it keeps. Buffers are pooled; one
// that grew past writeBufKeep is left to the collector.
type writeBuf struct {
	json []byte
	z    []byte
	enc  *json.Encoder // writes into json
}

const writeBufKeep = 64 << 10

var writeBufs = sync.Pool{New: func() any {
	w := new(writeBuf)
	w.enc = json.NewEncoder(jsonSink{w})
	return w
}}

type jsonSink struct{ w *writeBuf }

func (s jsonSink) Write(p []byte) (int, error) {
	s.w.json = append(s.w.json, p...)
	return len(p), nil
}

func getWriteBuf() *writeBuf { return writeBufs.Get().(*writeBuf) }

func (w *writeBuf) release() {
	if cap(w.json) > writeBufKeep || cap(w.z) > writeBufKeep {
		return
	}
	w.json, w.z = w.json[:0], w.z[:0]
	writeBufs.Put(w)
}

// marshal is json.Marshal(v) in w's buffer, valid until w is used again.
func (w *writeBuf) marshal(v any) ([]byte, error) {
	w.json = w.json[:0]
	if err := w.enc.Encode(v); err != nil {
		return nil, err
	}
	return w.json[:len(w.json)-1], nil // Encode ends the value with a newline
}

// unpacked is the value of a stored one in bucket, valid until w is
// used again.
func (w *writeBuf) unpacked(bucket, key string, raw []byte) ([]byte, error) {
	if w.z == nil {
		w.z = make([]byte, 0, 4<<10)
	}
	out, buf, err := unpackInto(bucket, key, raw, w.z)
	w.z = buf
	return out, err
}

// packed is the stored form of raw in bucket, valid until w is used
// again (Tx.keep copies it for the backend).
func (w *writeBuf) packed(bucket string, raw []byte) []byte {
	var out []byte
	out, w.z = packInto(bucket, raw, w.z)
	return out
}

// keep is a copy of b that stays unchanged until the transaction has
// ended (the backend keeps a value until then) and is released with it
// (releaseValues): small values are cut from pooled chunks rather than
// each allocated (issue 9: 1.7 KB and several objects per submit
// iteration).
func (t *Tx) keep(b []byte) []byte {
	if len(b) > valueChunk/4 {
		return bytes.Clone(b)
	}
	if cap(t.vals)-len(t.vals) < len(b) {
		if t.vals != nil {
			t.valsFull = append(t.valsFull, t.vals)
		}
		t.vals = valueChunks.Get().(*[valueChunk]byte)[:0]
	}
	at := len(t.vals)
	t.vals = append(t.vals, b...)
	return t.vals[at:len(t.vals):len(t.vals)]
}

// valueChunk is the size of the chunks keep cuts values from.
const valueChunk = 16 << 10

var valueChunks = sync.Pool{New: func() any { return new([valueChunk]byte) }}

// releaseValues gives back the chunks of the values kept: only once the
// transaction has ended and nothing reads them (bbolt keeps a value in
// its nodes until the commit has written it, PostgreSQL's queue until it
// has flushed).
func (t *Tx) releaseValues() {
	if t.vals == nil {
		return
	}
	valueChunks.Put((*[valueChunk]byte)(t.vals[:valueChunk]))
	for i, c := range t.valsFull {
		valueChunks.Put((*[valueChunk]byte)(c[:valueChunk]))
		t.valsFull[i] = nil
	}
	t.vals, t.valsFull = nil, t.valsFull[:0]
}

// repack is a stored value of bucket as it would be written today: a
// value written plain or compressed without the dictionary, compressed
// with it (compact). A value that does not unpack stays as it is.
func repack(bucket string, stored []byte) []byte {
	if !compressedBuckets[bucket] {
		return stored
	}
	raw, err := unpack(bucket, "", stored)
	if err != nil {
		return stored
	}
	if out := pack(bucket, raw); len(out) < len(stored) {
		return out
	}
	return stored
}

// unpack is the value of a stored one: raw itself unless compressed.
func unpack(bucket, key string, raw []byte) ([]byte, error) {
	out, _, err := unpackInto(bucket, key, raw, nil)
	return out, err
}

// compressed tells a stored value in bucket that unpack decompresses.
func compressed(bucket string, raw []byte) bool {
	return compressedBuckets[bucket] && bytes.HasPrefix(raw, zstdMagic)
}

// unpackInto is unpack decompressing into dst's memory (nil: a new
// slice), and dst with what it grew to.
func unpackInto(bucket, key string, raw, dst []byte) (out, buf []byte, err error) {
	if !compressed(bucket, raw) {
		return raw, dst, nil
	}
	_, dec := codec()
	if dst != nil {
		dst = dst[:0]
	}
	out, err = dec.DecodeAll(raw, dst)
	if err != nil {
		return nil, dst, fmt.Errorf("store: %s/%s: %w", bucket, key, err)
	}
	return out, out, nil
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
