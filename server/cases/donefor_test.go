package cases_test

import (
	"errors"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
)

// TestDoneForMe: what someone does in another's name is logged for the
// principal in the same transactions: a start, the autosaves as one entry
// per draft, the submit with its reference. Own drafts log nothing. The
// log is newest first, filtered by person and period, and paged.
func TestDoneForMe(t *testing.T) {
	e := newEnv(t)
	juhani, helmi := e.ref(hetuJuhani), e.ref(hetuHelmi)
	d := e.create("home-help", juhani, mandator(hetuHelmi)(e))
	start := e.clk.Now()
	for i := 0; i < 3; i++ {
		e.clk.Add(time.Minute)
		d = e.save(d, homeHelpAnswers())
	}
	e.clk.Add(time.Minute)
	c := e.submit(d)
	// Helmi's own application and Aino's for Eetu are not in Helmi's log.
	e.clk.Add(time.Hour)
	own := e.create("sports-shift", helmi, nil)
	e.save(own, sportsShiftAnswers())
	aino := e.ref(hetuAino)
	e.clk.Add(time.Hour)
	eetu := e.create("early-education", aino, child(hetuEetu)(e))

	page, err := e.svc.DoneForMe(helmi.ID, "", cases.DoneForQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action string
		count  int
	}{{cases.ActionSubmitted, 0}, {cases.ActionEdited, 3}, {cases.ActionStarted, 0}}
	if len(page.Entries) != len(want) {
		t.Fatalf("Helmi's log has %d entries, want %d: %+v", len(page.Entries), len(want), page.Entries)
	}
	for i, w := range want {
		got := page.Entries[i]
		if got.Action != w.action || got.Count != w.count || got.Actor.ID != juhani.ID || got.Actor.Name != "Juhani Korhonen" || got.Service != "home-help" {
			t.Errorf("entry %d = %+v, want %s ×%d by Juhani", i, got, w.action, w.count)
		}
	}
	if s := page.Entries[0]; s.Case != c.ID || s.Reference != c.Reference {
		t.Errorf("submitted entry %+v, want case %s %s", s, c.ID, c.Reference)
	}
	if ed := page.Entries[1]; !ed.From.Equal(start.Add(time.Minute)) || !ed.At.Equal(start.Add(3*time.Minute)) {
		t.Errorf("edits between %v and %v, want %v and %v", ed.From, ed.At, start.Add(time.Minute), start.Add(3*time.Minute))
	}
	if len(page.Actors) != 1 || page.Actors[0].ID != juhani.ID {
		t.Errorf("actors %+v, want Juhani", page.Actors)
	}

	// Filters and paging.
	for _, tc := range []struct {
		name string
		q    cases.DoneForQuery
		want int
	}{
		{"by another person", cases.DoneForQuery{Actor: aino.ID}, 0},
		{"by Juhani", cases.DoneForQuery{Actor: juhani.ID}, 3},
		{"a period before", cases.DoneForQuery{To: start}, 0},
		{"a period from the first edit", cases.DoneForQuery{From: start.Add(time.Minute)}, 2},
		{"one per page", cases.DoneForQuery{Limit: 1}, 1},
	} {
		p, err := e.svc.DoneForMe(helmi.ID, helmi.ID, tc.q)
		if err != nil || len(p.Entries) != tc.want {
			t.Errorf("%s: %d entries (%v), want %d", tc.name, len(p.Entries), err, tc.want)
		}
	}
	var seen []string
	for cur := ""; ; {
		p, err := e.svc.DoneForMe(helmi.ID, "", cases.DoneForQuery{Limit: 1, Before: cur})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range p.Entries {
			seen = append(seen, x.Action)
		}
		if p.Next == "" {
			break
		}
		cur = p.Next
	}
	if len(seen) != 3 || seen[0] != cases.ActionSubmitted || seen[2] != cases.ActionStarted {
		t.Errorf("paged one by one: %v", seen)
	}

	// A guardian reads a minor child's log; nobody else reads another's.
	mikko, maria := e.ref(hetuMikko), e.ref(hetuMaria)
	p, err := e.svc.DoneForMe(mikko.ID, eetu.Principal.ID, cases.DoneForQuery{})
	if err != nil || len(p.Entries) != 1 || p.Entries[0].Actor.ID != aino.ID || p.Entries[0].Action != cases.ActionStarted {
		t.Errorf("Mikko reading Eetu's log: %+v, %v", p, err)
	}
	for _, tc := range []struct {
		name, viewer, principal string
	}{
		{"no relation", maria.ID, helmi.ID},
		{"a mandate does not open the mandator's log", juhani.ID, helmi.ID},
		{"the child reads no guardian's log", eetu.Principal.ID, aino.ID},
	} {
		if _, err := e.svc.DoneForMe(tc.viewer, tc.principal, cases.DoneForQuery{}); !errors.Is(err, cases.ErrNotYours) {
			t.Errorf("%s: err = %v, want ErrNotYours", tc.name, err)
		}
	}
	// Once the child is 18 the guardian no longer reads it.
	e.editPerson(hetuEetu, func(p *population.Person) { p.BirthDate = "2000-01-01" })
	if _, err := e.svc.DoneForMe(mikko.ID, eetu.Principal.ID, cases.DoneForQuery{}); !errors.Is(err, cases.ErrNotYours) {
		t.Errorf("guardian of an adult: err = %v", err)
	}
}

