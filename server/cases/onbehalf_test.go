package cases_test

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
)

// TestCreateDraftOnBehalf: CreateDraft itself enforces the service's
// on-behalf requirement and its application period, with a typed refusal
// each, and stores nothing it refuses. MayApply gives the same answer
// without creating anything (apart from the period).
func TestCreateDraftOnBehalf(t *testing.T) {
	staff := cases.Ref{ID: "kaisa", Name: "Kaisa Käsittelijä", Kind: "staff"}
	tests := []struct {
		name      string
		service   string
		owner     func(e *env) cases.Ref
		principal func(e *env) *cases.Ref
		setup     func(e *env)
		want      error // nil: created
	}{
		{"for oneself, alone", "sports-shift", aino, nil, nil, nil},
		{"for oneself where a mandate service allows it", "home-help", maria, nil, nil, nil},
		{"guardian for a child", "early-education", aino, child(hetuEetu), nil, nil},
		{"mandate on the service's issue", "home-help", juhani, mandator(hetuHelmi), nil, nil},
		{"role in the organisation", "association-grant", aino, func(*env) *cases.Ref { return orgRef() }, nil, nil},
		{"guardian on a service for oneself or a child", "summer-job-voucher", aino, child(hetuElla), nil, nil},

		{"staff", "sports-shift", func(*env) cases.Ref { return staff }, nil, nil, cases.ErrResidentsOnly},
		{"a child's service for oneself", "early-education", maria, nil, nil, cases.ErrNeedChild},
		{"an organisation's service for oneself", "association-grant", maria, nil, nil, cases.ErrNeedOrganization},
		{"a mandate service for oneself", "home-help", maria, nil, func(e *env) {
			svc, _ := e.cat.Service("home-help")
			svc.ForSelf = false
		}, cases.ErrNeedPrincipal},
		{"someone without a relation", "home-help", aino, mandator(hetuHelmi), nil, cases.ErrNoRelation},
		{"another person's child", "early-education", maria, child(hetuEetu), nil, cases.ErrNoRelation},
		{"a child on a mandate service", "home-help", aino, child(hetuEetu), nil, cases.ErrNotForPrincipal},
		{"a child on a service for oneself", "sports-shift", aino, child(hetuEetu), nil, cases.ErrNotForPrincipal},
		{"a mandator on a child's service", "early-education", juhani, mandator(hetuHelmi), nil, cases.ErrNotForPrincipal},
		{"an organisation on a child's service", "early-education", aino, func(*env) *cases.Ref { return orgRef() }, nil, cases.ErrNotForPrincipal},
		{"a mandate on another issue", "home-help", juhani, mandator(hetuHelmi), func(e *env) {
			e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates[0].Issues = []string{"http://example.fi/other-issue"} })
		}, cases.ErrNotForPrincipal},
		{"a mandate not valid yet", "home-help", juhani, mandator(hetuHelmi), func(e *env) {
			e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates[0].ValidFrom = "2027-02-02" })
		}, cases.ErrNoRelation},
		{"service closed", "summer-job-voucher", ella, nil, func(e *env) { e.clk.Set(t0.AddDate(0, 3, 0)) }, cases.ErrClosed},
		{"the on-behalf refusal comes before the period", "summer-job-voucher", aino, mandator(hetuHelmi),
			func(e *env) { e.clk.Set(t0.AddDate(0, 3, 0)) }, cases.ErrNoRelation},
		{"unknown service", "dog-licence", maria, nil, nil, cases.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(e)
			}
			owner := tc.owner(e)
			var principal *cases.Ref
			if tc.principal != nil {
				principal = tc.principal(e)
			}
			d, err := e.svc.CreateDraft(tc.service, owner, principal)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("CreateDraft: err = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				if d != nil {
					t.Errorf("a refused CreateDraft returned a draft")
				}
				if errors.Is(tc.want, cases.ErrOnBehalf) != errors.Is(err, cases.ErrOnBehalf) {
					t.Errorf("%v: errors.Is(err, ErrOnBehalf) = %v", err, errors.Is(err, cases.ErrOnBehalf))
				}
				for _, b := range []string{store.Drafts, store.DraftData, store.DraftsByUser} {
					if n := countPrefix(t, e.st, b, ""); n != 0 {
						t.Errorf("refused CreateDraft stored %d keys in %s", n, b)
					}
				}
			}
			// MayApply answers the on-behalf question alone.
			wantMay := tc.want
			if errors.Is(wantMay, cases.ErrClosed) {
				wantMay = nil
			}
			if err := e.svc.MayApply(tc.service, owner, principal); !errors.Is(err, wantMay) || (wantMay == nil) != (err == nil) {
				t.Errorf("MayApply: err = %v, want %v", err, wantMay)
			}
		})
	}
}

