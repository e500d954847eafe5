package cases_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/forms"
	"asiointi/server/notify"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// coEnv is Aino's building notification with Sven named as a party.
type coEnv struct {
	*env
	draft *cases.Draft
	aino  cases.Ref
	sven  cases.Ref
}

func newCoEnv(t *testing.T) *coEnv {
	t.Helper()
	e := &coEnv{env: newEnv(t)}
	e.aino, e.sven = e.ref(hetuAino), e.ref(hetuSven)
	d := e.create("building-notification", e.aino, nil)
	a := e.upload(d, "sitePlan", "asemapiirros.png", pngFile)
	e.draft = e.save(d, buildingAnswers(a.ID))
	return e
}

func (e *coEnv) addSven() *cases.DraftParty {
	e.t.Helper()
	p, errs, err := e.svc.AddParty(e.draft.ID, e.aino, cases.PartyInput{Name: "Sven Lindqvist", Hetu: hetuSven})
	if err != nil || len(errs) > 0 {
		e.t.Fatalf("AddParty: %v %+v", err, errs)
	}
	return p
}

// sent submits with Sven as a party and returns the case and Sven's invitation.
func (e *coEnv) sent() (*cases.Case, *cases.Invitation) {
	e.t.Helper()
	e.addSven()
	c := e.submit(e.draft)
	invs, err := e.svc.Invitations(e.sven.ID)
	if err != nil || len(invs) != 1 {
		e.t.Fatalf("Sven's invitations: %v %d", err, len(invs))
	}
	return c, invs[0]
}

func TestSuggestedParties(t *testing.T) {
	e := newCoEnv(t)
	sg, err := e.svc.SuggestedParties(e.draft.ID, e.aino.ID)
	if err != nil || len(sg) != 1 || sg[0].Hetu != hetuSven || sg[0].Source != cases.PartyFromProperty {
		t.Fatalf("suggestions %+v %v", sg, err)
	}
	if _, errs, _ := e.svc.AddParty(e.draft.ID, e.aino, cases.PartyInput{Suggested: e.ref(hetuMaria).ID}); len(errs) != 1 {
		t.Errorf("a person never suggested is added: %+v", errs)
	}
	p, errs, err := e.svc.AddParty(e.draft.ID, e.aino, cases.PartyInput{Suggested: sg[0].Person})
	if err != nil || len(errs) > 0 || p.Source != cases.PartyFromProperty || p.Person != e.sven.ID || p.Hetu != hetuSven {
		t.Errorf("party %+v %+v %v", p, errs, err)
	}
	if sg, _ := e.svc.SuggestedParties(e.draft.ID, e.aino.ID); len(sg) != 0 {
		t.Errorf("added party still suggested: %+v", sg)
	}
}

