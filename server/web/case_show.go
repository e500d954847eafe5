package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
)

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
	PDFURL         string
	Nested         bool   // answers' headings are h3 under "Answers"
	ReadOnly       string // why the person may only view the case, if so
	// Parties are the co-applicants and their states (live); the
	// applicant may take the application back (ReopenURL) while it waits.
	Parties   []partyRow
	ReopenURL string
	// Awaiting: the case waits for its parties' approvals, not yet sent
	// to the municipality; Approvals says how many approved of how many,
	// WaitingFor who has not answered.
	Awaiting              bool
	Approvals, WaitingFor string
	// Handling is the handler's requests and decision and the resident's
	// forms (case_handling.go).
	Handling *residentHandling
	// Sharing is who may read it (shares.go); nil for whoever may not share it.
	Sharing *sharingView
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
	cs, evs, access, err := s.cases.CaseWithAccess(c.Params("id"), sess.UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	v := &caseView{caseRow: s.caseRowOf(lang, sess.UserID, cs), New: c.Query("new") == "1", Nested: true,
		SubmittedAt: datefmt.DateTime(cs.SubmittedAt, lang), JSONURL: pathsIn(lang).Receipt(cs.ID), PDFURL: pathsIn(lang).ReceiptPDF(cs.ID)}
	if access == cases.ResidentRead {
		v.ReadOnly = s.msg.T(lang, "casePage.readOnly", map[string]any{"Name": cs.Actor.Name})
	} else {
		v.Handling = s.residentHandlingOf(lang, cs)
		v.Sharing = s.sharingOf(c, cs.ID)
	}
	if v.Sharing != nil {
		if e := c.Query("share-error"); e == "share.error.person" || e == "share.error.tooMany" {
			v.Sharing.Error = s.msg.T(lang, e)
		}
	}
	if svc, ok := s.catalog.Service(cs.Service); ok {
		v.ProcessingTime = svc.ProcessingTime.In(lang)
	}
	for _, e := range evs {
		v.Events = append(v.Events, timelineRow{At: e.At.Format(time.RFC3339), DateTime: datefmt.DateTime(e.At, lang), Text: s.eventText(lang, v.Words, e)})
	}
	mine := cs.Actor.ID == sess.UserID && cs.Status == cases.StatusAwaitingSignatures
	for _, p := range cs.Parties {
		r := partyRow{ID: p.ID, Name: p.Name, Status: p.Status, StatusText: s.msg.T(lang, partyStatusIDs[p.Status])}
		if mine && p.Status == cases.InvitationExpired {
			r.ResendURL = pathsIn(lang).ResendInvitation(cs.ID, p.ID)
		}
		v.Parties = append(v.Parties, r)
	}
	if mine {
		v.ReopenURL = pathsIn(lang).ReopenCase(cs.ID)
	}
	if cs.Status == cases.StatusAwaitingSignatures {
		v.Awaiting = true
		v.Approvals, v.WaitingFor = s.approvalsText(lang, cs)
	}
	for _, a := range cs.Attachments {
		v.Attachments = append(v.Attachments, attachmentRow{Name: a.Name, Size: forms.FormatSize(a.Size, lang),
			URL: pathsIn(lang).Attachment(a.Draft, a.ID)})
	}
	v.Sections = s.caseSections(lang, cs)
	p := s.page(c, "case", "", v)
	p.Title = cs.Reference + " – " + v.Service
	return s.render(c, fiber.StatusOK, p)
}

// approvalsText words where a waiting case's approvals stand: "1 of 2
// approvals…" and who has not answered yet ("" when no one).
func (s *Server) approvalsText(lang string, cs *cases.Case) (approvals, waiting string) {
	approved, total, names := cs.Approvals()
	approvals = s.msg.T(lang, "casePage.approvals", map[string]any{"Approved": approved, "Count": total})
	if len(names) > 0 {
		waiting = s.msg.T(lang, "casePage.waitingFor", map[string]any{"Names": strings.Join(names, ", ")})
	}
	return approvals, waiting
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
func (s *Server) eventText(lang string, w kindWords, e cases.Event) string {
	data := map[string]any{"Actor": e.Actor.Name}
	if e.Principal != nil && e.Principal.ID != e.Actor.ID {
		data["Principal"] = e.Principal.Name
	}
	switch e.Type {
	case "submitted":
		if data["Principal"] != nil {
			return s.msg.T(lang, w.SubmittedFor, data)
		}
		return s.msg.T(lang, w.Submitted, data)
	case "status-changed":
		data["Status"] = s.caseStatusText(lang, e.To)
		if e.Note == "all-approved" {
			return s.msg.T(lang, "timeline.allApproved", data)
		}
		return s.msg.T(lang, w.StatusChanged, data)
	case "party-invited":
		data["Party"] = e.Note
		return s.msg.T(lang, "timeline.partyInvited", data)
	case "party-approved":
		return s.msg.T(lang, "timeline.partyApproved", data)
	case "party-declined":
		if e.Note != "" {
			data["Reason"] = e.Note
			return s.msg.T(lang, "timeline.partyDeclinedWithReason", data)
		}
		return s.msg.T(lang, "timeline.partyDeclined", data)
	case "party-expired":
		data["Party"] = e.Note
		return s.msg.T(lang, "timeline.partyExpired", data)
	case "party-removed":
		data["Party"] = e.Note
		return s.msg.T(lang, "timeline.partyRemoved", data)
	case "reopened":
		return s.msg.T(lang, "timeline.reopened", data)
	case "lapsed":
		return s.msg.T(lang, "timeline.lapsed", data)
	case "resubmitted":
		return s.msg.T(lang, "timeline.resubmitted", data)
	case "assigned":
		if e.Note == "" {
			return s.msg.T(lang, "timeline.unassigned", data)
		}
		data["Handler"] = e.Note
		return s.msg.T(lang, "timeline.assigned", data)
	case "supplement-requested":
		return s.msg.T(lang, "timeline.supplementRequested", data)
	case "decided":
		return s.msg.T(lang, "timeline.decided", data)
	case "message":
		data["Text"] = e.Note
		return s.msg.T(lang, "timeline.message", data)
	case "supplement-sent":
		data["Count"] = len(e.Changes)
		return s.msg.T(lang, "timeline.supplementSent", data)
	case "withdrawn":
		return s.msg.T(lang, "timeline.withdrawn", data)
	case "consent-withdrawn":
		return s.msg.T(lang, "timeline.consentWithdrawn", data)
	}
	return s.msg.T(lang, w.Other, data)
}

// caseSections are a sent application's answers as read-only summary
// sections (the case page and a shared case's page).
func (s *Server) caseSections(lang string, cs *cases.Case) []summarySection {
	var out []summarySection
	for _, st := range s.caseSummary(lang, cs) {
		sec := summarySection{Title: st.Title}
		for _, it := range st.Items {
			sec.Items = append(sec.Items, summaryRowOf(it, "", nil))
		}
		out = append(out, sec)
	}
	return out
}