// TestRelationRecheckedOnSaveAndSubmit: a draft started for someone is
// saved and submitted only while the relation lasts. When it ends (a
// mandate revoked or narrowed, a role ended, a guardianship ended), save
// and submit are refused with the typed refusal and the draft is kept as
// it was.
func TestRelationRecheckedOnSaveAndSubmit(t *testing.T) {
	tests := []struct {
		name      string
		service   string
		owner     string
		principal func(e *env) *cases.Ref
		answers   func() map[string]any
		end       func(e *env)
		want      error
	}{
		{"mandate revoked", "home-help", hetuJuhani, mandator(hetuHelmi), homeHelpAnswers,
			func(e *env) { e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates = nil }) }, cases.ErrNoRelation},
		{"mandate expired", "home-help", hetuJuhani, mandator(hetuHelmi), homeHelpAnswers,
			func(e *env) {
				e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates[0].ValidTo = "2027-02-01" })
				e.clk.Add(24 * time.Hour)
			}, cases.ErrNoRelation},
		{"mandate narrowed to another issue", "home-help", hetuJuhani, mandator(hetuHelmi), homeHelpAnswers,
			func(e *env) {
				e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates[0].Issues = []string{"http://example.fi/other-issue"} })
			}, cases.ErrNotForPrincipal},
		{"guardianship ended", "early-education", hetuAino, child(hetuEetu), earlyEducationAnswers,
			func(e *env) {
				aino := e.person(hetuAino).ID
				e.editPerson(hetuEetu, func(p *population.Person) {
					p.Guardians = slices.DeleteFunc(p.Guardians, func(g string) bool { return g == aino })
				})
			}, cases.ErrNoRelation},
		{"role in the organisation ended", "association-grant", hetuAino, func(*env) *cases.Ref { return orgRef() },
			func() map[string]any { return associationGrantAnswers("") },
			func(e *env) { e.editPerson(hetuAino, func(p *population.Person) { p.Roles = nil }) }, cases.ErrNoRelation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var logged bytes.Buffer
			e.svc.Log = slog.New(slog.NewTextHandler(&logged, nil))
			owner := e.ref(tc.owner)
			d := e.create(tc.service, owner, tc.principal(e))
			d = e.save(d, tc.answers()) // allowed while the relation holds
			if logged.Len() != 0 {
				t.Fatalf("allowed actions logged a refusal: %s", logged.String())
			}
			tc.end(e)

			_, _, err := e.svc.Save(d.ID, owner.ID, d.Version, merge(d.Data, map[string]any{"situation": "muutettu"}), -1)
			if !errors.Is(err, tc.want) {
				t.Errorf("Save: err = %v, want %v", err, tc.want)
			}
			// The relation is checked before anything about the file, so
			// any field and content will do: only the refusal may answer.
			pdf := []byte("%PDF-1.4\n%%EOF\n")
			if _, err := e.svc.AddAttachment(d.ID, owner.ID, "attachment", cases.Upload{Name: "a.pdf", Size: int64(len(pdf)), Content: bytes.NewReader(pdf)}); !errors.Is(err, tc.want) {
				t.Errorf("AddAttachment: err = %v, want %v", err, tc.want)
			}
			res, submitErr := e.svc.Submit(d.ID, owner)
			if !errors.Is(submitErr, tc.want) || res != nil {
				t.Errorf("Submit: %+v, err = %v, want %v", res, submitErr, tc.want)
			}
			got, err := e.svc.Draft(d.ID, owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != d.Version || got.CaseID != "" {
				t.Errorf("draft after refusals: version %d (want %d), case %q", got.Version, d.Version, got.CaseID)
			}
			for _, b := range []string{store.Cases, store.CasesByRef, store.Events} {
				if n := countPrefix(t, e.st, b, ""); n != 0 {
					t.Errorf("refused submit stored %d keys in %s", n, b)
				}
			}
			// Each attempt is logged with ids, never a henkilötunnus;
			// the refusal carries the right the service asks for.
			lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
			for i, op := range []string{"save", "upload", "submit"} {
				if i >= len(lines) || !strings.Contains(lines[i], "on-behalf refused") || !strings.Contains(lines[i], "op="+op) ||
					!strings.Contains(lines[i], "draft="+d.ID) || !strings.Contains(lines[i], "user="+owner.ID) {
					t.Errorf("log line %d = %q, want the refused %s of the draft", i, lines[min(i, len(lines)-1)], op)
				}
			}
			if strings.Contains(logged.String(), tc.owner) {
				t.Error("the log names a henkilötunnus")
			}
			var re *cases.RightError
			if !errors.As(submitErr, &re) || re.Service != tc.service {
				t.Errorf("refusal %#v carries no right", submitErr)
			}
		})
	}
}

