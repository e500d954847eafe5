package cases

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestNextRecordIsTheEncoding: the record a save builds from the previous
// bytes is byte for byte what encoding/json writes for the new draft.
func TestNextRecordIsTheEncoding(t *testing.T) {
	hel := time.FixedZone("EET", 2*3600)
	base := Draft{
		ID: "01jz0000000000000000000000000000", Service: "early-education", FormVersion: 3,
		Owner: Ref{ID: "a", Name: "Aino <Virtanen> & co", Kind: "resident"}, Principal: &Ref{ID: "e", Name: `Eetu "E" \ Virtanen`},
		Locked:    map[string]any{"version": "x", "childHetu": "210620A925C"},
		Prefill:   map[string]PrefillSource{"childHetu": {Source: "population"}},
		CreatedAt: time.Date(2026, 11, 1, 8, 0, 0, 123000000, time.UTC),
		Version:   7, Step: 2,
		UpdatedAt: time.Date(2026, 11, 2, 9, 30, 0, 0, hel), ExpiresAt: time.Date(2026, 12, 2, 9, 30, 0, 5, time.UTC),
	}
	for _, tc := range []struct {
		name string
		edit func(d *Draft)
	}{
		{"next version", func(d *Draft) { d.Version++; d.UpdatedAt = d.UpdatedAt.Add(time.Second) }},
		{"step and reminder cleared", func(d *Draft) { d.Step = 0; d.Reminded = false }},
		{"reminded", func(d *Draft) { d.Reminded = true }},
		{"nanoseconds", func(d *Draft) { d.UpdatedAt = d.UpdatedAt.Add(1) }},
		{"no principal, no maps", func(d *Draft) { d.Principal, d.Locked, d.Prefill = nil, nil, nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev := base
			tc.edit(&prev) // static fields as they will stay
			prevJSON, _ := json.Marshal(&prev)
			next := prev
			next.Version += 5
			next.Step = 3
			next.UpdatedAt = next.UpdatedAt.Add(time.Hour)
			next.ExpiresAt = next.ExpiresAt.Add(time.Hour)
			want, _ := json.Marshal(&next)
			got, err := nextRecord(prevJSON, &prev, &next)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("\ngot  %s\nwant %s (%v)", got, want, err)
			}
		})
	}
}

// A record in another field order is encoded in full, never spliced.
func TestNextRecordOtherLayout(t *testing.T) {
	d := Draft{ID: "x", Locked: map[string]any{"a": "b"}, Version: 2, Step: 1}
	old := []byte(`{"id":"x","version":1,"locked":{"a":"b"},"step":1,"createdAt":"0001-01-01T00:00:00Z","updatedAt":"0001-01-01T00:00:00Z","expiresAt":"0001-01-01T00:00:00Z"}`)
	prev := d
	prev.Version = 1
	got, err := nextRecord(old, &prev, &d)
	want, _ := json.Marshal(&d)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got %s", got)
	}
}

// TestWithReference: the reference numbered inside the write joins the
// record encoded before it; the record decodes to the case with its
// reference, and answers that look like a reference are left alone.
func TestWithReference(t *testing.T) {
	at := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		c    Case
	}{
		{"a case", Case{ID: "01jz", Service: "sports-shift", Status: StatusSubmitted, Answers: map[string]any{"groupName": "Kerho"},
			Parties: []Party{}, SubmittedAt: at}},
		{"answers with a reference of their own", Case{ID: "01jz", Answers: map[string]any{"reference": "", "x": `"reference":""`},
			Known: map[string]any{"reference": "ABC"}, Parties: []Party{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, err := json.Marshal(&tc.c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := withReference(before, "ESI-2027-000042")
			if err != nil {
				t.Fatal(err)
			}
			var back Case
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("%s: %v", got, err)
			}
			want := tc.c
			want.Reference = "ESI-2027-000042"
			wantJSON, _ := json.Marshal(&want)
			backJSON, _ := json.Marshal(&back)
			if !bytes.Equal(backJSON, wantJSON) {
				t.Errorf("\ngot  %s\nwant %s", backJSON, wantJSON)
			}
			if n := bytes.Count(got, []byte(`"reference":"ESI-`)); n != 1 {
				t.Errorf("the reference appears %d times in %s", n, got)
			}
		})
	}
	for _, bad := range []string{"", "[]", `"x"`, "{", "null"} {
		if _, err := withReference([]byte(bad), "ESI-2027-000001"); err == nil {
			t.Errorf("withReference(%q) made a record", bad)
		}
	}
	if got, err := withReference([]byte("{}"), "R"); err != nil || string(got) != `{"reference":"R"}` {
		t.Errorf("empty object: %s %v", got, err)
	}
	// The reference is written as encoding/json writes it, the usual
	// ones as they are and any other escaped.
	for _, ref := range []string{"ESI-2027-000042", "R", "a_b.c", "A<&>B", "ä \"x\" \\", "\u2028", ""} {
		value, _ := json.Marshal(ref)
		want := `{"reference":` + string(value) + `,"id":"x"}`
		if got, err := withReference([]byte(`{"id":"x"}`), ref); err != nil || string(got) != want {
			t.Errorf("%q: %s %v, want %s", ref, got, err, want)
		}
	}
}

