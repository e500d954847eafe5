package cases

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"asiointi/server/store"
)

// draftRecords is the speed machinery of autosave and submit on the
// drafts bucket. An autosave changes only the tail fields of a draft's
// record (see Draft), many times a minute, and most of the work can run
// in parallel before the serial, batched write:
//
//   - read returns a draft together with the record bytes it was decoded
//     from, and decodes them only when they differ from the record of the
//     draft's last save (a cache of the drafts being edited right now);
//   - next encodes the record after a save by keeping the previous bytes
//     up to the tail and writing only the new tail;
//   - update writes in a batched transaction and tells the write whether
//     the record is still the bytes read (compare-and-put): in the usual
//     case it puts what was prepared, otherwise it looks at the draft again.
//
// The cache is bounded: it keeps two generations of drafts, each of at
// most cachedRecords drafts and half the cache's budget in bytes (see
// recordBudget: a small share of the process's memory limit), and a draft
// saved again while its entry is in either stays (a person autosaving
// every few seconds); a draft not saved for two generations is decoded
// from its record at the next save. An unbounded cache held every draft
// saved since the last housekeeping pass (50,000 prepared drafts: 45 MB of
// live heap, which a 200 MiB memory limit spent on collecting), and one of
// 2 × 8192 drafts still ~35 MB of a ~50 MB live heap.
type draftRecords struct {
	mu   sync.Mutex // turns generations
	gens atomic.Pointer[recordGens]
	// limit is the memory limit the cache is sized by; nil reads the
	// process's (debug.SetMemoryLimit(-1), which main sets from the
	// machine by default). Tests set it.
	limit func() int64
}

// cachedRecords is the most drafts one generation of the cache holds,
// however large the memory limit.
const cachedRecords = 8192

// The cache's budget is a share of the memory limit (recordBudgetShare:
// at 200 MiB, 6.25 MiB for both generations, about 1,350 drafts in each),
// at least minRecordBudget; with the default limit from 2 GB of memory up
// (512 MiB) it is 16 MiB. Without a limit cachedRecords bounds it. More
// drafts edited at once than the cache holds (at 200 MiB, more than about
// 2,700) are decoded at every save (a record: ~6 µs and ~2.4 KB with its
// copy), which the limit's heap pays for more easily than their entries.
const (
	recordBudgetShare = 32
	minRecordBudget   = 1 << 20
)

// recordBudget is the bytes (as recordSize counts them) one generation of
// the cache holds under the memory limit limit: half the cache's budget.
func recordBudget(limit int64) int64 {
	return max(limit/recordBudgetShare, minRecordBudget) / 2
}

// recordOverhead is what a cached draft costs besides its record bytes and
// its strings: the decoded Draft, its maps' tables (a small map's table
// has room for 8, of ~140 bytes each in Prefill) and the cache's entry.
// BenchmarkRecordCacheHeap measures ~2,450 bytes a loadgen draft (a
// record of 769 bytes), which recordSize counts as 2,434.
const recordOverhead = 896

// recordSize is about the heap a cached draft takes: its record bytes,
// once as they are and about once more decoded (the strings and maps'
// contents are most of a record), and recordOverhead.
func recordSize(raw []byte) int64 { return 2*int64(len(raw)) + recordOverhead }

// recordGens is the cache's current generation and the one before it.
type recordGens struct {
	cur, prev *sync.Map // id → decodedRecord
	n, size   atomic.Int64
	budget    int64 // the most size of cur before it turns (recordBudget)
}

func (r *draftRecords) newRecordGens(prev *sync.Map) *recordGens {
	if prev == nil {
		prev = new(sync.Map)
	}
	var limit int64
	if r.limit != nil {
		limit = r.limit()
	} else {
		limit = debug.SetMemoryLimit(-1) // math.MaxInt64 when there is none
	}
	return &recordGens{cur: new(sync.Map), prev: prev, budget: recordBudget(limit)}
}

