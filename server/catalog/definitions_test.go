package catalog_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/catalog"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
)

// definitionsDir holds the form definitions, one per catalogue service.
const definitionsDir = "../forms/definitions"

func loadDefinition(t *testing.T, id string) *forms.Definition {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(definitionsDir, id+".json"))
	if err != nil {
		t.Fatalf("service %s has no form definition: %v", id, err)
	}
	d, err := forms.Parse(b)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return d
}

// TestEveryServiceHasAForm ties the catalogue to the form definitions: each
// service has a form of 2–4 steps, and each form belongs to a service.
func TestEveryServiceHasAForm(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Services() {
		d := loadDefinition(t, s.ID)
		if d.Service != s.ID {
			t.Errorf("%s.json is for service %q", s.ID, d.Service)
		}
		if n := len(d.Steps); n < 2 || n > 4 {
			t.Errorf("%s: %d steps, want 2–4", s.ID, n)
		}
	}
	files, _ := filepath.Glob(filepath.Join(definitionsDir, "*.json"))
	for _, f := range files {
		if _, ok := c.Service(strings.TrimSuffix(filepath.Base(f), ".json")); !ok {
			t.Errorf("%s has no service in the catalogue", f)
		}
	}
}

// TestFieldRetentionWithinCaseRetention: no answer is kept longer than the
// case it belongs to, so deleting an expired case deletes all its data.
func TestFieldRetentionWithinCaseRetention(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range c.Services() {
		caseEnd := s.CaseRetentionUntil(from)
		var check func(fields []forms.Field)
		check = func(fields []forms.Field) {
			for _, f := range fields {
				if f.IsData() {
					p, err := datefmt.ParsePeriod(f.Retention)
					if err != nil {
						t.Errorf("%s.%s: %v", s.ID, f.ID, err)
					} else if p.AddTo(from, 1).After(caseEnd) {
						t.Errorf("%s.%s: retention %s outlives the case (%s)", s.ID, f.ID, f.Retention, s.CaseRetention)
					}
				}
				check(f.Fields)
			}
		}
		for _, st := range loadDefinition(t, s.ID).Steps {
			check(st.Fields)
		}
	}
}

// Stable attachment ids for the example submissions below.
func attachments(field map[string]string) func(string) (forms.Attachment, bool) {
	return func(id string) (forms.Attachment, bool) {
		f, ok := field[id]
		if !ok {
			return forms.Attachment{}, false
		}
		mime := "application/pdf"
		if strings.HasSuffix(id, "-png") {
			mime = "image/png"
		}
		return forms.Attachment{ID: id, Field: f, Name: id + ".pdf", MIME: mime, Size: 123456}, true
	}
}

