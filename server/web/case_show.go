package web

import (
	"encoding/json"
	"mime"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
)

// caseStatusIDs word each case status for residents.
var caseStatusIDs = map[string]string{
	cases.StatusAwaitingSignatures:  "caseStatus.awaitingSignatures",
	cases.StatusSubmitted:           "caseStatus.submitted",
	cases.StatusInProgress:          "caseStatus.inProgress",
	cases.StatusSupplementRequested: "caseStatus.supplementRequested",
	cases.StatusDecided:             "caseStatus.decided",
	cases.StatusClosed:              "caseStatus.closed",
	cases.StatusCancelled:           "caseStatus.cancelled",
}

func (s *Server) caseStatusText(lang, status string) string {
	if id, ok := caseStatusIDs[status]; ok {
		return s.msg.T(lang, id)
	}
	return status
}

// caseRow is one application in a list.
type caseRow struct {
	ID, Reference, Service, Status, StatusText, Submitted, For, By, URL string
	SubmittedText                                                       string // "Sent 23.11.2026"
	Applicant, Sender                                                   string // names: whose application, who sent it
	Level                                                               int    // heading level in lists: 2 on its own page, else 3
}

func (s *Server) caseRowOf(lang, me string, c *cases.Case) caseRow {
	r := caseRow{ID: c.ID, Reference: c.Reference, Service: c.Service, Status: c.Status,
		StatusText: s.caseStatusText(lang, c.Status), Submitted: datefmt.Date(c.SubmittedAt, lang),
		URL: pathsIn(lang).Case(c.ID)}
	r.SubmittedText = s.msg.T(lang, "caseList.sent", map[string]any{"Date": r.Submitted})
	r.Applicant, r.Sender = c.Subject().Name, c.Actor.Name
	if svc, ok := s.catalog.Service(c.Service); ok {
		r.Service = svc.Name.In(lang)
	}
	if c.Principal != nil && c.Principal.ID != me {
		r.For = s.msg.T(lang, "caseList.for", map[string]any{"Name": c.Principal.Name})
	}
	if c.Actor.ID != me {
		r.By = s.msg.T(lang, "caseList.by", map[string]any{"Name": c.Actor.Name})
	}
	return r
}

func (s *Server) casesPage(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	list, err := s.cases.Cases(sess.UserID)
	if err != nil {
		return err
	}
	var rows []caseRow
	for _, cs := range list {
		r := s.caseRowOf(lang, sess.UserID, cs)
		r.Level = 2
		rows = append(rows, r)
	}
	return s.render(c, fiber.StatusOK, s.page(c, "cases", "caseList.title", rows))
}

// caseView is the data of pages/case.html: receipt, status, timeline,
// answers and attachments.
type caseView struct {
	caseRow
	New            bool
	ProcessingTime string
	SubmittedAt    string
	Events         []timelineRow
	Sections       []summarySection
	Attachments    []attachmentRow
	JSONURL        string
	Nested         bool // answers' headings are h3 under "Answers"
}

type timelineRow struct {
	At, DateTime, Text string
}

type attachmentRow struct {
	Name, Size, URL string
}

