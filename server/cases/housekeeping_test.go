package cases_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/notify"
	"asiointi/server/store"
)

const day = 24 * time.Hour

// TestHousekeep: a reminder once with under 3 days left; expired drafts go
// with their attachments; submitted drafts stay.
func TestHousekeep(t *testing.T) {
	// sports-shift drafts live 30 days: created at t0, they expire at t0+30d.
	tests := []struct {
		name         string
		at           []time.Duration // Housekeep runs, after t0
		wantDeleted  int
		wantReminded int
		wantNotices  int
		wantDraft    bool
	}{
		{"fresh draft", []time.Duration{day}, 0, 0, 0, true},
		{"4 days left", []time.Duration{26 * day}, 0, 0, 0, true},
		{"exactly 3 days left", []time.Duration{27 * day}, 0, 0, 0, true},
		{"just under 3 days left", []time.Duration{27*day + time.Minute}, 0, 1, 1, true},
		{"reminded once", []time.Duration{27*day + time.Hour, 28 * day, 29 * day}, 0, 1, 1, true},
		{"1 minute left", []time.Duration{30*day - time.Minute}, 0, 1, 1, true},
		{"expired", []time.Duration{30 * day}, 1, 0, 0, false},
		{"reminded, then expired", []time.Duration{28 * day, 31 * day}, 1, 1, 1, false},
		{"expired, runs again", []time.Duration{31 * day, 32 * day}, 1, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			aino := e.ref(hetuAino)
			d := e.create("sports-shift", aino, nil)
			a := e.upload(d, "attachment", "vuorolista.pdf", pdfFile)
			d = e.save(d, map[string]any{"groupName": "Sählykerho", "attachment": a.ID})
			keep, _ := e.fill("sports-shift", aino, nil, sportsShiftAnswers()) // submitted at t0
			deleted, reminded := 0, 0
			for _, at := range tc.at {
				e.clk.Set(t0.Add(at))
				dn, rn, err := e.svc.Housekeep()
				if err != nil {
					t.Fatal(err)
				}
				deleted += dn
				reminded += rn
			}
			if deleted != tc.wantDeleted || reminded != tc.wantReminded {
				t.Errorf("deleted %d reminded %d, want %d and %d", deleted, reminded, tc.wantDeleted, tc.wantReminded)
			}
			inbox := &notify.Inbox{Store: e.st}
			ns, err := inbox.List(aino.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != tc.wantNotices {
				t.Errorf("%d notices, want %d: %+v", len(ns), tc.wantNotices, ns)
			}
			for _, n := range ns {
				if n.Kind != notify.KindDraftExpiring || n.User != aino.ID || n.Link != "/drafts/"+d.ID || n.Params["service"] != "sports-shift" {
					t.Errorf("notice %+v", n)
				}
			}
			if others, _ := inbox.List(e.ref(hetuMaria).ID, 0); len(others) != 0 {
				t.Errorf("Maria got %d notices", len(others))
			}
			_, err = e.svc.Draft(d.ID, aino.ID)
			if (err == nil) != tc.wantDraft {
				t.Errorf("draft present = %v, want %v", err == nil, tc.wantDraft)
			}
			if !tc.wantDraft {
				if n := countPrefix(t, e.st, store.Attachments, d.ID+"/"); n != 0 {
					t.Errorf("%d attachments of the deleted draft left", n)
				}
				if n := countPrefix(t, e.st, store.DraftsByUser, aino.ID+"/"+d.ID); n != 0 {
					t.Errorf("index entry left")
				}
			}
			// The submitted draft and its case are untouched.
			kd, err := e.svc.Draft(keep.ID, aino.ID)
			if err != nil || kd.CaseID == "" {
				t.Errorf("submitted draft: %v %+v", err, kd)
			}
			if cs, _ := e.svc.Cases(aino.ID); len(cs) != 1 {
				t.Errorf("%d cases", len(cs))
			}
		})
	}
}

