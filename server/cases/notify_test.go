package cases_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/cases"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
)

// TestSubmitNotifies: a proxy's submit tells the principal and the actor,
// in the transaction that makes the case; acting for oneself, starting,
// saving and repeating a submit tell nobody.
func TestSubmitNotifies(t *testing.T) {
	e := newEnv(t)
	inbox := &notify.Inbox{Store: e.st}
	juhani, helmi, aino := e.ref(hetuJuhani), e.principal(hetuHelmi, "mandate"), e.ref(hetuAino)

	d := e.create("home-help", juhani, helmi)
	e.save(d, homeHelpAnswers())
	own := e.create("sports-shift", aino, nil)
	e.save(own, sportsShiftAnswers())
	for _, who := range []string{juhani.ID, helmi.ID, aino.ID} {
		if ns, _ := inbox.List(who, 0); len(ns) != 0 {
			t.Fatalf("%s notified by a draft: %+v", who, ns)
		}
	}
	if n := countPrefix(t, e.st, store.Outbox, ""); n != 0 {
		t.Fatalf("%d deliveries queued by drafts", n)
	}

	c := e.submit(d)
	e.submit(own)
	if _, err := e.svc.Submit(d.ID, juhani); err != nil { // a repeat
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who, kind string
	}{{helmi.ID, notify.KindProxySubmitted}, {juhani.ID, notify.KindSubmittedFor}} {
		ns, err := inbox.List(tc.who, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1 {
			t.Fatalf("%s has %d notifications, want 1: %+v", tc.who, len(ns), ns)
		}
		n := ns[0]
		if n.Kind != tc.kind || n.Link != "/cases/"+c.ID || n.Params["actor"] != juhani.Name ||
			n.Params["principal"] != helmi.Name || n.Params["service"] != "home-help" || n.Read {
			t.Errorf("%s got %+v", tc.who, n)
		}
		if u, _ := inbox.Unread(tc.who); u != 1 {
			t.Errorf("%s unread %d, want 1", tc.who, u)
		}
	}
	if ns, _ := inbox.List(aino.ID, 0); len(ns) != 0 {
		t.Errorf("Aino notified of her own submit: %+v", ns)
	}
	// Helmi's defaults send e-mail for a proxy action (no push device
	// yet); Juhani's keep his in the app.
	// A live delivery has its own record, or (a store no other node
	// shares) rides on the first delivery to another channel as its Link.
	var got []notify.Delivery
	live := map[string]int{}
	e.st.View(func(tx *store.Tx) error {
		return tx.Scan(store.Outbox, "", func(_ string, raw []byte) error {
			var d notify.Delivery
			if err := json.Unmarshal(raw, &d); err != nil {
				return err
			}
			if d.Channel == notify.ChannelLive || d.Link != "" {
				live[d.User]++
			}
			if d.Channel != notify.ChannelLive {
				got = append(got, d)
			}
			return nil
		})
	})
	if len(got) != 1 || got[0].User != helmi.ID || got[0].Channel != notify.ChannelEmail {
		t.Errorf("outbox %+v, want one e-mail to Helmi", got)
	}
	if want := map[string]int{helmi.ID: 1, juhani.ID: 1}; !reflect.DeepEqual(live, want) {
		t.Errorf("live deliveries %v, want one to each", live)
	}
}

// TestSubmitForOrganisationNotifies: a submit in an organisation's name
// tells the people who may now act for it in the service — who hold its
// role, or a mandate from the organisation valid today that names the
// service's mandate issue — and nobody else (not the actor, not another
// role's holder, not someone whose role ended, not a mandate of another
// issue, expired or not yet valid), and the actor that they were told.
func TestSubmitForOrganisationNotifies(t *testing.T) {
	e := newEnv(t)
	inbox := &notify.Inbox{Store: e.st}
	aino := e.ref(hetuAino)
	const grant = "http://valtuusrekisteri.suomi.fi/avustuksen_hakeminen"
	day := func(d int) string { return t0.AddDate(0, 0, d).Format(time.DateOnly) }
	mandate := func(issue, from, to string) func(p *population.Person) {
		return func(p *population.Person) {
			p.Mandates = append(p.Mandates, population.Mandate{Principal: orgID, Issues: []string{issue}, ValidFrom: from, ValidTo: to})
		}
	}
	e.editPerson(hetuMikko, func(p *population.Person) { p.Roles = []population.Role{{Organization: orgID, Role: "PJ"}} })
	e.editPerson(hetuMaria, func(p *population.Person) { p.Roles = []population.Role{{Organization: orgID, Role: "JÄSEN"}} })
	e.editPerson(hetuSven, func(p *population.Person) { p.Roles = []population.Role{{Organization: orgID, Role: "PJ"}} })
	e.editPerson(hetuSven, func(p *population.Person) { p.Roles = nil })                                                           // ended before the submit
	e.editPerson(hetuJuhani, mandate(grant, day(-30), day(0)))                                                                     // valid today, its last day
	e.editPerson(hetuHelmi, mandate(grant, day(-30), day(-1)))                                                                     // expired
	e.editPerson(hetuHelmi, mandate("http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito", day(-30), "")) // another issue
	e.editPerson(hetuElla, mandate(grant, day(1), ""))                                                                             // not yet
	e.editPerson(hetuEetu, mandate(grant, day(-30), ""))
	e.editPerson(hetuEetu, func(p *population.Person) { p.Mandates = nil }) // revoked before the submit

	d := e.create("association-grant", aino, orgRef())
	a := e.upload(d, "annualReport", "vuosikertomus-2026.pdf", pdfFile)
	e.save(d, associationGrantAnswers(a.ID))
	c := e.submit(d)
	for _, tc := range []struct {
		hetu, kind string
	}{{hetuMikko, notify.KindOrgSubmitted}, {hetuJuhani, notify.KindOrgSubmitted}, {hetuAino, notify.KindSubmittedFor},
		{hetuMaria, ""}, {hetuSven, ""}, {hetuHelmi, ""}, {hetuElla, ""}, {hetuEetu, ""}} {
		ns, err := inbox.List(e.person(tc.hetu).ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if tc.kind == "" {
			if len(ns) != 0 {
				t.Errorf("%s notified: %+v", tc.hetu, ns)
			}
			continue
		}
		if len(ns) != 1 || ns[0].Kind != tc.kind || ns[0].Link != "/cases/"+c.ID || ns[0].Params["principal"] != orgName ||
			ns[0].Params["actor"] != aino.Name {
			t.Errorf("%s got %+v, want one %s", tc.hetu, ns, tc.kind)
		}
	}
	// A handler takes it up (the organisation's side hears of it) and Aino
	// withdraws it in the organisation's name (the others hear of it).
	if _, err := e.svc.Transition(c.ID, pertti, cases.AnyVersion, cases.StatusInProgress, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Withdraw(c.ID, aino, ""); err != nil {
		t.Fatal(err)
	}
	member := []string{notify.KindOrgSubmitted, notify.KindCaseStatus, notify.KindOrgWithdrew}
	for _, tc := range []struct {
		hetu  string
		kinds []string
	}{{hetuMikko, member}, {hetuJuhani, member}, {hetuAino, []string{notify.KindSubmittedFor, notify.KindCaseStatus}},
		{hetuMaria, nil}, {hetuSven, nil}, {hetuHelmi, nil}, {hetuElla, nil}, {hetuEetu, nil}} {
		ns, err := inbox.List(e.person(tc.hetu).ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, n := range ns {
			kinds = append(kinds, n.Kind)
			if n.Link != "/cases/"+c.ID || n.Params["reference"] != c.Reference {
				t.Errorf("%s: %+v", tc.hetu, n)
			}
			if n.Kind == notify.KindOrgWithdrew && (n.Params["principal"] != orgName || n.Params["actor"] != aino.Name) {
				t.Errorf("%s: %+v", tc.hetu, n)
			}
		}
		slices.Sort(kinds) // one clock tick: the order is the ids'
		if want := slices.Sorted(slices.Values(tc.kinds)); !slices.Equal(kinds, want) {
			t.Errorf("%s told %v, want %v", tc.hetu, kinds, tc.kinds)
		}
	}
}

// TestNotifiedPartiesHearOfLaterChanges: the other guardian, told of an
// early-education application when Aino sent it, is told of each later
// change of its status in the transaction of the change — more
// information asked, the answer, the decision, a withdrawal by Aino —
// with the status and the sender named; Aino is not told of her own
// withdrawal by this kind, and a change that keeps the status tells
// nobody.
func TestNotifiedPartiesHearOfLaterChanges(t *testing.T) {
	e := newEnv(t)
	inbox := &notify.Inbox{Store: e.st}
	aino, mikko := e.ref(hetuAino), e.ref(hetuMikko)
	eetu := e.principal(hetuEetu, "guardian")
	statuses := func(who string) []string {
		t.Helper()
		ns, err := inbox.List(who, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i := len(ns) - 1; i >= 0; i-- { // oldest first
			if ns[i].Kind == notify.KindPartyStatus {
				n := ns[i]
				if n.Params["actor"] != aino.Name || n.Params["service"] != "early-education" || n.Link == "" {
					t.Errorf("party-status %+v", n)
				}
				out = append(out, n.Params["status"])
			}
		}
		return out
	}

	_, c := e.fill("early-education", aino, eetu, earlyEducationAnswers())
	if got := statuses(mikko.ID); len(got) != 0 {
		t.Fatalf("told of a status at submit: %v", got)
	}
	c, err := e.svc.Transition(c.ID, kaisa, cases.AnyVersion, cases.StatusInProgress, "")
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Minute)
	if _, err := e.svc.Assign(c.ID, kaisa, cases.AnyVersion, ""); err != nil { // no change of status
		t.Fatal(err)
	}
	e.clk.Add(time.Minute)
	if _, err := e.svc.RequestSupplement(c.ID, kaisa, cases.AnyVersion, "Tarkista aloituspäivä.", []string{"startDate"}, e.clk.Now().AddDate(0, 0, 14)); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Minute)
	res, err := e.svc.SendSupplement(c.ID, aino, map[string]any{"startDate": earlyEducationAnswers()["startDate"]})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("supplement: %v %+v", err, res)
	}
	e.clk.Add(time.Minute)
	if _, err := e.svc.Decide(c.ID, kaisa, cases.AnyVersion, cases.OutcomeApproved, "Paikka myönnetään.", nil); err != nil {
		t.Fatal(err)
	}
	want := []string{cases.StatusInProgress, cases.StatusSupplementRequested, cases.StatusInProgress, cases.StatusDecided}
	if got := statuses(mikko.ID); !slices.Equal(got, want) {
		t.Errorf("Mikko told of %v, want %v", got, want)
	}

	_, c2 := e.fill("early-education", aino, eetu, earlyEducationAnswers())
	e.clk.Add(time.Minute)
	if _, err := e.svc.Withdraw(c2.ID, aino, ""); err != nil {
		t.Fatal(err)
	}
	if got := statuses(mikko.ID); len(got) != len(want)+1 || got[len(got)-1] != cases.StatusWithdrawn {
		t.Errorf("Mikko told of %v, want the withdrawal last", got)
	}
	if got := statuses(aino.ID); len(got) != 0 {
		t.Errorf("the sender told as a party: %v", got)
	}
	if got := statuses(e.ref(hetuMaria).ID); len(got) != 0 {
		t.Errorf("a stranger told: %v", got)
	}
}

// TestCaseEventsNotify: who hears of an action on a sent application
// (issue 10's rule), in the action's transaction: the principal and the
// actor of a proxy action, every party of the case, its handler for a
// resident's action — each exactly once, in their own language — and
// never the one who acted; starting a draft and saving it tell nobody,
// nor does handing a case to another handler (its status stays).
func TestCaseEventsNotify(t *testing.T) {
	msg, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	const handler = "kaisa"
	// handled gives the case to Kaisa (the handler hears of resident
	// actions from then on); the people were told of that already.
	handled := func(e *env, c *cases.Case) {
		if _, err := e.svc.Assign(c.ID, kaisa, cases.AnyVersion, handler); err != nil {
			e.t.Fatal(err)
		}
	}
	// proxyCase: Juhani sends home help for Helmi (mandate), Kaisa handles it.
	proxyCase := func(e *env) *cases.Case {
		_, c := e.fill("home-help", e.ref(hetuJuhani), e.principal(hetuHelmi, "mandate"), homeHelpAnswers())
		handled(e, c)
		return c
	}
	// coCase: Aino's building notification, approved by Sven (a party)
	// and sent to handling, Kaisa handles it.
	coCase := func(e *env) *cases.Case {
		ce := &coEnv{env: e, aino: e.ref(hetuAino), sven: e.ref(hetuSven)}
		d := e.create("building-notification", ce.aino, nil)
		a := e.upload(d, "sitePlan", "asemapiirros.png", pngFile)
		ce.draft = e.save(d, buildingAnswers(a.ID))
		c, inv := ce.sent()
		if _, err := e.svc.Answer(inv.ID, ce.sven, cases.Answer{Approve: true}); err != nil {
			e.t.Fatal(err)
		}
		handled(e, c)
		return c
	}
	supplementAsked := func(e *env, c *cases.Case) {
		if _, err := e.svc.RequestSupplement(c.ID, kaisa, cases.AnyVersion, "Kertokaa tilanteesta tarkemmin.", []string{"situation"}, e.clk.Now().AddDate(0, 0, 14)); err != nil {
			e.t.Fatal(err)
		}
	}
	supplement := func(e *env, c *cases.Case, who cases.Ref) error {
		res, err := e.svc.SendSupplement(c.ID, who, map[string]any{"situation": "Tarvitsen apua kauppa-asioissa kahdesti viikossa."})
		if err == nil && len(res.Errors) > 0 {
			err = fmt.Errorf("supplement: %+v", res.Errors)
		}
		return err
	}
	withdraw := func(hetu string) func(e *env, c *cases.Case) error {
		return func(e *env, c *cases.Case) error {
			_, err := e.svc.Withdraw(c.ID, e.ref(hetu), "Emme tarvitse tätä enää.")
			return err
		}
	}
	for _, tc := range []struct {
		name string
		// before makes the case (nil: none) and act is the action; want
		// maps a person (hetu, or a staff username) to the one kind they
		// are told of by the action; everyone else is told nothing.
		before func(e *env) *cases.Case
		act    func(e *env, c *cases.Case) error
		want   map[string]string
		status string // the status the party-status and case-status notices name
	}{
		{"a proxy withdraws: the principal and the handler", proxyCase, withdraw(hetuJuhani),
			map[string]string{hetuHelmi: notify.KindProxyWithdrew, handler: notify.KindCaseActivity}, cases.StatusWithdrawn},
		{"the principal withdraws what a proxy sent: the proxy and the handler", proxyCase, withdraw(hetuHelmi),
			map[string]string{hetuJuhani: notify.KindCaseStatus, handler: notify.KindCaseActivity}, cases.StatusWithdrawn},
		{"the applicant withdraws: the co-applicant and the handler", coCase, withdraw(hetuAino),
			map[string]string{hetuSven: notify.KindPartyStatus, handler: notify.KindCaseActivity}, cases.StatusWithdrawn},
		{"a co-applicant withdraws: the applicant and the handler", coCase, withdraw(hetuSven),
			map[string]string{hetuAino: notify.KindCaseStatus, handler: notify.KindCaseActivity}, cases.StatusWithdrawn},
		{"a guardian withdraws a joint matter: the child and the other guardian", func(e *env) *cases.Case {
			_, c := e.fill("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"), earlyEducationAnswers())
			return c
		}, withdraw(hetuAino), map[string]string{hetuEetu: notify.KindProxyWithdrew, hetuMikko: notify.KindPartyStatus}, cases.StatusWithdrawn},
		{"a proxy answers a supplement request: the principal and the handler", func(e *env) *cases.Case {
			c := proxyCase(e)
			supplementAsked(e, c)
			return c
		}, func(e *env, c *cases.Case) error { return supplement(e, c, e.ref(hetuJuhani)) },
			map[string]string{hetuHelmi: notify.KindProxySupplemented, handler: notify.KindCaseActivity}, cases.StatusInProgress},
		{"the principal answers a supplement request: the proxy and the handler", func(e *env) *cases.Case {
			c := proxyCase(e)
			supplementAsked(e, c)
			return c
		}, func(e *env, c *cases.Case) error { return supplement(e, c, e.ref(hetuHelmi)) },
			map[string]string{hetuJuhani: notify.KindCaseStatus, handler: notify.KindCaseActivity}, cases.StatusInProgress},
		{"a message to the handler: the handler", proxyCase, func(e *env, c *cases.Case) error {
			_, err := e.svc.SendMessage(c.ID, e.ref(hetuHelmi), "Soittakaa mieluiten aamupäivisin.")
			return err
		}, map[string]string{handler: notify.KindCaseActivity}, ""},
		{"a handler takes it up: the principal and the proxy", func(e *env) *cases.Case {
			_, c := e.fill("home-help", e.ref(hetuJuhani), e.principal(hetuHelmi, "mandate"), homeHelpAnswers())
			return c
		}, func(e *env, c *cases.Case) error {
			_, err := e.svc.Assign(c.ID, kaisa, cases.AnyVersion, handler)
			return err
		}, map[string]string{hetuHelmi: notify.KindCaseStatus, hetuJuhani: notify.KindCaseStatus}, cases.StatusInProgress},
		{"handed to another handler: nobody", proxyCase, func(e *env, c *cases.Case) error {
			_, err := e.svc.Assign(c.ID, pertti, cases.AnyVersion, "pertti")
			return err
		}, nil, ""},
		{"a supplement request: the principal and the proxy", proxyCase, func(e *env, c *cases.Case) error {
			supplementAsked(e, c)
			return nil
		}, map[string]string{hetuHelmi: notify.KindSupplementRequested, hetuJuhani: notify.KindSupplementRequested}, ""},
		{"a decision on a co-applicants' application: both", coCase, func(e *env, c *cases.Case) error {
			_, err := e.svc.Decide(c.ID, kaisa, cases.AnyVersion, cases.OutcomeApproved, "Toimenpide voidaan aloittaa.", nil)
			return err
		}, map[string]string{hetuAino: notify.KindDecision, hetuSven: notify.KindDecision}, ""},
		{"a decision on a joint matter: the guardian, the child and the other guardian", func(e *env) *cases.Case {
			_, c := e.fill("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"), earlyEducationAnswers())
			handled(e, c)
			return c
		}, func(e *env, c *cases.Case) error {
			_, err := e.svc.Decide(c.ID, kaisa, cases.AnyVersion, cases.OutcomeApproved, "Paikka myönnetään.", nil)
			return err
		}, map[string]string{hetuAino: notify.KindDecision, hetuEetu: notify.KindDecision, hetuMikko: notify.KindPartyStatus}, cases.StatusDecided},
		{"the handler writes: the principal and the proxy", proxyCase, func(e *env, c *cases.Case) error {
			_, err := e.svc.SendHandlerMessage(c.ID, kaisa, cases.AnyVersion, "Soitamme teille ensi viikolla.")
			return err
		}, map[string]string{hetuHelmi: notify.KindCaseMessage, hetuJuhani: notify.KindCaseMessage}, ""},
		{"a party taken off before sending again: that party, and the others are asked again", func(e *env) *cases.Case {
			ce := &coEnv{env: e, aino: e.ref(hetuAino), sven: e.ref(hetuSven)}
			d := e.create("building-notification", ce.aino, nil)
			a := e.upload(d, "sitePlan", "asemapiirros.png", pngFile)
			ce.draft = e.save(d, buildingAnswers(a.ID))
			maria := addParty(e, ce.draft, cases.PartyInput{Name: "Maria Nieminen", Hetu: hetuMaria})
			c, _ := ce.sent()
			invs, err := e.svc.Invitations(e.ref(hetuMaria).ID)
			if err != nil || len(invs) != 1 {
				e.t.Fatalf("Maria's invitations: %v %d", err, len(invs))
			}
			if _, err := e.svc.Answer(invs[0].ID, e.ref(hetuMaria), cases.Answer{Reason: "En omista tätä tonttia."}); err != nil {
				e.t.Fatal(err)
			}
			if _, err := e.svc.Reopen(c.ID, ce.aino.ID); err != nil {
				e.t.Fatal(err)
			}
			if err := e.svc.RemoveParty(ce.draft.ID, ce.aino.ID, maria.ID); err != nil {
				e.t.Fatal(err)
			}
			return c
		}, func(e *env, c *cases.Case) error {
			res, err := e.svc.Submit(c.DraftID, e.ref(hetuAino))
			if err != nil || len(res.Errors) > 0 || res.Case.Round != 2 {
				return fmt.Errorf("sent again: %v %+v", err, res)
			}
			// Maria is no longer a party: the case is not hers to open.
			if _, _, err := e.svc.Case(c.ID, e.ref(hetuMaria).ID); !isNotFound(err) {
				e.t.Errorf("a removed party opens the case: %v", err)
			}
			if _, _, err := e.svc.Case(c.ID, e.ref(hetuSven).ID); err != nil {
				e.t.Errorf("a party asked again cannot open the case: %v", err)
			}
			return nil
		}, map[string]string{hetuMaria: notify.KindPartyRemoved, hetuSven: notify.KindInvitation}, ""},
		{"the proxy lets someone read it: that person and the principal", proxyCase, func(e *env, c *cases.Case) error {
			_, err := e.svc.ShareCase(c.ID, e.ref(hetuJuhani), "Maria Nieminen", hetuMaria)
			return err
		}, map[string]string{hetuMaria: notify.KindCaseShared, hetuHelmi: notify.KindProxyShared}, ""},
		{"the principal lets someone read it: that person", proxyCase, func(e *env, c *cases.Case) error {
			if _, err := e.svc.ShareCase(c.ID, e.ref(hetuHelmi), "Sven Lindqvist", hetuSven); err != nil {
				return err
			}
			_, err := e.svc.ShareCase(c.ID, e.ref(hetuHelmi), "Sven Lindqvist", hetuSven) // extended: not told again
			return err
		}, map[string]string{hetuSven: notify.KindCaseShared}, ""},
		{"the proxy withdraws the principal's consent: the principal and the handler", proxyCase, func(e *env, c *cases.Case) error {
			_, err := e.svc.WithdrawConsent(c.ID, "consentHealthInfo", e.ref(hetuJuhani))
			return err
		}, map[string]string{hetuHelmi: notify.KindProxyConsent, handler: notify.KindCaseActivity}, ""},
		{"the principal withdraws her consent: the handler", proxyCase, func(e *env, c *cases.Case) error {
			_, err := e.svc.WithdrawConsent(c.ID, "consentHealthInfo", e.ref(hetuHelmi))
			return err
		}, map[string]string{handler: notify.KindCaseActivity}, ""},
		{"starting and autosaving a draft: nobody", nil, func(e *env, _ *cases.Case) error {
			d := e.create("home-help", e.ref(hetuJuhani), e.principal(hetuHelmi, "mandate"))
			for range 3 {
				d = e.save(d, homeHelpAnswers())
			}
			return nil
		}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			inbox := &notify.Inbox{Store: e.st}
			everyone := map[string]string{handler: handler, "pertti": "pertti", "sara": "sara"}
			for _, h := range []string{hetuAino, hetuMikko, hetuEetu, hetuElla, hetuHelmi, hetuJuhani, hetuSven, hetuMaria} {
				everyone[h] = e.person(h).ID
			}
			var c *cases.Case
			if tc.before != nil {
				c = tc.before(e)
			}
			had := map[string]int{}
			for who, id := range everyone {
				ns, err := inbox.List(id, 0)
				if err != nil {
					t.Fatal(err)
				}
				had[who] = len(ns)
			}
			e.clk.Add(time.Minute)
			if err := tc.act(e, c); err != nil {
				t.Fatal(err)
			}
			for who, id := range everyone {
				ns, err := inbox.List(id, 0)
				if err != nil {
					t.Fatal(err)
				}
				got := ns[:len(ns)-had[who]] // newest first: the action's
				kind := tc.want[who]
				if kind == "" {
					if len(got) != 0 {
						t.Errorf("%s told %d times: %+v", who, len(got), got)
					}
					continue
				}
				if len(got) != 1 || got[0].Kind != kind {
					t.Errorf("%s told %+v, want exactly one %s", who, got, kind)
					continue
				}
				n := got[0]
				if !strings.HasSuffix(n.Link, "/"+c.ID) && !strings.HasPrefix(n.Link, "/invitations") || n.Params["reference"] != c.Reference {
					t.Errorf("%s: %+v", who, n)
				}
				lang := "fi"
				if who != handler {
					lang = e.person(who).Language
				}
				text := (&notify.Renderer{Msg: msg}).Text(lang, n)
				if text == msg.T(lang, "notify.generic") || strings.Contains(text, "no value") || strings.Contains(text, "{{") {
					t.Errorf("%s (%s): %q", who, lang, text)
				}
				if tc.status != "" && (kind == notify.KindPartyStatus || kind == notify.KindCaseStatus) &&
					!strings.Contains(text, msg.T(lang, "caseStatus."+statusKey(tc.status))) {
					t.Errorf("%s (%s): %q does not name the status %s", who, lang, text, tc.status)
				}
				if lang == "sv" && strings.Contains(text, msg.T("fi", "caseStatus."+statusKey(tc.status))) {
					t.Errorf("%s reads Finnish: %q", who, text)
				}
			}
		})
	}
}

// statusKey is the message key of a status (in-progress: inProgress).
func statusKey(status string) string {
	parts := strings.Split(status, "-")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}
