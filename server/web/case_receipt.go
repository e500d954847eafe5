package web

import (
	"encoding/json"
	"mime"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/forms"
)

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
