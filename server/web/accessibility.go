package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/datefmt"
	"asiointi/server/publish"
)

var conformanceMsg = map[string]string{
	publish.ConformanceFull:    "accessibility.conformance.full",
	publish.ConformancePartial: "accessibility.conformance.partial",
	publish.ConformanceNone:    "accessibility.conformance.none",
}

// statementView is the data of pages/accessibility.html.
type statementView struct {
	Conformance, Standard, Assessed, Updated, Method string
	Problems                                         []problemView
	Supervisor                                       supervisorView
	FeedbackDays                                     int
}

type problemView struct {
	What, Why string
	Criteria  []string
}

type supervisorView struct{ Name, Website, Email, Phone string }

func (s *Server) accessibilityPage(c *fiber.Ctx) error {
	st, err := s.statements.Get(s.muni.ID)
	if err != nil {
		return err
	}
	lang := requestLang(c)
	v := statementView{
		Conformance: s.msg.T(lang, conformanceMsg[st.Conformance]), Standard: st.Standard,
		Assessed: statementDate(st.AssessedOn, lang), Updated: statementDate(st.UpdatedOn, lang),
		Method:       st.Method.In(lang),
		Supervisor:   supervisorView{st.Supervisor.Name.In(lang), st.Supervisor.Website, st.Supervisor.Email, st.Supervisor.Phone},
		FeedbackDays: int(publish.ResponseTime / (24 * time.Hour)),
	}
	for _, p := range st.Problems {
		v.Problems = append(v.Problems, problemView{p.What.In(lang), p.Why.In(lang), p.Criteria})
	}
	return s.render(c, fiber.StatusOK, s.page(c, "accessibility", "accessibility.title", v))
}

// statementDate shows a statement's YYYY-MM-DD date in the page language
// (ParseStatement has checked it).
func statementDate(d, lang string) string {
	t, err := time.ParseInLocation(time.DateOnly, d, datefmt.Helsinki())
	if err != nil {
		return d
	}
	return datefmt.Date(t, lang)
}

// feedbackView is the data of pages/feedback.html.
type feedbackView struct {
	Token, Page, Message, Name, Contact string
	FieldErrors                         map[string]string
	Sent                                bool
	MaxMessage                          int
	FeedbackDays                        int
}

func (s *Server) feedbackView(c *fiber.Ctx) feedbackView {
	return feedbackView{Token: s.feedback.FormToken(), MaxMessage: publish.MaxMessage,
		FeedbackDays: int(publish.ResponseTime / (24 * time.Hour))}
}

func (s *Server) feedbackPage(c *fiber.Ctx) error {
	v := s.feedbackView(c)
	v.Sent = c.Query("sent") != ""
	v.Page, _ = localPath(c.Query("page"))
	return s.render(c, fiber.StatusOK, s.page(c, "feedback", "feedback.title", v))
}

// feedbackSend takes the accessibility feedback form. Nothing the person
// wrote is lost on a problem: the form comes back with it.
func (s *Server) feedbackSend(c *fiber.Ctx) error {
	lang := requestLang(c)
	in := publish.FeedbackInput{Lang: lang, Page: c.FormValue("page"), Message: c.FormValue("message"),
		Name: c.FormValue("name"), Contact: c.FormValue("contact"), Trap: c.FormValue("website"), Token: c.FormValue("t")}
	_, err := s.feedback.Send(s.muni.ID, in)
	if err == nil {
		return c.Redirect(pathsIn(lang).FeedbackSent(), fiber.StatusSeeOther)
	}
	v := s.feedbackView(c)
	v.Page, _ = localPath(in.Page)
	v.Message, v.Name, v.Contact = in.Message, in.Name, in.Contact
	p := s.page(c, "feedback", "feedback.title", nil)
	var ie *publish.InputError
	switch {
	case errors.As(err, &ie):
		// The form's time was checked and holds: the corrected form keeps
		// it, so a quick fix of one field is not taken for a bot.
		v.Token = in.Token
		v.FieldErrors = map[string]string{}
		for _, fe := range ie.Fields {
			msg := s.msg.T(lang, fe.Msg, map[string]any{"Count": publish.MaxMessage})
			v.FieldErrors[fe.Field] = msg
			p.Errors = append(p.Errors, FieldMessage{Field: "feedback-" + fe.Field, Message: msg})
		}
	case errors.Is(err, publish.ErrRefused):
		p.ErrorIntro = s.msg.T(lang, "feedback.error.again")
	default:
		return err
	}
	p.Data = v
	return s.render(c, fiber.StatusUnprocessableEntity, p)
}
