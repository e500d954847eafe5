package forms

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"asiointi/server/datefmt"
)

// render flattens a summary to "label=value" lines, groups indented.
func render(steps []SummaryStep) string {
	var b strings.Builder
	var items func(indent string, list []SummaryItem)
	items = func(indent string, list []SummaryItem) {
		for _, it := range list {
			b.WriteString(indent + it.FieldID + " " + it.Label + "=" + it.Value + "\n")
			for i, row := range it.Items {
				b.WriteString(indent + "  #" + string(rune('0'+i)) + "\n")
				items(indent+"    ", row)
			}
		}
	}
	for _, s := range steps {
		b.WriteString("[" + string(rune('0'+s.StepIndex)) + " " + s.StepID + "] " + s.Title + "\n")
		items("  ", s.Items)
	}
	return strings.ReplaceAll(b.String(), "\u00a0", "_")
}

func summaryData() map[string]any {
	return map[string]any{
		"name":    "Aino",
		"age":     12.5,
		"fee":     "1234.50",
		"refund":  "-20.00",
		"start":   "2027-03-31",
		"iban":    "FI2112345600000785",
		"color":   "green",
		"extras":  []any{"x", "z"},
		"agree":   true,
		"hasPet":  false,
		"petName": "Rex", // hidden: hasPet is false
		"doc":     "att-pdf",
		"members": []any{
			map[string]any{"firstName": "Eetu", "hetu": "210620A925C", "isStudent": true, "school": "Koulu", "cert": "att-cert"},
			map[string]any{"firstName": "Ella", "school": "hidden"},
		},
	}
}

func TestSummary(t *testing.T) {
	d := loadAllTypes(t)
	tr := map[string]map[string]string{
		"fi": {MsgYes: "Kyllä", MsgNo: "Ei"},
		"sv": {MsgYes: "Ja", MsgNo: "Nej"},
		"en": {MsgYes: "Yes", MsgNo: "No"},
	}
	want := map[string]string{
		"fi": `[0 a] Step A (fi)
  name name (fi)=Aino
  code code (fi)=
  bio bio (fi)=
  age age (fi)=12,5
  fee fee (fi)=1_234,50_€
  refund refund (fi)=-20,00_€
  start start (fi)=31.3.2027
  born born (fi)=
  email email (fi)=
  phone phone (fi)=
  hetu hetu (fi)=
  ytunnus ytunnus (fi)=
  iban iban (fi)=FI21 1234 5600 0007 85
  zip zip (fi)=
[1 b] Step B (fi)
  color color (fi)=green (fi)
  size size (fi)=
  extras extras (fi)=x (fi), z (fi)
  agree agree (fi)=Kyllä
  hasPet hasPet (fi)=Ei
  extraNote extraNote (fi)=
  doc doc (fi)=plan.pdf (1_kB)
[2 c] Step C (fi)
  members members (fi)=
    #0
      members.0.firstName firstName (fi)=Eetu
      members.0.hetu hetu (fi)=210620A925C
      members.0.isStudent isStudent (fi)=Kyllä
      members.0.school school (fi)=Koulu
      members.0.cert cert (fi)=cert.jpg (2_kB)
    #1
      members.1.firstName firstName (fi)=Ella
      members.1.hetu hetu (fi)=
      members.1.isStudent isStudent (fi)=
      members.1.cert cert (fi)=
`,
		"en": `[0 a] Step A (en)
  name name (en)=Aino
  code code (en)=
  bio bio (en)=
  age age (en)=12.5
  fee fee (en)=€1,234.50
  refund refund (en)=-€20.00
  start start (en)=31 March 2027
  born born (en)=
  email email (en)=
  phone phone (en)=
  hetu hetu (en)=
  ytunnus ytunnus (en)=
  iban iban (en)=FI21 1234 5600 0007 85
  zip zip (en)=
[1 b] Step B (en)
  color color (en)=green (en)
  size size (en)=
  extras extras (en)=x (en), z (en)
  agree agree (en)=Yes
  hasPet hasPet (en)=No
  extraNote extraNote (en)=
  doc doc (en)=plan.pdf (1_kB)
[2 c] Step C (en)
  members members (en)=
    #0
      members.0.firstName firstName (en)=Eetu
      members.0.hetu hetu (en)=210620A925C
      members.0.isStudent isStudent (en)=Yes
      members.0.school school (en)=Koulu
      members.0.cert cert (en)=cert.jpg (2_kB)
    #1
      members.1.firstName firstName (en)=Ella
      members.1.hetu hetu (en)=
      members.1.isStudent isStudent (en)=
      members.1.cert cert (en)=
`,
	}
	// extraNote shows because extras holds z; petName, petKind, petVet
	// are hidden (hasPet false); members.1.school is hidden.
	for lang, w := range want {
		got := render(d.Summary(summaryData(), lang, findAttachment, func(id string) string { return tr[lang][id] }))
		if got != w {
			t.Errorf("%s:\n%s\nwant:\n%s", lang, got, w)
		}
	}
	sv := render(d.Summary(summaryData(), "sv", findAttachment, func(id string) string { return tr["sv"][id] }))
	for _, part := range []string{"fee fee (sv)=1_234,50_€", "start start (sv)=31.3.2027", "agree agree (sv)=Ja", "age age (sv)=12,5", "[1 b] Step B (sv)"} {
		if !strings.Contains(sv, part) {
			t.Errorf("sv summary lacks %q:\n%s", part, sv)
		}
	}
}