func TestAddPartyRefusals(t *testing.T) {
	tests := []struct {
		name  string
		in    cases.PartyInput
		field string
		code  string
	}{
		{"no name", cases.PartyInput{Hetu: hetuSven}, "name", "parties.error.nameRequired"},
		{"bad hetu", cases.PartyInput{Name: "X", Hetu: "010101-0000"}, "hetu", "parties.error.hetu"},
		{"self", cases.PartyInput{Name: "Aino", Hetu: hetuAino}, "hetu", "parties.error.self"},
		{"unknown without contact", cases.PartyInput{Name: "Outi Ulkopuolinen", Hetu: "010170-998P"}, "email", "parties.error.contactRequired"},
		{"bad email", cases.PartyInput{Name: "Outi", Hetu: "010170-998P", Email: "not-mail"}, "email", "parties.error.email"},
		{"own ward", cases.PartyInput{Name: "Ella", Hetu: hetuElla}, "hetu", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCoEnv(t)
			p, errs, err := e.svc.AddParty(e.draft.ID, e.aino, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if tc.code == "" { // a minor: her other guardian answers for her
				if len(errs) != 0 || p.Guardian == nil || p.Guardian.ID != e.ref(hetuMikko).ID {
					t.Fatalf("minor party %+v %+v", p, errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field || errs[0].Code != tc.code {
				t.Fatalf("errors %+v, want %s %s", errs, tc.field, tc.code)
			}
		})
	}
	t.Run("duplicate", func(t *testing.T) {
		e := newCoEnv(t)
		e.addSven()
		_, errs, _ := e.svc.AddParty(e.draft.ID, e.aino, cases.PartyInput{Name: "Sven", Hetu: hetuSven})
		if len(errs) != 1 || errs[0].Code != "parties.error.duplicate" {
			t.Fatalf("errors %+v", errs)
		}
	})
	t.Run("other service", func(t *testing.T) {
		e := newCoEnv(t)
		d := e.create("sports-shift", e.aino, nil)
		if _, _, err := e.svc.AddParty(d.ID, e.aino, cases.PartyInput{Name: "Sven", Hetu: hetuSven}); !errors.Is(err, cases.ErrNoParties) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("someone else's draft", func(t *testing.T) {
		e := newCoEnv(t)
		if _, _, err := e.svc.AddParty(e.draft.ID, e.sven, cases.PartyInput{Name: "Aino", Hetu: hetuAino}); !isNotFound(err) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("remove before submit, not after", func(t *testing.T) {
		e := newCoEnv(t)
		p := e.addSven()
		if err := e.svc.RemoveParty(e.draft.ID, e.sven.ID, p.ID); !isNotFound(err) {
			t.Fatalf("other person removes: %v", err)
		}
		if err := e.svc.RemoveParty(e.draft.ID, e.aino.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		p = e.addSven()
		e.submit(e.draft)
		if err := e.svc.RemoveParty(e.draft.ID, e.aino.ID, p.ID); !errors.Is(err, cases.ErrSubmitted) {
			t.Fatalf("after submit: %v", err)
		}
	})
}

// TestPropertyOwnersMustBeParties: a building notification is sent only
// when every other owner of the property, as the register has them, is a
// party; Submit and PartyProblems (the summary page's check) agree.
func TestPropertyOwnersMustBeParties(t *testing.T) {
	ownerMissing := func(name string) []forms.FieldError {
		return []forms.FieldError{{Field: cases.PartiesField, Code: "parties.error.ownerMissing", Params: map[string]any{"Name": name}}}
	}
	tests := []struct {
		name    string
		env     func(t *testing.T) *env
		owner   string
		prepare func(e *env, d *cases.Draft) *cases.Draft
		want    []forms.FieldError // nil: sent
		status  string
	}{
		{"no one named", newEnvT, hetuAino, nil, ownerMissing("Sven Lindqvist"), ""},
		{"the co-owner picked from the suggestions", newEnvT, hetuAino, func(e *env, d *cases.Draft) *cases.Draft {
			sg, err := e.svc.SuggestedParties(d.ID, d.Owner.ID)
			if err != nil || len(sg) != 1 {
				e.t.Fatalf("suggestions %+v %v", sg, err)
			}
			addParty(e, d, cases.PartyInput{Suggested: sg[0].Person})
			return d
		}, nil, cases.StatusAwaitingSignatures},
		{"the co-owner named by hetu", newEnvT, hetuAino, func(e *env, d *cases.Draft) *cases.Draft {
			addParty(e, d, cases.PartyInput{Name: "Sven Lindqvist", Hetu: hetuSven})
			return d
		}, nil, cases.StatusAwaitingSignatures},
		{"the co-owner named, then removed", newEnvT, hetuAino, func(e *env, d *cases.Draft) *cases.Draft {
			p := addParty(e, d, cases.PartyInput{Name: "Sven Lindqvist", Hetu: hetuSven})
			if err := e.svc.RemoveParty(d.ID, d.Owner.ID, p.ID); err != nil {
				e.t.Fatal(err)
			}
			return d
		}, ownerMissing("Sven Lindqvist"), ""},
		{"someone else named instead", newEnvT, hetuAino, func(e *env, d *cases.Draft) *cases.Draft {
			addParty(e, d, cases.PartyInput{Name: "Maria Nieminen", Hetu: hetuMaria})
			return d
		}, ownerMissing("Sven Lindqvist"), ""},
		{"the other owner applies", newEnvT, hetuSven, nil, ownerMissing("Aino Virtanen"), ""},
		{"a property the register does not know", newEnvT, hetuAino, func(e *env, d *cases.Draft) *cases.Draft {
			return e.save(d, map[string]any{"propertyId": "999-999-9-99"})
		}, []forms.FieldError{{Field: "propertyId", Code: "parties.error.propertyUnknown"}}, ""},
		{"the only owner", func(t *testing.T) *env { return newSoleOwnerEnv(t) }, hetuAino, nil, nil, cases.StatusSubmitted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.env(t)
			d := e.create("building-notification", e.ref(tc.owner), nil)
			a := e.upload(d, "sitePlan", "asemapiirros.png", pngFile)
			d = e.save(d, buildingAnswers(a.ID))
			if tc.prepare != nil {
				d = tc.prepare(e, d)
			}
			d, err := e.svc.Draft(d.ID, d.Owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			problems, err := e.svc.PartyProblems(d)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(problems, tc.want) {
				t.Errorf("PartyProblems = %+v, want %+v", problems, tc.want)
			}
			res, err := e.svc.Submit(d.ID, d.Owner)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != nil {
				if res.Case != nil || !reflect.DeepEqual(res.Errors, tc.want) {
					t.Fatalf("Submit = %+v, want errors %+v", res, tc.want)
				}
				if cs, _ := e.svc.Cases(d.Owner.ID); len(cs) != 0 {
					t.Errorf("a case was made: %+v", cs)
				}
				if dd, err := e.svc.Draft(d.ID, d.Owner.ID); err != nil || dd.CaseID != "" {
					t.Errorf("draft after a refused send: %+v %v", dd, err)
				}
				return
			}
			if len(res.Errors) > 0 || res.Case == nil || res.Case.Status != tc.status {
				t.Fatalf("Submit = %+v, want status %s", res, tc.status)
			}
		})
	}
}

// TestResubmitKeepsOwnersParties: a reopened notification is refused
// again when the applicant takes the co-owner off before sending it.
func TestResubmitKeepsOwnersParties(t *testing.T) {
	e := newCoEnv(t)
	c, _ := e.sent()
	id, err := e.svc.Reopen(c.ID, e.aino.ID)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := e.svc.Parties(id, e.aino.ID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("parties of the reopened draft: %+v %v", ps, err)
	}
	if err := e.svc.RemoveParty(id, e.aino.ID, ps[0].ID); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Submit(id, e.aino)
	if err != nil || res.Case != nil || len(res.Errors) != 1 || res.Errors[0].Code != "parties.error.ownerMissing" {
		t.Fatalf("resubmit without the co-owner: %+v %v", res, err)
	}
}

// PartyProblems of any other service is nothing.
func TestPartyProblemsOtherServices(t *testing.T) {
	e := newEnv(t)
	d := e.create("sports-shift", e.ref(hetuAino), nil)
	if p, err := e.svc.PartyProblems(d); err != nil || p != nil {
		t.Errorf("sports-shift: %+v %v", p, err)
	}
}

func newEnvT(t *testing.T) *env { return newEnv(t) }

func addParty(e *env, d *cases.Draft, in cases.PartyInput) *cases.DraftParty {
	e.t.Helper()
	p, errs, err := e.svc.AddParty(d.ID, d.Owner, in)
	if err != nil || len(errs) > 0 {
		e.t.Fatalf("AddParty: %v %+v", err, errs)
	}
	return p
}

// TestInvitationTransitions: every answer from every state.
func TestInvitationTransitions(t *testing.T) {
	type step func(e *coEnv, inv *cases.Invitation) error
	approve := func(e *coEnv, inv *cases.Invitation) error {
		_, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Approve: true})
		return err
	}
	decline := func(e *coEnv, inv *cases.Invitation) error {
		_, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Reason: "Ei käy"})
		return err
	}
	open := func(e *coEnv, inv *cases.Invitation) error { return e.svc.Opened(inv.ID, e.sven.ID) }
	expire := func(e *coEnv, _ *cases.Invitation) error {
		e.clk.Add(15 * 24 * time.Hour)
		_, _, err := e.svc.HousekeepInvitations()
		return err
	}
	tests := []struct {
		name       string
		before     []step
		do         step
		wantErr    error
		wantStatus string // the party's
		wantCase   string
	}{
		{"waiting → opened", nil, open, nil, cases.InvitationOpened, cases.StatusAwaitingSignatures},
		{"waiting → approved: all approved, submitted", nil, approve, nil, cases.InvitationApproved, cases.StatusSubmitted},
		{"opened → approved", []step{open}, approve, nil, cases.InvitationApproved, cases.StatusSubmitted},
		{"waiting → declined", nil, decline, nil, cases.InvitationDeclined, cases.StatusAwaitingSignatures},
		{"opened → declined", []step{open}, decline, nil, cases.InvitationDeclined, cases.StatusAwaitingSignatures},
		{"approved → declined refused", []step{approve}, decline, cases.ErrInvitationClosed, cases.InvitationApproved, cases.StatusSubmitted},
		{"declined → approved refused", []step{decline}, approve, cases.ErrInvitationClosed, cases.InvitationDeclined, cases.StatusAwaitingSignatures},
		{"approved twice refused", []step{approve}, approve, cases.ErrInvitationClosed, cases.InvitationApproved, cases.StatusSubmitted},
		{"waiting → expired", nil, expire, nil, cases.InvitationExpired, cases.StatusAwaitingSignatures},
		{"expired → approved refused", []step{expire}, approve, cases.ErrInvitationClosed, cases.InvitationExpired, cases.StatusAwaitingSignatures},
		{"opened after answer changes nothing", []step{decline}, open, nil, cases.InvitationDeclined, cases.StatusAwaitingSignatures},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCoEnv(t)
			c, inv := e.sent()
			if c.Status != cases.StatusAwaitingSignatures || len(c.Parties) != 1 || c.Parties[0].Status != cases.InvitationWaiting {
				t.Fatalf("sent case %s %+v", c.Status, c.Parties)
			}
			for _, s := range tc.before {
				if err := s(e, inv); err != nil {
					t.Fatal(err)
				}
			}
			if err := tc.do(e, inv); !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			got, _, err := e.svc.Case(c.ID, e.aino.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.wantCase || got.Parties[0].Status != tc.wantStatus {
				t.Errorf("case %s party %s, want %s %s", got.Status, got.Parties[0].Status, tc.wantCase, tc.wantStatus)
			}
		})
	}
}

func TestAnswerRefusals(t *testing.T) {
	e := newCoEnv(t)
	_, inv := e.sent()
	for _, who := range []string{hetuAino, hetuMaria, hetuMikko} {
		if _, err := e.svc.Answer(inv.ID, e.ref(who), cases.Answer{Approve: true}); !errors.Is(err, cases.ErrNotInvitee) {
			t.Errorf("%s approves: %v", who, err)
		}
		if _, err := e.svc.Invitation(inv.ID, e.ref(who).ID); !errors.Is(err, cases.ErrNotInvitee) {
			t.Errorf("%s reads: %v", who, err)
		}
	}
	if _, err := e.svc.Answer("01HZZZZZZZZZZZZZZZZZZZZZZZ", e.sven, cases.Answer{Approve: true}); !isNotFound(err) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Approve: true, Answers: "stale"}); !errors.Is(err, cases.ErrAnswersChanged) {
		t.Errorf("stale answers: %v", err)
	}
	// The refusals changed nothing: Sven can still approve.
	if _, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Approve: true, Answers: inv.Answers}); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentApprovals: of many concurrent answers exactly one counts.
