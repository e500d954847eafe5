package cases_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/store"
)

// TestSave covers optimistic concurrency, who may save, and what is kept.
func TestSave(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, e *env)
	}{
		{"version increments", func(t *testing.T, e *env) {
			d := e.create("sports-shift", e.ref(hetuAino), nil)
			for want := 2; want <= 4; want++ {
				e.clk.Add(time.Second)
				out, errs, err := e.svc.Save(d.ID, d.Owner.ID, want-1, merge(d.Data, map[string]any{"groupName": "Kerho " + string(rune('A'+want-2))}), -1)
				if err != nil || len(errs) > 0 {
					t.Fatalf("save: %v %v", err, errs)
				}
				if out.Version != want {
					t.Errorf("version = %d, want %d", out.Version, want)
				}
				if !out.UpdatedAt.Equal(e.clk.Now()) {
					t.Errorf("UpdatedAt = %v, want %v", out.UpdatedAt, e.clk.Now())
				}
			}
			got, err := e.svc.Draft(d.ID, d.Owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != 4 || got.Data["groupName"] != "Kerho C" {
				t.Errorf("stored version %d, groupName %v", got.Version, got.Data["groupName"])
			}
		}},
		{"stale version gets the current draft", func(t *testing.T, e *env) {
			d := e.create("sports-shift", e.ref(hetuAino), nil)
			// Device A saves first.
			if _, _, err := e.svc.Save(d.ID, d.Owner.ID, 1, merge(d.Data, map[string]any{"groupName": "Laitteelta A"}), 1); err != nil {
				t.Fatal(err)
			}
			// Device B still has version 1.
			_, _, err := e.svc.Save(d.ID, d.Owner.ID, 1, merge(d.Data, map[string]any{"groupName": "Laitteelta B"}), 2)
			if !errors.Is(err, cases.ErrConflict) {
				t.Fatalf("err = %v, want ErrConflict", err)
			}
			var ce *cases.ConflictError
			if !errors.As(err, &ce) || ce.Current == nil {
				t.Fatalf("err %T is not a *ConflictError with the current draft", err)
			}
			if ce.Current.Version != 2 || ce.Current.Data["groupName"] != "Laitteelta A" || ce.Current.Step != 1 {
				t.Errorf("current = v%d %v step %d", ce.Current.Version, ce.Current.Data["groupName"], ce.Current.Step)
			}
			// Nothing of B's write landed.
			got, _ := e.svc.Draft(d.ID, d.Owner.ID)
			if got.Version != 2 || got.Data["groupName"] != "Laitteelta A" {
				t.Errorf("stored v%d %v", got.Version, got.Data["groupName"])
			}
			// A future version is stale too.
			if _, _, err := e.svc.Save(d.ID, d.Owner.ID, 9, d.Data, -1); !errors.Is(err, cases.ErrConflict) {
				t.Errorf("future version: err = %v", err)
			}
		}},
		{"another person's draft is not found", func(t *testing.T, e *env) {
			d := e.create("sports-shift", e.ref(hetuAino), nil)
			for _, h := range []string{hetuMaria, hetuMikko, hetuEetu} {
				other := e.ref(h)
				if _, _, err := e.svc.Save(d.ID, other.ID, 1, map[string]any{"groupName": "x"}, -1); err != cases.ErrNotFound {
					t.Errorf("%s Save: err = %v, want exactly ErrNotFound", h, err)
				}
				// With the right version or a wrong one: the same answer.
				if _, _, err := e.svc.Save(d.ID, other.ID, 7, map[string]any{}, -1); err != cases.ErrNotFound {
					t.Errorf("%s Save v7: err = %v, want exactly ErrNotFound", h, err)
				}
				if _, err := e.svc.Draft(d.ID, other.ID); err != cases.ErrNotFound {
					t.Errorf("%s Draft: err = %v", h, err)
				}
				if err := e.svc.Delete(d.ID, other.ID); err != cases.ErrNotFound {
					t.Errorf("%s Delete: err = %v", h, err)
				}
				if _, err := e.svc.Submit(d.ID, other); err != cases.ErrNotFound {
					t.Errorf("%s Submit: err = %v", h, err)
				}
			}
			// The principal of a draft does not own it either.
			g := e.create("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"))
			eetu := e.ref(hetuEetu)
			if _, _, err := e.svc.Save(g.ID, eetu.ID, 1, g.Data, -1); err != cases.ErrNotFound {
				t.Errorf("principal Save: err = %v", err)
			}
			got, _ := e.svc.Draft(d.ID, d.Owner.ID)
			if got.Version != 1 || got.Data["groupName"] != nil {
				t.Errorf("draft changed by others: v%d %v", got.Version, got.Data)
			}
		}},
		{"junk ids are not found", func(t *testing.T, e *env) {
			e.create("sports-shift", e.ref(hetuAino), nil)
			aino := e.ref(hetuAino)
			for _, id := range []string{"", "x", "../drafts", "01hzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/../", strings.Repeat("0", 32),
				strings.Repeat("z", 32), strings.Repeat("U", 32), "drafts/../../etc/passwd", strings.Repeat("a", 10000)} {
				if _, _, err := e.svc.Save(id, aino.ID, 1, map[string]any{}, -1); err != cases.ErrNotFound {
					t.Errorf("Save(%.40q): err = %v", id, err)
				}
				if _, err := e.svc.Draft(id, aino.ID); err != cases.ErrNotFound {
					t.Errorf("Draft(%.40q): err = %v", id, err)
				}
				if _, err := e.svc.Submit(id, aino); err != cases.ErrNotFound {
					t.Errorf("Submit(%.40q): err = %v", id, err)
				}
				if _, err := e.svc.AddAttachment(id, aino.ID, "attachment", fileUpload("a.pdf", pdfFile)); err != cases.ErrNotFound {
					t.Errorf("AddAttachment(%.40q): err = %v", id, err)
				}
				if _, _, err := e.svc.Case(id, aino.ID); err != cases.ErrNotFound {
					t.Errorf("Case(%.40q): err = %v", id, err)
				}
			}
		}},
		{"locked prefilled field cannot be changed", func(t *testing.T, e *env) {
			d := e.create("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"))
			changed := merge(d.Data, map[string]any{
				"childFirstName": "Ella", "childHetu": hetuElla, // locked: the register's values stay
				"guardianPhone": "050 123 4567", // prefilled but editable
			})
			out, _, err := e.svc.Save(d.ID, d.Owner.ID, d.Version, changed, -1)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := e.svc.Draft(d.ID, d.Owner.ID)
			for _, dd := range []*cases.Draft{out, got} {
				if dd.Data["childHetu"] != hetuEetu || dd.Data["childFirstName"] != "Eetu" {
					t.Errorf("locked child fields changed: %v %v", dd.Data["childFirstName"], dd.Data["childHetu"])
				}
				if dd.Data["guardianPhone"] != "050 123 4567" {
					t.Errorf("editable prefilled field not saved: %v", dd.Data["guardianPhone"])
				}
			}
			// Removing the locked value does not remove it either.
			delete(changed, "childHetu")
			out, _, err = e.svc.Save(d.ID, d.Owner.ID, out.Version, changed, -1)
			if err != nil {
				t.Fatal(err)
			}
			if out.Data["childHetu"] != hetuEetu {
				t.Errorf("locked childHetu removed: %v", out.Data["childHetu"])
			}
		}},
		{"unknown and info fields are dropped, bad shapes reported", func(t *testing.T, e *env) {
			d := e.create("sports-shift", e.ref(hetuAino), nil)
			data := merge(d.Data, map[string]any{
				"isAdmin": true, "status": "decided", "__proto__": map[string]any{"x": 1},
				"participants": "lots", "groupName": "Sählykerho",
			})
			out, errs, err := e.svc.Save(d.ID, d.Owner.ID, 1, data, -1)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"isAdmin", "status", "__proto__", "participants"} {
				if _, ok := out.Data[k]; ok {
					t.Errorf("data kept %q", k)
				}
			}
			if out.Data["groupName"] != "Sählykerho" {
				t.Errorf("groupName = %v", out.Data["groupName"])
			}
			if len(errs) != 1 || errs[0].Field != "participants" {
				t.Errorf("shape errors = %+v, want one on participants", errs)
			}
		}},
		{"hidden fields are kept in a draft", func(t *testing.T, e *env) {
			d := e.create("sports-shift", e.ref(hetuAino), nil)
			data := merge(d.Data, map[string]any{
				"groupType": "informal", "businessId": orgID, // hidden: only for association/company
				"equipmentNeeded": false, "equipment": "Kaksi maalia", // hidden while not needed
			})
			out, errs, err := e.svc.Save(d.ID, d.Owner.ID, 1, data, -1)
			if err != nil || len(errs) > 0 {
				t.Fatal(err, errs)
			}
			if out.Data["businessId"] != orgID || out.Data["equipment"] != "Kaksi maalia" {
				t.Errorf("hidden values dropped: %v", out.Data)
			}
		}},
		{"step: kept when negative, set, capped at the summary", func(t *testing.T, e *env) {
			d := e.create("sports-shift", e.ref(hetuAino), nil) // 3 steps + summary
			steps := []struct{ in, want int }{{2, 2}, {-1, 2}, {3, 3}, {99, 3}, {0, 0}}
			v := d.Version
			for _, s := range steps {
				out, _, err := e.svc.Save(d.ID, d.Owner.ID, v, d.Data, s.in)
				if err != nil {
					t.Fatal(err)
				}
				v = out.Version
				if out.Step != s.want {
					t.Errorf("step %d → %d, want %d", s.in, out.Step, s.want)
				}
			}
		}},
		{"a submitted draft cannot be saved or deleted", func(t *testing.T, e *env) {
			d, _ := e.fill("sports-shift", e.ref(hetuAino), nil, sportsShiftAnswers())
			if _, _, err := e.svc.Save(d.ID, d.Owner.ID, d.Version, d.Data, -1); !errors.Is(err, cases.ErrSubmitted) {
				t.Errorf("Save: err = %v, want ErrSubmitted", err)
			}
			if err := e.svc.Delete(d.ID, d.Owner.ID); !errors.Is(err, cases.ErrSubmitted) {
				t.Errorf("Delete: err = %v, want ErrSubmitted", err)
			}
		}},
		{"concurrent saves of one version: exactly one wins", func(t *testing.T, e *env) {
			d := e.create("sports-shift", e.ref(hetuAino), nil)
			const n = 20
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, _, errs[i] = e.svc.Save(d.ID, d.Owner.ID, 1, merge(d.Data, map[string]any{"groupName": fmt.Sprint("Laite ", i)}), -1)
				}(i)
			}
			wg.Wait()
			won := -1
			for i, err := range errs {
				switch {
				case err == nil && won >= 0:
					t.Errorf("saves %d and %d both won", won, i)
				case err == nil:
					won = i
				case !errors.Is(err, cases.ErrConflict):
					t.Errorf("save %d: %v", i, err)
				}
			}
			got, _ := e.svc.Draft(d.ID, d.Owner.ID)
			if won < 0 || got.Version != 2 || got.Data["groupName"] != fmt.Sprint("Laite ", won) {
				t.Errorf("winner %d, stored v%d %v", won, got.Version, got.Data["groupName"])
			}
		}},
		{"delete removes the draft", func(t *testing.T, e *env) {
			d := e.create("sports-shift", e.ref(hetuAino), nil)
			e.upload(d, "attachment", "vuorot.pdf", pdfFile)
			if err := e.svc.Delete(d.ID, d.Owner.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Draft(d.ID, d.Owner.ID); err != cases.ErrNotFound {
				t.Errorf("Draft after delete: %v", err)
			}
			if n := countPrefix(t, e.st, store.Attachments, d.ID+"/"); n != 0 {
				t.Errorf("%d attachments left", n)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newEnv(t)) })
	}
}

