package cases_test

import (
	"errors"
	"slices"
	"testing"

	"asiointi/server/cases"
	"asiointi/server/population"
)

// TestEligibilityAtStart: the catalogue's age rules are enforced when a
// draft is started (and told in advance by MayApply), about whom the
// application is for, with the age as counted and the person's first name
// for the message; nothing is stored for a refusal.
func TestEligibilityAtStart(t *testing.T) {
	tests := []struct {
		name      string
		service   string
		owner     func(e *env) cases.Ref
		principal func(e *env) *cases.Ref
		wantName  string // "" : allowed
		wantAge   int
	}{
		{"early education for a child under school age", "early-education", aino, child(hetuEetu), "", 0},
		{"early education for a 15-year-old", "early-education", aino, child(hetuElla), "Ella", 16},
		{"summer job voucher for a young person", "summer-job-voucher", ella, nil, "", 0},
		{"summer job voucher by a guardian", "summer-job-voucher", aino, child(hetuElla), "", 0},
		{"summer job voucher for an adult", "summer-job-voucher", aino, nil, "Aino", 41},
		{"summer job voucher for a small child", "summer-job-voucher", aino, child(hetuEetu), "Eetu", 7},
		{"no rule: home help at 86", "home-help", juhani, mandator(hetuHelmi), "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.clk.Set(t0.AddDate(0, 1, 0)) // 1.3.2027: the summer job voucher is open
			owner := tc.owner(e)
			var principal *cases.Ref
			if tc.principal != nil {
				principal = tc.principal(e)
			}
			mayErr := e.svc.MayApply(tc.service, owner, principal)
			d, err := e.svc.CreateDraft(tc.service, owner, principal)
			if tc.wantName == "" {
				if err != nil || mayErr != nil {
					t.Fatalf("CreateDraft: %v, MayApply: %v, want both allowed", err, mayErr)
				}
				return
			}
			var ee *cases.EligibilityError
			if !errors.As(err, &ee) || !errors.Is(err, cases.ErrNotEligible) || d != nil {
				t.Fatalf("CreateDraft: %v, %v; want an *EligibilityError", d, err)
			}
			if ee.Name != tc.wantName || ee.Age != tc.wantAge || ee.Reason.In("en") == "" {
				t.Errorf("refusal %+v, want %s aged %d with a reason", ee, tc.wantName, tc.wantAge)
			}
			if errors.Is(err, cases.ErrOnBehalf) {
				t.Errorf("an eligibility refusal is not an on-behalf refusal")
			}
			if !errors.Is(mayErr, cases.ErrNotEligible) {
				t.Errorf("MayApply: %v, want the same refusal", mayErr)
			}
			if ds, _ := e.svc.Drafts(owner.ID); len(ds) != 0 {
				t.Errorf("a refused start stored %d drafts", len(ds))
			}
		})
	}
}

// TestEligibilityAtSubmit: a draft started while the rules held is not
// sent once they no longer do (the register's birth date was corrected),
// and the draft is kept.
func TestEligibilityAtSubmit(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("early-education", aino, e.principal(hetuEetu, "guardian"))
	d = e.save(d, earlyEducationAnswers())
	e.editPerson(hetuEetu, func(p *population.Person) { p.BirthDate = "2011-01-09" })
	res, err := e.svc.Submit(d.ID, aino)
	var ee *cases.EligibilityError
	if !errors.As(err, &ee) || res != nil {
		t.Fatalf("Submit: %+v, %v; want an *EligibilityError", res, err)
	}
	if ee.Name != "Eetu" || ee.Age != 16 {
		t.Errorf("refusal %+v", ee)
	}
	if got, err := e.svc.Draft(d.ID, aino.ID); err != nil || got.CaseID != "" {
		t.Errorf("the draft after a refused send: %+v, %v", got, err)
	}
}

// TestEligibilityAtSave: a draft whose person no longer meets the rules
// is not saved either (autosave tells it at once, not only at the send),
// and what was saved before is kept as it was.
func TestEligibilityAtSave(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("early-education", aino, e.principal(hetuEetu, "guardian"))
	d = e.save(d, earlyEducationAnswers())
	e.editPerson(hetuEetu, func(p *population.Person) { p.BirthDate = "2011-01-09" })
	_, _, err := e.svc.Save(d.ID, aino.ID, d.Version, map[string]any{"startDate": "2027-08-01"}, 1)
	var ee *cases.EligibilityError
	if !errors.As(err, &ee) || ee.Name != "Eetu" || ee.Age != 16 {
		t.Fatalf("Save: %v; want an *EligibilityError for Eetu aged 16", err)
	}
	got, err := e.svc.Draft(d.ID, aino.ID)
	if err != nil || got.Version != d.Version || got.Data["startDate"] == "2027-08-01" {
		t.Errorf("the draft after a refused save: version %d (want %d), %v", got.Version, d.Version, err)
	}
}

// TestChoices: whom a person may apply for is exactly whom CreateDraft
// accepts: the on-behalf requirement and the eligibility rules.
func TestChoices(t *testing.T) {
	staff := func(*env) cases.Ref { return cases.Ref{ID: "kaisa", Name: "Kaisa Käsittelijä", Kind: "staff"} }
	tests := []struct {
		name, service string
		owner         func(e *env) cases.Ref
		self          bool
		principals    []string // names
		err           error
	}{
		{"early education: the child under school age only", "early-education", aino, false, []string{"Eetu Virtanen"}, nil},
		{"summer job voucher: the teenager only", "summer-job-voucher", aino, false, []string{"Ella Virtanen"}, nil},
		{"summer job voucher for oneself at 16", "summer-job-voucher", ella, true, nil, nil},
		{"home help: oneself or the mandator", "home-help", juhani, true, []string{"Helmi Korhonen"}, nil},
		{"a service for oneself only", "sports-shift", aino, true, nil, nil},
		{"an association's service", "association-grant", aino, false, []string{"Esimerkkilän Urheiluseura ry"}, nil},
		{"nobody to apply for", "early-education", maria, false, nil, nil},
		{"staff", "sports-shift", staff, false, nil, cases.ErrResidentsOnly},
		{"unknown service", "dog-licence", aino, false, nil, cases.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.clk.Set(t0.AddDate(0, 1, 0))
			owner := tc.owner(e)
			got, err := e.svc.Choices(tc.service, owner)
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Fatalf("Choices: %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			var names []string
			for _, p := range got.Principals {
				names = append(names, p.Name)
				if _, err := e.svc.CreateDraft(tc.service, owner, &p); err != nil {
					t.Errorf("CreateDraft for the offered %s: %v", p.Name, err)
				}
			}
			if got.Self != tc.self || !slices.Equal(names, tc.principals) {
				t.Errorf("Choices = self %v, %v; want self %v, %v", got.Self, names, tc.self, tc.principals)
			}
			if _, err := e.svc.CreateDraft(tc.service, owner, nil); (err == nil) != got.Self {
				t.Errorf("CreateDraft for oneself: %v, but Choices.Self = %v", err, got.Self)
			}
		})
	}
}
