package cases_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"asiointi/server/cases"
	"asiointi/server/forms"
)

// TestSaveChangesIsSaveOfMerged: saving changed answers is saving the
// whole answers with the changes merged in, for ordinary and hostile
// changes alike: whatever the whole save drops, refuses (reports) or puts
// back (a locked prefilled value), the save of changes does the same, and
// both store the same answers. Each case saves the same draft twice, once
// each way, from the same stored answers.
func TestSaveChangesIsSaveOfMerged(t *testing.T) {
	long := strings.Repeat("å", forms.MaxTextLength+1)
	items := make([]any, forms.MaxGroupItems+1)
	for i := range items {
		items[i] = map[string]any{"item": "x"}
	}
	grant := func(e *env) *cases.Draft { return e.create("association-grant", e.ref(hetuAino), orgRef()) }
	child := func(e *env) *cases.Draft {
		return e.create("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"))
	}
	tests := []struct {
		name    string
		draft   func(e *env) *cases.Draft
		before  map[string]any // saved first, whole
		changes map[string]any
	}{
		{"one answer", grant, associationGrantAnswers("a1"), map[string]any{"grantPurpose": "Uusi tarkoitus"}},
		{"a new answer", grant, map[string]any{"orgName": "Seura"}, map[string]any{"email": "seura@example.fi"}},
		{"removed (null)", grant, associationGrantAnswers("a1"), map[string]any{"amount": nil, "budget": nil}},
		{"nothing", grant, associationGrantAnswers("a1"), map[string]any{}},
		{"a group, whole", grant, associationGrantAnswers("a1"), map[string]any{"budget": []any{map[string]any{"item": "Bussi", "itemAmount": "80"}}}},
		{"unknown ids", grant, associationGrantAnswers("a1"), map[string]any{
			"isAdmin": true, "status": "decided", "__proto__": map[string]any{"x": 1}, "": "x",
			"budget.0.item": "x", "budget.item": "y", "caseId": "x", "version": 99.0, "owner": "x"}},
		{"an info field", grant, associationGrantAnswers("a1"), map[string]any{"reporting": "luettu"}},
		{"wrong types", grant, associationGrantAnswers("a1"), map[string]any{
			"orgName": 5.0, "members": "many", "confirmCorrect": "yes", "amount": true, "grantPurpose": []any{"x"}}},
		{"a group of the wrong shape", grant, associationGrantAnswers("a1"), map[string]any{"budget": "kaikki"}},
		{"a group's items of the wrong shape", grant, associationGrantAnswers("a1"),
			map[string]any{"budget": []any{"x", map[string]any{"item": 5.0, "itemAmount": "1", "extra": "y"}}}},
		{"too long", grant, associationGrantAnswers("a1"), map[string]any{"grantPurpose": long}},
		{"too many items", grant, associationGrantAnswers("a1"), map[string]any{"budget": items}},
		{"fields of another step", grant, map[string]any{"orgName": "Seura"},
			map[string]any{"annualReport": "not-an-upload", "confirmCorrect": true, "otherFundingDetails": "x"}},
		{"more changes than are looked up one by one", grant, associationGrantAnswers("a1"), map[string]any{
			"orgName": "A", "businessId": "B", "iban": nil, "members": 3.0, "email": "e", "phone": "p",
			"grantPurpose": 1.0, "amount": "2", "otherFunding": "yes", "otherFundingDetails": "d", "nope": "x"}},
		{"locked prefilled answers stay", child, earlyEducationAnswers(), map[string]any{
			"childHetu": hetuElla, "childFirstName": nil, "childLastName": 7.0, "specialNeeds": "Allergia"}},
		{"checkboxes", child, earlyEducationAnswers(), map[string]any{"preferredUnits": []any{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}}},
	}
	problems := map[string]bool{"wrong types": true, "a group of the wrong shape": true, "a group's items of the wrong shape": true,
		"too long": true, "too many items": true, "more changes than are looked up one by one": true,
		"locked prefilled answers stay": true, "checkboxes": true}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var got [2]*cases.Draft
			var errs [2][]forms.FieldError
			for i := range got {
				d := tc.draft(e)
				d = e.save(d, tc.before)
				var out *cases.Draft
				var err error
				if i == 0 {
					out, errs[i], err = e.svc.Save(d.ID, d.Owner.ID, d.Version, merge(d.Data, tc.changes), 1)
				} else {
					out, errs[i], err = e.svc.SaveChanges(d.ID, d.Owner.ID, d.Version, tc.changes, 1)
				}
				if err != nil {
					t.Fatalf("save %d: %v", i, err)
				}
				if out.Version != d.Version+1 || out.Step != 1 {
					t.Errorf("save %d: version %d step %d", i, out.Version, out.Step)
				}
				if got[i], err = e.svc.Draft(d.ID, d.Owner.ID); err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(got[0].Data, got[1].Data) {
				t.Errorf("stored answers differ:\nwhole   %v\nchanges %v", got[0].Data, got[1].Data)
			}
			if (len(errs[1]) > 0) != problems[tc.name] {
				t.Errorf("problems %v, want some: %v", errs[1], problems[tc.name])
			}
			if fmt.Sprint(errs[0]) != fmt.Sprint(errs[1]) {
				t.Errorf("problems differ:\nwhole   %v\nchanges %v", errs[0], errs[1])
			}
		})
	}
}

