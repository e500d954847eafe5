package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/identity"
	"asiointi/server/notify"
)

// inboxFilter reads the inbox's filters from the query (the API's and
// the page's are the same). The submitted filter (submittedFrom,
// submittedTo: Helsinki days, both included) is cases.SubmittedRange's;
// when that refuses it, the error says why and the filter is without it.
func inboxFilter(c *fiber.Ctx, now time.Time) (cases.InboxFilter, error) {
	f := cases.InboxFilter{Service: c.Query("service"), Status: c.Query("status"), Handler: c.Query("handler"),
		Customer: strings.Clone(c.Query("customer")), Overdue: c.Query("overdue") == "1" || c.Query("overdue") == "true",
		Desc: c.Query("sort") == "-due"}
	f.Service, f.Status, f.Handler = strings.Clone(f.Service), strings.Clone(f.Status), strings.Clone(f.Handler)
	f.Page, _ = strconv.Atoi(c.Query("page"))
	f.PerPage, _ = strconv.Atoi(c.Query("perPage"))
	if d, err := time.ParseInLocation("2006-01-02", c.Query("dueBefore"), datefmt.Helsinki()); err == nil {
		f.DueBefore = d.AddDate(0, 0, 1) // through the day given
	}
	var err error
	f.SubmittedFrom, f.SubmittedTo, err = cases.SubmittedRange(c.Query("submittedFrom"), c.Query("submittedTo"), now)
	return f, err
}

// inboxArgs are the query of the inbox view f, inboxFilter's inverse: a
// link to the inbox filtered so (the days of the bounds in Helsinki).
func inboxArgs(f cases.InboxFilter) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	hel := datefmt.Helsinki()
	dayBefore := func(t time.Time) string { return t.In(hel).AddDate(0, 0, -1).Format(time.DateOnly) }
	set("service", f.Service)
	set("status", f.Status)
	set("handler", f.Handler)
	set("customer", f.Customer)
	if !f.DueBefore.IsZero() {
		set("dueBefore", dayBefore(f.DueBefore)) // through the day given
	}
	if !f.SubmittedFrom.IsZero() {
		set("submittedFrom", f.SubmittedFrom.In(hel).Format(time.DateOnly))
		set("submittedTo", dayBefore(f.SubmittedTo))
	}
	if f.Overdue {
		set("overdue", "1")
	}
	if f.Desc {
		set("sort", "-due")
	}
	if f.Page > 1 {
		set("page", strconv.Itoa(f.Page))
	}
	if f.PerPage > 0 {
		set("perPage", strconv.Itoa(f.PerPage))
	}
	return v
}

// rangeErrorIDs are the messages of a refused submitted range, by reason.
var rangeErrorIDs = map[string]string{cases.RangeBadDate: "staff.inbox.error.date", cases.RangeOrder: "staff.inbox.error.order",
	cases.RangeTooLong: "staff.inbox.error.span", cases.RangeNoStart: "staff.inbox.error.start"}

// rangeText is why a submitted range was refused, in lang, naming the
// field it is about.
func (s *Server) rangeText(lang string, e *cases.RangeError) string {
	field := map[string]string{"from": "staff.inbox.submittedFrom", "to": "staff.inbox.submittedTo"}[e.Field]
	return s.msg.T(lang, field) + ": " + s.msg.T(lang, rangeErrorIDs[e.Reason], map[string]any{
		"Count": cases.MaxSubmittedDays, "First": cases.FirstSubmittedYear, "Last": cases.LastSubmittedYear})
}

type apiInboxRow struct {
	ID            string     `json:"id"`
	Reference     string     `json:"reference"`
	Service       string     `json:"service"`
	Status        string     `json:"status"`
	Handler       *apiRef    `json:"handler,omitempty"`
	Customer      apiRef     `json:"customer"`
	SubmittedAt   time.Time  `json:"submittedAt"`
	DueAt         time.Time  `json:"dueAt"`
	SupplementDue *time.Time `json:"supplementDue,omitempty"`
	Overdue       bool       `json:"overdue"`
	Version       int        `json:"version"`
}

