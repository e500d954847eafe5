package web

import (
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
)

// residentHandling is the resident's side of a case being handled, on
// the case page (partials/case-handling.html): the open supplement
// request, the decision, and the forms to write or withdraw.
type residentHandling struct {
	ID                    string
	Supplement            *cases.Supplement
	SupplementDue         string
	SupplementFields      []string // labels
	SupplementURL         string
	Decision              *cases.Decision
	DecisionOutcome       string
	DecisionDate          string
	DecisionFileSize      string
	CanWrite, CanWithdraw bool
	// WithdrawIntro says who learns of a withdrawal: the case's handler
	// is told (cases.Withdraw); before anyone handles it, the
	// municipality sees it in the inbox.
	WithdrawIntro string
}

func (s *Server) residentHandlingOf(lang string, cs *cases.Case) *residentHandling {
	h := &residentHandling{ID: cs.ID}
	open := false
	for _, st := range cases.OpenStatuses {
		open = open || cs.Status == st
	}
	h.CanWrite, h.CanWithdraw = open, open
	h.WithdrawIntro = "withdraw.introUnassigned"
	if cs.Handler != nil {
		h.WithdrawIntro = "withdraw.intro"
	}
	if cs.Status == cases.StatusSupplementRequested && cs.Supplement != nil {
		h.Supplement = cs.Supplement
		h.SupplementDue = datefmt.Date(cs.Supplement.Due, lang)
		h.SupplementURL = pathsIn(lang).CaseSupplement(cs.ID)
		if def, ok := s.cases.Forms.Version(cs.Service, cs.FormVersion); ok {
			for _, id := range cs.Supplement.Fields {
				if f, _, ok := def.Lookup(id); ok {
					h.SupplementFields = append(h.SupplementFields, f.Label.In(lang))
				}
			}
		}
	}
	if cs.Decision != nil {
		h.Decision = cs.Decision
		h.DecisionOutcome = s.msg.T(lang, outcomeIDs[cs.Decision.Outcome])
		h.DecisionDate = datefmt.Date(cs.Decision.At, lang)
		if a := cs.Decision.Attachment; a != nil {
			h.DecisionFileSize = forms.FormatSize(a.Size, lang)
		}
	}
	return h
}

// caseWithdraw and caseMessage are the resident's forms on the case page.
func (s *Server) caseWithdraw(c *fiber.Ctx) error {
	_, err := s.cases.Withdraw(c.Params("id"), actorRef(session(c)), strings.Clone(c.FormValue("reason")))
	return s.afterResidentAction(c, err)
}

func (s *Server) caseMessage(c *fiber.Ctx) error {
	_, err := s.cases.SendMessage(c.Params("id"), actorRef(session(c)), strings.Clone(c.FormValue("text")))
	return s.afterResidentAction(c, err)
}

func (s *Server) afterResidentAction(c *fiber.Ctx, err error) error {
	if err != nil {
		return s.staffFail(c, err)
	}
	return c.Redirect(pathsIn(requestLang(c)).Case(c.Params("id")), fiber.StatusSeeOther)
}

// supplementView is the data of pages/case-supplement.html.
type supplementView struct {
	Reference, Service, Message, Due, CaseURL, Action string
	Fields                                            []*fieldView
	Files                                             bool // a file is asked for: the form is multipart
}

// supplementPage shows the fields the handler asked to correct, with the
// current answers, as a form (works without JS).
func (s *Server) supplementPage(c *fiber.Ctx) error {
	return s.renderSupplement(c, fiber.StatusOK, nil, nil)
}