// TestMyFormsAcceptRealAnswers submits a realistic answer set to each of
// the forms of this catalogue's later services and expects no errors, then
// breaks one answer at a time and expects exactly that field to fail.
func TestMyFormsAcceptRealAnswers(t *testing.T) {
	now := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	type breakage struct {
		name  string
		edit  func(map[string]any)
		field string
	}
	tests := []struct {
		service string
		data    map[string]any
		files   map[string]string
		breaks  []breakage
	}{
		{
			service: "home-help",
			data: map[string]any{
				"firstName": "Helmi", "lastName": "Korhonen", "hetu": "050840-948K",
				"street": "Rantatie 3", "postalCode": "99100", "city": "Esimerkkilä", "phone": "040 765 4321",
				"livesAlone": "yes", "helpWith": []any{"washing", "shopping", "other"}, "helpOther": "Ikkunoiden pesu",
				"situation":        "Kaaduin keväällä, enkä jaksa enää käydä kaupassa yksin.",
				"hasContactPerson": "yes", "contactName": "Juhani Korhonen", "contactRelation": "child",
				"contactPhone": "040 111 2222", "consentHealthInfo": true, "confirmCorrect": true,
			},
			breaks: []breakage{
				{"household needed when not alone", func(d map[string]any) { d["livesAlone"] = "no" }, "household"},
				{"'other' needs words", func(d map[string]any) { delete(d, "helpOther") }, "helpOther"},
				{"contact person needs a phone", func(d map[string]any) { delete(d, "contactPhone") }, "contactPhone"},
				{"confirmation required", func(d map[string]any) { d["confirmCorrect"] = false }, "confirmCorrect"},
				{"postal code is 5 digits", func(d map[string]any) { d["postalCode"] = "991" }, "postalCode"},
			},
		},
		{
			service: "building-notification",
			data: map[string]any{
				"propertyId": "123-456-7-89", "street": "Koulukatu 5", "postalCode": "99100", "city": "Esimerkkilä",
				"measure": "shed", "shedArea": 12.5, "description": "Puurakenteinen varasto tontin pohjoisreunaan.",
				"startDate": "2027-05-03", "sitePlan": "att-1", "elevation": "att-2-png",
				"phone": "+358 40 123 4567", "email": "aino.virtanen@example.fi",
			},
			files: map[string]string{"att-1": "sitePlan", "att-2-png": "elevation"},
			breaks: []breakage{
				{"property id format", func(d map[string]any) { d["propertyId"] = "12345678" }, "propertyId"},
				{"shed of 20 m² needs a permit", func(d map[string]any) { d["shedArea"] = 20 }, "shedArea"},
				{"start date in the past", func(d map[string]any) { d["startDate"] = "2027-01-31" }, "startDate"},
				{"site plan required", func(d map[string]any) { delete(d, "sitePlan") }, "sitePlan"},
				{"'other' needs words", func(d map[string]any) { d["measure"] = "other" }, "otherMeasure"},
			},
		},
		{
			service: "summer-job-voucher",
			data: map[string]any{
				"firstName": "Ella", "lastName": "Virtanen", "hetu": "090111A936M", "school": "Esimerkkilän yhtenäiskoulu",
				"phone": "040 222 3333", "email": "ella@example.fi",
				"employerKnown": "yes", "employerName": "Kesäkahvila Oy", "employerBusinessId": "2345678-0",
				"guardianConsent": true, "guardianName": "Aino Virtanen",
			},
			breaks: []breakage{
				{"business id checksum", func(d map[string]any) { d["employerBusinessId"] = "2345678-1" }, "employerBusinessId"},
				{"guardian consent required", func(d map[string]any) { d["guardianConsent"] = false }, "guardianConsent"},
				{"employer name when known", func(d map[string]any) { delete(d, "employerName") }, "employerName"},
			},
		},
		{
			service: "association-grant",
			data: map[string]any{
				"orgName": "Esimerkkilän Urheiluseura ry", "businessId": "2345678-0", "iban": "FI49 5000 9420 0287 30",
				"members": 240, "email": "aino.virtanen@example.fi", "phone": "+358 40 123 4567",
				"grantPurpose": "Junioreiden salibandyharjoitukset ja kevään turnaus.", "amount": "1500.00",
				"budget": []any{
					map[string]any{"item": "Salivuokrat", "itemAmount": "1200.00"},
					map[string]any{"item": "Turnauksen palkinnot", "itemAmount": "300"},
				},
				"otherFunding": "no", "annualReport": "att-9", "confirmCorrect": true,
			},
			files: map[string]string{"att-9": "annualReport"},
			breaks: []breakage{
				{"amount at least 50", func(d map[string]any) { d["amount"] = "49.99" }, "amount"},
				{"IBAN checksum", func(d map[string]any) { d["iban"] = "FI49 5000 9420 0287 31" }, "iban"},
				{"budget needs a row", func(d map[string]any) { d["budget"] = []any{} }, "budget"},
				{"budget row needs an amount", func(d map[string]any) {
					d["budget"] = []any{map[string]any{"item": "Salivuokrat"}}
				}, "budget.0.itemAmount"},
				{"other funding details", func(d map[string]any) { d["otherFunding"] = "yes" }, "otherFundingDetails"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.service, func(t *testing.T) {
			d := loadDefinition(t, tc.service)
			opts := forms.CheckOptions{Now: now, Attachment: attachments(tc.files)}
			if _, errs := d.CheckSubmit(tc.data, opts); len(errs) > 0 {
				t.Fatalf("valid answers refused: %+v", errs)
			}
			for _, b := range tc.breaks {
				data := map[string]any{}
				for k, v := range tc.data {
					data[k] = v
				}
				b.edit(data)
				_, errs := d.CheckSubmit(data, opts)
				var fields []string
				for _, e := range errs {
					fields = append(fields, e.Field)
				}
				if !slices.Equal(fields, []string{b.field}) {
					t.Errorf("%s: errors on %v, want only %s (%+v)", b.name, fields, b.field, errs)
				}
			}
			for _, lang := range i18n.Languages {
				d.Summary(tc.data, lang, nil, nil)
			}
		})
	}
}