func TestConcurrentApprovals(t *testing.T) {
	e := newCoEnv(t)
	c, inv := e.sent()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(approve bool) {
			defer wg.Done()
			_, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Approve: approve})
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if !errors.Is(err, cases.ErrInvitationClosed) {
				t.Error(err)
			}
		}(i%2 == 0)
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d answers counted", ok)
	}
	_, evs, err := e.svc.Case(c.ID, e.aino.ID)
	if err != nil {
		t.Fatal(err)
	}
	answers := 0
	for _, ev := range evs {
		if ev.Type == "party-approved" || ev.Type == "party-declined" {
			answers++
		}
	}
	if answers != 1 {
		t.Errorf("%d answer events", answers)
	}
}

func TestDeclineReopenResubmit(t *testing.T) {
	e := newCoEnv(t)
	c, inv := e.sent()
	if _, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Reason: "Väärä paikka"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Reopen(c.ID, e.sven.ID); !isNotFound(err) {
		t.Fatalf("party reopens: %v", err)
	}
	draftID, err := e.svc.Reopen(c.ID, e.aino.ID)
	if err != nil || draftID != e.draft.ID {
		t.Fatalf("reopen %s %v", draftID, err)
	}
	d, err := e.svc.Draft(draftID, e.aino.ID)
	if err != nil {
		t.Fatal(err)
	}
	inDrafts := func(open, sent int) { // where the draft's record is: being written, or sent
		t.Helper()
		if countPrefix(t, e.st, store.Drafts, draftID) != open || countPrefix(t, e.st, store.DraftsSent, draftID) != sent {
			t.Errorf("the draft's record: %d in drafts, %d in drafts_sent; want %d and %d", countPrefix(t, e.st, store.Drafts, draftID),
				countPrefix(t, e.st, store.DraftsSent, draftID), open, sent)
		}
	}
	inDrafts(1, 0)
	d = e.save(d, map[string]any{"description": "Varasto tontin eteläreunaan."})
	c2 := e.submit(d)
	inDrafts(0, 1)
	if c2.ID != c.ID || c2.Status != cases.StatusAwaitingSignatures || c2.Round != 2 || c2.Parties[0].Status != cases.InvitationWaiting {
		t.Fatalf("resubmitted %s %s round %d %+v", c2.ID, c2.Status, c2.Round, c2.Parties)
	}
	invs, _ := e.svc.Invitations(e.sven.ID)
	var fresh *cases.Invitation
	for _, x := range invs {
		if x.Round == 2 {
			fresh = x
		}
	}
	if fresh == nil || fresh.Answers == inv.Answers {
		t.Fatalf("new invitation %+v", fresh)
	}
	// The old invitation is closed; the approval of the old version does not count.
	if _, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Approve: true}); !errors.Is(err, cases.ErrInvitationClosed) {
		t.Fatalf("old invitation: %v", err)
	}
	if _, err := e.svc.Answer(fresh.ID, e.sven, cases.Answer{Approve: true}); err != nil {
		t.Fatal(err)
	}
	got, _, _ := e.svc.Case(c.ID, e.aino.ID)
	if got.Status != cases.StatusSubmitted || got.Answers["description"] != "Varasto tontin eteläreunaan." {
		t.Fatalf("case %s %v", got.Status, got.Answers["description"])
	}
	// The party sees the case in their applications; each read is in
	// Aino's access log as a co-applicant's, her own reads are not.
	if list, _ := e.svc.Cases(e.sven.ID); len(list) != 1 || list[0].ID != c.ID {
		t.Errorf("Sven's cases %d", len(list))
	}
	before := partyReads(t, e.env, e.aino.ID)
	if _, _, err := e.svc.Case(c.ID, e.sven.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Case(c.ID, e.aino.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Invitation(fresh.ID, e.sven.ID); err != nil {
		t.Fatal(err)
	}
	if got := partyReads(t, e.env, e.aino.ID); got != before+2 {
		t.Errorf("access log: %d co-applicant reads, want %d", got, before+2)
	}
}

// partyReads counts the co-applicants' reads in a person's access log.
func partyReads(t *testing.T, e *env, subject string) int {
	t.Helper()
	list, _, err := audit.Of(e.st, subject, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range list {
		if a.Purpose == audit.PurposeParty && a.Actor.Name == "Sven Lindqvist" && a.Kind == audit.KindCase {
			n++
		}
	}
	return n
}

func TestExpiryRemindAndResend(t *testing.T) {
	e := newCoEnv(t)
	c, inv := e.sent()
	e.clk.Add(11*24*time.Hour + time.Hour) // under 3 days left
	if exp, rem, err := e.svc.HousekeepInvitations(); err != nil || exp != 0 || rem != 1 {
		t.Fatalf("remind: %d %d %v", exp, rem, err)
	}
	if _, rem, _ := e.svc.HousekeepInvitations(); rem != 0 {
		t.Fatal("reminded twice")
	}
	e.clk.Add(3 * 24 * time.Hour)
	if exp, _, err := e.svc.HousekeepInvitations(); err != nil || exp != 1 {
		t.Fatalf("expire: %d %v", exp, err)
	}
	if err := e.svc.Resend(c.ID, e.sven.ID, inv.Party); !isNotFound(err) {
		t.Fatalf("party resends: %v", err)
	}
	if err := e.svc.Resend(c.ID, e.aino.ID, inv.Party); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Approve: true}); err != nil {
		t.Fatalf("approve after resend: %v", err)
	}
}

