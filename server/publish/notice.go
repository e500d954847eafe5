package publish

import (
	"slices"

	"asiointi/i18n"
	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/legal"
)

// SourcePerson: data the person gives (or whoever fills in the form for
// them). The other sources are the prefill's (cases.Source…).
const SourcePerson = "person"

// sourceOrder is the order a notice lists its sources in.
var sourceOrder = []string{SourcePerson, cases.SourcePopulation, cases.SourceContactDetails, cases.SourceEarlierCase,
	cases.SourceLandRegister, cases.SourceOrganization}

// Notice is the privacy notice of one version of a service's form: every
// purpose with its legal bases and the data collected for it, where the
// data comes from and how long it is kept. It is built from the
// definition, so it is always in step with the form people fill in.
type Notice struct {
	Service  string
	Version  int
	Purposes []Purpose
	Sources  []string // SourcePerson and cases.Source… constants, in a fixed order
	Consent  bool     // some data rests on consent that can be withdrawn
}

// Purpose is one reason the municipality collects data.
type Purpose struct {
	Text      i18n.Text
	Bases     []legal.Basis
	Data      []i18n.Text // the labels of the fields collected for it
	Retention datefmt.Period
	Consent   bool
}

// NoticeFor builds the privacy notice of def. Fields with the same purpose
// text form one purpose; its retention is the longest of its fields'.
func NoticeFor(def *forms.Definition) Notice {
	n := Notice{Service: def.Service, Version: def.Version}
	byText := map[string]int{}
	sources := map[string]bool{SourcePerson: true}
	var add func(f *forms.Field, parent i18n.Text)
	add = func(f *forms.Field, parent i18n.Text) {
		if !f.IsData() {
			return
		}
		k := f.Purpose["fi"] + "\x00" + f.Purpose["sv"] + "\x00" + f.Purpose["en"]
		i, ok := byText[k]
		if !ok {
			i = len(n.Purposes)
			byText[k] = i
			n.Purposes = append(n.Purposes, Purpose{Text: f.Purpose})
		}
		p := &n.Purposes[i]
		b := legal.Parse(f.LegalBasis)
		if !slices.ContainsFunc(p.Bases, func(x legal.Basis) bool { return x.Citation == b.Citation }) {
			p.Bases = append(p.Bases, b)
		}
		if b.Consent() {
			p.Consent, n.Consent = true, true
		}
		label := f.Label
		if parent != nil {
			label = i18n.Text{}
			for _, l := range i18n.Languages {
				label[l] = parent.In(l) + ": " + f.Label.In(l)
			}
		}
		p.Data = append(p.Data, label)
		if r, err := datefmt.ParsePeriod(f.Retention); err == nil && longer(r, p.Retention) {
			p.Retention = r
		}
		if f.Prefill {
			for _, s := range cases.SourcesOf(f.Concept) {
				sources[s] = true
			}
		}
		for i := range f.Fields {
			add(&f.Fields[i], f.Label)
		}
	}
	for _, f := range def.DataFields() {
		add(f, nil)
	}
	for _, s := range sourceOrder {
		if sources[s] {
			n.Sources = append(n.Sources, s)
		}
	}
	return n
}

// longer compares periods by their approximate length in days.
func longer(a, b datefmt.Period) bool {
	days := func(p datefmt.Period) int { return p.Years*365 + p.Months*30 + p.Days }
	return days(a) > days(b)
}
