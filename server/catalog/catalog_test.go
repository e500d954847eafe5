package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/datefmt"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func ids(ss []*Service) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

func TestLoadDemoServices(t *testing.T) {
	c := mustLoad(t)
	want := []string{"sports-shift", "early-education", "home-help",
		"building-notification", "summer-job-voucher", "association-grant"}
	if got := ids(c.Services()); !slices.Equal(got, want) {
		t.Fatalf("Services() = %v, want %v", got, want)
	}
	for _, id := range want {
		if s, ok := c.Service(id); !ok || s.ID != id {
			t.Errorf("Service(%q) = %v, %v", id, s, ok)
		}
	}
	if _, ok := c.Service("nope"); ok {
		t.Error(`Service("nope") found something`)
	}
}

// TestContractOnBehalf checks the on-behalf requirements that CONTRACT.md
// ("Demo services") promises to the outside world.
func TestContractOnBehalf(t *testing.T) {
	c := mustLoad(t)
	hel := datefmt.Helsinki()
	tests := []struct {
		id, onBehalf, issue, role string
		forSelf                   bool
		opens, closes             time.Time
	}{
		{id: "sports-shift", onBehalf: OnBehalfAlone, forSelf: true},
		{id: "early-education", onBehalf: OnBehalfGuardian},
		{id: "home-help", onBehalf: OnBehalfMandate, forSelf: true,
			issue: "http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito"},
		{id: "building-notification", onBehalf: OnBehalfAllParties, forSelf: true},
		{id: "summer-job-voucher", onBehalf: OnBehalfGuardian, forSelf: true,
			opens:  time.Date(2027, 1, 15, 9, 0, 0, 0, hel),
			closes: time.Date(2027, 3, 31, 16, 0, 0, 0, hel)},
		{id: "association-grant", onBehalf: OnBehalfOrganization, role: "PJ",
			issue: "http://valtuusrekisteri.suomi.fi/avustuksen_hakeminen"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			s, ok := c.Service(tc.id)
			if !ok {
				t.Fatal("missing")
			}
			if s.OnBehalf != tc.onBehalf || s.ForSelf != tc.forSelf ||
				s.MandateIssue != tc.issue || s.Role != tc.role {
				t.Errorf("got onBehalf=%q forSelf=%v issue=%q role=%q", s.OnBehalf, s.ForSelf, s.MandateIssue, s.Role)
			}
			checkTime := func(name string, got *time.Time, want time.Time) {
				switch {
				case want.IsZero() && got != nil:
					t.Errorf("%s = %v, want none", name, got)
				case !want.IsZero() && (got == nil || !got.Equal(want)):
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
			checkTime("opensAt", s.OpensAt, tc.opens)
			checkTime("closesAt", s.ClosesAt, tc.closes)
		})
	}
}

func TestContentQuality(t *testing.T) {
	c := mustLoad(t)
	units := map[string]bool{}
	for _, u := range c.Units() {
		units[u.ID] = true
	}
	for _, want := range []string{"early-education", "social-services", "building", "sports", "youth", "culture"} {
		if !units[want] {
			t.Errorf("unit %q missing", want)
		}
	}
	for _, s := range c.Services() {
		texts := map[string]i18n.Text{"name": s.Name, "summary": s.Summary, "description": s.Description,
			"whoFor": s.WhoFor, "processingTime": s.ProcessingTime, "price": s.Price,
			"legalBasis": s.LegalBasis, "contact": s.Contact}
		for i, n := range s.Needs {
			texts["needs"+string(rune('0'+i))] = n
		}
		for field, txt := range texts {
			for _, lang := range i18n.Languages {
				v := txt[lang]
				if v != strings.TrimSpace(v) || strings.Contains(v, "  ") {
					t.Errorf("%s.%s[%s]: stray whitespace in %q", s.ID, field, lang, v)
				}
				// Swedish texts use the municipality's Swedish name.
				if lang == "sv" && strings.Contains(v, "Esimerkkil") {
					t.Errorf("%s.%s[sv] says Esimerkkilä, not Exempelby: %q", s.ID, field, v)
				}
			}
		}
		for _, lang := range i18n.Languages {
			if !strings.Contains(s.Contact[lang], "@esimerkkila.fi") {
				t.Errorf("%s: contact[%s] has no e-mail address at esimerkkila.fi", s.ID, lang)
			}
			if n := len(s.Description.Paragraphs(lang)); n < 2 || n > 4 {
				t.Errorf("%s: description[%s] has %d paragraphs, want 2–4", s.ID, lang, n)
			}
		}
		if s.OfficeHoursOnly {
			t.Errorf("%s: no demo service is office-hours-only", s.ID)
		}
		if s.DraftRetentionDays < 30 || s.DraftRetentionDays > 90 {
			t.Errorf("%s: draftRetentionDays %d outside 30–90", s.ID, s.DraftRetentionDays)
		}
	}
	if s, _ := c.Service("building-notification"); s.FeeCents != 15000 || s.IsFree() {
		t.Errorf("building-notification fee = %d cents", s.FeeCents)
	}
}

// TestWindowTextMatchesData keeps the application window written out in
// the summer job voucher's description in step with opensAt and closesAt.
func TestWindowTextMatchesData(t *testing.T) {
	c := mustLoad(t)
	s, _ := c.Service("summer-job-voucher")
	for _, lang := range i18n.Languages {
		d := s.Description[lang]
		for _, when := range []string{datefmt.DateTime(*s.OpensAt, lang), datefmt.DateTime(*s.ClosesAt, lang)} {
			if !strings.Contains(d, when) {
				t.Errorf("description[%s] does not mention %q", lang, when)
			}
		}
	}
}

func TestCategoriesAndLifeEvents(t *testing.T) {
	c := mustLoad(t)
	var catIDs, leIDs []string
	for _, cat := range c.Categories() {
		catIDs = append(catIDs, cat.ID)
	}
	for _, le := range c.LifeEvents() {
		leIDs = append(leIDs, le.ID)
	}
	if want := []string{"family", "health-social", "housing-building", "sports-culture", "work-youth", "associations"}; !slices.Equal(catIDs, want) {
		t.Errorf("categories = %v, want %v", catIDs, want)
	}
	if want := []string{"child-born-daycare", "moving", "ageing-parent", "building", "associations", "first-job"}; !slices.Equal(leIDs, want) {
		t.Errorf("life events = %v, want %v", leIDs, want)
	}

	tests := []struct {
		by, id string
		want   []string
	}{
		{"category", "family", []string{"early-education"}},
		{"category", "housing-building", []string{"building-notification"}},
		{"category", "nope", nil},
		{"lifeEvent", "moving", []string{"sports-shift", "early-education", "building-notification"}},
		{"lifeEvent", "ageing-parent", []string{"home-help"}},
		{"lifeEvent", "first-job", []string{"summer-job-voucher"}},
		{"lifeEvent", "nope", nil},
		{"unit", "culture", []string{"association-grant"}},
	}
	for _, tc := range tests {
		var got []*Service
		switch tc.by {
		case "category":
			got = c.ByCategory(tc.id)
		case "lifeEvent":
			got = c.ByLifeEvent(tc.id)
		case "unit":
			got = c.ByUnit(tc.id)
		}
		if g := ids(got); !slices.Equal(g, tc.want) {
			t.Errorf("By %s %q = %v, want %v", tc.by, tc.id, g, tc.want)
		}
	}
	if cat, ok := c.Category("family"); !ok || cat.Name.In("sv") != "Barn och familj" {
		t.Errorf(`Category("family") = %v, %v`, cat, ok)
	}
	if le, ok := c.LifeEvent("first-job"); !ok || le.Name.In("en") != "A first job" {
		t.Errorf(`LifeEvent("first-job") = %v, %v`, le, ok)
	}
	if u, ok := c.Unit("building"); !ok || u.Name.In("fi") != "Rakennusvalvonta" {
		t.Errorf(`Unit("building") = %v, %v`, u, ok)
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	c := mustLoad(t)
	c.Services()[0] = nil
	c.Categories()[0].ID = "changed"
	if c.Services()[0] == nil || c.Categories()[0].ID != "family" {
		t.Error("changing a returned slice changed the catalogue")
	}
}

func TestServiceJSON(t *testing.T) {
	c := mustLoad(t)
	s, _ := c.Service("summer-job-voucher")
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "municipality", "category", "lifeEvents", "name", "summary", "description", "whoFor",
		"needs", "processingTime", "price", "legalBasis", "contact", "onBehalf", "forSelf", "opensAt",
		"closesAt", "officeHoursOnly", "processingDays", "draftRetentionDays", "caseRetention", "unit", "feeCents"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q", k)
		}
	}
	if m["opensAt"] != "2027-01-15T09:00:00+02:00" || m["closesAt"] != "2027-03-31T16:00:00+03:00" {
		t.Errorf("window = %v – %v", m["opensAt"], m["closesAt"])
	}
	if _, ok := m["mandateIssue"]; ok {
		t.Error("empty mandateIssue should be omitted")
	}
}

