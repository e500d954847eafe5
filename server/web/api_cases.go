package web

import (
	"errors"
	jsonv2 "github.com/go-json-experiment/json"
	"mime/multipart"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/i18n"
	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/forms"
)

type apiService struct {
	ID           string     `json:"id"`
	Name         i18n.Text  `json:"name"`
	OnBehalf     string     `json:"onBehalf"`
	MandateIssue string     `json:"mandateIssue,omitempty"`
	OpensAt      *time.Time `json:"opensAt,omitempty"`
	ClosesAt     *time.Time `json:"closesAt,omitempty"`
	Open         bool       `json:"open"`
	Category     string     `json:"category"`
	LifeEvents   []string   `json:"lifeEvents"`
	Summary      i18n.Text  `json:"summary"`
	// Kind is what the service is: application, notification, request
	// or registration.
	Kind        string               `json:"kind"`
	Eligibility *catalog.Eligibility `json:"eligibility,omitempty"`
}

func (s *Server) apiServices(c *fiber.Ctx) error {
	now := s.now()
	out := []apiService{}
	for _, svc := range s.catalog.Services() {
		out = append(out, apiService{ID: svc.ID, Name: svc.Name, OnBehalf: svc.OnBehalf, MandateIssue: svc.MandateIssue,
			OpensAt: svc.OpensAt, ClosesAt: svc.ClosesAt, Open: svc.AvailabilityAt(now).Open,
			Category: svc.Category, LifeEvents: svc.LifeEvents, Summary: svc.Summary, Kind: svc.Kind, Eligibility: svc.Eligibility})
	}
	return c.JSON(out)
}

func (s *Server) apiServiceForm(c *fiber.Ctx) error {
	def, ok := s.cases.Forms.Latest(c.Params("id"))
	if !ok {
		return fiber.ErrNotFound
	}
	return c.JSON(fiber.Map{"service": def.Service, "version": def.Version, "steps": def.Steps})
}