// TestSaveChanges: the save of changes keeps the other answers, and follows
// the whole save's rules of versions, owners and submitted drafts.
func TestSaveChanges(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, e *env, d *cases.Draft)
	}{
		{"other answers stay", func(t *testing.T, e *env, d *cases.Draft) {
			out, errs, err := e.svc.SaveChanges(d.ID, d.Owner.ID, d.Version, map[string]any{"groupName": "Uusi", "notes": nil}, -1)
			if err != nil || len(errs) > 0 {
				t.Fatal(err, errs)
			}
			if out.Data != nil || out.Step != d.Step {
				t.Errorf("returned data %v, step %d", out.Data, out.Step)
			}
			got, _ := e.svc.Draft(d.ID, d.Owner.ID)
			want := merge(d.Data, map[string]any{"groupName": "Uusi"})
			delete(want, "notes")
			if !reflect.DeepEqual(got.Data, want) || got.Version != d.Version+1 {
				t.Errorf("stored v%d %v\nwant %v", got.Version, got.Data, want)
			}
		}},
		{"a stale version gets the current draft, and nothing lands", func(t *testing.T, e *env, d *cases.Draft) {
			if _, _, err := e.svc.SaveChanges(d.ID, d.Owner.ID, d.Version, map[string]any{"groupName": "A"}, -1); err != nil {
				t.Fatal(err)
			}
			for _, v := range []int{d.Version, d.Version + 5, 0} {
				_, _, err := e.svc.SaveChanges(d.ID, d.Owner.ID, v, map[string]any{"groupName": "B", "notes": nil}, -1)
				var ce *cases.ConflictError
				if !errors.As(err, &ce) || !errors.Is(err, cases.ErrConflict) || ce.Current.Version != d.Version+1 ||
					ce.Current.Data["groupName"] != "A" || ce.Current.Data["notes"] != d.Data["notes"] {
					t.Errorf("version %d: err %v", v, err)
				}
			}
			if got, _ := e.svc.Draft(d.ID, d.Owner.ID); got.Data["groupName"] != "A" || got.Data["notes"] == nil {
				t.Errorf("stored %v", got.Data)
			}
		}},
		{"another person's draft and junk ids are not found", func(t *testing.T, e *env, d *cases.Draft) {
			for _, who := range []string{e.ref(hetuMaria).ID, e.ref(hetuEetu).ID, ""} {
				if _, _, err := e.svc.SaveChanges(d.ID, who, d.Version, map[string]any{"groupName": "x"}, -1); err != cases.ErrNotFound {
					t.Errorf("%q: err = %v, want exactly ErrNotFound", who, err)
				}
			}
			for _, id := range []string{"", "x", "../drafts", strings.Repeat("0", 32)} {
				if _, _, err := e.svc.SaveChanges(id, d.Owner.ID, d.Version, map[string]any{"groupName": "x"}, -1); err != cases.ErrNotFound {
					t.Errorf("id %q: err = %v", id, err)
				}
			}
			if got, _ := e.svc.Draft(d.ID, d.Owner.ID); got.Version != d.Version {
				t.Errorf("version %d", got.Version)
			}
		}},
		{"a submitted draft cannot be saved", func(t *testing.T, e *env, d *cases.Draft) {
			e.submit(d)
			if _, _, err := e.svc.SaveChanges(d.ID, d.Owner.ID, d.Version, map[string]any{"groupName": "x"}, -1); !errors.Is(err, cases.ErrSubmitted) {
				t.Errorf("err = %v", err)
			}
		}},
		{"a deleted draft is not found", func(t *testing.T, e *env, d *cases.Draft) {
			if err := e.svc.Delete(d.ID, d.Owner.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.svc.SaveChanges(d.ID, d.Owner.ID, d.Version, map[string]any{"groupName": "x"}, -1); err != cases.ErrNotFound {
				t.Errorf("err = %v", err)
			}
		}},
		{"concurrent saves of one version: exactly one wins", func(t *testing.T, e *env, d *cases.Draft) {
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, _, errs[i] = e.svc.SaveChanges(d.ID, d.Owner.ID, d.Version, map[string]any{"groupName": fmt.Sprint("Laite ", i)}, -1)
				}()
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
			if won < 0 || got.Version != d.Version+1 || got.Data["groupName"] != fmt.Sprint("Laite ", won) {
				t.Errorf("won %d, stored v%d %v", won, got.Version, got.Data["groupName"])
			}
		}},
		{"changes after changes, and a whole save after them", func(t *testing.T, e *env, d *cases.Draft) {
			v := d.Version
			want := merge(d.Data, nil)
			for i, ch := range []map[string]any{{"groupName": "1"}, {"notes": nil}, {"notes": "takaisin", "participants": 3.0}, {"groupName": nil}} {
				out, _, err := e.svc.SaveChanges(d.ID, d.Owner.ID, v, ch, -1)
				if err != nil {
					t.Fatalf("save %d: %v", i, err)
				}
				v = out.Version
				for k, x := range ch {
					if x == nil {
						delete(want, k)
					} else {
						want[k] = x
					}
				}
			}
			if got, _ := e.svc.Draft(d.ID, d.Owner.ID); !reflect.DeepEqual(got.Data, want) {
				t.Errorf("stored %v\nwant %v", got.Data, want)
			}
			out, _, err := e.svc.Save(d.ID, d.Owner.ID, v, map[string]any{"groupName": "koko"}, -1)
			if err != nil || out.Data["groupName"] != "koko" {
				t.Fatal(err, out)
			}
			if _, _, err := e.svc.SaveChanges(d.ID, d.Owner.ID, out.Version, map[string]any{"notes": "n"}, -1); err != nil {
				t.Fatal(err)
			}
			got, _ := e.svc.Draft(d.ID, d.Owner.ID)
			if !reflect.DeepEqual(got.Data, map[string]any{"groupName": "koko", "notes": "n"}) {
				t.Errorf("stored %v", got.Data)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.save(e.create("sports-shift", e.ref(hetuAino), nil), sportsShiftAnswers())
			tc.run(t, e, d)
		})
	}
}
