package cases_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/store"
)

// TestDraftsAndCasesRecordTheirMunicipality: the draft names the
// municipality of its service, and so does the case made of it.
func TestDraftsAndCasesRecordTheirMunicipality(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d, c := e.fill("sports-shift", aino, nil, sportsShiftAnswers())
	if d.Municipality != "esimerkkila" || c.Municipality != "esimerkkila" {
		t.Errorf("draft of %q, case of %q", d.Municipality, c.Municipality)
	}
	e.reopen()
	if stored, _, err := e.svc.Case(c.ID, aino.ID); err != nil || stored.Municipality != "esimerkkila" {
		t.Errorf("stored case: %+v, %v", stored, err)
	}
	d2 := e.create("home-help", aino, nil)
	if stored, err := e.svc.Draft(d2.ID, aino.ID); err != nil || stored.Municipality != "esimerkkila" {
		t.Errorf("stored draft: %+v, %v", stored, err)
	}
}

// TestUnnamedMunicipalityIsTheDefault: a draft written before drafts named
// their municipality is still saved and submitted, and its case belongs to
// the default municipality, numbered in its sequence.
func TestUnnamedMunicipalityIsTheDefault(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("sports-shift", aino, nil)
	err := e.st.UpdateAlone(func(tx *store.Tx) error {
		var rec map[string]any
		if err := tx.Get(store.Drafts, d.ID, &rec); err != nil {
			return err
		}
		delete(rec, "municipality")
		return tx.Put(store.Drafts, d.ID, rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	e.reopen()
	if old, err := e.svc.Draft(d.ID, aino.ID); err != nil || old.Municipality != "" {
		t.Fatalf("the draft as an earlier version wrote it: %+v, %v", old, err)
	}
	d = e.save(d, sportsShiftAnswers())
	c := e.submit(d)
	if c.Municipality != "esimerkkila" || c.Reference != "ESI-2027-000001" {
		t.Errorf("case of %q, reference %s", c.Municipality, c.Reference)
	}
	if got := counter(t, e.st, "ref/esimerkkila/2027"); got != "1" {
		t.Errorf("counter = %q", got)
	}
}

// TestReferenceCounterPerMunicipality: references count in the
// municipality's own sequence; another municipality's stays as it is.
func TestReferenceCounterPerMunicipality(t *testing.T) {
	e := newEnv(t)
	err := e.st.UpdateAlone(func(tx *store.Tx) error {
		if err := tx.PutRaw(store.Counters, "ref/esimerkkila/2027", []byte("41")); err != nil {
			return err
		}
		return tx.PutRaw(store.Counters, "ref/naapurila/2027", []byte("5"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, c := e.fill("sports-shift", e.ref(hetuAino), nil, sportsShiftAnswers()); c.Reference != "ESI-2027-000042" {
		t.Errorf("reference %s, want ESI-2027-000042", c.Reference)
	}
	if got := counter(t, e.st, "ref/naapurila/2027"); got != "5" {
		t.Errorf("the other municipality's counter = %q", got)
	}
}

func counter(t *testing.T, st *store.Store, name string) string {
	t.Helper()
	var out string
	st.View(func(tx *store.Tx) error {
		raw, _ := tx.GetRaw(store.Counters, name)
		out = string(raw)
		return nil
	})
	return out
}

// sportsShiftV2 is the shipped sports-shift form as version 2, for the
// service named.
func sportsShiftV2(t *testing.T, service string) []byte {
	t.Helper()
	m := definitionJSON(t, "sports-shift")
	m["service"], m["version"] = service, 2.0
	return encode(t, m)
}

// TestUpgradeKeys: the imported forms and reference counters of a data
// file written before keys named their municipality move to the default
// municipality's place; what is in today's layout stays; a second run
// changes nothing; and numbering goes on where it was.
func TestUpgradeKeys(t *testing.T) {
	e := newEnv(t)
	legacy := map[string]map[string]string{
		store.Forms:    {"sports-shift/000002": string(sportsShiftV2(t, "sports-shift"))},
		store.Counters: {"ref/2026": "12", "ref/2027": "7", "ref/naapurila/2027": "3", "blobref/abc": "1"},
	}
	legacy[store.Forms]["naapurila/sports-shift/000002"] = legacy[store.Forms]["sports-shift/000002"]
	put := func(tx *store.Tx) error {
		for b, kv := range legacy {
			for k, v := range kv {
				if err := tx.PutRaw(b, k, []byte(v)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := e.st.UpdateAlone(put); err != nil {
		t.Fatal(err)
	}
	upgrade := func() {
		t.Helper()
		if err := e.st.UpdateAlone(func(tx *store.Tx) error { return cases.UpgradeKeys(tx, "esimerkkila") }); err != nil {
			t.Fatal(err)
		}
	}
	upgrade()
	upgrade()
	want := map[string][]string{
		store.Forms:    {"esimerkkila/sports-shift/000002", "naapurila/sports-shift/000002"},
		store.Counters: {"blobref/abc", "ref/esimerkkila/2026", "ref/esimerkkila/2027", "ref/naapurila/2027"},
	}
	for b, keys := range want {
		var got []string
		e.st.View(func(tx *store.Tx) error {
			return tx.Scan(b, "", func(k string, _ []byte) error { got = append(got, k); return nil })
		})
		if !reflect.DeepEqual(got, keys) {
			t.Errorf("%s keys %v, want %v", b, got, keys)
		}
	}
	if got := counter(t, e.st, "ref/esimerkkila/2026"); got != "12" {
		t.Errorf("2026 counter = %q", got)
	}
	e.build()
	if d, ok := e.svc.Forms.Latest("sports-shift"); !ok || d.Version != 2 {
		t.Errorf("latest sports-shift form after the upgrade: %+v", d)
	}
	if _, c := e.fill("sports-shift", e.ref(hetuAino), nil, sportsShiftAnswers()); c.Reference != "ESI-2027-000008" {
		t.Errorf("reference %s after the upgrade, want ESI-2027-000008", c.Reference)
	}

	// A key in both layouts is not overwritten.
	if err := e.st.UpdateAlone(func(tx *store.Tx) error { return tx.PutRaw(store.Counters, "ref/2027", []byte("2")) }); err != nil {
		t.Fatal(err)
	}
	err := e.st.UpdateAlone(func(tx *store.Tx) error { return cases.UpgradeKeys(tx, "esimerkkila") })
	if err == nil || !strings.Contains(err.Error(), `"ref/2027" and "ref/esimerkkila/2027"`) {
		t.Errorf("upgrade over a key in both layouts: %v", err)
	}
	if got := counter(t, e.st, "ref/esimerkkila/2027"); got != "8" {
		t.Errorf("counter after the refused upgrade = %q", got)
	}
}

// TestFormsOfOneMunicipality: a municipality's forms are the ones imported
// for it (and the shipped ones for the shipped catalogue); another
// municipality's never mix in, and Import refuses to cross them.
func TestFormsOfOneMunicipality(t *testing.T) {
	e := newEnv(t)
	raw, err := os.ReadFile("../catalog/testdata/second-municipality.json")
	if err != nil {
		t.Fatal(err)
	}
	second, err := catalog.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	err = e.st.UpdateAlone(func(tx *store.Tx) error {
		for _, svc := range []string{"sports-shift", "library-card"} {
			if err := tx.PutRaw(store.Forms, "naapurila/"+svc+"/000002", sportsShiftV2(t, svc)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	first, err := cases.LoadForms(e.st, e.cat)
	if err != nil {
		t.Fatal(err)
	}
	if first.Municipality() != "esimerkkila" {
		t.Errorf("first municipality's forms are %q's", first.Municipality())
	}
	if got := first.Versions("sports-shift"); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("first municipality's sports-shift versions %v", got)
	}
	if d, ok := first.Latest("library-card"); ok {
		t.Errorf("first municipality has the second one's form %s", d.Service)
	}
	theirs, err := cases.LoadForms(e.st, second)
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{"sports-shift", "library-card"} {
		if got := theirs.Versions(svc); !reflect.DeepEqual(got, []int{2}) {
			t.Errorf("second municipality's %s versions %v (the shipped forms are the first one's)", svc, got)
		}
	}

	v3 := definitionJSON(t, "sports-shift")
	v3["version"] = 3.0
	if _, err := cases.Import(e.st, second, first, encode(t, v3)); err == nil || !strings.Contains(err.Error(), `"esimerkkila" are not those of the catalogue's "naapurila"`) {
		t.Errorf("Import across municipalities: %v", err)
	}
	d, err := cases.Import(e.st, second, theirs, encode(t, v3))
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 3 || countPrefix(t, e.st, store.Forms, "naapurila/sports-shift/000003") != 1 {
		t.Errorf("imported %s v%d, stored: %d", d.Service, d.Version, countPrefix(t, e.st, store.Forms, "naapurila/sports-shift/000003"))
	}
	if again, _ := cases.LoadForms(e.st, e.cat); !reflect.DeepEqual(again.Versions("sports-shift"), []int{1}) {
		t.Errorf("the second municipality's import shows in the first: %v", again.Versions("sports-shift"))
	}
}
