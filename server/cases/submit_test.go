package cases_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/store"
)

// TestSubmitValidationErrors: errors come back, no case is made, the draft
// keeps everything typed and stays in the list.
func TestSubmitValidationErrors(t *testing.T) {
	tests := []struct {
		name    string
		service string
		edit    func(map[string]any)
		fields  []string
	}{
		{"missing required", "sports-shift", func(m map[string]any) { delete(m, "groupName"); delete(m, "hall") }, []string{"groupName", "hall"}},
		{"conditional field required when shown", "sports-shift", func(m map[string]any) { m["groupType"] = "association" }, []string{"businessId"}},
		{"bad business id", "sports-shift", func(m map[string]any) { m["groupType"] = "company"; m["businessId"] = "2345678-1" }, []string{"businessId"}},
		{"pattern", "sports-shift", func(m map[string]any) { m["startTime"] = "puoli seitsemän" }, []string{"startTime"}},
		{"number range", "sports-shift", func(m map[string]any) { m["participants"] = 61.0 }, []string{"participants"}},
		{"bad email", "sports-shift", func(m map[string]any) { m["contactEmail"] = "aino@" }, []string{"contactEmail"}},
		{"file id that is no attachment", "sports-shift", func(m map[string]any) { m["attachment"] = store.NewID(t0) }, []string{"attachment"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			aino := e.ref(hetuAino)
			d := e.create(tc.service, aino, nil)
			data := merge(d.Data, sportsShiftAnswers())
			tc.edit(data)
			d, _, err := e.svc.Save(d.ID, aino.ID, d.Version, data, 2)
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.svc.Submit(d.ID, aino)
			if err != nil {
				t.Fatal(err)
			}
			if res.Case != nil || res.Again {
				t.Errorf("a case was made: %+v", res.Case)
			}
			var got []string
			for _, fe := range res.Errors {
				got = append(got, fe.Field)
			}
			if !reflect.DeepEqual(got, tc.fields) {
				t.Errorf("errors on %v, want %v (%+v)", got, tc.fields, res.Errors)
			}
			after, err := e.svc.Draft(d.ID, aino.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(after, d) {
				t.Errorf("draft changed by a failed submit:\n got %+v\nwant %+v", after, d)
			}
			if cs, _ := e.svc.Cases(aino.ID); len(cs) != 0 {
				t.Errorf("%d cases", len(cs))
			}
			if ds, _ := e.svc.Drafts(aino.ID); len(ds) != 1 {
				t.Errorf("%d drafts listed, want 1", len(ds))
			}
			if n := countPrefix(t, e.st, store.CasesByRef, ""); n != 0 {
				t.Errorf("%d references taken", n)
			}
		})
	}
}

// TestSubmitCreatesCase: reference, status, event, indexes and answers.
func TestSubmitCreatesCase(t *testing.T) {
	tests := []struct {
		name      string
		service   string
		owner     string
		principal func(e *env) *cases.Ref
		answers   func(e *env, d *cases.Draft) map[string]any
		days      int // processing days
	}{
		{"sports-shift for self", "sports-shift", hetuAino, nil,
			func(*env, *cases.Draft) map[string]any { return sportsShiftAnswers() }, 21},
		{"early-education for a child", "early-education", hetuAino,
			func(e *env) *cases.Ref { return e.principal(hetuEetu, "guardian") },
			func(*env, *cases.Draft) map[string]any { return earlyEducationAnswers() }, 120},
		{"home-help under a mandate", "home-help", hetuJuhani,
			func(e *env) *cases.Ref { return e.principal(hetuHelmi, "mandate") },
			func(*env, *cases.Draft) map[string]any { return homeHelpAnswers() }, 30},
		{"association-grant for an organisation", "association-grant", hetuAino,
			func(*env) *cases.Ref { return orgRef() },
			func(e *env, d *cases.Draft) map[string]any {
				a := e.upload(d, "annualReport", "vuosikertomus-2026.pdf", pdfFile)
				return associationGrantAnswers(a.ID)
			}, 60},
		{"summer-job-voucher by a guardian", "summer-job-voucher", hetuAino,
			func(e *env) *cases.Ref { return e.principal(hetuElla, "guardian") },
			func(*env, *cases.Draft) map[string]any {
				return merge(summerJobAnswers(), map[string]any{"phone": "+358 45 111 2222", "email": "ella.virtanen@example.fi"})
			}, 14},
		{"building-notification", "building-notification", hetuAino, nil,
			func(e *env, d *cases.Draft) map[string]any {
				a := e.upload(d, "sitePlan", "asemapiirros.png", pngFile)
				return buildingAnswers(a.ID)
			}, 14},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.service == "building-notification" { // no co-owner: see TestPropertyOwnersMustBeParties
				e = newSoleOwnerEnv(t)
			}
			owner := e.ref(tc.owner)
			var principal *cases.Ref
			if tc.principal != nil {
				principal = tc.principal(e)
			}
			d := e.create(tc.service, owner, principal)
			d = e.save(d, tc.answers(e, d))
			now := e.clk.Add(time.Minute)
			c := e.submit(d)

			if c.Reference != "ESI-2027-000001" {
				t.Errorf("reference %q", c.Reference)
			}
			if c.Status != cases.StatusSubmitted || c.Service != tc.service || c.FormVersion != 1 || c.DraftID != d.ID {
				t.Errorf("case %s %s v%d draft %s", c.Status, c.Service, c.FormVersion, c.DraftID)
			}
			if c.Actor != owner || !reflect.DeepEqual(c.Principal, principal) {
				t.Errorf("actor %+v principal %+v", c.Actor, c.Principal)
			}
			if !c.SubmittedAt.Equal(now) || !c.DueAt.Equal(cases.DueAfter(now, tc.days, false)) {
				t.Errorf("submitted %v due %v", c.SubmittedAt, c.DueAt)
			}
			if !c.RetainUntil.After(now.AddDate(5, 0, 0)) {
				t.Errorf("RetainUntil %v", c.RetainUntil)
			}

			// The actor sees it with its first event.
			got, evs, err := e.svc.Case(c.ID, owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Reference != c.Reference || !reflect.DeepEqual(got.Answers, jsonRound(t, c.Answers)) {
				t.Errorf("stored case differs: %+v", got)
			}
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1", len(evs))
			}
			ev := evs[0]
			if ev.Type != "submitted" || ev.Case != c.ID || ev.Actor != owner || !reflect.DeepEqual(ev.Principal, principal) || !ev.At.Equal(now) {
				t.Errorf("event %+v", ev)
			}
			// The principal sees it too (an organisation through its role
			// holders: TestCaseAccess).
			if principal != nil && principal.Kind != "organization" {
				if _, _, err := e.svc.Case(c.ID, principal.ID); err != nil {
					t.Errorf("principal Case: %v", err)
				}
				if cs, _ := e.svc.Cases(principal.ID); len(cs) != 1 || cs[0].ID != c.ID {
					t.Errorf("principal Cases: %v", cs)
				}
			}
			if cs, _ := e.svc.Cases(owner.ID); len(cs) != 1 || cs[0].ID != c.ID {
				t.Errorf("actor Cases: %v", cs)
			}
			// Nobody else does, but for the child's other guardian
			// (read-only: TestCaseAccess).
			for _, h := range []string{hetuMaria, hetuSven, hetuMikko} {
				if h == tc.owner || (h == hetuMikko && principal != nil && principal.Kind == "guardian") {
					continue
				}
				other := e.ref(h)
				if _, _, err := e.svc.Case(c.ID, other.ID); err != cases.ErrNotFound {
					t.Errorf("%s Case: err = %v, want ErrNotFound", h, err)
				}
				if cs, _ := e.svc.Cases(other.ID); len(cs) != 0 {
					t.Errorf("%s Cases: %d", h, len(cs))
				}
			}
			// The reference index points at the case.
			e.st.View(func(tx *store.Tx) error {
				raw, err := tx.GetRaw(store.CasesByRef, c.Reference)
				if err != nil || string(raw) != c.ID {
					t.Errorf("cases_by_ref[%s] = %q, %v", c.Reference, raw, err)
				}
				return nil
			})
			// The draft is marked and off the list.
			dd, err := e.svc.Draft(d.ID, owner.ID)
			if err != nil || dd.CaseID != c.ID {
				t.Errorf("draft after submit: %v %+v", err, dd)
			}
			if ds, _ := e.svc.Drafts(owner.ID); len(ds) != 0 {
				t.Errorf("%d drafts listed after submit", len(ds))
			}
		})
	}
}

