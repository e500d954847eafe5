package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
)

// startView is the data of pages/start.html: why an application cannot
// be started now.
type startView struct {
	Service, ServiceURL, Message, Status, ActingURL string
	Closed                                          bool
}

// startService starts a draft of a service for whom the session acts for
// and opens its first step.
func (s *Server) startService(c *fiber.Ctx) error {
	svc, ok := s.catalog.Service(c.Params("id"))
	if !ok {
		return fiber.ErrNotFound
	}
	sess := session(c)
	lang := requestLang(c)
	v := &startView{Service: svc.Name.In(lang), ServiceURL: pathsIn(lang).Service(svc.ID)}
	d, err := s.cases.CreateDraft(svc.ID, actorRef(sess), principalRef(sess))
	if msg, refused := onBehalfMessage(err); refused {
		v.Message = s.msg.T(lang, msg)
		v.ActingURL = pathsIn(lang).ActingFor(v.ServiceURL)
		return s.render(c, fiber.StatusForbidden, s.page(c, "start", "startPage.refusedTitle", v))
	}
	if errors.Is(err, cases.ErrClosed) {
		v.Closed = true
		_, v.Status = s.availabilityText(lang, svc.AvailabilityAt(s.now()))
		return s.render(c, fiber.StatusConflict, s.page(c, "start", "startPage.closedTitle", v))
	}
	if err != nil {
		return s.casesFail(c, err)
	}
	if s.log != nil {
		s.log.Info("draft started", "draft", d.ID, "service", svc.ID, "user", sess.UserID)
	}
	return c.Redirect(pathsIn(lang).Step(d.ID, 0), fiber.StatusSeeOther)
}

// draftRow is one unfinished application in a list.
type draftRow struct {
	ID, Service, Saved, For, Expires, Closes, ResumeURL, DeleteURL string
	Resume, Delete                                                 string // button texts
	Level                                                          int    // heading level of the title: 2 on its own page, else 3
}

func (s *Server) draftRows(lang string, list []*cases.Draft) []draftRow {
	now := s.now()
	var out []draftRow
	for _, d := range list {
		r := draftRow{ID: d.ID, Service: d.Service,
			Saved:     s.msg.T(lang, "drafts.saved", map[string]any{"When": datefmt.DateTime(d.UpdatedAt, lang)}),
			Resume:    s.msg.T(lang, "drafts.resume"),
			Delete:    s.msg.T(lang, "drafts.delete"),
			Expires:   s.msg.T(lang, "drafts.expires", map[string]any{"Date": datefmt.Date(d.ExpiresAt, lang)}),
			ResumeURL: pathsIn(lang).Draft(d.ID), DeleteURL: pathsIn(lang).DeleteDraft(d.ID)}
		if svc, ok := s.catalog.Service(d.Service); ok {
			r.Service = svc.Name.In(lang)
			if svc.ClosesAt != nil && now.Before(*svc.ClosesAt) {
				r.Closes = s.msg.T(lang, "drafts.closes", map[string]any{"When": datefmt.DateTime(*svc.ClosesAt, lang)})
			}
		}
		if d.Principal != nil {
			r.For = s.msg.T(lang, "drafts.for", map[string]any{"Name": d.Principal.Name})
		}
		out = append(out, r)
	}
	return out
}

// draftsView is the data of pages/drafts.html.
type draftsView struct {
	Drafts []draftRow
	Notice string
}

func (s *Server) draftsPage(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	list, err := s.cases.Drafts(sess.UserID)
	if err != nil {
		return err
	}
	v := &draftsView{Drafts: s.draftRows(lang, list)}
	for i := range v.Drafts {
		v.Drafts[i].Level = 2
	}
	if id := c.Query("saved"); id != "" {
		if d, err := s.cases.Draft(id, sess.UserID); err == nil {
			name := d.Service
			if svc, ok := s.catalog.Service(d.Service); ok {
				name = svc.Name.In(lang)
			}
			v.Notice = s.msg.T(lang, "drafts.savedNotice", map[string]any{"Service": name})
		}
	} else if c.Query("deleted") == "1" {
		v.Notice = s.msg.T(lang, "drafts.deletedNotice")
	}
	return s.render(c, fiber.StatusOK, s.page(c, "drafts", "drafts.title", v))
}

