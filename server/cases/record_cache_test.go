package cases_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/store"
)

// TestDraftReadsSeeEveryWrite: the decoded records the read path keeps
// (a page reads a draft more than once) never outlive the record they were
// decoded from. A save through this Service, a save by another node (a
// Service of its own on the same store, which cannot touch this one's
// cache) and a submit all show on the next read, and what a caller does to
// the draft it got (its maps, its principal) does not reach the next one.
func TestDraftReadsSeeEveryWrite(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("early-education", aino, e.principal(hetuEetu, "guardian"))
	// stored is the draft as the store holds it now, decoded afresh.
	stored := func() *cases.Draft {
		t.Helper()
		var got *cases.Draft
		if err := e.st.View(func(tx *store.Tx) error {
			var err error
			got, err = cases.StoredDraft(tx, d.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	read := func(step string) *cases.Draft {
		t.Helper()
		got, err := e.svc.Draft(d.ID, aino.ID)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if _, err := e.svc.Attachments(d.ID, aino.ID); err != nil { // reads the record too
			t.Fatalf("%s: %v", step, err)
		}
		want := stored()
		got.Data = nil
		if a, b := mustJSON(t, got), mustJSON(t, want); a != b {
			t.Fatalf("%s: read\n%s\nstored\n%s", step, a, b)
		}
		return got
	}
	first := read("created")
	if first.Principal == nil || len(first.Prefill) == 0 {
		t.Fatalf("the test needs a draft with a principal and prefilled answers: %+v", first)
	}
	read("read again") // from what the first read kept

	saved := e.save(first, map[string]any{"startDate": "2027-01-10"})
	if got := read("saved here"); got.Version != saved.Version {
		t.Fatalf("saved here: version %d, want %d", got.Version, saved.Version)
	}

	other := &cases.Service{Store: e.st, Catalog: e.cat, Forms: e.svc.Forms, Register: e.reg, RefPrefix: "ESI", Now: e.clk.Now}
	e.clk.Add(1e9)
	byOther, _, err := other.Save(d.ID, aino.ID, saved.Version, merge(saved.Data, map[string]any{"startDate": "2027-01-11"}), 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := read("saved by another node"); got.Version != byOther.Version || got.Step != 2 || !got.UpdatedAt.Equal(byOther.UpdatedAt) {
		t.Fatalf("saved by another node: version %d step %d, want %d 2", got.Version, got.Step, byOther.Version)
	}

	mine := read("before a caller's changes")
	mine.Principal.Name = "Mallory"
	mine.Prefill["injected"] = cases.PrefillSource{Source: cases.SourcePopulation}
	if mine.Locked == nil {
		mine.Locked = map[string]any{}
	}
	mine.Locked["injected"] = "x"
	if got := read("after a caller's changes"); got.Principal.Name == "Mallory" || !reflect.DeepEqual(got.Prefill, stored().Prefill) {
		t.Fatalf("a caller's change reached the next read: %+v", got)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestCreateDraftKeepsItsRecord: a new draft's record is kept decoded
// (the first save or page reads it), and what is kept is what decoding
// the stored record gives: the same maps, no prefilled values (they are
// not stored), the same times.
func TestCreateDraftKeepsItsRecord(t *testing.T) {
	e := newEnv(t)
	d := e.create("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"))
	if len(d.Prefill) == 0 || d.Principal == nil || d.Due == 0 {
		t.Fatalf("the test needs a draft with prefilled answers, a principal and a due entry: %+v", d)
	}
	cached, raw, ok := e.svc.CachedDraft(d.ID)
	if !ok {
		t.Fatal("the new draft's record is not kept")
	}
	var stored []byte
	if err := e.st.View(func(tx *store.Tx) error {
		b, err := tx.GetRaw(store.Drafts, d.ID)
		stored = bytes.Clone(b)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, stored) {
		t.Fatalf("kept for\n%s\nstored\n%s", raw, stored)
	}
	want, err := cases.DecodeRecord(stored)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ got, want *time.Time }{{&cached.CreatedAt, &want.CreatedAt}, {&cached.UpdatedAt, &want.UpdatedAt}, {&cached.ExpiresAt, &want.ExpiresAt}} {
		if !p.got.Equal(*p.want) {
			t.Errorf("time %v, stored %v", *p.got, *p.want)
		}
		*p.got = *p.want
	}
	if !reflect.DeepEqual(cached, want) {
		t.Errorf("kept\n%+v\nstored\n%+v", cached, want)
	}
	// The caller's draft is its own: changing it leaves what is kept.
	d.Prefill["injected"] = cases.PrefillSource{}
	d.Principal.Name = "Mallory"
	if again, _, _ := e.svc.CachedDraft(d.ID); again.Principal.Name == "Mallory" || len(again.Prefill) != len(want.Prefill) {
		t.Errorf("the caller's change reached the cache: %+v", again)
	}
	// And the first save takes it from there.
	if _, _, err := e.svc.Save(d.ID, d.Owner.ID, d.Version, merge(d.Data, earlyEducationAnswers()), 1); err != nil {
		t.Fatal(err)
	}
}