// TestCaseRecordWithReference: the record a submit writes, with the
// reference written into the room before it, is withReference's bytes
// for the case encoded by json.Marshal, also when the write runs again
// with another reference and for a reference too long for the room.
func TestCaseRecordWithReference(t *testing.T) {
	at := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	c := &Case{ID: "01jz", Service: "sports-shift", Status: StatusSubmitted,
		Answers: map[string]any{"groupName": "Kerho <b>&", "reference": "x"}, Parties: []Party{}, SubmittedAt: at}
	plain, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := encodeCaseRecord(c)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("LONGPREFIX", 6) + "-2027-000001"
	for _, ref := range []string{"ESI-2027-000042", "ESI-2027-1000000", "E-2027-000001", long, "ESI-2027-000043", `A"<-2027-000001`} {
		got, err := rec.withReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		want, err := withReference(plain, ref)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("reference %s:\ngot  %s\nwant %s", ref, got, want)
		}
	}
}

// TestRecordCacheBounded: the decoded-record cache of autosave holds at
// most two generations of drafts however many are saved (it once held
// every draft saved since the last housekeeping pass), and a draft saved
// again in time stays in it.
func TestRecordCacheBounded(t *testing.T) {
	r := draftRecords{limit: func() int64 { return math.MaxInt64 }} // the count bounds it
	id := func(i int) string { return fmt.Sprintf("d%07d", i) }
	raw := []byte(`{"id":"x"}`)
	r.remember("kept", raw, Draft{ID: "kept"})
	for i := range 3 * cachedRecords {
		r.remember(id(i), raw, Draft{ID: id(i)})
		if i%(cachedRecords/2) == 0 { // saved again twice a generation
			r.remember("kept", raw, Draft{ID: "kept"})
		}
	}
	if n := r.cachedCount(); n > 2*cachedRecords+1 {
		t.Fatalf("cache holds %d drafts, want at most %d", n, 2*cachedRecords+1)
	}
	if _, ok := r.cached("kept"); !ok {
		t.Fatal("a draft saved every half generation fell out of the cache")
	}
	if _, ok := r.cached(id(0)); ok {
		t.Fatal("a draft not saved for two generations is still cached")
	}
	if c, ok := r.cached(id(3*cachedRecords - 1)); !ok || c.d.ID != id(3*cachedRecords-1) {
		t.Fatal("the last draft saved is not cached")
	}
	r.forget("kept")
	if _, ok := r.cached("kept"); ok {
		t.Fatal("forget left the draft cached")
	}
	r.clear()
	if n := r.cachedCount(); n != 0 {
		t.Fatalf("clear left %d drafts", n)
	}
}