func (r *draftRecords) generations() *recordGens {
	if g := r.gens.Load(); g != nil {
		return g
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gens.Load() == nil {
		r.gens.Store(r.newRecordGens(nil))
	}
	return r.gens.Load()
}

// cached is the decoding remembered for draft id, if any.
func (r *draftRecords) cached(id string) (decodedRecord, bool) {
	g := r.generations()
	c, ok := g.cur.Load(id)
	if !ok {
		c, ok = g.prev.Load(id)
	}
	if !ok {
		return decodedRecord{}, false
	}
	return c.(decodedRecord), true
}

type decodedRecord struct {
	raw []byte
	d   Draft
}

// snapshot is a draft as read, with a copy of the record bytes it was
// decoded from (and of its stored answers when read withRawAnswers, its
// files when read withAnswersAndFiles).
type snapshot struct {
	d       *Draft
	raw     []byte
	answers []byte
	files   []Attachment
}

// What read loads besides the draft's record.
type readWhat int

const (
	recordOnly     readWhat = iota
	withAnswers             // the answers, decoded into Draft.Data
	withRawAnswers          // the answers' stored bytes, in snapshot.answers (nil: none)
)

// withAnswersAndFiles is withAnswers and the draft's files, in
// snapshot.files (submit).
const withAnswersAndFiles = withRawAnswers + 1

// read loads a draft, with what else it asks for, and its record bytes in
// one transaction. ErrNotFound for an absent or malformed id.
func (r *draftRecords) read(st *store.Store, id string, what readWhat) (snapshot, error) {
	var snap snapshot
	if !store.ValidID(id) {
		return snap, ErrNotFound
	}
	err := st.View(func(tx *store.Tx) error {
		raw, err := draftRecord(tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var d Draft
		if c, ok := r.cached(id); ok && bytes.Equal(c.raw, raw) {
			d = c.d
			raw = c.raw // the same bytes, which no one changes: no copy
		} else if err := decodeRecord(raw, &d); err != nil {
			return err
		} else {
			raw = bytes.Clone(raw)
		}
		snap = snapshot{d: &d, raw: raw}
		switch what {
		case withAnswers:
			return loadData(tx, &d)
		case withAnswersAndFiles:
			if snap.files, err = draftAttachments(tx, id); err != nil {
				return err
			}
			return loadData(tx, &d)
		case withRawAnswers:
			answers, err := tx.GetRaw(store.DraftData, id)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if answers != nil {
				snap.answers = append(answersBuf(len(answers)), answers...)
			}
		}
		return nil
	})
	return snap, err
}

// get decodes raw, the record of draft id read in a transaction, from
// the cache when it holds these bytes, and remembers a record it decoded
// (the cache is bounded: remember). The draft's maps and principal are
// its own: a caller may change them without touching the cache. The cache
// is keyed by the record's bytes, which every write changes (on any node:
// the bytes are read from the store each time), so it is never stale; and
// only the draft's own record can match, so no one sees another's.
func (r *draftRecords) get(id string, raw []byte) (*Draft, error) {
	if c, ok := r.cached(id); ok && bytes.Equal(c.raw, raw) {
		d := ownCopy(c.d)
		return &d, nil
	}
	var d Draft
	if err := decodeRecord(raw, &d); err != nil {
		return nil, err
	}
	r.remember(id, bytes.Clone(raw), ownCopy(d))
	return &d, nil
}

// ownCopy is d with maps and principal of its own (their values are
// plain data, shared).
func ownCopy(d Draft) Draft {
	d.Locked = maps.Clone(d.Locked)
	d.Prefill = maps.Clone(d.Prefill)
	if d.Principal != nil {
		p := *d.Principal
		d.Principal = &p
	}
	return d
}

// answersBufs holds buffers for the answers a save reads (withRawAnswers)
// and writes (encodeAnswers): it needs them only until its write, and
// they are the bytes that grow with the form.
var answersBufs sync.Pool // *[]byte

// maxPooledAnswers: larger buffers are left to the collector.
const maxPooledAnswers = 64 << 10

// answersBuf is an empty buffer of at least n bytes' capacity.
func answersBuf(n int) []byte {
	if p, ok := answersBufs.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]byte, 0, n)
}

// release gives back the buffer of the answers read: call it once nothing
// uses snap.answers any more.
func (snap *snapshot) release() {
	if b := snap.answers; b != nil {
		snap.answers = nil
		putAnswers(b)
	}
}

// putAnswers gives back b, the stored bytes of a draft's answers, read or
// encoded (encodeAnswers), once nothing uses it any more: after the write
// that stored it has ended, committed or not (the store may hold the
// bytes until then).
func putAnswers(b []byte) {
	if cap(b) > 0 && cap(b) <= maxPooledAnswers {
		b = b[:0]
		answersBufs.Put(&b)
	}
}

// next encodes d, the draft of snap after a save changed only its tail
// fields: snap's bytes up to the tail, then the new tail. A record in
// another layout is encoded in full.
func (r *draftRecords) next(snap snapshot, d *Draft) ([]byte, error) {
	return nextRecord(snap.raw, snap.d, d)
}