func (s *Server) deleteDraftPage(c *fiber.Ctx) error {
	d, _, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	lang := requestLang(c)
	if d.CaseID != "" {
		return c.Redirect(pathsIn(lang).Case(d.CaseID), fiber.StatusSeeOther)
	}
	rows := s.draftRows(lang, []*cases.Draft{d})
	return s.render(c, fiber.StatusOK, s.page(c, "draft-delete", "drafts.deleteTitle", rows[0]))
}

func (s *Server) deleteDraft(c *fiber.Ctx) error {
	if err := s.cases.Delete(c.Params("id"), session(c).UserID); err != nil {
		return s.casesFail(c, err)
	}
	return c.Redirect(pathsIn(requestLang(c)).DraftDeleted(), fiber.StatusSeeOther)
}

// summaryView is the data of pages/summary.html ("check your answers").
type summaryView struct {
	DraftID, Service, Principal string
	Steps                       []stepLink
	Sections                    []summarySection
	SubmitURL, BackURL          string
	Closed                      string
	Nested                      bool // answers' headings are h3 (false: h2)
}

type summarySection struct {
	Title, ChangeURL string
	Items            []summaryRow
}

type summaryRow struct {
	ID, Label, Value, ChangeURL, Error string
	Rows                               [][]summaryRow
}

func (s *Server) summaryPage(c *fiber.Ctx) error {
	d, def, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	if d.CaseID != "" {
		return c.Redirect(pathsIn(requestLang(c)).Case(d.CaseID), fiber.StatusSeeOther)
	}
	return s.renderSummary(c, fiber.StatusOK, d, def, nil, "")
}

// renderSummary shows the answers with a Change link each, and above them
// the problems submit found, each linking to its field on its step.
func (s *Server) renderSummary(c *fiber.Ctx, status int, d *cases.Draft, def *forms.Definition, errs []forms.FieldError, closed string) error {
	lang := requestLang(c)
	atts, err := s.cases.Attachments(d.ID, d.Owner.ID)
	if err != nil {
		return err
	}
	v := &summaryView{DraftID: d.ID, Steps: s.stepLinks(lang, d, def, len(def.Steps)), Closed: closed,
		SubmitURL: pathsIn(lang).Submit(d.ID),
		BackURL:   pathsIn(lang).Step(d.ID, len(def.Steps)-1)}
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
	msgs := map[string]string{}
	var problems []FieldMessage
	byStep := def.StepErrors(errs)
	for _, e := range errs {
		m := s.fieldMessage(lang, e)
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
	p := s.page(c, "summary", "summary.title", v)
	if p.Errors = problems; len(problems) > 0 {
		p.ErrorIntro = s.msg.T(lang, "summary.problemsIntro")
	}
	return s.render(c, status, p)
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

// submitDraft sends the application. Problems show on the summary (422),
// a closed service keeps the draft (409), and success or a repeat opens
// the case with its receipt.
func (s *Server) submitDraft(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	d, def, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	res, err := s.cases.Submit(d.ID, actorRef(sess))
	switch {
	case errors.Is(err, cases.ErrClosed):
		msg := s.msg.T(lang, "draft.serviceClosed")
		if svc, ok := s.catalog.Service(d.Service); ok {
			_, status := s.availabilityText(lang, svc.AvailabilityAt(s.now()))
			msg += " " + status + "."
		}
		return s.renderSummary(c, fiber.StatusConflict, d, def, nil, msg)
	case err != nil:
		return s.casesFail(c, err)
	case len(res.Errors) > 0:
		return s.renderSummary(c, fiber.StatusUnprocessableEntity, d, def, res.Errors, "")
	}
	if !res.Again && s.log != nil {
		s.log.Info("case submitted", "case", res.Case.ID, "service", res.Case.Service, "actor", sess.UserID)
	}
	return c.Redirect(pathsIn(lang).NewCase(res.Case.ID), fiber.StatusSeeOther)
}
