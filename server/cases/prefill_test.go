package cases_test

import (
	"reflect"
	"testing"
	"time"

	"asiointi/server/cases"
)

// TestCreateDraftPrefill: the register fills fields by concept — person.*
// and child.* from the person the form is for, contact.* from the person
// filling it in, organization.* from the organisation acted for.
func TestCreateDraftPrefill(t *testing.T) {
	type want struct {
		value  any
		source string
	}
	tests := []struct {
		name      string
		service   string
		owner     string
		principal func(e *env) *cases.Ref
		want      map[string]want
		absent    []string // prefill fields the register cannot answer
	}{
		{
			name: "sports-shift for self", service: "sports-shift", owner: hetuAino,
			want: map[string]want{
				"contactFirstName": {"Aino", "population"},
				"contactLastName":  {"Virtanen", "population"},
				"contactEmail":     {"aino.virtanen@example.fi", "population"},
				"contactPhone":     {"+358 40 123 4567", "population"},
			},
		},
		{
			name: "sports-shift for self, no phone in the register", service: "sports-shift", owner: hetuMaria,
			want: map[string]want{
				"contactFirstName": {"Maria", "population"},
				"contactLastName":  {"Nieminen", "population"},
				"contactEmail":     {"maria.nieminen@example.fi", "population"},
			},
			absent: []string{"contactPhone"},
		},
		{
			name: "early-education for a child: child from the child, contact from the guardian", service: "early-education", owner: hetuAino,
			principal: func(e *env) *cases.Ref { return e.principal(hetuEetu, "guardian") },
			want: map[string]want{
				"childFirstName": {"Eetu", "population"},
				"childLastName":  {"Virtanen", "population"},
				"childHetu":      {hetuEetu, "population"},
				"guardianEmail":  {"aino.virtanen@example.fi", "population"},
				"guardianPhone":  {"+358 40 123 4567", "population"},
			},
		},
		{
			name: "association-grant for the organisation", service: "association-grant", owner: hetuAino,
			principal: func(*env) *cases.Ref { return orgRef() },
			want: map[string]want{
				"orgName":    {orgName, "organization"},
				"businessId": {orgID, "organization"},
				"email":      {"aino.virtanen@example.fi", "population"},
				"phone":      {"+358 40 123 4567", "population"},
			},
		},
		{
			name: "home-help under a mandate: the person from the principal", service: "home-help", owner: hetuJuhani,
			principal: func(e *env) *cases.Ref { return e.principal(hetuHelmi, "mandate") },
			want: map[string]want{
				"firstName":  {"Helmi", "population"},
				"lastName":   {"Korhonen", "population"},
				"hetu":       {hetuHelmi, "population"},
				"street":     {"Kirkkotie 12", "population"},
				"postalCode": {"99130", "population"},
				"city":       {"Esimerkkilä", "population"},
				// contact.* is the person filling in the form ("the person
				// who needs help, or you").
				"phone": {"+358 50 222 3333", "population"},
			},
		},
		{
			name: "building-notification: the subject's property", service: "building-notification", owner: hetuAino,
			want: map[string]want{
				"propertyId": {"123-456-7-89", "population"},
				"phone":      {"+358 40 123 4567", "population"},
				"email":      {"aino.virtanen@example.fi", "population"},
			},
		},
		{
			name: "summer-job-voucher for self", service: "summer-job-voucher", owner: hetuElla,
			want: map[string]want{
				"firstName": {"Ella", "population"},
				"lastName":  {"Virtanen", "population"},
				"hetu":      {hetuElla, "population"},
				"phone":     {"+358 45 111 2222", "population"},
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
		{"summer-job-voucher", nil, 30},
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
			first: map[string]any{"contactPhone": "040 555 1234"}, next: "home-help", field: "phone",
			wantValue: "040 555 1234", wantSource: cases.SourceEarlierCase, wantRef: "ESI-2027-000001",
		},
		{
			name: "the newest earlier answer wins", owner: hetuMaria,
			first:  map[string]any{"contactPhone": "040 555 1234"},
			second: map[string]any{"contactPhone": "050 777 8888"}, next: "sports-shift", field: "contactPhone",
			wantValue: "050 777 8888", wantSource: cases.SourceEarlierCase, wantRef: "ESI-2027-000002",
		},
		{
			name: "the register wins over a changed earlier answer", owner: hetuAino,
			first: map[string]any{"contactPhone": "040 999 0000"}, next: "sports-shift", field: "contactPhone",
			wantValue: "+358 40 123 4567", wantSource: cases.SourcePopulation,
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