// TestRefusedSaveLogsNothing: a save refused because the relation ended
// adds no edit to the principal's log.
func TestRefusedSaveLogsNothing(t *testing.T) {
	e := newEnv(t)
	juhani := e.ref(hetuJuhani)
	d := e.create("home-help", juhani, mandator(hetuHelmi)(e))
	d = e.save(d, homeHelpAnswers())
	e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates = nil })
	if _, _, err := e.svc.Save(d.ID, juhani.ID, d.Version, d.Data, -1); !errors.Is(err, cases.ErrNoRelation) {
		t.Fatalf("Save: %v", err)
	}
	var entries []cases.DoneFor
	if err := e.st.View(func(tx *store.Tx) (err error) {
		entries, err = store.Values[cases.DoneFor](tx, store.DoneFor, d.Principal.ID+"/")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, x := range entries {
		if x.Action == cases.ActionEdited && x.Count != 1 {
			t.Errorf("edits counted %d, want 1 (the refused save is not one)", x.Count)
		}
	}
}

// TestProxyFinishedActions: a supplement answered and a withdrawal by
// the one acting for the person are in the person's "done in my name"
// and tell them (the notifications pipeline, in the action's
// transaction), and so is opening the application in their name (not
// told); the person's own actions are neither.
func TestProxyFinishedActions(t *testing.T) {
	e := newEnv(t)
	juhani, helmi := e.ref(hetuJuhani), e.ref(hetuHelmi)
	_, c := e.fill("home-help", juhani, mandator(hetuHelmi)(e), homeHelpAnswers())
	if _, err := e.svc.Transition(c.ID, kaisa, cases.AnyVersion, cases.StatusInProgress, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RequestSupplement(c.ID, kaisa, cases.AnyVersion, "Kerro tarkemmin.", []string{"situation"}, e.clk.Now().AddDate(0, 0, 14)); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Minute)
	if res, err := e.svc.SendSupplement(c.ID, juhani, map[string]any{"situation": "Tarvitsen apua kauppakäynteihin kahdesti viikossa."}); err != nil || len(res.Errors) != 0 {
		t.Fatalf("supplement: %v %+v", err, res)
	}
	e.clk.Add(time.Minute)
	if _, err := e.svc.Withdraw(c.ID, juhani, ""); err != nil {
		t.Fatal(err)
	}
	_, own := e.fill("home-help", helmi, nil, homeHelpAnswers())
	if _, err := e.svc.Withdraw(own.ID, helmi, ""); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Minute)
	if _, _, err := e.svc.Case(c.ID, juhani.ID); err != nil { // Juhani opens it
		t.Fatal(err)
	}
	if _, _, err := e.svc.Case(c.ID, helmi.ID); err != nil { // Helmi her own: not in the log
		t.Fatal(err)
	}
	page, err := e.svc.DoneForMe(helmi.ID, "", cases.DoneForQuery{})
	if err != nil || len(page.Entries) < 3 {
		t.Fatalf("%+v, %v", page, err)
	}
	if v := page.Entries[0]; v.Action != cases.ActionViewed || v.Case != c.ID || v.Actor.ID != juhani.ID || v.Actor.Name != "Juhani Korhonen" {
		t.Errorf("newest entry %+v, want Juhani viewed", v)
	}
	page.Entries = page.Entries[1:]
	if w, s := page.Entries[0], page.Entries[1]; w.Action != cases.ActionWithdrawn || s.Action != cases.ActionSupplementAnswered ||
		w.Case != c.ID || w.Reference != c.Reference || w.Actor.ID != juhani.ID {
		t.Errorf("newest entries %+v, %+v", w, s)
	}
	kinds := map[string]int{}
	ns, _ := (&notify.Inbox{Store: e.st}).List(helmi.ID, 0)
	for _, n := range ns {
		kinds[n.Kind]++
	}
	if kinds[notify.KindProxySupplemented] != 1 || kinds[notify.KindProxyWithdrew] != 1 {
		t.Errorf("Helmi's notifications %v", kinds)
	}
}

