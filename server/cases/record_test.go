package cases

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	var r draftRecords
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