// jsonRound is what a value looks like after the store (numbers float64).
func jsonRound(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSubmitReferences: sequential per year, the year in Helsinki.
func TestSubmitReferences(t *testing.T) {
	tests := []struct {
		name string
		at   []time.Time
		want []string
	}{
		{"sequential", []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute)},
			[]string{"ESI-2027-000001", "ESI-2027-000002", "ESI-2027-000003"}},
		{"new year's eve in Helsinki is already next year",
			[]time.Time{
				time.Date(2026, 12, 31, 21, 30, 0, 0, time.UTC), // 23:30 in Helsinki
				time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC), // 00:30 on 1 January
				time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC),
			},
			[]string{"ESI-2026-000001", "ESI-2027-000001", "ESI-2027-000002"}},
		{"each year starts from one",
			[]time.Time{t0, t0.AddDate(1, 0, 0), t0.AddDate(1, 0, 1), t0.AddDate(2, 0, 0)},
			[]string{"ESI-2027-000001", "ESI-2028-000001", "ESI-2028-000002", "ESI-2029-000001"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			people := []string{hetuAino, hetuMaria, hetuSven, hetuMikko}
			for i, at := range tc.at {
				e.clk.Set(at)
				_, c := e.fill("sports-shift", e.ref(people[i%len(people)]), nil, merge(sportsShiftAnswers(), map[string]any{"contactPhone": "040 555 1234"}))
				if c.Reference != tc.want[i] {
					t.Errorf("submit at %v: reference %s, want %s", at, c.Reference, tc.want[i])
				}
			}
		})
	}
}