func (s *Server) casePage(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	cs, evs, err := s.cases.Case(c.Params("id"), sess.UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	v := &caseView{caseRow: s.caseRowOf(lang, sess.UserID, cs), New: c.Query("new") == "1", Nested: true,
		SubmittedAt: datefmt.DateTime(cs.SubmittedAt, lang), JSONURL: pathsIn(lang).Receipt(cs.ID)}
	if svc, ok := s.catalog.Service(cs.Service); ok {
		v.ProcessingTime = svc.ProcessingTime.In(lang)
	}
	for _, e := range evs {
		v.Events = append(v.Events, timelineRow{At: e.At.Format(time.RFC3339), DateTime: datefmt.DateTime(e.At, lang), Text: s.eventText(lang, e)})
	}
	for _, a := range cs.Attachments {
		v.Attachments = append(v.Attachments, attachmentRow{Name: a.Name, Size: forms.FormatSize(a.Size, lang),
			URL: pathsIn(lang).Attachment(a.Draft, a.ID)})
	}
	for _, st := range s.caseSummary(lang, cs) {
		sec := summarySection{Title: st.Title}
		for _, it := range st.Items {
			sec.Items = append(sec.Items, summaryRowOf(it, "", nil))
		}
		v.Sections = append(v.Sections, sec)
	}
	p := s.page(c, "case", "", v)
	p.Title = cs.Reference + " – " + v.Service
	return s.render(c, fiber.StatusOK, p)
}

// caseSummary lays out a case's answers with the form version it was
// sent with.
func (s *Server) caseSummary(lang string, cs *cases.Case) []forms.SummaryStep {
	def, ok := s.cases.Forms.Version(cs.Service, cs.FormVersion)
	if !ok {
		return nil
	}
	return def.Summary(cs.Answers, lang, cases.AttachmentLookup(cs.Attachments), func(id string) string { return s.msg.T(lang, id) })
}

// eventText words a case event: who did what, acting for whom.
func (s *Server) eventText(lang string, e cases.Event) string {
	data := map[string]any{"Actor": e.Actor.Name}
	if e.Principal != nil && e.Principal.ID != e.Actor.ID {
		data["Principal"] = e.Principal.Name
	}
	switch e.Type {
	case "submitted":
		if data["Principal"] != nil {
			return s.msg.T(lang, "timeline.submittedFor", data)
		}
		return s.msg.T(lang, "timeline.submitted", data)
	case "status-changed":
		data["Status"] = s.caseStatusText(lang, e.To)
		return s.msg.T(lang, "timeline.statusChanged", data)
	}
	return s.msg.T(lang, "timeline.other", data)
}

// receiptAnswer is one answer in the downloadable receipt.
type receiptAnswer struct {
	Step  string            `json:"step,omitempty"`
	Field string            `json:"field"`
	Label string            `json:"label"`
	Value string            `json:"value"`
	Items [][]receiptAnswer `json:"items,omitempty"`
}

func receiptAnswerOf(step string, it forms.SummaryItem) receiptAnswer {
	a := receiptAnswer{Step: step, Field: it.FieldID, Label: it.Label, Value: it.Value}
	for _, row := range it.Items {
		var sub []receiptAnswer
		for _, x := range row {
			sub = append(sub, receiptAnswerOf("", x))
		}
		a.Items = append(a.Items, sub)
	}
	return a
}

// caseReceiptJSON is the receipt as a JSON download, labels in the
// page language.
func (s *Server) caseReceiptJSON(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	cs, _, err := s.cases.Case(c.Params("id"), sess.UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	type ref struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	type attachment struct {
		Name string `json:"name"`
		MIME string `json:"mime"`
		Size int64  `json:"size"`
	}
	out := struct {
		Reference   string          `json:"reference"`
		Service     ref             `json:"service"`
		SubmittedAt time.Time       `json:"submittedAt"`
		Status      string          `json:"status"`
		StatusText  string          `json:"statusText"`
		Actor       ref             `json:"actor"`
		Principal   *ref            `json:"principal,omitempty"`
		Language    string          `json:"language"`
		FormVersion int             `json:"formVersion"`
		Answers     []receiptAnswer `json:"answers"`
		Attachments []attachment    `json:"attachments"`
	}{Reference: cs.Reference, Service: ref{ID: cs.Service, Name: cs.Service}, SubmittedAt: cs.SubmittedAt,
		Status: cs.Status, StatusText: s.caseStatusText(lang, cs.Status), Actor: ref{ID: cs.Actor.ID, Name: cs.Actor.Name},
		Language: lang, FormVersion: cs.FormVersion, Answers: []receiptAnswer{}, Attachments: []attachment{}}
	if svc, ok := s.catalog.Service(cs.Service); ok {
		out.Service.Name = svc.Name.In(lang)
	}
	if cs.Principal != nil {
		out.Principal = &ref{ID: cs.Principal.ID, Name: cs.Principal.Name}
	}
	for _, st := range s.caseSummary(lang, cs) {
		for _, it := range st.Items {
			out.Answers = append(out.Answers, receiptAnswerOf(st.Title, it))
		}
	}
	for _, a := range cs.Attachments {
		out.Attachments = append(out.Attachments, attachment{Name: a.Name, MIME: a.MIME, Size: a.Size})
	}
	body, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	c.Set("Content-Type", "application/json; charset=utf-8")
	c.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": cs.Reference + ".json"}))
	return c.Send(body)
}

// attachmentFile sends an attachment to its draft's owner or to a person
// who may see its case; anyone else gets "not found".
func (s *Server) attachmentFile(c *fiber.Ctx) error {
	a, body, err := s.cases.AttachmentContent(c.Params("draft"), c.Params("att"), session(c).UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
	if disp == "" {
		disp = "attachment"
	}
	c.Set("Content-Type", a.MIME)
	c.Set("Content-Disposition", disp)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.Send(body)
}