// TestSaveExtendsExpiry: DraftRetentionDays is "how long an untouched
// draft is kept" (catalog.Service), so saving moves the expiry on and a
// draft being worked on is not deleted under the resident.
func TestSaveExtendsExpiry(t *testing.T) {
	e := newEnv(t)
	d := e.create("sports-shift", e.ref(hetuAino), nil)
	saved := e.clk.Add(20 * 24 * time.Hour)
	out := e.save(d, map[string]any{"groupName": "Sählykerho"})
	if want := saved.AddDate(0, 0, 30); !out.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt after a save on day 20 = %v, want %v", out.ExpiresAt, want)
	}
	e.clk.Set(t0.AddDate(0, 0, 31))
	if _, _, err := e.svc.Housekeep(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Draft(d.ID, d.Owner.ID); err != nil {
		t.Errorf("a draft saved 11 days ago was deleted: %v", err)
	}
}

// TestDraftsList: newest first, only the owner's, no submitted or expired.
func TestDraftsList(t *testing.T) {
	e := newEnv(t)
	aino, maria := e.ref(hetuAino), e.ref(hetuMaria)
	a := e.create("sports-shift", aino, nil) // expires t0+30d
	e.clk.Add(time.Minute)
	b := e.create("association-grant", aino, orgRef()) // t0+90d
	e.clk.Add(time.Minute)
	c := e.create("early-education", aino, e.principal(hetuEetu, "guardian")) // t0+60d
	e.clk.Add(time.Minute)
	m := e.create("sports-shift", maria, nil)
	e.clk.Add(time.Minute)
	a = e.save(a, map[string]any{"groupName": "Sählykerho"}) // a is now the newest
	e.clk.Add(time.Minute)
	s, _ := e.fill("sports-shift", aino, nil, sportsShiftAnswers()) // submitted: not listed

	ids := func(user string) []string {
		t.Helper()
		ds, err := e.svc.Drafts(user)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	if got, want := ids(aino.ID), []string{a.ID, c.ID, b.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("Aino's drafts = %v, want %v (a, c, b; not submitted %s)", got, want, s.ID)
	}
	if got, want := ids(maria.ID), []string{m.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("Maria's drafts = %v, want %v", got, want)
	}
	if got := ids(e.ref(hetuEetu).ID); len(got) != 0 {
		t.Errorf("the principal lists the guardian's drafts: %v", got)
	}
	// Past the expiry of a (saved at t0+4m, 30 days) and c (60 days), before Housekeep runs.
	e.clk.Set(t0.AddDate(0, 0, 61))
	if got, want := ids(aino.ID), []string{b.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("after 61 days: %v, want only %v", got, want)
	}
}

func countPrefix(t testing.TB, st *store.Store, bucket, prefix string) int {
	t.Helper()
	n := 0
	err := st.View(func(tx *store.Tx) error {
		return tx.Scan(bucket, prefix, func(string, []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