// TestSubmitChecksARacingSaveAgain: a save that lands between Submit's
// check and its write makes Submit check the saved answers and send
// those; only when saves keep landing does it give up with a conflict,
// burning no reference number.
func TestSubmitChecksARacingSaveAgain(t *testing.T) {
	tests := []struct {
		name    string
		races   int // saves landing mid-submit
		wantErr error
	}{
		{"one racing save", 1, nil},
		{"two racing saves", 2, nil},
		{"a save on every try", 100, cases.ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			maria := e.ref(hetuMaria)
			d := e.create("sports-shift", maria, nil)
			d = e.save(d, merge(sportsShiftAnswers(), map[string]any{"contactPhone": "040 555 1234"}))
			// Submit reads the clock after reading the draft and before
			// writing: a save made there lands between the two.
			races, saving := 0, false
			e.svc.Now = func() time.Time {
				if !saving && races < tc.races {
					saving = true
					cur, err := e.svc.Draft(d.ID, maria.ID)
					if err != nil {
						t.Fatal(err)
					}
					races++
					e.save(cur, map[string]any{"groupName": "Kerho " + string(rune('A'+races))})
					saving = false
				}
				return e.clk.Now()
			}
			res, err := e.svc.Submit(d.ID, maria)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("Submit: err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if n := countPrefix(t, e.st, store.Cases, ""); n != 0 {
					t.Errorf("%d cases stored", n)
				}
				if n := countPrefix(t, e.st, store.Counters, "ref/"); n != 0 {
					t.Errorf("a reference number was taken")
				}
				return
			}
			if want := "Kerho " + string(rune('A'+tc.races)); res.Case == nil || res.Case.Answers["groupName"] != want {
				t.Fatalf("result %+v, want a case with the answers of the last save (%s)", res, want)
			}
		})
	}
}

func aino(e *env) cases.Ref   { return e.ref(hetuAino) }
func maria(e *env) cases.Ref  { return e.ref(hetuMaria) }
func ella(e *env) cases.Ref   { return e.ref(hetuElla) }
func juhani(e *env) cases.Ref { return e.ref(hetuJuhani) }

func child(hetu string) func(e *env) *cases.Ref {
	return func(e *env) *cases.Ref { return e.principal(hetu, "guardian") }
}

func mandator(hetu string) func(e *env) *cases.Ref {
	return func(e *env) *cases.Ref { return e.principal(hetu, "mandate") }
}

// editPerson changes a person's register record (a relation ends).
func (e *env) editPerson(hetu string, edit func(p *population.Person)) {
	e.t.Helper()
	p := e.person(hetu)
	edit(&p)
	if err := e.st.UpdateAlone(func(tx *store.Tx) error { return identity.PutPerson(tx, p) }); err != nil {
		e.t.Fatal(err)
	}
}
