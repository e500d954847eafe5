package cases_test

import (
	"encoding/json"
	"testing"

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
	var got []notify.Delivery
	live := 0
	e.st.View(func(tx *store.Tx) error {
		return tx.Scan(store.Outbox, "", func(_ string, raw []byte) error {
			var d notify.Delivery
			if err := json.Unmarshal(raw, &d); err != nil {
				return err
			}
			if d.Channel == notify.ChannelLive {
				live++
			} else {
				got = append(got, d)
			}
			return nil
		})
	})
	if len(got) != 1 || got[0].User != helmi.ID || got[0].Channel != notify.ChannelEmail {
		t.Errorf("outbox %+v, want one e-mail to Helmi", got)
	}
	if live != 2 {
		t.Errorf("%d live deliveries, want one to each", live)
	}
}

// TestSubmitForOrganisationNotifies: a submit in an organisation's name
// tells the people who hold the service's role in it now (not the actor,
// not another role's holder, not someone whose role ended), and the actor
// that they were told.
func TestSubmitForOrganisationNotifies(t *testing.T) {
	e := newEnv(t)
	inbox := &notify.Inbox{Store: e.st}
	aino := e.ref(hetuAino)
	e.editPerson(hetuMikko, func(p *population.Person) { p.Roles = []population.Role{{Organization: orgID, Role: "PJ"}} })
	e.editPerson(hetuMaria, func(p *population.Person) { p.Roles = []population.Role{{Organization: orgID, Role: "JÄSEN"}} })
	e.editPerson(hetuSven, func(p *population.Person) { p.Roles = []population.Role{{Organization: orgID, Role: "PJ"}} })
	e.editPerson(hetuSven, func(p *population.Person) { p.Roles = nil }) // ended before the submit

	d := e.create("association-grant", aino, orgRef())
	a := e.upload(d, "annualReport", "vuosikertomus-2026.pdf", pdfFile)
	e.save(d, associationGrantAnswers(a.ID))
	c := e.submit(d)
	for _, tc := range []struct {
		hetu, kind string
	}{{hetuMikko, notify.KindOrgSubmitted}, {hetuAino, notify.KindSubmittedFor}, {hetuMaria, ""}, {hetuSven, ""}} {
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
}