func (s *Server) renderSupplement(c *fiber.Ctx, status int, values map[string]any, errs []forms.FieldError) error {
	lang := requestLang(c)
	cs, _, err := s.cases.Case(c.Params("id"), session(c).UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	if cs.Status != cases.StatusSupplementRequested || cs.Supplement == nil {
		return c.Redirect(pathsIn(lang).Case(cs.ID), fiber.StatusSeeOther)
	}
	def, ok := s.cases.Forms.Version(cs.Service, cs.FormVersion)
	if !ok {
		return fiber.ErrNotFound
	}
	if values == nil {
		values = cs.Answers
	}
	b := s.newFieldBuilder(lang, &cases.Draft{ID: cs.DraftID, Service: cs.Service, FormVersion: cs.FormVersion}, def, -1, values, false, cs.Attachments)
	p := s.page(c, "case-supplement", "supplement.title", nil)
	for _, e := range errs {
		if _, dup := b.errors[e.Field]; !dup {
			b.errors[e.Field] = s.fieldMessage(lang, e)
			p.Errors = append(p.Errors, FieldMessage{Field: e.Field, Message: b.errors[e.Field]})
		}
	}
	v := &supplementView{Reference: cs.Reference, Message: cs.Supplement.Message, Due: datefmt.Date(cs.Supplement.Due, lang),
		CaseURL: pathsIn(lang).Case(cs.ID), Action: pathsIn(lang).CaseSupplement(cs.ID)}
	if svc, ok := s.catalog.Service(cs.Service); ok {
		v.Service = svc.Name.In(lang)
	}
	for _, id := range cs.Supplement.Fields {
		if f, _, ok := def.Lookup(id); ok {
			v.Fields = append(v.Fields, b.field(f, f.ID, values))
			v.Files = v.Files || f.Type == forms.TypeFile
		}
	}
	p.Data = v
	return s.render(c, status, p)
}

// supplementSend reads the corrected fields and sends them.
func (s *Server) supplementSend(c *fiber.Ctx) error {
	cs, _, err := s.cases.Case(c.Params("id"), session(c).UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	if cs.Supplement == nil {
		return c.Redirect(pathsIn(requestLang(c)).Case(cs.ID), fiber.StatusSeeOther)
	}
	def, ok := s.cases.Forms.Version(cs.Service, cs.FormVersion)
	if !ok {
		return fiber.ErrNotFound
	}
	vals, files, err := postedForm(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	var fields []*forms.Field
	for _, id := range cs.Supplement.Fields {
		if f, _, ok := def.Lookup(id); ok {
			fields = append(fields, f)
		}
	}
	who := actorRef(session(c))
	upload := func(field string, fh *multipart.FileHeader) (string, error) { // a missing attachment sent
		f, err := fh.Open()
		if err != nil {
			return "", err
		}
		defer f.Close()
		s.uploadSlots <- struct{}{}
		defer func() { <-s.uploadSlots }()
		a, err := s.cases.AddSupplementFile(cs.ID, who, field, cases.Upload{Name: fh.Filename, Size: fh.Size, Content: f})
		if err != nil {
			return "", err
		}
		return a.ID, nil
	}
	post := readStep(fields, vals, files, upload)
	if len(post.errs) > 0 { // a file refused: nothing sent
		return s.renderSupplement(c, fiber.StatusUnprocessableEntity, post.values, post.errs)
	}
	res, err := s.cases.SendSupplement(cs.ID, who, post.values)
	if err != nil {
		return s.staffFail(c, err)
	}
	if len(res.Errors) > 0 {
		merged := map[string]any{}
		for k, v := range cs.Answers {
			merged[k] = v
		}
		for k, v := range post.values {
			merged[k] = v
		}
		return s.renderSupplement(c, fiber.StatusUnprocessableEntity, merged, res.Errors)
	}
	s.publishCase(res.Case)
	return c.Redirect(pathsIn(requestLang(c)).Case(cs.ID), fiber.StatusSeeOther)
}

// The JSON API of the same (CONTRACT.md: withdraw, messages; plus the
// supplement).
func (s *Server) apiCaseWithdraw(c *fiber.Ctx) error {
	var in struct {
		Reason string `json:"reason"`
	}
	_ = c.BodyParser(&in)
	cs, err := s.cases.Withdraw(c.Params("id"), actorRef(session(c)), in.Reason)
	if err != nil {
		return s.staffFail(c, err)
	}
	s.publishCase(cs)
	return c.JSON(caseJSON(cs, nil))
}

func (s *Server) apiCaseMessage(c *fiber.Ctx) error {
	var in struct {
		Text string `json:"text"`
	}
	if err := c.BodyParser(&in); err != nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	cs, err := s.cases.SendMessage(c.Params("id"), actorRef(session(c)), in.Text)
	if err != nil {
		return s.staffFail(c, err)
	}
	s.publishCase(cs)
	return c.Status(fiber.StatusCreated).JSON(caseJSON(cs, nil))
}

func (s *Server) apiCaseSupplement(c *fiber.Ctx) error {
	var in struct {
		Data map[string]any `json:"data"`
	}
	if err := c.BodyParser(&in); err != nil || in.Data == nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	res, err := s.cases.SendSupplement(c.Params("id"), actorRef(session(c)), in.Data)
	if err != nil {
		return s.staffFail(c, err)
	}
	if len(res.Errors) > 0 {
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"errors": s.fieldErrors(requestLang(c), res.Errors)})
	}
	s.publishCase(res.Case)
	return c.JSON(caseJSON(res.Case, nil))
}