// TestHousekeepDeletesFileContent: the bytes of an expired draft's
// attachments are deleted too (they are personal data kept only as long
// as the draft), unless another attachment of the same person still uses
// the same content. Another person's identical file is their own copy.
func TestHousekeepDeletesFileContent(t *testing.T) {
	e := newEnv(t)
	aino, maria := e.ref(hetuAino), e.ref(hetuMaria)
	d := e.create("sports-shift", aino, nil)
	a := e.upload(d, "attachment", "laakarintodistus.pdf", pdfFile)
	shared := e.upload(d, "attachment", "kuva.png", pngFile)
	m := e.create("sports-shift", maria, nil)
	theirs := e.upload(m, "attachment", "sama-kuva.png", pngFile)
	later := e.clk.Add(10 * day)
	d2 := e.create("sports-shift", aino, nil) // expires 10 days after the first
	again := e.upload(d2, "attachment", "sama-kuva.png", pngFile)
	if again.Blob != shared.Blob || theirs.Blob == shared.Blob {
		t.Fatalf("blob keys: %q %q %q; want one person's same bytes shared, another's apart", shared.Blob, again.Blob, theirs.Blob)
	}

	e.clk.Set(t0.Add(30 * day))
	if n, _, err := e.svc.Housekeep(); err != nil || n != 2 { // Aino's first and Maria's
		t.Fatalf("deleted %d, %v", n, err)
	}
	has := func(key string) bool {
		var ok bool
		e.st.View(func(tx *store.Tx) error { ok = tx.Has(store.Blobs, key); return nil })
		return ok
	}
	if has(a.Blob) {
		t.Errorf("content of the expired draft's attachment %s is still stored", a.Name)
	}
	if has(theirs.Blob) {
		t.Errorf("content of Maria's expired draft is still stored")
	}
	if !has(shared.Blob) {
		t.Errorf("content still used by Aino's other draft was deleted")
	}
	if _, body, err := e.svc.AttachmentContent(d2.ID, again.ID, aino.ID); err != nil || !bytes.Equal(body, pngFile) {
		t.Errorf("the other draft's file: %v, %d bytes", err, len(body))
	}
	if _, body, err := e.svc.AttachmentContent(d2.ID, "", aino.ID); err == nil || body != nil {
		t.Errorf("junk attachment id answered")
	}
	e.clk.Set(later.Add(31 * day))
	if _, _, err := e.svc.Housekeep(); err != nil {
		t.Fatal(err)
	}
	if has(shared.Blob) {
		t.Errorf("content of the last expired attachment is still stored")
	}
	if n := countPrefix(t, e.st, store.Blobs, ""); n != 0 {
		t.Errorf("%d blobs left", n)
	}
}

// TestHousekeepVisitsOnlyWhatIsDue: housekeeping works from its due index
// (one entry per open draft and per draft's files, in time order), which
// autosaves leave alone; an entry that comes due early because the draft
// was saved since is filed again at the right time, and submitting or
// deleting a draft removes its entry.
func TestHousekeepVisitsOnlyWhatIsDue(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	dueKeys := func() []string {
		var out []string
		e.st.View(func(tx *store.Tx) error {
			return tx.Scan(store.Due, "", func(k string, _ []byte) error { out = append(out, k); return nil })
		})
		return out
	}
	d := e.create("sports-shift", aino, nil) // expires t0+30d: reminder due at t0+27d
	first := dueKeys()
	if len(first) != 1 || !strings.HasSuffix(first[0], "/d/"+d.ID) {
		t.Fatalf("after create: %v", first)
	}
	e.clk.Set(t0.Add(20 * day))
	d = e.save(d, map[string]any{"groupName": "Sählykerho"}) // now expires t0+50d
	if got := dueKeys(); !slices.Equal(got, first) {
		t.Fatalf("a save moved the due index: %v, was %v", got, first)
	}
	e.clk.Set(t0.Add(27*day + time.Minute)) // the old entry comes due: nothing to do
	if del, rem, err := e.svc.Housekeep(); err != nil || del+rem != 0 {
		t.Fatalf("deleted %d reminded %d, %v", del, rem, err)
	}
	refiled := dueKeys()
	if len(refiled) != 1 || refiled[0] <= first[0] || !strings.HasSuffix(refiled[0], "/d/"+d.ID) {
		t.Fatalf("not filed again: %v, was %v", refiled, first)
	}
	e.clk.Set(t0.Add(47*day + time.Minute)) // under 3 days left since the save
	if del, rem, err := e.svc.Housekeep(); err != nil || del != 0 || rem != 1 {
		t.Fatalf("deleted %d reminded %d, %v; want one reminder", del, rem, err)
	}
	if got := dueKeys(); len(got) != 1 || got[0] <= refiled[0] {
		t.Fatalf("after the reminder: %v; want the expiry", got)
	}
	// Submitting removes the entry; files get one for the grace period,
	// and the case one for its retention (retention.go).
	d = e.save(d, merge(sportsShiftAnswers(), map[string]any{"attachment": e.upload(d, "attachment", "a.pdf", pdfFile).ID}))
	c := e.submit(d)
	got := dueKeys()
	if len(got) != 2 || !strings.HasSuffix(got[0], "/f/"+d.ID) || !strings.HasSuffix(got[1], "/c/"+c.ID) {
		t.Fatalf("after submit: %v; want the files' entry and the case's retention", got)
	}
	e.clk.Add(cases.OrphanGrace)
	if n, err := e.svc.CollectOrphans(); err != nil || n != 0 {
		t.Fatalf("collected %d, %v", n, err)
	}
	if got := dueKeys(); len(got) != 1 || !strings.HasSuffix(got[0], "/c/"+c.ID) {
		t.Errorf("after the files' look: %v", got)
	}
	if err := e.st.Update(func(tx *store.Tx) error { return tx.Delete(store.Due, got[0]) }); err != nil {
		t.Fatal(err)
	}
	// Deleting removes the entry.
	o := e.create("sports-shift", aino, nil)
	if err := e.svc.Delete(o.ID, aino.ID); err != nil {
		t.Fatal(err)
	}
	for _, k := range dueKeys() {
		if !strings.Contains(k, "/c/") { // cases' retention entries stay
			t.Errorf("after delete: %v", k)
		}
	}
}
