package web

import (
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/receipt"
)

// caseReceiptPDF is the receipt as a PDF to keep: the municipality's
// letterhead, the reference, the time sent and every answer with its
// label, in the page language.
func (s *Server) caseReceiptPDF(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	cs, _, err := s.cases.Case(c.Params("id"), sess.UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	row := s.caseRowOf(lang, sess.UserID, cs)
	w := row.Words
	r := &receipt.Receipt{
		Lang: lang, Municipality: s.muni.Name.In(lang),
		Contact: s.muni.Address.In(lang) + " · " + s.muni.Phone + " · " + s.muni.Email,
		Title:   s.msg.T(lang, w.ReceiptTitle), Service: row.Service,
		Facts: []receipt.Row{
			{Label: s.msg.T(lang, w.Reference), Value: cs.Reference},
			{Label: s.msg.T(lang, "casePage.status"), Value: row.StatusText},
			{Label: s.msg.T(lang, "casePage.sent"), Value: datefmt.DateTime(cs.SubmittedAt, lang)},
			{Label: s.msg.T(lang, w.Applicant), Value: row.Applicant},
		},
		AttachmentsTitle: s.msg.T(lang, "casePage.attachments"),
		Footer:           s.msg.T(lang, w.ReceiptKeep),
		Created:          cs.SubmittedAt,
	}
	if cs.Status == cases.StatusAwaitingSignatures { // not yet sent to the municipality
		r.Title = s.msg.T(lang, "receipt.title.awaiting")
		approvals, waiting := s.approvalsText(lang, cs)
		r.Facts = append(r.Facts, receipt.Row{Label: s.msg.T(lang, "parties.listTitle"), Value: strings.TrimSpace(approvals + " " + waiting)})
	}
	if row.Sender != row.Applicant {
		r.Facts = append(r.Facts, receipt.Row{Label: s.msg.T(lang, "casePage.sender"), Value: row.Sender})
	}
	r.Logo = s.logoPNG
	for _, st := range s.caseSummary(lang, cs) {
		sec := receipt.Section{Title: st.Title}
		for _, it := range st.Items {
			sec.Rows = append(sec.Rows, receipt.Row{Label: it.Label, Value: it.Value})
			for _, item := range it.Items {
				for _, x := range item {
					sec.Rows = append(sec.Rows, receipt.Row{Label: x.Label, Value: x.Value, Indent: 1})
				}
			}
		}
		r.Sections = append(r.Sections, sec)
	}
	for _, a := range cs.Attachments {
		r.Attachments = append(r.Attachments, a.Name+" ("+forms.FormatSize(a.Size, lang)+")")
	}
	body, err := receipt.PDF(r)
	if err != nil {
		return err
	}
	c.Set("Content-Type", "application/pdf")
	c.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": cs.Reference + ".pdf"}))
	return c.Send(body)
}