// TestProxyCaseActionNeedsTheRight: once the mandate has ended, the one
// who sent an application in another's name can no longer withdraw it or
// write on it (refused like a draft's save, naming the right); the
// person themself still can.
func TestProxyCaseActionNeedsTheRight(t *testing.T) {
	e := newEnv(t)
	juhani, helmi := e.ref(hetuJuhani), e.ref(hetuHelmi)
	_, c := e.fill("home-help", juhani, mandator(hetuHelmi)(e), homeHelpAnswers())
	e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates = nil })
	var re *cases.RightError
	if _, err := e.svc.Withdraw(c.ID, juhani, ""); !errors.As(err, &re) || !errors.Is(err, cases.ErrNoRelation) {
		t.Errorf("withdraw without the mandate: %v", err)
	}
	if _, err := e.svc.SendMessage(c.ID, juhani, "Hei"); !errors.Is(err, cases.ErrNoRelation) {
		t.Errorf("message without the mandate: %v", err)
	}
	if _, err := e.svc.Withdraw(c.ID, helmi, ""); err != nil {
		t.Errorf("Helmi herself: %v", err)
	}
}

// TestDoneForOrganisation: what one role holder does in an
// organisation's name is in its log with the person and their role —
// the start, the edits, the submit, the answer to a supplement request,
// the withdrawal — and the other current role holders are told of each
// finished action (not the one who acted).
func TestDoneForOrganisation(t *testing.T) {
	e := newEnv(t)
	aino, mikko := e.ref(hetuAino), e.ref(hetuMikko)
	e.editPerson(hetuMikko, func(p *population.Person) { p.Roles = []population.Role{{Organization: orgID, Role: "PJ"}} })
	d := e.create("association-grant", aino, orgRef())
	a := e.upload(d, "annualReport", "vuosikertomus.pdf", pdfFile)
	e.clk.Add(time.Minute)
	d = e.save(d, associationGrantAnswers(a.ID))
	e.clk.Add(time.Minute)
	c := e.submit(d)
	if _, err := e.svc.Transition(c.ID, pertti, cases.AnyVersion, cases.StatusInProgress, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RequestSupplement(c.ID, pertti, cases.AnyVersion, "Tarkenna.", []string{"grantPurpose"}, e.clk.Now().AddDate(0, 0, 14)); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Minute)
	if res, err := e.svc.SendSupplement(c.ID, aino, map[string]any{"grantPurpose": "Junioreiden harjoitukset."}); err != nil || len(res.Errors) != 0 {
		t.Fatalf("supplement: %v %+v", err, res)
	}
	e.clk.Add(time.Minute)
	if _, err := e.svc.Withdraw(c.ID, aino, ""); err != nil {
		t.Fatal(err)
	}

	page, err := e.svc.DoneForMe(mikko.ID, orgID, cases.DoneForQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{cases.ActionWithdrawn, cases.ActionSupplementAnswered, cases.ActionSubmitted, cases.ActionEdited, cases.ActionStarted}
	if len(page.Entries) != len(want) {
		t.Fatalf("the club's log %+v, want %v", page.Entries, want)
	}
	for i, w := range want {
		if got := page.Entries[i]; got.Action != w || got.Actor.ID != aino.ID || got.Role != "PJ" {
			t.Errorf("entry %d = %s by %s as %q, want %s by Aino as PJ", i, got.Action, got.Actor.Name, got.Role, w)
		}
	}
	kinds := func(who string) map[string]int {
		out := map[string]int{}
		ns, _ := (&notify.Inbox{Store: e.st}).List(who, 0)
		for _, n := range ns {
			out[n.Kind]++
		}
		return out
	}
	if k := kinds(mikko.ID); k[notify.KindOrgSubmitted] != 1 || k[notify.KindOrgSupplemented] != 1 || k[notify.KindOrgWithdrew] != 1 {
		t.Errorf("Mikko's notifications %v", k)
	}
	if k := kinds(aino.ID); k[notify.KindOrgSupplemented] != 0 || k[notify.KindOrgWithdrew] != 0 {
		t.Errorf("Aino told of her own actions: %v", k)
	}
}