// apiHandlerCases is GET /handler/cases: an array of the page's cases
// (CONTRACT.md); X-Total-Count, X-Page and Link rel=next say where it is;
// ?view=page answers {cases, page, perPage, more, total, counts} instead.
func (s *Server) apiHandlerCases(c *fiber.Ctx) error {
	f, err := inboxFilter(c, s.now())
	if err != nil {
		return s.staffFail(c, err)
	}
	pg, err := s.cases.Inbox(actorRef(session(c)), f)
	if err != nil {
		return s.staffFail(c, err)
	}
	now := s.now()
	rows := []apiInboxRow{}
	for _, r := range pg.Rows {
		rows = append(rows, apiInboxRow{ID: r.ID, Reference: r.Reference, Service: r.Service, Status: r.Status,
			Handler: refOf(r.Handler), Customer: *refOf(&r.Customer), SubmittedAt: r.SubmittedAt, DueAt: r.DueAt,
			SupplementDue: r.SupplementDue, Overdue: overdue(r, now), Version: r.Version})
	}
	c.Set("X-Page", strconv.Itoa(pg.Page))
	if pg.Total >= 0 {
		c.Set("X-Total-Count", strconv.Itoa(pg.Total))
	}
	if pg.More {
		q := c.Request().URI().QueryArgs()
		q.Set("page", strconv.Itoa(pg.Page+1))
		c.Set("Link", "</api/v1/handler/cases?"+string(q.QueryString())+`>; rel="next"`)
	}
	if c.Query("view") == "page" {
		return c.JSON(fiber.Map{"cases": rows, "page": pg.Page, "perPage": pg.PerPage, "more": pg.More,
			"total": pg.Total, "counts": pg.Counts, "services": pg.Services})
	}
	return c.JSON(rows)
}

// overdue: an open case past its due date.
func overdue(r cases.InboxRow, now time.Time) bool {
	for _, st := range cases.OpenStatuses {
		if r.Status == st {
			return now.After(r.DueAt)
		}
	}
	return false
}

// apiHandlerCase is GET /handler/cases/{id}: the full case; opening it is
// recorded in the access log of each person whose data it shows.
func (s *Server) apiHandlerCase(c *fiber.Ctx) error {
	lang := requestLang(c)
	cs, evs, notes, err := s.cases.HandlerCase(c.Params("id"), actorRef(session(c)))
	if err != nil {
		return s.staffFail(c, err)
	}
	out := caseJSON(cs, evs)
	out["version"] = cs.Version
	out["handler"] = refOf(cs.Handler)
	out["transitions"] = cases.Transitions(cs.Status)
	out["supplement"] = cs.Supplement
	out["decision"] = cs.Decision
	labelled := []fiber.Map{}
	for _, st := range s.caseSummary(lang, cs) {
		for _, it := range st.Items {
			labelled = append(labelled, fiber.Map{"step": st.Title, "field": it.FieldID, "label": it.Label, "value": it.Value})
		}
	}
	out["labelledAnswers"] = labelled
	atts := []fiber.Map{}
	for _, a := range cs.Attachments {
		atts = append(atts, fiber.Map{"id": a.ID, "name": a.Name, "size": a.Size, "mime": a.MIME, "field": a.Field,
			"url": pathsIn(lang).StaffAttachment(cs.ID, a.ID)})
	}
	out["attachments"] = atts
	list := []fiber.Map{}
	for _, n := range notes {
		list = append(list, fiber.Map{"id": n.ID, "at": n.At, "author": refOf(&n.Author), "text": n.Text})
	}
	out["notes"] = list
	return c.JSON(out)
}

// actionInput is the body of every staff action call.
type actionInput struct {
	Version *int     `json:"version"` // none: the action does not check it
	To      string   `json:"to"`
	Note    string   `json:"note"`
	Message string   `json:"message"`
	Fields  []string `json:"fields"`
	Due     string   `json:"due"` // YYYY-MM-DD (end of that day in Helsinki) or RFC 3339
	Outcome string   `json:"outcome"`
	Text    string   `json:"text"`
	// File is a decision's file (the page's form; the API takes none).
	File *cases.Upload `json:"-"`
}

func (s *Server) apiHandlerAction(c *fiber.Ctx, action string) error {
	var in actionInput
	if err := c.BodyParser(&in); err != nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	cs, err := s.runAction(c, action, in)
	if err != nil {
		return s.staffFail(c, err)
	}
	if cs == nil { // a note
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"ok": true})
	}
	return c.JSON(fiber.Map{"id": cs.ID, "status": cs.Status, "version": cs.Version, "handler": refOf(cs.Handler)})
}