func TestCaseRetention(t *testing.T) {
	from := time.Date(2027, 2, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		d    string
		want time.Time
	}{
		{"P10Y", time.Date(2037, 2, 28, 12, 0, 0, 0, time.UTC)},
		{"P6M", time.Date(2027, 8, 28, 12, 0, 0, 0, time.UTC)},
		{"P1Y2M3D", time.Date(2028, 5, 1, 12, 0, 0, 0, time.UTC)},
		{"P90D", time.Date(2027, 5, 29, 12, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		s := &Service{CaseRetention: tc.d}
		if got := s.CaseRetentionUntil(from); !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.d, got, tc.want)
		}
	}
	for _, bad := range []string{"", "P", "10Y", "P0Y", "PT5H", "P1W", "P-1Y", "p10y", "P10Y ", "P99999Y"} {
		if _, err := caseRetention(bad); err == nil {
			t.Errorf("caseRetention(%q) accepted", bad)
		}
	}
}

func TestKindAndEligibility(t *testing.T) {
	c := mustLoad(t)
	for id, want := range map[string]string{
		"building-notification": KindNotification, "early-education": KindApplication, "home-help": KindApplication,
	} {
		if s, _ := c.Service(id); s.Kind != want {
			t.Errorf("%s kind = %q, want %q", id, s.Kind, want)
		}
	}
	ee, _ := c.Service("early-education")
	sj, _ := c.Service("summer-job-voucher")
	hh, _ := c.Service("home-help")
	tests := []struct {
		svc  *Service
		age  int
		want bool
	}{
		{ee, 0, true}, {ee, 6, true}, {ee, 7, false}, {ee, 15, false},
		{sj, 14, false}, {sj, 15, true}, {sj, 17, true}, {sj, 18, false},
		{hh, 86, true}, // no rule
	}
	for _, tc := range tests {
		if got := tc.svc.Eligibility.AgeAllows(tc.age); got != tc.want {
			t.Errorf("%s AgeAllows(%d) = %v, want %v", tc.svc.ID, tc.age, got, tc.want)
		}
	}
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	if got := sj.Eligibility.AgeDay(now); got.Month() != time.December || got.Day() != 31 || got.Year() != 2027 {
		t.Errorf("summer job age day = %v, want 31.12.2027", got)
	}
	if got := ee.Eligibility.AgeDay(now); !got.Equal(now) {
		t.Errorf("early education age day = %v, want %v", got, now)
	}
	// A kind left out of the file is an application.
	cat, err := Parse(mutated(t, func(r map[string]any) { delete(service(r, "sports-shift"), "kind") }))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := cat.Service("sports-shift"); s.Kind != KindApplication {
		t.Errorf("default kind = %q", s.Kind)
	}
}
