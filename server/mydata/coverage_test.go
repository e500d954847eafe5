package mydata_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"sort"
	"strings"
	"testing"
	"time"

	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/config"
	"asiointi/server/identity"
	"asiointi/server/mydata"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
	"asiointi/server/wiring"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

// world is a store with every kind of data about the demo people.
type world struct {
	t     testing.TB
	st    *store.Store
	parts *wiring.Parts
	clk   *clock
	col   *mydata.Collector
}

func newWorld(t testing.TB) *world {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	st, err := storetest.Open(t, cfg.DataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)}
	demo, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity.Seed(st, demo, clk.Now()); err != nil {
		t.Fatal(err)
	}
	parts, err := wiring.Build(st, wiring.Options{Config: cfg, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	col := &mydata.Collector{Store: st, Forms: parts.Cases.Forms, Catalog: parts.Catalog, Msg: parts.Messages,
		SessionEnds: parts.Sessions.ExpiresAt, Now: clk.Now}
	return &world{t: t, st: st, parts: parts, clk: clk, col: col}
}

func (w *world) person(hetu string) population.Person {
	w.t.Helper()
	p, err := w.parts.Directory.PersonByHetu(hetu)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func ref(p population.Person, kind string) cases.Ref {
	return cases.Ref{ID: p.ID, Name: p.Name(), Kind: kind}
}

// fill writes a draft with answers over the prefill; send submits it.
func (w *world) fill(service string, owner cases.Ref, principal *cases.Ref, answers map[string]any) *cases.Draft {
	w.t.Helper()
	svc := w.parts.Cases
	d, err := svc.CreateDraft(service, owner, principal)
	if err != nil {
		w.t.Fatalf("create %s: %v", service, err)
	}
	data := map[string]any{}
	for k, v := range d.Data {
		data[k] = v
	}
	for k, v := range answers {
		data[k] = v
	}
	out, errs, err := svc.Save(d.ID, owner.ID, d.Version, data, -1)
	if err != nil || len(errs) > 0 {
		w.t.Fatalf("save %s: %v %v", service, err, errs)
	}
	return out
}

func (w *world) send(d *cases.Draft) *cases.Case {
	w.t.Helper()
	res, err := w.parts.Cases.Submit(d.ID, d.Owner)
	if err != nil || len(res.Errors) > 0 {
		w.t.Fatalf("submit %s: %v %+v", d.Service, err, res)
	}
	return res.Case
}

var pdf = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

func (w *world) attach(d *cases.Draft, field string) string {
	w.t.Helper()
	a, err := w.parts.Cases.AddAttachment(d.ID, d.Owner.ID, field, cases.Upload{Name: "a.pdf", Size: int64(len(pdf)), Content: bytes.NewReader(pdf)})
	if err != nil {
		w.t.Fatal(err)
	}
	return a.ID
}

// build writes every kind of data the service keeps about Aino, her
// child Eetu, Helmi (for whom Juhani acts), Juhani and Sven (a party).
func (w *world) build() {
	t := w.t
	aino, eetu, helmi, juhani, sven := w.person("140386-902R"), w.person("210620A925C"), w.person("050840-948K"),
		w.person("300468-951T"), w.person("171279-9677")
	svc := w.parts.Cases
	// A draft that expired (the destruction log).
	old := w.fill("sports-shift", ref(sven, identity.Resident), nil, nil)
	w.clk.t = old.ExpiresAt.Add(time.Minute)
	for range 2 {
		if _, _, err := svc.Housekeep(); err != nil {
			t.Fatal(err)
		}
	}
	// Aino's own application with a file, decided by a handler who kept a note.
	d := w.fill("sports-shift", ref(aino, identity.Resident), nil, map[string]any{
		"groupName": "Sähly", "groupType": "informal", "ageGroup": "adults", "participants": 14.0, "hall": "sports-centre-small",
		"weekday": "tue", "startTime": "18.30", "duration": "90", "season": "full", "equipmentNeeded": false})
	d = w.fill2(d, map[string]any{"attachment": w.attach(d, "attachment")})
	sports := w.send(d)
	sara := cases.Ref{ID: "sara", Name: "Sara", Kind: identity.Staff}
	if _, _, _, err := svc.HandlerCase(sports.ID, sara); err != nil { // an access-log entry
		t.Fatal(err)
	}
	if c, err := svc.Assign(sports.ID, sara, 0, "sara"); err != nil {
		t.Fatal(err)
	} else if _, err := svc.AddNote(sports.ID, sara, "Soitettu."); err != nil {
		t.Fatal(err)
	} else if _, err := svc.Decide(sports.ID, sara, c.Version, cases.OutcomeApproved, "Vuoro myönnetään.", nil); err != nil {
		t.Fatal(err)
	}
	// Shared read-only with Sven, who has looked at it.
	if _, err := svc.ShareCase(sports.ID, ref(aino, identity.Resident), sven.Name(), sven.Hetu); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SharedCase(sports.ID, ref(sven, identity.Resident)); err != nil {
		t.Fatal(err)
	}
	// An open draft with a file.
	open := w.fill("sports-shift", ref(aino, identity.Resident), nil, map[string]any{"groupName": "Kesken"})
	w.fill2(open, map[string]any{"attachment": w.attach(open, "attachment")})
	// Early education for Eetu, sent by Aino.
	w.send(w.fill("early-education", ref(aino, identity.Resident), &cases.Ref{ID: eetu.ID, Name: eetu.Name(), Kind: identity.PrincipalGuardian},
		map[string]any{"specialNeeds": "", "startDate": "2027-08-02", "urgent": "no", "careNeed": "fullDay", "preferredUnits": []any{"satakieli"}, "otherGuardianKnows": true}))
	// A building notification naming Sven: he is invited to approve.
	b := w.fill("building-notification", ref(aino, identity.Resident), nil, nil)
	if _, errs, err := svc.AddParty(b.ID, ref(aino, identity.Resident), cases.PartyInput{Name: sven.Name(), Hetu: sven.Hetu, Email: "sven@example.fi"}); err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	b = w.fill2(b, map[string]any{"street": "Koulukatu 5", "postalCode": "99100", "city": "Esimerkkilä", "measure": "shed", "shedArea": 12.5,
		"description": "Varasto.", "startDate": "2027-05-03"})
	b = w.fill2(b, map[string]any{"sitePlan": w.attach(b, "sitePlan")})
	w.send(b)
	// Juhani for Helmi: one sent (Helmi is told: notices and deliveries), one open.
	helmiRef := &cases.Ref{ID: helmi.ID, Name: helmi.Name(), Kind: identity.PrincipalMandate}
	hh := map[string]any{"livesAlone": "yes", "helpWith": []any{"washing"}, "situation": "Kaaduin.", "hasContactPerson": "no",
		"consentHealthInfo": true, "confirmCorrect": true}
	w.send(w.fill("home-help", ref(juhani, identity.Resident), helmiRef, hh))
	w.fill("home-help", ref(juhani, identity.Resident), helmiRef, map[string]any{"situation": "Kesken."})
	// A paper power of attorney from Helmi to Sven, recorded with its scan.
	if err := w.parts.Directory.RecordPaperMandate(audit.Who{ID: "kaisa", Name: "Kaisa", Kind: identity.Staff}, []string{"home-help"},
		identity.PaperMandate{Holder: sven.ID, Principal: helmi.ID, ValidFrom: "2027-01-01", Document: "ESI/2027/1",
			Issues: []string{"http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito"},
			Scan:   &identity.ScanFile{Name: "valtakirja.pdf", Content: pdf}}, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	// Settings, devices, sessions (one acting for Eetu), the demo outbox.
	if err := w.parts.Prefs.Save(aino.ID, []string{notify.ChannelEmail}, map[string][]string{notify.KindDraftExpiring: {notify.ChannelEmail}}); err != nil {
		t.Fatal(err)
	}
	key := append([]byte{4}, bytes.Repeat([]byte{1}, 64)...)
	if _, err := w.parts.Push.Subscribe(aino.ID, "https://fcm.googleapis.com/fcm/send/x", base64.RawURLEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{2}, 16)), "Firefox on Linux"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.parts.Sessions.Create(identity.Session{UserID: aino.ID, Kind: identity.Resident, Name: aino.Name(),
		ActingFor: eetu.ID, ActingAs: identity.PrincipalGuardian, ActingName: eetu.Name()}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.parts.Sessions.Create(identity.Session{UserID: sven.ID, Kind: identity.Resident, Name: sven.Name()}); err != nil {
		t.Fatal(err)
	}
	if err := w.parts.Outbox.Send(context.Background(), notify.Message{Channel: notify.ChannelEmail, To: aino.Email, User: aino.ID,
		Subject: "Hakemus", Text: "x", Key: "k1"}); err != nil {
		t.Fatal(err)
	}
	// Things that are about no one in particular.
	if _, err := w.parts.LoginStates.Begin("saml", map[string]string{"relay": "/fi/"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	// A guardian's reading of the child's data (audit).
	if err := w.st.Update(func(tx *store.Tx) error {
		return audit.RecordAccess(tx, w.clk.Now(), audit.Access{Actor: audit.Actor{ID: aino.ID, Name: aino.Name(), Role: "resident"},
			Subject: eetu.ID, Kind: audit.KindMyData, Purpose: audit.PurposeGuardian})
	}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) fill2(d *cases.Draft, more map[string]any) *cases.Draft {
	w.t.Helper()
	full, err := w.parts.Cases.Draft(d.ID, d.Owner.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	for k, v := range more {
		full.Data[k] = v
	}
	out, errs, err := w.parts.Cases.Save(d.ID, d.Owner.ID, full.Version, full.Data, -1)
	if err != nil || len(errs) > 0 {
		w.t.Fatalf("save: %v %v", err, errs)
	}
	return out
}

// concerns: a record names the person (id, henkilötunnus, e-mail).
func concerns(p population.Person, bucket, key string, raw []byte) bool {
	if bucket == store.AccessLog { // an entry is about whose data was read
		return bytes.Contains(raw, []byte(`"subject":"`+p.ID+`"`))
	}
	for _, s := range []string{p.ID, p.Hetu, p.Email} {
		if s != "" && (strings.Contains(key, s) || bytes.Contains(raw, []byte(s))) {
			return true
		}
	}
	return false
}

// TestEveryBucketIsCovered walks every bucket of a store holding every
// kind of data about the demo people: a bucket nobody has classified
// fails (mydata.Coverage), so does a record about a person in a bucket
// said to hold nothing personal, and so does a record about a person in
// a Shown bucket that the person's data does not show. Every Shown
// bucket must hold something about someone here (extend build when a new
// kind of data appears).
func TestEveryBucketIsCovered(t *testing.T) {
	w := newWorld(t)
	w.build()
	people := []string{"140386-902R", "210620A925C", "050840-948K", "300468-951T", "171279-9677", "030392-974H", "021184-9139"}
	exercised := map[string]bool{}
	for _, b := range store.Buckets() {
		if _, ok := mydata.Coverage[b]; !ok {
			t.Errorf("bucket %q is not in mydata.Coverage: say whether my data shows it", b)
		}
	}
	for _, hetu := range people {
		p := w.person(hetu)
		d, err := w.col.Collect(p.ID, "fi", nil)
		if err != nil {
			t.Fatal(err)
		}
		var missing []string
		err = w.st.View(func(tx *store.Tx) error {
			for _, b := range store.Buckets() {
				cov := mydata.Coverage[b]
				if err := tx.Scan(b, "", func(key string, raw []byte) error {
					if !concerns(p, b, key, raw) {
						return nil
					}
					switch cov.Class {
					case mydata.NoPersonal:
						missing = append(missing, b+": "+key+" (said to hold nothing personal)")
					case mydata.Shown:
						exercised[b] = true
						if !d.Covers(b, key) {
							missing = append(missing, b+": "+key)
						}
					}
					return nil
				}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(missing)
		for _, m := range missing {
			t.Errorf("%s's data does not show %s", p.FirstName, m)
		}
	}
	for b, cov := range mydata.Coverage {
		// Counters, Due and CasesByRef are keyed by ids that name no
		// person; Settings holds the register's properties.
		if cov.Class == mydata.Shown && !exercised[b] && b != store.CasesByRef && b != store.Due {
			t.Errorf("no record about anyone in Shown bucket %q: extend build so the test covers it", b)
		}
	}
}