// TestRecordCacheSizedByMemoryLimit: under a memory limit the cache
// holds about limit/recordBudgetShare bytes of drafts (as recordSize
// counts them), and a draft saved again in time stays in it; a small
// limit still leaves room for drafts (minRecordBudget), and without one
// cachedRecords bounds it (TestRecordCacheBounded).
func TestRecordCacheSizedByMemoryLimit(t *testing.T) {
	const size = 2*int64(len(sportsShiftRecord)) + recordOverhead
	for _, c := range []struct {
		name     string
		limit    int64
		min, max int // drafts held after many
	}{
		{"200MiB", 200 << 20, int(200 << 20 / 64 / size), int(200 << 20 / 32 / size)},
		{"64MiB", 64 << 20, int(64 << 20 / 64 / size), int(64 << 20 / 32 / size)},
		{"tiny", 1 << 20, int(minRecordBudget / 2 / size), int(minRecordBudget / size)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := recordBudget(c.limit); got != max(c.limit/recordBudgetShare, minRecordBudget)/2 {
				t.Fatalf("recordBudget(%d) = %d", c.limit, got)
			}
			r := &draftRecords{limit: func() int64 { return c.limit }}
			n := 2*c.max + 100
			fillRecordCache(t, r, n)
			if got := r.cachedCount(); got < c.min || got > c.max+1 {
				t.Errorf("holds %d drafts after %d, want %d to %d", got, n, c.min, c.max)
			}
			last := fmt.Sprintf("%032d", n-1)
			if _, ok := r.cached(last); !ok {
				t.Error("the last draft is not cached")
			}
			if _, ok := r.cached(fmt.Sprintf("%032d", 0)); ok {
				t.Error("the first draft is still cached")
			}
		})
	}
	// Saved again while its entry is in the cache, a draft stays; a
	// larger record counts for more.
	r := &draftRecords{limit: func() int64 { return 200 << 20 }}
	per := int(recordBudget(200<<20) / size)
	kept := []byte(strings.Replace(sportsShiftRecord, "06hq0nj903dxkz7nj5g3jckrp8k98h51", "kept", 1))
	for range 4 {
		r.remember("kept", kept, Draft{ID: "kept"})
		fillRecordCache(t, r, per/2)
	}
	if _, ok := r.cached("kept"); !ok {
		t.Error("a draft saved every half generation fell out of the cache")
	}
	big := &draftRecords{limit: func() int64 { return 200 << 20 }}
	huge := make([]byte, recordBudget(200<<20)/8) // a quarter of a generation each
	for i := range 20 {
		big.remember(fmt.Sprint(i), huge, Draft{})
	}
	if got := big.cachedCount(); got > 8 || got < 3 {
		t.Errorf("holds %d records of a quarter of a generation's budget, want 3 to 8", got)
	}
	if recordBudget(math.MaxInt64) < 2*cachedRecords*size {
		t.Error("without a limit the budget bounds the cache before cachedRecords does")
	}
}

// sportsShiftRecord is a new sports-shift draft's record as CreateDraft
// stores it (loadgen's service), with an id of 32 characters to replace.
const sportsShiftRecord = `{"id":"06hq0nj903dxkz7nj5g3jckrp8k98h51","service":"sports-shift","formVersion":1,"owner":{"id":"06hq0nj901f5jwmj7qv4w5e0yc5r5hzq","name":"Aino Virtanen","kind":"resident"},"municipality":"esimerkkila","prefill":{"contactEmail":{"source":"contact-details","about":"actor","hash":"a44d87f7d40f95678fa42453888bb899"},"contactFirstName":{"source":"population","about":"subject","hash":"4081e800249eeb8af38898f8998439ce"},"contactLastName":{"source":"population","about":"subject","hash":"b49c85853e329b195d9dcf57058499a7"},"contactPhone":{"source":"contact-details","about":"actor","hash":"f674bf1e6b1da731443bd80b10894ca9"}},"createdAt":"2027-02-01T10:00:00Z","due":1803808800000,"version":1,"step":0,"updatedAt":"2027-02-01T10:00:00Z","expiresAt":"2027-03-03T10:00:00Z"}`

// fillRecordCache remembers n sports-shift drafts, each decoded from a
// record of its own (as a create or a first save does), in r.
func fillRecordCache(tb testing.TB, r *draftRecords, n int) {
	tb.Helper()
	for i := range n {
		id := fmt.Sprintf("%032d", i)
		raw := []byte(strings.Replace(sportsShiftRecord, "06hq0nj903dxkz7nj5g3jckrp8k98h51", id, 1))
		var d Draft
		if err := decodeRecord(raw, &d); err != nil {
			tb.Fatal(err)
		}
		r.remember(id, raw, d)
	}
}

// BenchmarkRecordCacheHeap: the live heap the decoded-record cache holds
// after 30,000 drafts were created, at memory limits of 200 MiB, 512 MiB
// (the default from 2 GB of memory up) and none. Run:
//
//	go test -run xxx -bench RecordCacheHeap ./server/cases/
func BenchmarkRecordCacheHeap(b *testing.B) {
	for _, c := range []struct {
		name  string
		limit int64
	}{{"limit=200MiB", 200 << 20}, {"limit=512MiB", 512 << 20}, {"limit=none", math.MaxInt64}} {
		b.Run(c.name, func(b *testing.B) {
			var ms runtime.MemStats
			var heap, drafts float64
			for range b.N {
				r := &draftRecords{limit: func() int64 { return c.limit }}
				runtime.GC()
				runtime.ReadMemStats(&ms)
				before := ms.HeapAlloc
				fillRecordCache(b, r, 30000)
				runtime.GC()
				runtime.ReadMemStats(&ms)
				heap += float64(ms.HeapAlloc) - float64(before)
				drafts += float64(r.cachedCount())
				runtime.KeepAlive(r)
			}
			b.ReportMetric(heap/float64(b.N)/(1<<20), "cache-MiB")
			b.ReportMetric(drafts/float64(b.N), "drafts")
			b.ReportMetric(heap/drafts, "B/draft")
		})
	}
}