// TestSubmitAgain: a repeat returns the same case.
func TestSubmitAgain(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d, c := e.fill("sports-shift", aino, nil, sportsShiftAnswers())
	e.clk.Add(time.Minute)
	for i := 0; i < 3; i++ {
		res, err := e.svc.Submit(d.ID, aino)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Again || res.Case == nil || res.Case.ID != c.ID || res.Case.Reference != c.Reference || len(res.Errors) > 0 {
			t.Errorf("repeat %d: %+v", i, res)
		}
	}
	if cs, _ := e.svc.Cases(aino.ID); len(cs) != 1 {
		t.Errorf("%d cases", len(cs))
	}
	_, evs, _ := e.svc.Case(c.ID, aino.ID)
	if len(evs) != 1 {
		t.Errorf("%d events", len(evs))
	}
}

// TestSubmitConcurrent: 20 simultaneous submits of one draft make one case.
func TestSubmitConcurrent(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.save(e.create("sports-shift", aino, nil), sportsShiftAnswers())
	const n = 20
	var wg sync.WaitGroup
	results := make([]*cases.SubmitResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			results[i], errs[i] = e.svc.Submit(d.ID, aino)
		}(i)
	}
	close(start)
	wg.Wait()
	ids := map[string]bool{}
	fresh := 0
	for i := range results {
		if errs[i] != nil {
			t.Errorf("submit %d: %v", i, errs[i])
			continue
		}
		if results[i].Case == nil {
			t.Errorf("submit %d: no case %+v", i, results[i])
			continue
		}
		ids[results[i].Case.ID] = true
		if !results[i].Again {
			fresh++
		}
	}
	if len(ids) != 1 || fresh != 1 {
		t.Errorf("%d distinct cases, %d not marked Again; want 1 and 1", len(ids), fresh)
	}
	for _, b := range []string{store.Cases, store.CasesByRef, store.Events, store.CasesByUser} {
		if n := countPrefix(t, e.st, b, ""); n != 1 {
			t.Errorf("bucket %s has %d keys, want 1", b, n)
		}
	}
	e.st.View(func(tx *store.Tx) error {
		raw, _ := tx.GetRaw(store.Counters, "ref/esimerkkila/2027")
		if string(raw) != "1" {
			t.Errorf("reference counter = %q, want 1 (no reference numbers burnt)", raw)
		}
		return nil
	})
}

// TestSubmitClosedService: outside the window the draft is kept.
func TestSubmitClosedService(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		err  error
	}{
		{"before the window", time.Date(2027, 1, 15, 6, 59, 0, 0, time.UTC), cases.ErrClosed}, // 08:59 Helsinki
		{"opening moment", time.Date(2027, 1, 15, 7, 0, 0, 0, time.UTC), nil},
		{"last minute", time.Date(2027, 3, 31, 12, 59, 0, 0, time.UTC), nil}, // 15:59 EEST
		{"closing moment", time.Date(2027, 3, 31, 13, 0, 0, 0, time.UTC), cases.ErrClosed},
		{"after the window", time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC), cases.ErrClosed},
		{"next year", time.Date(2028, 2, 1, 9, 0, 0, 0, time.UTC), cases.ErrClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ella := e.ref(hetuElla)
			d := e.create("summer-job-voucher", ella, nil)
			d = e.save(d, merge(summerJobAnswers(), map[string]any{"email": "ella.virtanen@example.fi"}))
			e.clk.Set(tc.at)
			res, err := e.svc.Submit(d.ID, ella)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			after, derr := e.svc.Draft(d.ID, ella.ID)
			if derr != nil {
				t.Fatalf("draft lost: %v", derr)
			}
			if tc.err != nil {
				if res != nil && res.Case != nil {
					t.Errorf("case made: %+v", res.Case)
				}
				if !reflect.DeepEqual(after, d) {
					t.Errorf("draft changed:\n got %+v\nwant %+v", after, d)
				}
				if cs, _ := e.svc.Cases(ella.ID); len(cs) != 0 {
					t.Errorf("%d cases", len(cs))
				}
			} else if res.Case == nil || after.CaseID != res.Case.ID {
				t.Errorf("no case: %+v", res)
			}
		})
	}
}