func TestSummaryWithoutTranslator(t *testing.T) {
	d := loadAllTypes(t)
	steps := d.Summary(map[string]any{"agree": true, "hasPet": false}, "en", nil, nil)
	var got []string
	for _, it := range steps[1].Items {
		if it.ValueID != "" {
			got = append(got, it.FieldID+"="+it.Value+"/"+it.ValueID)
		}
	}
	if strings.Join(got, " ") != "agree=form.summary.yes/form.summary.yes hasPet=form.summary.no/form.summary.no" {
		t.Errorf("got %v", got)
	}
	// Without an attachment lookup, files show as "".
	steps = d.Summary(map[string]any{"doc": "att-pdf"}, "en", nil, nil)
	for _, it := range steps[1].Items {
		if it.FieldID == "doc" && it.Value != "" {
			t.Errorf("doc = %q", it.Value)
		}
	}
	// Unanswered visible fields are listed with an empty value.
	b, _ := json.Marshal(d.Summary(map[string]any{}, "fi", nil, nil))
	if !strings.Contains(string(b), `{"fieldId":"members","label":"members (fi)","value":""}`) {
		t.Errorf("JSON: %s", b)
	}
}

func TestSummarySkipsEmptySteps(t *testing.T) {
	d, err := Parse([]byte(`{"service":"x","version":1,"steps":[
	 {"id":"a","title":{"fi":"A","sv":"A","en":"A"},"fields":[{"id":"i","type":"info","label":{"fi":"i","sv":"i","en":"i"}}]},
	 {"id":"b","title":{"fi":"B","sv":"B","en":"B"},"fields":[{"id":"t","type":"text","label":{"fi":"t","sv":"t","en":"t"},
	  "concept":"x.t","purpose":{"fi":"p","sv":"p","en":"p"},"legalBasis":"x","retention":"P1Y"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	steps := d.Summary(map[string]any{"t": "v"}, "fi", nil, nil)
	if len(steps) != 1 || steps[0].StepIndex != 1 || steps[0].Items[0].Value != "v" {
		t.Errorf("got %+v", steps)
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{formatMoney(123450, "fi"), "1\u00a0234,50\u00a0€"},
		{formatMoney(123450, "sv"), "1\u00a0234,50\u00a0€"},
		{formatMoney(123450, "en"), "€1,234.50"},
		{formatMoney(5, "fi"), "0,05\u00a0€"},
		{formatMoney(-123456789, "en"), "-€1,234,567.89"},
		{formatMoney(100000000, "fi"), "1\u00a0000\u00a0000,00\u00a0€"},
		{formatNumber(1500, "fi"), "1500"},
		{formatNumber(12500, "fi"), "12\u00a0500"},
		{formatNumber(12500.25, "en"), "12,500.25"},
		{formatNumber(-3.5, "sv"), "-3,5"},
		{formatNumber(0, "en"), "0"},
		{datefmt.Date(time.Date(2027, 3, 31, 0, 0, 0, 0, datefmt.Helsinki()), "fi"), "31.3.2027"},
		{datefmt.Date(time.Date(2027, 3, 31, 0, 0, 0, 0, datefmt.Helsinki()), "sv"), "31.3.2027"},
		{datefmt.Date(time.Date(2027, 3, 31, 0, 0, 0, 0, datefmt.Helsinki()), "en"), "31 March 2027"},
		{datefmt.Date(time.Date(2027, 12, 1, 0, 0, 0, 0, datefmt.Helsinki()), "en"), "1 December 2027"},
		{formatSize(0, "fi"), "1\u00a0kB"},
		{formatSize(123*1024, "fi"), "123\u00a0kB"},
		{formatSize(123*1024+1, "en"), "124\u00a0kB"},
		{formatSize(10<<20, "fi"), "10\u00a0MB"},
		{formatSize(2516582, "fi"), "2,4\u00a0MB"},
		{formatSize(2516582, "en"), "2.4\u00a0MB"},
		{formatSize(1<<20-1, "en"), "1\u00a0MB"},
		{formatTypes(DefaultAccept, "fi"), "PDF, JPEG tai PNG"},
		{formatTypes(DefaultAccept, "sv"), "PDF, JPEG eller PNG"},
		{formatTypes([]string{"image/png", "application/pdf"}, "en"), "PNG or PDF"},
		{formatTypes([]string{"application/pdf"}, "en"), "PDF"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestMoneyParsing(t *testing.T) {
	for _, tc := range []struct {
		in    string
		cents int64
		ok    bool
	}{
		{"0", 0, true}, {"12", 1200, true}, {"12.5", 1250, true}, {"12,05", 1205, true},
		{"1 234,50", 123450, true}, {"1\u00a0234,50 €", 123450, true}, {"€12", 1200, true}, {"-3.10", -310, true},
		{"", 0, false}, {"12.", 0, false}, {".5", 0, false}, {"1.234,50", 0, false}, {"12.345", 0, false},
		{"1e3", 0, false}, {"+5", 0, false}, {"--5", 0, false}, {"1234567890123", 0, false}, {"١٢", 0, false},
	} {
		cents, ok := parseMoney(tc.in)
		if ok != tc.ok || cents != tc.cents {
			t.Errorf("parseMoney(%q) = %d, %v", tc.in, cents, ok)
		}
	}
	for cents, want := range map[int64]string{0: "0.00", 5: "0.05", 1250: "12.50", -310: "-3.10", 123456789: "1234567.89"} {
		if got := moneyString(cents); got != want {
			t.Errorf("moneyString(%d) = %q", cents, got)
		}
	}
}
