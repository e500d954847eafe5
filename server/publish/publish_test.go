package publish

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/forms"
	"asiointi/server/forms/definitions"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := storetest.Open(t, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestDefaultStatement(t *testing.T) {
	st, err := ParseStatement(defaultStatement)
	if err != nil {
		t.Fatal(err)
	}
	if st.Conformance != ConformancePartial || len(st.Problems) == 0 {
		t.Fatalf("%+v", st)
	}
}

func TestStatementRefusals(t *testing.T) {
	good := string(defaultStatement)
	tests := []struct{ name, raw, want string }{
		{"not json", "{", "statement"},
		{"unknown field", strings.Replace(good, `"standard"`, `"standrd"`, 1), "unknown field"},
		{"bad conformance", strings.Replace(good, `"partial"`, `"mostly"`, 1), "conformance"},
		{"bad date", strings.Replace(good, `"assessedOn": "2026-11-26"`, `"assessedOn": "26.11.2026"`, 1), "assessedOn"},
		{"missing swedish", strings.Replace(good, `"sv": "Tjänstens utvecklare`, `"se": "Tjänstens utvecklare`, 1), "method"},
		{"no problems while partial", `{"conformance":"partial","standard":"WCAG 2.1 AA","assessedOn":"2026-01-01","updatedOn":"2026-01-01",
			"method":{"fi":"a","sv":"b","en":"c"},"problems":[],"supervisor":{"name":{"fi":"a","sv":"b","en":"c"},"website":"https://x.fi"}}`, "lists what"},
		{"http supervisor", strings.Replace(good, `"https://www.saavutettavuusvaatimukset.fi"`, `"http://x"`, 1), "https"},
	}
	for _, tt := range tests {
		_, err := ParseStatement([]byte(tt.raw))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestStatementImport(t *testing.T) {
	s := &Statements{Store: openStore(t)}
	st, err := s.Get("esimerkkila")
	if err != nil || st.AssessedOn != "2026-11-26" {
		t.Fatal(st, err)
	}
	changed := strings.Replace(string(defaultStatement), `"assessedOn": "2026-11-26"`, `"assessedOn": "2027-01-15"`, 1)
	if err := s.Import("esimerkkila", []byte(changed)); err != nil {
		t.Fatal(err)
	}
	if err := s.Import("esimerkkila", []byte(`{"conformance":"x"}`)); err == nil {
		t.Fatal("a bad statement was imported")
	}
	if st, _ := s.Get("esimerkkila"); st.AssessedOn != "2027-01-15" {
		t.Errorf("imported: %s", st.AssessedOn)
	}
	if st, _ := s.Get("other"); st.AssessedOn != "2026-11-26" {
		t.Errorf("another municipality: %s", st.AssessedOn)
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newFeedbacks(t *testing.T) (*Feedbacks, *clock) {
	c := &clock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	return &Feedbacks{Store: openStore(t), Secret: []byte("0123456789abcdef0123456789abcdef"), Now: c.now}, c
}

func TestFeedbackInput(t *testing.T) {
	f, c := newFeedbacks(t)
	tok := f.FormToken()
	c.t = c.t.Add(10 * time.Second)
	tests := []struct {
		name  string
		in    FeedbackInput
		field string // the field with the problem; "" = stored
		msg   string
	}{
		{"plain", FeedbackInput{Message: "Ruudunlukija ei lue painiketta.", Page: "/fi/services"}, "", ""},
		{"with contact", FeedbackInput{Message: "x", Name: "Aino", Contact: "aino@example.fi"}, "", ""},
		{"empty", FeedbackInput{Message: "  \u200b "}, "message", "feedback.error.messageRequired"},
		{"too long", FeedbackInput{Message: strings.Repeat("ä", MaxMessage+1)}, "message", "feedback.error.messageTooLong"},
		{"at the limit", FeedbackInput{Message: strings.Repeat("ä", MaxMessage)}, "", ""},
		{"script", FeedbackInput{Message: `<script>alert(1)</script>`}, "message", "feedback.error.markup"},
		{"tag", FeedbackInput{Message: `see <img src=x onerror=alert(1)>`}, "message", "feedback.error.markup"},
		{"js url", FeedbackInput{Message: "click JavaScript:alert(1)"}, "message", "feedback.error.markup"},
		{"comparison is fine", FeedbackInput{Message: "contrast < 4.5 and 3<4"}, "", ""},
		{"name markup", FeedbackInput{Message: "x", Name: "<b>x</b>"}, "name", "feedback.error.markup"},
		{"name too long", FeedbackInput{Message: "x", Name: strings.Repeat("a", MaxName+1)}, "name", "feedback.error.nameTooLong"},
		{"contact too long", FeedbackInput{Message: "x", Contact: strings.Repeat("a", MaxContact+1)}, "contact", "feedback.error.contactTooLong"},
	}
	stored := 0
	for _, tt := range tests {
		tt.in.Token = tok
		got, err := f.Send("esimerkkila", tt.in)
		var ie *InputError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field == "":
			stored++
			if got.Due != got.At.Add(ResponseTime) || got.Status != StatusNew {
				t.Errorf("%s: %+v", tt.name, got)
			}
		case !errors.As(err, &ie) || len(ie.Fields) != 1 || ie.Fields[0].Field != tt.field || ie.Fields[0].Msg != tt.msg:
			t.Errorf("%s: %v %+v", tt.name, err, ie)
		}
	}
	list, err := f.List("esimerkkila", "")
	if err != nil || len(list) != stored {
		t.Fatalf("%d stored, listed %d: %v", stored, len(list), err)
	}
	if list[0].Page != "" && !strings.HasPrefix(list[0].Page, "/") {
		t.Error(list[0].Page)
	}
}

func TestFeedbackRefusesAutomation(t *testing.T) {
	f, c := newFeedbacks(t)
	shown := f.FormToken()
	msg := FeedbackInput{Message: "hello"}
	send := func(in FeedbackInput) error { _, err := f.Send("esimerkkila", in); return err }

	in := msg
	in.Token = shown
	if err := send(in); !errors.Is(err, ErrRefused) {
		t.Errorf("sent at once: %v", err)
	}
	c.t = c.t.Add(MinFillTime)
	in.Trap = "http://spam.example"
	if err := send(in); !errors.Is(err, ErrRefused) {
		t.Errorf("trap filled: %v", err)
	}
	for _, tok := range []string{"", "garbage", "1700000000.AAAA", strings.Replace(shown, ".", "0.", 1)} {
		in := msg
		in.Token = tok
		if err := send(in); !errors.Is(err, ErrRefused) {
			t.Errorf("token %q: %v", tok, err)
		}
	}
	in = msg
	in.Token = shown
	if err := send(in); err != nil {
		t.Errorf("a person: %v", err)
	}
	c.t = c.t.Add(MaxFormAge)
	if err := send(in); !errors.Is(err, ErrRefused) {
		t.Errorf("a day-old form: %v", err)
	}
	if list, _ := f.List("esimerkkila", ""); len(list) != 1 {
		t.Errorf("%d stored", len(list))
	}
}

func TestFeedbackAnswer(t *testing.T) {
	f, c := newFeedbacks(t)
	tok := f.FormToken()
	c.t = c.t.Add(time.Minute)
	fb, err := f.Send("esimerkkila", FeedbackInput{Message: "Kontrasti on heikko.", Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	if fb.Overdue(c.t) || fb.DueSoon(c.t) {
		t.Error("new feedback is not due")
	}
	if !fb.DueSoon(fb.Due.Add(-time.Hour)) || !fb.Overdue(fb.Due.Add(time.Second)) {
		t.Error("due soon / overdue")
	}
	var ie *InputError
	if _, err := f.Answer("esimerkkila", fb.ID, "kaisa", StatusAnswered, " "); !errors.As(err, &ie) {
		t.Errorf("answered without text: %v", err)
	}
	if _, err := f.Answer("esimerkkila", fb.ID, "kaisa", "closed", "x"); !errors.As(err, &ie) {
		t.Errorf("unknown status: %v", err)
	}
	for _, id := range []string{"nope", store.NewID(c.t)} {
		if _, err := f.Answer("esimerkkila", id, "kaisa", StatusInProgress, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v", id, err)
		}
	}
	if _, err := f.Answer("other", fb.ID, "kaisa", StatusInProgress, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("another municipality's: %v", err)
	}
	got, err := f.Answer("esimerkkila", fb.ID, "kaisa", StatusAnswered, "Korjattu.")
	if err != nil || got.AnsweredBy != "kaisa" || got.Overdue(got.Due.Add(time.Hour)) {
		t.Fatal(got, err)
	}
	if l, _ := f.List("esimerkkila", StatusNew); len(l) != 0 {
		t.Error("answered feedback listed as new")
	}
}

func definition(t *testing.T, service string) *forms.Definition {
	raw, err := fs.ReadFile(definitions.FS, service+".json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := forms.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The notice lists exactly the purposes and legal bases of the form
// version, and changes when the form does.
func TestNoticeFollowsDefinition(t *testing.T) {
	names, _ := fs.Glob(definitions.FS, "*.json")
	for _, n := range names {
		d := definition(t, strings.TrimSuffix(n, ".json"))
		notice := NoticeFor(d)
		want := map[string]bool{}
		bases := map[string]bool{}
		for _, f := range d.DataFields() {
			want[f.Purpose["en"]] = true
			bases[f.LegalBasis] = true
			for _, sub := range f.Fields {
				want[sub.Purpose["en"]] = true
				bases[sub.LegalBasis] = true
			}
		}
		got, gotBases := map[string]bool{}, map[string]bool{}
		for _, p := range notice.Purposes {
			got[p.Text["en"]] = true
			if p.Retention.IsZero() || len(p.Data) == 0 {
				t.Errorf("%s: purpose %q without retention or data", n, p.Text["en"])
			}
			for _, b := range p.Bases {
				gotBases[b.Citation] = true
			}
		}
		if len(got) != len(want) || len(gotBases) != len(bases) {
			t.Errorf("%s: purposes %d/%d, bases %d/%d", n, len(got), len(want), len(gotBases), len(bases))
		}
		if notice.Sources[0] != SourcePerson {
			t.Errorf("%s: sources %v", n, notice.Sources)
		}
	}

	d := definition(t, "sports-shift")
	before := NoticeFor(d)
	extra := d.Steps[0].Fields[0]
	extra.ID, extra.Type, extra.Concept = "shoeSize", forms.TypeText, "person.shoeSize"
	extra.Purpose = map[string]string{"fi": "Kenkäkoko varusteita varten.", "sv": "Skostorlek för utrustningen.", "en": "Shoe size for the equipment."}
	extra.LegalBasis, extra.Retention, extra.Fields = "EU 2016/679 6(1)(a)", "P6M", nil
	d.Steps[0].Fields = append(d.Steps[0].Fields, extra)
	after := NoticeFor(d)
	if len(after.Purposes) != len(before.Purposes)+1 {
		t.Fatalf("purposes %d → %d", len(before.Purposes), len(after.Purposes))
	}
	i := slices.IndexFunc(after.Purposes, func(p Purpose) bool { return p.Text["en"] == "Shoe size for the equipment." })
	if i < 0 {
		t.Fatal("the new purpose is not in the notice")
	}
	if p := after.Purposes[i]; !p.Consent || !after.Consent || p.Retention.Months != 6 || p.Bases[0].Citation != "EU 2016/679 6(1)(a)" {
		t.Errorf("%+v", p)
	}
}

func TestNoticeSources(t *testing.T) {
	for service, want := range map[string][]string{
		"home-help":         {SourcePerson, cases.SourcePopulation, cases.SourceContactDetails, cases.SourceEarlierCase},
		"association-grant": {SourcePerson, cases.SourceContactDetails, cases.SourceEarlierCase, cases.SourceOrganization},
	} {
		if got := NoticeFor(definition(t, service)).Sources; !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", service, got, want)
		}
	}
}
