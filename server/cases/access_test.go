package cases_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/identity"
	"asiointi/server/mandates"
	"asiointi/server/notify"
	"asiointi/server/population"
)

// TestCaseAccess is the one decision of who may open a case: the sender
// and the person it is for fully; a child's other guardian (told of it on
// submit, for a service that notifies the other parties) read-only; an
// organisation's case only those who hold a qualifying role or mandate
// now, the sender included; nobody else. "My applications" groups what
// each may open.
func TestCaseAccess(t *testing.T) {
	e := newEnv(t)
	aino, mikko, maria, juhani := e.ref(hetuAino), e.ref(hetuMikko), e.ref(hetuMaria), e.ref(hetuJuhani)
	eetu := child(hetuEetu)(e)
	_, ee := e.fill("early-education", aino, eetu, earlyEducationAnswers())
	d := e.create("association-grant", aino, orgRef())
	a := e.upload(d, "annualReport", "vuosikertomus.pdf", pdfFile)
	d = e.save(d, associationGrantAnswers(a.ID))
	grant := e.submit(d)
	_, hh := e.fill("home-help", juhani, mandator(hetuHelmi)(e), homeHelpAnswers())
	_, own := e.fill("sports-shift", aino, nil, sportsShiftAnswers())

	if len(ee.Notified) != 1 || ee.Notified[0].ID != mikko.ID || ee.Notified[0].Status != cases.PartyNotified || len(ee.Parties) != 0 {
		t.Errorf("early-education notified %+v (co-applicants %+v), want Mikko notified", ee.Notified, ee.Parties)
	}
	inbox := &notify.Inbox{Store: e.st}
	if ns, _ := inbox.List(mikko.ID, 0); len(ns) != 1 || ns[0].Kind != notify.KindPartySubmitted || ns[0].Link != "/cases/"+ee.ID {
		t.Errorf("Mikko's notifications %+v, want one party-submitted for the case", ns)
	}

	access := func(c *cases.Case, who cases.Ref) cases.Access {
		t.Helper()
		_, _, a, err := e.svc.CaseWithAccess(c.ID, who.ID)
		if a == cases.NoAccess && !errors.Is(err, cases.ErrNotFound) {
			t.Errorf("no access answered %v, want ErrNotFound", err)
		}
		return a
	}
	tests := []struct {
		name string
		c    *cases.Case
		who  cases.Ref
		want cases.Access
	}{
		{"the sender", ee, aino, cases.ResidentAccess},
		{"the child", ee, e.ref(hetuEetu), cases.ResidentAccess},
		{"the other guardian", ee, mikko, cases.ResidentRead},
		{"a stranger to the child", ee, maria, cases.NoAccess},
		{"the mandate holder who sent it", hh, juhani, cases.ResidentAccess},
		{"the mandator", hh, e.ref(hetuHelmi), cases.ResidentAccess},
		{"a stranger to the mandate", hh, aino, cases.NoAccess},
		{"the organisation's chair who sent it", grant, aino, cases.ResidentAccess},
		{"someone without a role", grant, mikko, cases.NoAccess},
		{"the chair of another organisation", grant, e.ref(hetuSven), cases.NoAccess},
		{"one's own", own, aino, cases.ResidentAccess},
		{"the spouse's own", own, mikko, cases.NoAccess},
	}
	for _, tc := range tests {
		if got := access(tc.c, tc.who); got != tc.want {
			t.Errorf("%s: access %v, want %v", tc.name, got, tc.want)
		}
	}

	// Reading someone else's application is in their access log: the
	// other guardian's reading in the child's and the sender's logs, the
	// proxy's in the principal's; one's own reading in nobody's.
	logOf := func(subject string) []string {
		t.Helper()
		list, _, err := audit.Of(e.st, subject, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range list {
			out = append(out, a.Actor.Name+" "+a.Purpose+" "+a.Kind)
		}
		return out
	}
	if got := logOf(eetu.ID); !slices.Contains(got, "Mikko Virtanen guardian case") || !slices.Contains(got, "Aino Virtanen proxy case") {
		t.Errorf("Eetu's access log %v", got)
	}
	if got := logOf(aino.ID); !slices.Equal(got, []string{"Mikko Virtanen guardian case"}) {
		t.Errorf("Aino's access log %v, want Mikko's reading of her application for Eetu", got)
	}
	if got := logOf(e.person(hetuHelmi).ID); !slices.Equal(got, []string{"Juhani Korhonen proxy case"}) {
		t.Errorf("Helmi's access log %v", got)
	}

	groups := func(who cases.Ref) map[string][]string {
		t.Helper()
		pg, err := e.svc.CasesPage(who.ID, cases.Page{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, c := range pg.Cases {
			out[c.Group] = append(out[c.Group], c.Service)
		}
		return out
	}
	if g := groups(aino); len(g[cases.GroupMine]) != 1 || len(g[cases.GroupChildren]) != 1 || len(g[cases.GroupOrganizations]) != 1 {
		t.Errorf("Aino's groups %v", g)
	}
	if g := groups(mikko); len(g) != 1 || len(g[cases.GroupChildren]) != 1 {
		t.Errorf("Mikko's groups %v, want Eetu's application only", g)
	}
	if g := groups(juhani); len(g) != 1 || len(g[cases.GroupMandates]) != 1 {
		t.Errorf("Juhani's groups %v", g)
	}

	// Mikko becomes a board chair: he sees the grant, read-only; once
	// Aino's role ends, she no longer sees the grant she sent.
	e.editPerson(hetuMikko, func(p *population.Person) { p.Roles = []population.Role{{Organization: orgID, Role: "PJ"}} })
	if got := access(grant, mikko); got != cases.ResidentRead {
		t.Errorf("new chair: access %v, want read-only", got)
	}
	e.editPerson(hetuAino, func(p *population.Person) { p.Roles = nil })
	if got := access(grant, aino); got != cases.NoAccess {
		t.Errorf("former chair: access %v, want none", got)
	}
	if g := groups(aino); len(g[cases.GroupOrganizations]) != 0 {
		t.Errorf("former chair still lists the grant: %v", g)
	}
	// Attachments follow the same decision.
	if _, _, err := e.svc.AttachmentContent(d.ID, a.ID, mikko.ID); err != nil {
		t.Errorf("new chair reading the grant's file: %v", err)
	}
	if _, _, err := e.svc.AttachmentContent(d.ID, a.ID, maria.ID); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("stranger reading the grant's file: %v", err)
	}
}

// TestPaperMandateIsARight: a paper power of attorney recorded by an
// official is checked like any mandate: its issue and its validity.
func TestPaperMandateIsARight(t *testing.T) {
	e := newEnv(t)
	maria := e.ref(hetuMaria)
	helmi := mandator(hetuHelmi)(e)
	if _, err := e.svc.CreateDraft("home-help", maria, helmi); !errors.Is(err, cases.ErrNoRelation) {
		t.Fatalf("before: %v", err)
	}
	err := e.reg.RecordPaperMandate(audit.Who{ID: "kaisa", Kind: identity.Staff}, []string{"home-help"}, identity.PaperMandate{
		Holder: maria.ID, Principal: helmi.ID, Issues: []string{"http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito"},
		ValidFrom: "2027-01-01", ValidTo: "2027-02-28", Document: "ESI/2027/7",
		Scan: &identity.ScanFile{Name: "valtakirja.pdf", Content: pdfFile}}, e.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := e.create("home-help", maria, helmi)
	e.clk.Set(t0.AddDate(0, 2, 0)) // April: the mandate has ended
	if _, _, err := e.svc.Save(d.ID, maria.ID, d.Version, d.Data, -1); !errors.Is(err, cases.ErrNoRelation) {
		t.Errorf("after its end: %v", err)
	}
}

// TestCasesPageAcrossRelations: "my applications" pages over the
// person's own index entries and their children's under one cursor: the
// pages together are every case once (the other guardian's notified
// entry and the child's are one case), newest first, each with its group.
func TestCasesPageAcrossRelations(t *testing.T) {
	e := newEnv(t)
	aino, mikko := e.ref(hetuAino), e.ref(hetuMikko)
	eetu := child(hetuEetu)(e)
	var want []string
	for i := 0; i < 5; i++ {
		e.clk.Add(time.Minute)
		var c *cases.Case
		if i%2 == 0 {
			_, c = e.fill("home-help", mikko, nil, homeHelpAnswers()) // his own
		} else {
			_, c = e.fill("early-education", aino, eetu, earlyEducationAnswers()) // Eetu's, Mikko told
		}
		want = append([]string{c.ID}, want...)
	}
	var got []string
	groups := map[string]int{}
	p := cases.Page{Limit: 2}
	for n := 0; ; n++ {
		pg, err := e.svc.CasesPage(mikko.ID, p)
		if err != nil || n > 5 {
			t.Fatalf("page %d: %v", n, err)
		}
		for _, c := range pg.Cases {
			got = append(got, c.ID)
			groups[c.Group]++
			if (c.Group == cases.GroupChildren) != (c.Access == cases.ResidentRead) {
				t.Errorf("%s: group %s, access %v", c.Service, c.Group, c.Access)
			}
		}
		if pg.Next == "" {
			break
		}
		p.Cursor = pg.Next
	}
	if !slices.Equal(got, want) || groups[cases.GroupMine] != 3 || groups[cases.GroupChildren] != 2 {
		t.Errorf("pages %v (groups %v), want %v", got, groups, want)
	}
	if _, err := e.svc.CasesPage(mikko.ID, cases.Page{Cursor: "not-an-id"}); !errors.Is(err, cases.ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
}

// remoteOrg is Suomi.fi Mandates as the cases and the register see it
// (mandates.Link): the person chose the organisation there with roles,
// and the service now answers roles (nil: none any more), or err.
type remoteOrg struct {
	mu    sync.Mutex
	user  string
	roles []string
	err   error
	calls int
}

func (r *remoteOrg) ChosenHetu(string) (string, bool) { return "", false }

func (r *remoteOrg) ChosenOrganization(user string) (string, []string, bool) {
	return orgID, []string{"PJ"}, user == r.user // the roles read at the choice
}

func (r *remoteOrg) Allowed(context.Context, string, string, []string) (bool, error) {
	return false, nil
}

func (r *remoteOrg) OrganizationRoles(_ context.Context, user, businessID string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if user != r.user || businessID != orgID {
		return nil, mandates.ErrNoSession
	}
	return r.roles, r.err
}

func (r *remoteOrg) set(roles []string, err error) {
	r.mu.Lock()
	r.roles, r.err = roles, err
	r.mu.Unlock()
}

// TestRemoteOrganisationRoleRecheckedForViews: a role in an organisation
// chosen in Suomi.fi Mandates lets Maria see the organisation's case only
// while the service still gives her the role: once it ends, or while the
// service does not answer, the case is not hers to see and leaves her
// list.
func TestRemoteOrganisationRoleRecheckedForViews(t *testing.T) {
	e := newEnv(t)
	aino, maria := e.ref(hetuAino), e.ref(hetuMaria)
	d := e.create("association-grant", aino, orgRef())
	a := e.upload(d, "annualReport", "vuosikertomus.pdf", pdfFile)
	grant := e.submit(e.save(d, associationGrantAnswers(a.ID)))

	remote := &remoteOrg{user: maria.ID, roles: []string{"PJ"}}
	e.reg.Mandates, e.svc.Mandates = remote, remote
	listed := func() int {
		t.Helper()
		pg, err := e.svc.CasesPage(maria.ID, cases.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return len(pg.Cases)
	}
	for _, tc := range []struct {
		name   string
		roles  []string
		err    error
		want   cases.Access
		listed int
	}{
		{"the role holds", []string{"PJ"}, nil, cases.ResidentRead, 1},
		{"the role ended", nil, nil, cases.NoAccess, 0},
		{"another role that does not qualify", []string{"JASEN"}, nil, cases.NoAccess, 0},
		{"the service down", []string{"PJ"}, mandates.ErrUnavailable, cases.NoAccess, 0},
	} {
		remote.set(tc.roles, tc.err)
		calls := remote.calls
		if _, _, got, _ := e.svc.CaseWithAccess(grant.ID, maria.ID); got != tc.want {
			t.Errorf("%s: access %v, want %v", tc.name, got, tc.want)
		}
		if n := listed(); n != tc.listed {
			t.Errorf("%s: %d cases listed, want %d", tc.name, n, tc.listed)
		}
		if remote.calls == calls {
			t.Errorf("%s: the role was not asked of the service", tc.name)
		}
	}
}
