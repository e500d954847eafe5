package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/datefmt"
	"asiointi/server/publish"
)

// staffFeedbackView is the data of pages/staff-feedback.html: the
// accessibility feedback, newest first, with its due state.
type staffFeedbackView struct {
	Items    []feedbackItem
	Status   string // the filter
	Statuses []statusChoice
	Saved    string // the id just answered
}

type statusChoice struct {
	ID, Name string
	Current  bool
}

type feedbackItem struct {
	ID, At, Due, Lang, Page, Message, Name, Contact, Status, StatusName, Answer, AnsweredAt string
	Overdue, DueSoon                                                                        bool
	Error                                                                                   string
}

func (s *Server) feedbackItem(lang string, f publish.Feedback) feedbackItem {
	now := s.now()
	it := feedbackItem{ID: f.ID, At: datefmt.DateTime(f.At, lang), Due: datefmt.Date(f.Due, lang), Lang: f.Lang, Page: f.Page,
		Message: f.Message, Name: f.Name, Contact: f.Contact, Status: f.Status,
		StatusName: s.msg.T(lang, feedbackStatusMsg[f.Status]), Answer: f.Answer,
		Overdue: f.Overdue(now), DueSoon: f.DueSoon(now)}
	if !f.AnsweredAt.IsZero() {
		it.AnsweredAt = datefmt.DateTime(f.AnsweredAt, lang)
	}
	return it
}

func (s *Server) staffFeedbackData(c *fiber.Ctx, status string) (*staffFeedbackView, error) {
	lang := requestLang(c)
	if status != "" && !validFeedbackStatus(status) {
		status = ""
	}
	list, err := s.feedback.List(s.muni.ID, status)
	if err != nil {
		return nil, err
	}
	v := &staffFeedbackView{Status: status}
	v.Statuses = append(v.Statuses, statusChoice{"", s.msg.T(lang, "feedback.status.all"), status == ""})
	for _, st := range publish.FeedbackStatuses {
		v.Statuses = append(v.Statuses, statusChoice{st, s.msg.T(lang, feedbackStatusMsg[st]), st == status})
	}
	for _, f := range list {
		v.Items = append(v.Items, s.feedbackItem(lang, f))
	}
	return v, nil
}

var feedbackStatusMsg = map[string]string{
	publish.StatusNew:        "feedback.status.new",
	publish.StatusInProgress: "feedback.status.in-progress",
	publish.StatusAnswered:   "feedback.status.answered",
}

func validFeedbackStatus(st string) bool { _, ok := feedbackStatusMsg[st]; return ok }

func (s *Server) staffFeedbackPage(c *fiber.Ctx) error {
	v, err := s.staffFeedbackData(c, c.Query("status"))
	if err != nil {
		return err
	}
	v.Saved = c.Query("saved")
	return s.render(c, fiber.StatusOK, s.page(c, "staff-feedback", "staffFeedback.title", v))
}

// staffFeedbackAnswer records an answer and a status; a problem shows the
// list again with what the staff member wrote kept in place.
func (s *Server) staffFeedbackAnswer(c *fiber.Ctx) error {
	lang := requestLang(c)
	id := c.Params("id")
	answer := c.FormValue("answer")
	_, err := s.feedback.Answer(s.muni.ID, id, session(c).UserID, c.FormValue("status"), answer)
	if errors.Is(err, publish.ErrNotFound) {
		return fiber.ErrNotFound
	}
	var ie *publish.InputError
	if err != nil && !errors.As(err, &ie) {
		return err
	}
	if err == nil {
		return c.Redirect(pathsIn(lang).StaffFeedbackSaved(id), fiber.StatusSeeOther)
	}
	v, lerr := s.staffFeedbackData(c, "")
	if lerr != nil {
		return lerr
	}
	p := s.page(c, "staff-feedback", "staffFeedback.title", v)
	for i := range v.Items {
		if v.Items[i].ID != id {
			continue
		}
		v.Items[i].Answer = answer
		for _, fe := range ie.Fields {
			msg := s.msg.T(lang, fe.Msg, map[string]any{"Count": publish.MaxAnswer})
			v.Items[i].Error = msg
			p.Errors = append(p.Errors, FieldMessage{Field: "answer-" + id, Message: msg})
		}
	}
	return s.render(c, fiber.StatusUnprocessableEntity, p)
}