// runAction is the one domain call of a staff action, for the API and
// the pages alike.
func (s *Server) runAction(c *fiber.Ctx, action string, in actionInput) (*cases.Case, error) {
	who := actorRef(session(c))
	id := c.Params("id")
	version := cases.AnyVersion
	if in.Version != nil {
		version = *in.Version
	}
	var cs *cases.Case
	var err error
	switch action {
	case "transition":
		cs, err = s.cases.Transition(id, who, version, in.To, in.Note)
	case "assign":
		to := in.To
		if to == "me" {
			to = who.ID
		}
		cs, err = s.cases.Assign(id, who, version, to)
	case "supplement-request":
		due, ok := parseDue(in.Due)
		if !ok {
			return nil, cases.ErrBadInput
		}
		cs, err = s.cases.RequestSupplement(id, who, version, in.Message, in.Fields, due)
	case "decision":
		cs, err = s.cases.Decide(id, who, version, in.Outcome, in.Text, in.File)
	case "notes":
		_, err = s.cases.AddNote(id, who, in.Text)
		return nil, err
	case "messages":
		cs, err = s.cases.SendHandlerMessage(id, who, version, in.Text)
	default:
		return nil, cases.ErrNotFound
	}
	if err == nil {
		s.publishCase(cs)
	}
	return cs, err
}

// parseDue reads a due date: a day (the end of it in Helsinki) or an
// RFC 3339 time.
func parseDue(v string) (time.Time, bool) {
	if d, err := time.ParseInLocation("2006-01-02", v, datefmt.Helsinki()); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Second), true
	}
	t, err := time.Parse(time.RFC3339, v)
	return t, err == nil
}

func (s *Server) apiHandlerTransition(c *fiber.Ctx) error { return s.apiHandlerAction(c, "transition") }
func (s *Server) apiHandlerAssign(c *fiber.Ctx) error     { return s.apiHandlerAction(c, "assign") }
func (s *Server) apiHandlerSupplement(c *fiber.Ctx) error {
	return s.apiHandlerAction(c, "supplement-request")
}
func (s *Server) apiHandlerDecision(c *fiber.Ctx) error { return s.apiHandlerAction(c, "decision") }
func (s *Server) apiHandlerNote(c *fiber.Ctx) error     { return s.apiHandlerAction(c, "notes") }
func (s *Server) apiHandlerMessage(c *fiber.Ctx) error  { return s.apiHandlerAction(c, "messages") }

// staffFail maps the handling refusals to localized answers.
func (s *Server) staffFail(c *fiber.Ctx, err error) error {
	var ce *cases.CaseConflictError
	var re *cases.RangeError
	switch {
	case errors.As(err, &re):
		return s.failText(c, fiber.StatusBadRequest, "bad-request", s.rangeText(requestLang(c), re))
	case errors.As(err, &ce):
		return s.fail(c, fiber.StatusConflict, "stale-version", "staff.error.conflict")
	case errors.Is(err, cases.ErrIllegalTransition):
		return s.fail(c, fiber.StatusConflict, "illegal-transition", "staff.error.illegalTransition")
	case errors.Is(err, cases.ErrForbidden) && session(c) != nil && session(c).Kind == identity.Resident:
		return s.fail(c, fiber.StatusForbidden, "read-only", "casePage.readOnlyRefused") // a case one may only view
	case errors.Is(err, cases.ErrForbidden):
		return s.fail(c, fiber.StatusForbidden, "forbidden", "staff.error.notHandler")
	case errors.Is(err, cases.ErrNotHandler):
		return s.fail(c, fiber.StatusUnprocessableEntity, "not-a-handler", "staff.error.assignee")
	case errors.Is(err, cases.ErrBadInput):
		return s.fail(c, fiber.StatusUnprocessableEntity, "bad-input", "staff.error.badInput")
	}
	return s.casesFail(c, err)
}

// publishCase tells the open pages of the service's staff that a case
// arrived or changed (the inbox refreshes itself).
func (s *Server) publishCase(cs *cases.Case) {
	if cs == nil {
		return
	}
	staff, err := s.dir.ServiceStaff(cs.Service)
	if err != nil {
		return
	}
	for _, username := range staff {
		s.hub.Publish(username, notifyCaseEvent(cs))
	}
}

func notifyCaseEvent(cs *cases.Case) notify.Event {
	return notify.Event{Type: "case", ID: cs.ID, Link: "/staff/cases/" + cs.ID}
}
