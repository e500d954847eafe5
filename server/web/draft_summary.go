package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/forms"
)

// summaryView is the data of pages/summary.html ("check your answers").
type summaryView struct {
	DraftID, Service, Principal string
	Steps                       []stepLink
	Sections                    []summarySection
	SubmitURL, BackURL          string
	Closed                      string
	Missing                     string // before the send button: how many answers need attention
	Nested                      bool   // answers' headings are h3 (false: h2)
	Words                       kindWords
	// PartiesURL manages the other parties (all-parties services), who
	// are named in Parties.
	PartiesURL string
	Parties    []string
	// PartiesErrors: who else must be named before it can be sent.
	PartiesErrors []string
}

type summarySection struct {
	Title, ChangeURL string
	Items            []summaryRow
}

type summaryRow struct {
	ID, Label, Value, ChangeURL, Error string
	Rows                               [][]summaryRow
	Source                             string // where the answer came from (the handler's view)
}

func (s *Server) summaryPage(c *fiber.Ctx) error {
	d, def, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	lang := requestLang(c)
	if d.CaseID != "" {
		return c.Redirect(pathsIn(lang).Case(d.CaseID), fiber.StatusSeeOther)
	}
	atts, err := s.cases.Attachments(d.ID, d.Owner.ID)
	if err != nil {
		return err
	}
	// The answers are checked as sending would check them: a missing or
	// wrong answer is marked at its row before the person presses send;
	// after a failed send (?check=1) the error summary lists them too.
	_, errs := def.CheckSubmit(d.Data, forms.CheckOptions{Now: s.now(), Attachment: cases.AttachmentLookup(atts)})
	missing, err := s.cases.PartyProblems(d)
	if err != nil {
		return err
	}
	errs = append(errs, missing...)
	closed := ""
	if svc, ok := s.catalog.Service(d.Service); ok {
		if av := svc.AvailabilityAt(s.now()); !av.Open {
			_, status := s.availabilityText(lang, svc.Kind, av)
			closed = s.msg.T(lang, wordsFor(svc.Kind).ServiceClosed) + " " + status + "."
		}
	}
	return s.renderSummary(c, d, def, atts, errs, c.Query("check") == "1", closed)
}

// renderSummary shows the answers with a Change link each, each problem at
// its row and, when listed, above them the problems each linking to its
// field on its step.
func (s *Server) renderSummary(c *fiber.Ctx, d *cases.Draft, def *forms.Definition, atts []cases.Attachment, errs []forms.FieldError, listed bool, closed string) error {
	lang := requestLang(c)
	v := &summaryView{DraftID: d.ID, Steps: s.stepLinks(lang, d, def, len(def.Steps)), Closed: closed,
		SubmitURL: pathsIn(lang).Submit(d.ID),
		BackURL:   pathsIn(lang).Step(d.ID, len(def.Steps)-1), Words: s.serviceWords(d.Service)}
	for i := range v.Steps {
		if v.Steps[i].Number > 0 {
			v.Steps[i].URL = pathsIn(lang).Step(d.ID, v.Steps[i].Number-1)
		}
	}
	if svc, ok := s.catalog.Service(d.Service); ok {
		v.Service = svc.Name.In(lang)
	}
	if d.Principal != nil {
		v.Principal = d.Principal.Name
	}
	if parties, err := s.cases.Parties(d.ID, d.Owner.ID); err == nil && s.allParties(d.Service) {
		v.PartiesURL = pathsIn(lang).DraftParties(d.ID)
		for _, p := range parties {
			v.Parties = append(v.Parties, p.Name)
		}
	}
	msgs := map[string]string{}
	var problems []FieldMessage
	byStep := def.StepErrors(errs)
	for _, e := range errs {
		m := s.fieldMessage(lang, e)
		if e.Field == cases.PartiesField { // not an answer: the parties step
			v.PartiesErrors = append(v.PartiesErrors, m)
			problems = append(problems, FieldMessage{Field: e.Field, URL: pathsIn(lang).DraftParties(d.ID), Message: m})
			continue
		}
		if _, dup := msgs[e.Field]; !dup {
			msgs[e.Field] = m
		}
		_, si, ok := def.Lookup(e.Field)
		if !ok {
			for i, list := range byStep {
				for _, x := range list {
					if x.Field == e.Field {
						si, ok = i, true
					}
				}
			}
		}
		if ok {
			problems = append(problems, FieldMessage{Field: e.Field, URL: pathsIn(lang).Step(d.ID, si) + "?check=1#" + e.Field, Message: s.problemText(lang, def, e.Field, m)})
		}
	}
	tr := func(id string) string { return s.msg.T(lang, id) }
	steps := def.Summary(d.Data, lang, cases.AttachmentLookup(atts), tr)
	for _, st := range steps {
		url := pathsIn(lang).Step(d.ID, st.StepIndex)
		sec := summarySection{Title: st.Title, ChangeURL: url}
		for _, it := range st.Items {
			sec.Items = append(sec.Items, summaryRowOf(it, url, msgs))
		}
		v.Sections = append(v.Sections, sec)
	}
	if len(problems) > 0 {
		v.Missing = s.msg.T(lang, "summary.needAttention", map[string]any{"Count": len(problems)})
	}
	p := s.page(c, "summary", "summary.title", v)
	if listed && len(problems) > 0 {
		p.Errors, p.ErrorIntro = problems, s.msg.T(lang, "summary.problemsIntro")
	}
	return s.render(c, fiber.StatusOK, p)
}

func summaryRowOf(it forms.SummaryItem, stepURL string, msgs map[string]string) summaryRow {
	r := summaryRow{ID: it.FieldID, Label: it.Label, Value: it.Value, Error: msgs[it.FieldID]}
	if stepURL != "" {
		r.ChangeURL = stepURL + "#" + it.FieldID
	}
	for _, row := range it.Items {
		var sub []summaryRow
		for _, x := range row {
			sub = append(sub, summaryRowOf(x, stepURL, msgs))
		}
		r.Rows = append(r.Rows, sub)
	}
	return r
}
