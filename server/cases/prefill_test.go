package cases_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/identity"
)

// TestCreateDraftPrefill: the registers fill fields by concept, one case
// per demo form, each value with whom it is about and its real source:
// person.* and child.* from the person the form is for (names, identity
// code and address from the population register, phone and e-mail from
// their contact details), contact.* from the person filling it in (their
// contact details), organization.* from the business register,
// property.id from the land register, and contactPerson.* from the person
// filling it in when they act for someone else.
func TestCreateDraftPrefill(t *testing.T) {
	type want struct {
		value  any
		source string
		about  string
	}
	const (
		pop  = cases.SourcePopulation
		cd   = cases.SourceContactDetails
		land = cases.SourceLandRegister
		org  = cases.SourceOrganization
		subj = cases.AboutSubject
		act  = cases.AboutActor
	)
	tests := []struct {
		name      string
		service   string
		owner     string
		principal func(e *env) *cases.Ref
		want      map[string]want
		absent    []string // prefill fields the registers cannot answer
	}{
		{
			name: "sports-shift for self", service: "sports-shift", owner: hetuAino,
			want: map[string]want{
				"contactFirstName": {"Aino", pop, subj},
				"contactLastName":  {"Virtanen", pop, subj},
				"contactEmail":     {"aino.virtanen@example.fi", cd, act},
				"contactPhone":     {"+358 40 123 4567", cd, act},
			},
		},
		{
			name: "sports-shift for self, no phone in the contact details", service: "sports-shift", owner: hetuMaria,
			want: map[string]want{
				"contactFirstName": {"Maria", pop, subj},
				"contactLastName":  {"Nieminen", pop, subj},
				"contactEmail":     {"maria.nieminen@example.fi", cd, act},
			},
			absent: []string{"contactPhone"},
		},
		{
			name: "early-education for a child: child from the child, contact from the guardian", service: "early-education", owner: hetuAino,
			principal: func(e *env) *cases.Ref { return e.principal(hetuEetu, "guardian") },
			want: map[string]want{
				"childFirstName": {"Eetu", pop, subj},
				"childLastName":  {"Virtanen", pop, subj},
				"childHetu":      {hetuEetu, pop, subj},
				"guardianEmail":  {"aino.virtanen@example.fi", cd, act},
				"guardianPhone":  {"+358 40 123 4567", cd, act},
			},
		},
		{
			name: "association-grant for the organisation", service: "association-grant", owner: hetuAino,
			principal: func(*env) *cases.Ref { return orgRef() },
			want: map[string]want{
				"orgName":    {orgName, org, subj},
				"businessId": {orgID, org, subj},
				"email":      {"aino.virtanen@example.fi", cd, act},
				"phone":      {"+358 40 123 4567", cd, act},
			},
		},
		{
			name: "home-help under a mandate: Helmi's section from Helmi, the contact person is Juhani", service: "home-help", owner: hetuJuhani,
			principal: func(e *env) *cases.Ref { return e.principal(hetuHelmi, "mandate") },
			want: map[string]want{
				"firstName":  {"Helmi", pop, subj},
				"lastName":   {"Korhonen", pop, subj},
				"hetu":       {hetuHelmi, pop, subj},
				"street":     {"Kirkkotie 12", pop, subj},
				"postalCode": {"99130", pop, subj},
				"city":       {"Esimerkkilä", pop, subj},
				"phone":      {"+358 9 555 0101", cd, subj}, // Helmi's, not Juhani's
				// The contact person is the one filling in the form.
				"contactName":  {"Juhani Korhonen", pop, act},
				"contactPhone": {"+358 50 222 3333", cd, act},
				"contactEmail": {"juhani.korhonen@example.fi", cd, act},
			},
		},
		{
			name: "home-help for oneself: no contact person prefilled", service: "home-help", owner: hetuJuhani,
			want: map[string]want{
				"firstName":  {"Juhani", pop, subj},
				"lastName":   {"Korhonen", pop, subj},
				"hetu":       {hetuJuhani, pop, subj},
				"street":     {"Myllytie 3", pop, subj},
				"postalCode": {"99120", pop, subj},
				"city":       {"Esimerkkilä", pop, subj},
				"phone":      {"+358 50 222 3333", cd, subj},
			},
			absent: []string{"contactName", "contactPhone", "contactEmail"},
		},
		{
			name: "building-notification: the subject's property from the land register", service: "building-notification", owner: hetuAino,
			want: map[string]want{
				"propertyId": {"123-456-7-89", land, subj},
				"phone":      {"+358 40 123 4567", cd, act},
				"email":      {"aino.virtanen@example.fi", cd, act},
			},
		},
		{
			name: "summer-job-voucher for self", service: "summer-job-voucher", owner: hetuElla,
			want: map[string]want{
				"firstName": {"Ella", pop, subj},
				"lastName":  {"Virtanen", pop, subj},
				"hetu":      {hetuElla, pop, subj},
				"phone":     {"+358 45 111 2222", cd, subj},
			},
			absent: []string{"email"},
		},
		{
			name: "summer-job-voucher by a guardian: the young person's details are the young person's", service: "summer-job-voucher", owner: hetuAino,
			principal: func(e *env) *cases.Ref { return e.principal(hetuElla, "guardian") },
			want: map[string]want{
				"firstName": {"Ella", pop, subj},
				"lastName":  {"Virtanen", pop, subj},
				"hetu":      {hetuElla, pop, subj},
				"phone":     {"+358 45 111 2222", cd, subj},
			},
			absent: []string{"email"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var principal *cases.Ref
			if tc.principal != nil {
				principal = tc.principal(e)
			}
			d := e.create(tc.service, e.ref(tc.owner), principal)
			for id, w := range tc.want {
				if got := d.Data[id]; got != w.value {
					t.Errorf("data[%s] = %v, want %v", id, got, w.value)
				}
				if got := d.Prefill[id].Source; got != w.source {
					t.Errorf("prefill[%s].source = %q, want %q", id, got, w.source)
				}
				if got := d.Prefill[id].About; got != w.about {
					t.Errorf("prefill[%s].about = %q, want %q", id, got, w.about)
				}
			}
			for _, id := range tc.absent {
				if v, ok := d.Data[id]; ok {
					t.Errorf("data[%s] = %v, want nothing (the register does not know it)", id, v)
				}
				if _, ok := d.Prefill[id]; ok {
					t.Errorf("prefill[%s] is set", id)
				}
			}
			if len(d.Prefill) != len(tc.want) {
				t.Errorf("prefill has %d fields %v, want %d", len(d.Prefill), d.Prefill, len(tc.want))
			}
			// The prefill sources survive a reload (GET /drafts/{id}).
			got, err := e.svc.Draft(d.ID, d.Owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			for id, w := range tc.want {
				if got.Prefill[id].Source != w.source || got.Data[id] != w.value {
					t.Errorf("reloaded %s: %v from %+v", id, got.Data[id], got.Prefill[id])
				}
			}
			if !reflect.DeepEqual(got.Principal, principal) {
				t.Errorf("principal = %+v, want %+v", got.Principal, principal)
			}
		})
	}
}

// TestCreateDraftBasics: version 1, the newest form, expiry after the
// service's draft retention.
func TestCreateDraftBasics(t *testing.T) {
	tests := []struct {
		service   string
		principal func(e *env) *cases.Ref // whom Aino applies for, as the service requires
		days      int
	}{
		{"sports-shift", nil, 30},
		{"early-education", func(e *env) *cases.Ref { return e.principal(hetuEetu, "guardian") }, 60},
		{"home-help", nil, 30},
		{"building-notification", nil, 90},
		{"summer-job-voucher", func(e *env) *cases.Ref { return e.principal(hetuElla, "guardian") }, 30},
		{"association-grant", func(*env) *cases.Ref { return orgRef() }, 90},
	}
	for _, tc := range tests {
		t.Run(tc.service, func(t *testing.T) {
			e := newEnv(t)
			svc, _ := e.cat.Service(tc.service)
			if svc.DraftRetentionDays != tc.days {
				t.Fatalf("catalogue draftRetentionDays = %d, test expects %d", svc.DraftRetentionDays, tc.days)
			}
			var principal *cases.Ref
			if tc.principal != nil {
				principal = tc.principal(e)
			}
			d := e.create(tc.service, e.ref(hetuAino), principal)
			if d.Version != 1 || d.FormVersion != 1 || d.CaseID != "" {
				t.Errorf("version %d, form version %d, case %q", d.Version, d.FormVersion, d.CaseID)
			}
			if want := t0.AddDate(0, 0, tc.days); !d.ExpiresAt.Equal(want) {
				t.Errorf("ExpiresAt = %v, want %v", d.ExpiresAt, want)
			}
			if !d.CreatedAt.Equal(t0) || !d.UpdatedAt.Equal(t0) {
				t.Errorf("created %v updated %v, want %v", d.CreatedAt, d.UpdatedAt, t0)
			}
		})
	}
	t.Run("unknown service", func(t *testing.T) {
		e := newEnv(t)
		if _, err := e.svc.CreateDraft("dog-licence", e.ref(hetuAino), nil); !isNotFound(err) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}

// TestPrefillFromEarlierCase: the resident's own earlier answers fill a
// later form by concept. The documented rule (prefill.go): the register
// first, then earlier answers for the same subject, newest case first.
func TestPrefillFromEarlierCase(t *testing.T) {
	tests := []struct {
		name       string
		owner      string
		first      map[string]any // sports-shift answers of the earlier case(s), in order
		second     map[string]any
		next       string // service of the new draft
		field      string // field of the new draft to look at
		wantValue  any
		wantSource string
		wantRef    string // reference of the case it came from
	}{
		{
			name: "register has no phone: the earlier answer fills it", owner: hetuMaria,
			first: map[string]any{"contactPhone": "040 555 1234"}, next: "sports-shift", field: "contactPhone",
			wantValue: "040 555 1234", wantSource: cases.SourceEarlierCase, wantRef: "ESI-2027-000001",
		},
		{
			name: "same concept on another form", owner: hetuMaria,
			first: map[string]any{"contactPhone": "040 555 1234"}, next: "building-notification", field: "phone",
			wantValue: "040 555 1234", wantSource: cases.SourceEarlierCase, wantRef: "ESI-2027-000001",
		},
		{
			name: "the newest earlier answer wins", owner: hetuMaria,
			first:  map[string]any{"contactPhone": "040 555 1234"},
			second: map[string]any{"contactPhone": "050 777 8888"}, next: "sports-shift", field: "contactPhone",
			wantValue: "050 777 8888", wantSource: cases.SourceEarlierCase, wantRef: "ESI-2027-000002",
		},
		{
			name: "the contact details win over a changed earlier answer", owner: hetuAino,
			first: map[string]any{"contactPhone": "040 999 0000"}, next: "sports-shift", field: "contactPhone",
			wantValue: "+358 40 123 4567", wantSource: cases.SourceContactDetails,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			owner := e.ref(tc.owner)
			_, c1 := e.fill("sports-shift", owner, nil, merge(sportsShiftAnswers(), tc.first))
			if c1.Known["contact.phone"] != tc.first["contactPhone"] {
				t.Fatalf("case Known[contact.phone] = %v", c1.Known["contact.phone"])
			}
			cs := []*cases.Case{c1}
			if tc.second != nil {
				e.clk.Add(time.Hour)
				_, c2 := e.fill("sports-shift", owner, nil, merge(sportsShiftAnswers(), tc.second))
				cs = append(cs, c2)
			}
			e.clk.Add(time.Hour)
			d := e.create(tc.next, owner, nil)
			if got := d.Data[tc.field]; got != tc.wantValue {
				t.Errorf("data[%s] = %v, want %v", tc.field, got, tc.wantValue)
			}
			src := d.Prefill[tc.field]
			if src.Source != tc.wantSource {
				t.Errorf("source = %q, want %q", src.Source, tc.wantSource)
			}
			if tc.wantRef != "" {
				var from *cases.Case
				for _, c := range cs {
					if c.Reference == tc.wantRef {
						from = c
					}
				}
				if from == nil || src.Case != from.ID || src.Reference != tc.wantRef {
					t.Errorf("prefill from case %q %q, want %s", src.Case, src.Reference, tc.wantRef)
				}
			} else if src.Case != "" || src.Reference != "" {
				t.Errorf("register value names a case: %+v", src)
			}
			// The reference survives a reload.
			got, err := e.svc.Draft(d.ID, owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Prefill[tc.field].Reference != src.Reference || got.Prefill[tc.field].Source != src.Source {
				t.Errorf("reloaded prefill %+v, want %+v", got.Prefill[tc.field], src)
			}
		})
	}
}

// TestPrefillEarlierCaseOnlyOwnAndSameSubject: an answer given for
// someone else, or by someone else, is not reused.
func TestPrefillEarlierCaseOnlyOwnAndSameSubject(t *testing.T) {
	e := newEnv(t)
	maria := e.ref(hetuMaria)
	_, c := e.fill("sports-shift", maria, nil, merge(sportsShiftAnswers(), map[string]any{"contactPhone": "040 555 1234"}))
	if c.Reference != "ESI-2027-000001" {
		t.Fatalf("reference %s", c.Reference)
	}
	// Another person (Sven has his own phone; Eetu has none) never sees it.
	for _, h := range []string{hetuSven, hetuEetu} {
		d := e.create("sports-shift", e.ref(h), nil)
		if src, ok := d.Prefill["contactPhone"]; ok && src.Source == cases.SourceEarlierCase {
			t.Errorf("%s got Maria's answer: %+v", h, src)
		}
		if d.Data["contactPhone"] == "040 555 1234" {
			t.Errorf("%s got Maria's phone", h)
		}
	}
}

// TestPrefillSummerJobVoucherYoungPersonsPhone: the summer-job-voucher
// form asks for "the young person's own number" (help text of field
// "phone"); when a guardian applies for Ella, Ella's number must be
// prefilled, not the guardian's.
func TestPrefillSummerJobVoucherYoungPersonsPhone(t *testing.T) {
	e := newEnv(t)
	d := e.create("summer-job-voucher", e.ref(hetuAino), e.principal(hetuElla, "guardian"))
	if d.Data["firstName"] != "Ella" || d.Data["hetu"] != hetuElla {
		t.Fatalf("young person not prefilled: %v", d.Data)
	}
	if got := d.Data["phone"]; got != "+358 45 111 2222" {
		t.Errorf("phone = %v, want Ella's own number +358 45 111 2222 (the field asks for the young person's number)", got)
	}
}

// TestPrefillAddressProtected: a person under non-disclosure of address
// (turvakielto, from e-Identification) gets no address prefilled, neither
// from the register nor from earlier answers; other fields still are.
func TestPrefillAddressProtected(t *testing.T) {
	for _, protected := range []bool{false, true} {
		t.Run(fmt.Sprint("protected=", protected), func(t *testing.T) {
			e := newEnv(t)
			helmi, err := e.reg.PersonByHetu(hetuHelmi)
			if err != nil {
				t.Fatal(err)
			}
			in := identity.Identified{Hetu: hetuHelmi, AddressProtected: protected, Address: helmi.Address}
			if _, err := e.reg.Identify(in, t0); err != nil {
				t.Fatal(err)
			}
			d := e.create("home-help", e.ref(hetuJuhani), e.principal(hetuHelmi, "mandate"))
			for _, id := range []string{"street", "postalCode", "city"} {
				_, ok := d.Data[id]
				if ok == protected {
					t.Errorf("data[%s] present = %v, want %v", id, ok, !protected)
				}
			}
			if d.Data["hetu"] != hetuHelmi {
				t.Errorf("hetu = %v, want it prefilled still", d.Data["hetu"])
			}
		})
	}
}