// TestSubmitStoresVisibleAnswersAndKnownConcepts: hidden fields are not
// stored; Known maps each answered concept (no files, no groups).
func TestSubmitStoresVisibleAnswersAndKnownConcepts(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("sports-shift", aino, nil)
	a := e.upload(d, "attachment", "vuorolista.pdf", pdfFile)
	d = e.save(d, merge(sportsShiftAnswers(), map[string]any{
		"groupType": "informal", "businessId": orgID, // hidden
		"equipmentNeeded": false, "equipment": "Kaksi maalia", // hidden
		"contactEmail": "  aino.virtanen@example.fi ", "groupName": "  Esimerkkilän   Sählykerho ",
		"attachment": a.ID,
	}))
	c := e.submit(d)
	for _, k := range []string{"businessId", "equipment"} {
		if _, ok := c.Answers[k]; ok {
			t.Errorf("hidden %s stored: %v", k, c.Answers[k])
		}
	}
	if c.Answers["groupName"] != "Esimerkkilän Sählykerho" || c.Answers["contactEmail"] != "aino.virtanen@example.fi" {
		t.Errorf("answers not cleaned: %q %q", c.Answers["groupName"], c.Answers["contactEmail"])
	}
	want := map[string]any{
		"person.name.first": "Aino", "person.name.last": "Virtanen",
		"contact.email": "aino.virtanen@example.fi", "contact.phone": "+358 40 123 4567",
		"group.name": "Esimerkkilän Sählykerho", "group.type": "informal", "group.ageGroup": "adults",
		"group.participants": 14.0, "booking.facility": "sports-centre-small", "booking.weekday": "tue",
		"booking.startTime": "18:30", "booking.duration": "90", "booking.season": "full",
		"booking.equipmentNeeded": false, "booking.notes": "Toivomme samaa vuoroa kuin viime kaudella.",
	}
	got, _, err := e.svc.Case(c.ID, aino.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Known, want) {
		t.Errorf("Known =\n %v\nwant\n %v", got.Known, want)
	}
	// Known is read from the answers; the record does not repeat them.
	e.st.View(func(tx *store.Tx) error {
		if raw, err := tx.GetRaw(store.Cases, c.ID); err != nil || bytes.Contains(raw, []byte(`"known"`)) {
			t.Errorf("case record %s, %v; want it without known", raw, err)
		}
		return nil
	})
	if len(got.Attachments) != 1 || got.Attachments[0].ID != a.ID {
		t.Errorf("case attachments %+v", got.Attachments)
	}
	// Submitting moved the answers into the case (issue 9: the store keeps
	// one copy): the draft's answers are the case's, and what the case does
	// not keep (hidden values) is gone with the draft's data.
	dd, err := e.svc.Draft(d.ID, aino.ID)
	if err != nil || dd.CaseID != c.ID || !reflect.DeepEqual(dd.Data, c.Answers) {
		t.Errorf("submitted draft: %v, answers %v, want the case's", err, dd.Data)
	}
	if _, ok := dd.Data["businessId"]; ok {
		t.Errorf("the hidden value outlived the submit")
	}
	if n := countPrefix(t, e.st, store.DraftData, d.ID); n != 0 {
		t.Errorf("the draft's answers are still stored")
	}
	// Its record moved to the sent ones (Drafts keeps drafts being written).
	if countPrefix(t, e.st, store.Drafts, d.ID) != 0 || countPrefix(t, e.st, store.DraftsSent, d.ID) != 1 {
		t.Errorf("the sent draft's record is not (only) in drafts_sent")
	}
}

// TestSubmitKeepsLockedValues: a locked prefilled value in the case is the
// register's, whatever the draft data says.
func TestSubmitKeepsLockedValues(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("early-education", aino, e.principal(hetuEetu, "guardian"))
	data := merge(d.Data, earlyEducationAnswers())
	data["childHetu"] = hetuElla // a valid hetu, but not the child acted for
	data["childFirstName"] = "Ella"
	d, _, err := e.svc.Save(d.ID, aino.ID, d.Version, data, -1)
	if err != nil {
		t.Fatal(err)
	}
	c := e.submit(d)
	if c.Answers["childHetu"] != hetuEetu || c.Answers["childFirstName"] != "Eetu" {
		t.Errorf("case for Eetu has child %v %v", c.Answers["childFirstName"], c.Answers["childHetu"])
	}
}

// TestSubmitUsesLatestSave: the case has the answers of the last save.
func TestSubmitUsesLatestSave(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.save(e.create("sports-shift", aino, nil), sportsShiftAnswers())
	d = e.save(d, map[string]any{"groupName": "Uusi nimi"})
	c := e.submit(d)
	if c.Answers["groupName"] != "Uusi nimi" {
		t.Errorf("groupName %v", c.Answers["groupName"])
	}
}