func (s *Server) apiCreateDraft(c *fiber.Ctx) error {
	var in struct {
		Service string `json:"service"`
	}
	if err := c.BodyParser(&in); err != nil || in.Service == "" {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	sess := session(c)
	d, err := s.cases.CreateDraft(in.Service, actorRef(sess), principalRef(sess))
	if err != nil {
		return s.casesFail(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(apiCreated{ID: d.ID, Version: d.Version})
}

// apiCreated answers a create: {id, version}. A struct, not a fiber.Map:
// the same bytes (members in the order a map's sorted keys give), with
// no map to build and sort for every create.
type apiCreated struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

type apiDraftItem struct {
	ID        string     `json:"id"`
	Service   string     `json:"service"`
	UpdatedAt time.Time  `json:"updatedAt"`
	ExpiresAt time.Time  `json:"expiresAt"`
	Version   int        `json:"version"`
	Principal *cases.Ref `json:"principal,omitempty"`
}

func (s *Server) apiDrafts(c *fiber.Ctx) error {
	p, err := listPage(c)
	if err != nil {
		return s.pageFail(c, err)
	}
	pg, err := s.cases.DraftsPage(session(c).UserID, p)
	if err != nil {
		return s.pageFail(c, err)
	}
	setNextPage(c, "/api/v1/drafts", pg.Next, p)
	out := make([]apiDraftItem, 0, len(pg.Drafts))
	for _, d := range pg.Drafts {
		out = append(out, apiDraftItem{ID: d.ID, Service: d.Service, UpdatedAt: d.UpdatedAt, ExpiresAt: d.ExpiresAt, Version: d.Version, Principal: d.Principal})
	}
	return c.JSON(out)
}

// draftJSON is GET /drafts/{id}; also the body of a 409 ("current").
func draftJSON(d *cases.Draft) fiber.Map {
	pre := map[string]cases.PrefillSource{}
	for k := range d.Prefill {
		if v, ok := cases.SourceOf(d.Prefill, k, d.Data[k]); ok { // a changed value is the person's own
			pre[k] = v
		}
	}
	return fiber.Map{"id": d.ID, "service": d.Service, "formVersion": d.FormVersion, "version": d.Version,
		"data": d.Data, "prefill": pre, "step": d.Step, "updatedAt": d.UpdatedAt, "expiresAt": d.ExpiresAt,
		"principal": d.Principal, "submitted": d.CaseID != ""}
}

func (s *Server) apiDraft(c *fiber.Ctx) error {
	d, err := s.cases.Draft(c.Params("id"), session(c).UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	return c.JSON(draftJSON(d))
}

// apiSaveDraft is PUT /drafts/{id} {version, data, step?}: data replaces
// every answer.
func (s *Server) apiSaveDraft(c *fiber.Ctx) error {
	var in struct {
		Version int            `json:"version"`
		Data    map[string]any `json:"data"`
		Step    *int           `json:"step"`
	}
	in.Data = cases.NewAnswersFor(c.Body(), "data") // room for the answers: no map growing as they are read
	if err := jsonv2.Unmarshal(c.Body(), &in); err != nil || in.Version < 1 || in.Data == nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	d, shape, err := s.cases.Save(c.Params("id"), session(c).UserID, in.Version, in.Data, saveStep(in.Step))
	return s.savedDraft(c, d, shape, err)
}

// apiSaveDraftChanges is PATCH /drafts/{id} {version, changes, step?}, the
// save of what changed that autosave sends: changes maps field ids to
// their new values, null removing an answer; the other answers stay. It
// answers as PUT does.
func (s *Server) apiSaveDraftChanges(c *fiber.Ctx) error {
	var in struct {
		Version int            `json:"version"`
		Changes map[string]any `json:"changes"`
		Step    *int           `json:"step"`
	}
	in.Changes = cases.NewAnswersFor(c.Body(), "changes")
	if err := jsonv2.Unmarshal(c.Body(), &in); err != nil || in.Version < 1 || in.Changes == nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	d, shape, err := s.cases.SaveChanges(c.Params("id"), session(c).UserID, in.Version, in.Changes, saveStep(in.Step))
	return s.savedDraft(c, d, shape, err)
}

// saveStep is the step a save sets: -1 (keep it) when absent or negative.
func saveStep(step *int) int {
	if step != nil && *step >= 0 {
		return *step
	}
	return -1
}

// savedDraft answers a save: 200 {version, updatedAt, errors?}, or 409
// {error, current} for a stale version.
func (s *Server) savedDraft(c *fiber.Ctx, d *cases.Draft, shape []forms.FieldError, err error) error {
	var ce *cases.ConflictError
	if errors.As(err, &ce) {
		lang := requestLang(c)
		return c.Status(fiber.StatusConflict).JSON(fiber.Map{
			"error":   APIError{Code: "stale-version", Message: s.msg.T(lang, "draft.conflict")},
			"current": draftJSON(ce.Current)})
	}
	if err != nil {
		return s.casesFail(c, err)
	}
	out := apiSaved{Version: d.Version, UpdatedAt: d.UpdatedAt}
	if len(shape) > 0 {
		out.Errors = s.fieldErrors(requestLang(c), shape)
	}
	return c.JSON(out)
}

// apiSaved answers a save: {errors?, updatedAt, version}, as apiCreated a
// struct whose members come in the order a map's sorted keys gave.
type apiSaved struct {
	Errors    []apiFieldError `json:"errors,omitempty"`
	UpdatedAt time.Time       `json:"updatedAt"`
	Version   int             `json:"version"`
}

func (s *Server) apiDeleteDraft(c *fiber.Ctx) error {
	if err := s.cases.Delete(c.Params("id"), session(c).UserID); err != nil {
		return s.casesFail(c, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type apiFieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *Server) fieldErrors(lang string, errs []forms.FieldError) []apiFieldError {
	out := make([]apiFieldError, 0, len(errs))
	for _, e := range errs {
		out = append(out, apiFieldError{Field: e.Field, Code: e.Code, Message: s.fieldMessage(lang, e)})
	}
	return out
}

func (s *Server) apiUpload(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return s.fail(c, fiber.StatusBadRequest, "no-file", "upload.noFile")
	}
	a, err := s.attach(c.Params("id"), session(c).UserID, c.Query("field"), fh)
	if err != nil {
		return s.casesFail(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": a.ID, "name": a.Name, "size": a.Size, "mime": a.MIME})
}

// attach stores a chosen file for a draft's field: the one upload path of
// the API and the pages. The file waits in a temporary file (readBody,
// fasthttp's multipart reader) until one of uploadSlots is free: only
// that many files are in memory at once.
func (s *Server) attach(draftID, owner, field string, fh *multipart.FileHeader) (*cases.Attachment, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s.uploadSlots <- struct{}{}
	defer func() { <-s.uploadSlots }()
	return s.cases.AddAttachment(draftID, owner, field, cases.Upload{Name: fh.Filename, Size: fh.Size, Content: f})
}

func (s *Server) apiSubmit(c *fiber.Ctx) error {
	sess := session(c)
	res, err := s.cases.Submit(c.Params("id"), actorRef(sess))
	if err != nil {
		return s.casesFail(c, err)
	}
	if len(res.Errors) > 0 {
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"errors": s.fieldErrors(requestLang(c), res.Errors)})
	}
	if !res.Again {
		s.publishCase(res.Case) // the service's inboxes refresh
		if s.log != nil {
			s.log.Info("case submitted", "case", res.Case.ID, "service", res.Case.Service, "actor", sess.UserID)
		}
	}
	return c.Status(fiber.StatusCreated).JSON(apiSubmitted{ID: res.Case.ID, Reference: res.Case.Reference, Status: res.Case.Status})
}

// apiSubmitted answers a submit: {id, reference, status}, as apiCreated a
// struct whose members come in the order a map's sorted keys gave.
type apiSubmitted struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Status    string `json:"status"`
}

type apiRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type apiEvent struct {
	Type      string    `json:"type"`
	At        time.Time `json:"at"`
	Actor     apiRef    `json:"actor"`
	Principal *apiRef   `json:"principal,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
}

func refOf(r *cases.Ref) *apiRef {
	if r == nil {
		return nil
	}
	return &apiRef{ID: r.ID, Name: r.Name}
}

func caseJSON(c *cases.Case, evs []cases.Event) fiber.Map {
	parties := []fiber.Map{}
	for _, p := range c.Parties {
		parties = append(parties, fiber.Map{"name": p.Name, "status": p.Status})
	}
	out := fiber.Map{"id": c.ID, "reference": c.Reference, "service": c.Service, "status": c.Status,
		"parties": parties, "submittedAt": c.SubmittedAt, "dueAt": c.DueAt, "formVersion": c.FormVersion,
		"actor": refOf(&c.Actor)}
	if c.Principal != nil {
		out["principal"] = refOf(c.Principal)
	}
	if len(c.Notified) > 0 { // the other parties of a joint matter, told of it
		notified := []fiber.Map{}
		for _, p := range c.Notified {
			notified = append(notified, fiber.Map{"name": p.Name, "status": p.Status})
		}
		out["notified"] = notified
	}
	if evs != nil {
		list := []apiEvent{}
		for _, e := range evs {
			list = append(list, apiEvent{Type: e.Type, At: e.At, Actor: *refOf(&e.Actor), Principal: refOf(e.Principal), From: e.From, To: e.To})
		}
		out["events"] = list
		out["answers"] = c.Answers
	}
	return out
}

func (s *Server) apiCases(c *fiber.Ctx) error {
	p, err := listPage(c)
	if err != nil {
		return s.pageFail(c, err)
	}
	pg, err := s.cases.CasesPage(session(c).UserID, p)
	if err != nil {
		return s.pageFail(c, err)
	}
	setNextPage(c, "/api/v1/cases", pg.Next, p)
	out := make([]fiber.Map, 0, len(pg.Cases))
	for _, cs := range pg.Cases {
		m := caseJSON(cs.Case, nil)
		m["group"], m["readOnly"] = cs.Group, cs.Access == cases.ResidentRead
		out = append(out, m)
	}
	return c.JSON(out)
}

func (s *Server) apiCase(c *fiber.Ctx) error {
	cs, evs, access, err := s.cases.CaseWithAccess(c.Params("id"), session(c).UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	m := caseJSON(cs, evs)
	m["readOnly"] = access == cases.ResidentRead
	return c.JSON(m)
}