// TestTokens: a link token is made at delivery, found by its hash only,
// never written to the database file; closed invitations' tokens stop working.
func TestTokens(t *testing.T) {
	e := newCoEnv(t)
	_, inv := e.sent()
	n := notify.Notification{Kind: notify.KindInvitation, Params: map[string]string{"invitation": inv.ID}}
	path, tok, err := e.svc.InvitationLink(context.Background(), n, notify.ChannelEmail)
	if err != nil || path != "/i/"+tok || len(tok) < 22 {
		t.Fatalf("link %q %q %v", path, tok, err)
	}
	rec := &notify.Recorder{Store: e.st}
	if err := rec.Send(context.Background(), notify.Message{Key: "k", Channel: "email", Text: "open " + path, Link: path, Secret: tok}); err != nil {
		t.Fatal(err)
	}
	if list, _ := rec.List(); len(list) != 1 || list[0].Link != path {
		t.Fatalf("demo outbox shows %+v", list)
	}
	teaser, err := e.svc.ByToken(tok)
	if err != nil || teaser.ID != inv.ID || teaser.Service != "building-notification" {
		t.Fatalf("ByToken %+v %v", teaser, err)
	}
	// A token for another channel replaces nothing; one for the same channel replaces the old.
	_, tok2, _ := e.svc.InvitationLink(context.Background(), n, notify.ChannelEmail)
	if _, err := e.svc.ByToken(tok); !errors.Is(err, cases.ErrBadToken) {
		t.Errorf("replaced token: %v", err)
	}
	for _, bad := range []string{"", "nope", tok + "x"} {
		if _, err := e.svc.ByToken(bad); !errors.Is(err, cases.ErrBadToken) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	raw := storetest.Contents(t, e.dir)
	for _, x := range []string{tok, tok2} {
		if bytes.Contains(raw, []byte(x)) {
			t.Errorf("token %s… is in the database file", x[:6])
		}
	}
	// Used: after the answer the token no longer works.
	if _, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Approve: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ByToken(tok2); !errors.Is(err, cases.ErrBadToken) {
		t.Errorf("used token: %v", err)
	}
	if _, _, err := e.svc.InvitationLink(context.Background(), n, notify.ChannelSMS); !errors.Is(err, notify.ErrPermanent) {
		t.Errorf("link for a closed invitation: %v", err)
	}
}

func TestExpiredTokenRefused(t *testing.T) {
	e := newCoEnv(t)
	_, inv := e.sent()
	n := notify.Notification{Kind: notify.KindInvitation, Params: map[string]string{"invitation": inv.ID}}
	_, tok, err := e.svc.InvitationLink(context.Background(), n, notify.ChannelSMS)
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(14*24*time.Hour + time.Second)
	if _, err := e.svc.ByToken(tok); !errors.Is(err, cases.ErrBadToken) {
		t.Fatalf("expired token: %v", err)
	}
}

// TestReopenedDraftGoes: a draft taken back from a case waiting for its
// parties, deleted by draft retention or by the applicant, ends the
// application instead of leaving it waiting for approvals no one can
// give: withdrawn, out of the inbox, the applicant and the party told,
// the case's files kept.
func TestReopenedDraftGoes(t *testing.T) {
	for _, tc := range []struct {
		name, event string
		drop        func(e *coEnv, d *cases.Draft)
	}{
		{"draft retention", "lapsed", func(e *coEnv, d *cases.Draft) {
			e.clk.Set(d.ExpiresAt)
			if del, _, err := e.svc.Housekeep(); err != nil || del != 1 {
				e.t.Fatalf("Housekeep: %d %v", del, err)
			}
		}},
		{"the applicant deletes it", "withdrawn", func(e *coEnv, d *cases.Draft) {
			if err := e.svc.Delete(d.ID, e.aino.ID); err != nil {
				e.t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCoEnv(t)
			c, _ := e.sent()
			id, err := e.svc.Reopen(c.ID, e.aino.ID)
			if err != nil {
				t.Fatal(err)
			}
			d, err := e.svc.Draft(id, e.aino.ID)
			if err != nil {
				t.Fatal(err)
			}
			tc.drop(e, d)

			got, evs, err := e.svc.Case(c.ID, e.aino.ID)
			if err != nil || got.Status != cases.StatusWithdrawn {
				t.Fatalf("case after the draft went: %v %+v", err, got)
			}
			if i := slices.IndexFunc(evs, func(ev cases.Event) bool { return ev.Type == tc.event }); i < 0 ||
				evs[i].From != cases.StatusAwaitingSignatures || evs[i].To != cases.StatusWithdrawn {
				t.Errorf("no %s event: %+v", tc.event, evs)
			}
			told := []cases.Ref{e.sven}
			if tc.event == "lapsed" { // else she did it herself
				told = append(told, e.aino)
			}
			for _, who := range told {
				list, err := (&notify.Inbox{Store: e.st}).List(who.ID, 20)
				told := slices.ContainsFunc(list, func(n notify.Notification) bool { // in any order: the same clock time
					return n.Kind == notify.KindCaseStatus && n.Params["status"] == cases.StatusWithdrawn
				})
				if err != nil || !told {
					t.Errorf("%s not told: %+v %v", who.Name, list, err)
				}
			}
			a := got.Attachments[0]
			if _, _, err := e.svc.AttachmentContent(a.Draft, a.ID, e.aino.ID); err != nil {
				t.Errorf("the case's file: %v", err)
			}
			if ds, _ := e.svc.Drafts(e.aino.ID); len(ds) != 0 {
				t.Errorf("drafts still listed: %+v", ds)
			}
			if dd, err := e.svc.Draft(id, e.aino.ID); err != nil || dd.CaseID != c.ID {
				t.Errorf("the draft is not its case's again: %+v %v", dd, err)
			}
			page, err := e.svc.Inbox(kaisa, cases.InboxFilter{Status: "all"})
			if err != nil || len(page.Rows) != 0 || page.Counts.ByStatus[cases.StatusWithdrawn] != 0 {
				t.Errorf("in the inbox: %+v %v", page, err)
			}
			if _, err := e.svc.Reopen(c.ID, e.aino.ID); !errors.Is(err, cases.ErrInvitationClosed) {
				t.Errorf("reopened again: %v", err)
			}
		})
	}
}

// TestAwaitingOutOfInbox: a case waiting for its parties is not the
// handlers' yet: no inbox view, count or search finds it and a handler
// cannot open it; once everyone approved, it is there.
func TestAwaitingOutOfInbox(t *testing.T) {
	e := newCoEnv(t)
	c, inv := e.sent()
	filters := []cases.InboxFilter{{}, {Status: "all"}, {Status: cases.StatusAwaitingSignatures},
		{Customer: hetuAino}, {Customer: "Aino Virtanen"}, {Customer: "virt"}, {Handler: cases.HandlerUnassigned}}
	inbox := func() (rows int, counted int) {
		for _, f := range filters {
			page, err := e.svc.Inbox(kaisa, f)
			if err != nil {
				t.Fatal(err)
			}
			rows += len(page.Rows)
			for _, n := range page.Counts.ByStatus {
				counted += n
			}
			counted += page.Counts.Unassigned + page.Counts.Overdue + page.Counts.DueSoon
		}
		return rows, counted
	}
	if rows, counted := inbox(); rows != 0 || counted != 0 {
		t.Errorf("waiting case in the inbox: %d rows, counted %d", rows, counted)
	}
	for _, who := range []cases.Ref{kaisa, staffRef("pertti", "Pertti Päällikkö")} {
		if _, _, _, err := e.svc.HandlerCase(c.ID, who); !isNotFound(err) {
			t.Errorf("%s opens the waiting case: %v", who.ID, err)
		}
	}
	if _, err := e.svc.Answer(inv.ID, e.sven, cases.Answer{Approve: true}); err != nil {
		t.Fatal(err)
	}
	if rows, _ := inbox(); rows != 6 { // every view but awaiting-signatures
		t.Errorf("approved case: %d rows in the inbox views, want 6", rows)
	}
	if _, _, _, err := e.svc.HandlerCase(c.ID, kaisa); err != nil {
		t.Errorf("handler opens the approved case: %v", err)
	}
}

// A guardian's approval for a minor party is an action in the child's
// name: it is in the child's "done in my name" and the child is told.
func TestGuardianApprovalIsDoneForTheChild(t *testing.T) {
	e := newCoEnv(t)
	ella, mikko := e.ref(hetuElla), e.ref(hetuMikko)
	if _, errs, err := e.svc.AddParty(e.draft.ID, e.aino, cases.PartyInput{Name: "Ella", Hetu: hetuElla}); err != nil || len(errs) > 0 {
		t.Fatalf("AddParty: %v %+v", err, errs)
	}
	c, svenInv := e.sent()
	invs, err := e.svc.Invitations(mikko.ID)
	if err != nil || len(invs) != 1 {
		t.Fatalf("Mikko's invitations for Ella: %v %d", err, len(invs))
	}
	if _, err := e.svc.Answer(svenInv.ID, e.sven, cases.Answer{Approve: true}); err != nil {
		t.Fatal(err)
	}
	if page, err := e.svc.DoneForMe(e.sven.ID, "", cases.DoneForQuery{}); err != nil || len(page.Entries) != 0 {
		t.Fatalf("Sven answered for himself, yet his log has %+v (%v)", page, err)
	}
	if _, err := e.svc.Answer(invs[0].ID, mikko, cases.Answer{Approve: true}); err != nil {
		t.Fatal(err)
	}
	page, err := e.svc.DoneForMe(ella.ID, "", cases.DoneForQuery{})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("Ella's log: %+v %v", page, err)
	}
	if got := page.Entries[0]; got.Action != cases.ActionApproved || got.Actor.ID != mikko.ID || got.Case != c.ID || got.Reference != c.Reference {
		t.Errorf("entry %+v, want approved by Mikko on %s", got, c.Reference)
	}
	ns, err := (&notify.Inbox{Store: e.st}).List(ella.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	told := false
	for _, n := range ns {
		told = told || (n.Kind == notify.KindProxyApproved && n.Params["actor"] == mikko.Name && n.Link == "/cases/"+c.ID)
	}
	if !told {
		t.Errorf("Ella not told of Mikko's approval: %+v", ns)
	}
}