// refusal is a domain answer found inside a write (ErrSubmitted, a
// *ConflictError): update passes it out instead of failing the
// transaction, so that it does not roll back the other writes batched into
// the same commit. A write refuses before it puts anything.
type refusal struct{ err error }

func (r refusal) Error() string { return r.err.Error() }

// refuse makes err a refusal of a write given to update.
func refuse(err error) error { return refusal{err} }

// update runs write in a batched transaction (which may run it more than
// once). changed is false when the draft's record is still the bytes seen
// when it was read: nothing touched the draft since. A draft deleted
// meanwhile is ErrNotFound. update returns the changed of the run that
// was committed, and forgets the draft's cached record on any error.
func (r *draftRecords) update(st *store.Store, id string, seen []byte, write func(tx *store.Tx, changed bool) error) (changed bool, err error) {
	var refused error
	err = st.Update(func(tx *store.Tx) error {
		refused, changed = nil, true
		cur, err := draftRecord(tx, id)
		if errors.Is(err, store.ErrNotFound) {
			refused = ErrNotFound
			return nil
		}
		if err != nil {
			return err
		}
		changed = !bytes.Equal(cur, seen)
		err = write(tx, changed)
		var no refusal
		if errors.As(err, &no) {
			refused = no.err
			return nil
		}
		return err
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		r.forget(id)
	}
	return changed, err
}

// remember caches d as the decoding of the record raw that was just
// stored for it. The id may live in the HTTP server's reused buffers
// (Fiber): it is copied, since the cache outlives the request.
func (r *draftRecords) remember(id string, raw []byte, d Draft) {
	d.Data = nil
	key := d.ID // the draft's own string, decoded from its record
	if key != id {
		key = strings.Clone(id)
	}
	g := r.generations()
	grown := recordSize(raw)
	old, loaded := g.cur.Swap(key, decodedRecord{raw: raw, d: d})
	full := false
	if loaded {
		grown -= recordSize(old.(decodedRecord).raw)
	} else {
		full = g.n.Add(1) > cachedRecords
	}
	if g.size.Add(grown) <= g.budget && !full {
		return
	}
	r.mu.Lock()
	if r.gens.Load() == g { // the current generation is full: it becomes the previous one
		r.gens.Store(r.newRecordGens(g.cur))
	}
	r.mu.Unlock()
}

func (r *draftRecords) forget(id string) {
	g := r.generations()
	g.cur.Delete(id)
	g.prev.Delete(id)
}

// clear empties the cache: it only serves drafts being edited right now.
func (r *draftRecords) clear() {
	r.mu.Lock()
	r.gens.Store(r.newRecordGens(nil))
	r.mu.Unlock()
}

// cachedCount is how many drafts the cache holds (tests).
func (r *draftRecords) cachedCount() int {
	g, n := r.generations(), 0
	for _, m := range []*sync.Map{g.cur, g.prev} {
		m.Range(func(any, any) bool { n++; return true })
	}
	return n
}

// versionKey starts the tail of a draft record (the fields a save changes).
var versionKey = []byte(`,"version":`)

// nextRecord encodes d, which differs from the record prev (decoded as
// old) only in its tail fields, by keeping prev's bytes up to the tail and
// appending the new tail. When prev does not end in exactly old's tail (a
// record written in another layout) it encodes d in full.
func nextRecord(prev []byte, old, d *Draft) ([]byte, error) {
	i := bytes.LastIndex(prev, versionKey)
	if i < 0 || d.CaseID != "" {
		return encodeStored(d)
	}
	var buf [128]byte // an old tail is about 110 bytes
	if tail, err := recordTail(buf[:0], old); err != nil || !bytes.Equal(prev[i:], tail) {
		return encodeStored(d)
	}
	out := make([]byte, 0, len(prev)+32) // a new tail may be longer (more digits, reminded)
	out = append(out, prev[:i]...)
	return recordTail(out, d)
}

// recordTail appends the tail of a draft record exactly as encoding/json
// writes it (a test compares the two).
func recordTail(b []byte, d *Draft) ([]byte, error) {
	if y := d.UpdatedAt.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("cases: time out of range")
	}
	if y := d.ExpiresAt.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("cases: time out of range")
	}
	b = append(b, versionKey...)
	b = strconv.AppendInt(b, int64(d.Version), 10)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, int64(d.Step), 10)
	b = append(b, `,"updatedAt":"`...)
	b = d.UpdatedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","expiresAt":"`...)
	b = d.ExpiresAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if d.Reminded {
		b = append(b, `,"reminded":true`...)
	}
	return append(b, '}'), nil
}
