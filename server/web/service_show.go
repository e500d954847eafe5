package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/identity"
)

var onBehalfMsg = map[string]string{
	catalog.OnBehalfAlone:        "service.onBehalf.alone",
	catalog.OnBehalfGuardian:     "service.onBehalf.guardian",
	catalog.OnBehalfMandate:      "service.onBehalf.mandate",
	catalog.OnBehalfOrganization: "service.onBehalf.organization",
}

// serviceView is the data of pages/service.html.
type serviceView struct {
	ID, Name, Summary, WhoFor, ProcessingTime, Price, LegalBasis, Contact string
	Description, Needs                                                    []string
	Status, StatusText, OnBehalfText                                      string
	Open                                                                  bool
	CanStart                                                              bool   // the logged-in resident may start it
	Refusal                                                               string // why they may not
	Words                                                                 kindWords
	// ForWhom are whom the resident may start it for ("Who are you
	// applying for?"); one choice is preselected. Empty when they may not.
	ForWhom []whomChoice
	Right   *rightHelp // the right acting for someone needs
}

// whomChoice is one answer to "Who are you applying for?": the value is
// forSelf or a principal's id, which the start switches acting-for to.
type whomChoice struct {
	Value, Label  string
	Self, Checked bool
}

// forSelf is the value of the "myself" choice.
const forSelf = "self"

func (s *Server) servicePage(c *fiber.Ctx) error {
	svc, ok := s.catalog.Service(c.Params("id"))
	if !ok {
		return fiber.ErrNotFound
	}
	lang := requestLang(c)
	a := svc.AvailabilityAt(s.now())
	status, statusText := s.availabilityText(lang, svc.Kind, a)
	var needs []string
	for _, n := range svc.Needs {
		needs = append(needs, n.In(lang))
	}
	data := &serviceView{
		ID: svc.ID, Name: svc.Name.In(lang), Summary: svc.Summary.In(lang),
		Description: svc.Description.Paragraphs(lang), WhoFor: svc.WhoFor.In(lang), Needs: needs,
		ProcessingTime: svc.ProcessingTime.In(lang), Price: svc.Price.In(lang),
		LegalBasis: svc.LegalBasis.In(lang), Contact: svc.Contact.In(lang),
		Status: status, StatusText: statusText, Open: a.Open, Words: wordsFor(svc.Kind),
		OnBehalfText: s.msg.T(lang, onBehalfMsg[svc.OnBehalf]),
		Right:        s.rightHelpFor(lang, svc.OnBehalf, svc.MandateIssue, svc.Role),
	}
	if svc.OnBehalf == catalog.OnBehalfAllParties { // every party approves what the kind of service sends
		data.OnBehalfText = s.msg.T(lang, data.Words.AllParties)
	}
	if svc.OnBehalf == catalog.OnBehalfGuardian && svc.NotifyOtherParties { // promised only where cases.Submit tells them
		data.OnBehalfText = s.msg.T(lang, "service.onBehalf.guardian.told")
	}
	if sess := session(c); sess != nil && sess.Kind == identity.Resident {
		choices, err := s.cases.Choices(svc.ID, actorRef(sess))
		if err != nil {
			return err
		}
		data.ForWhom = s.whomChoices(lang, sess, choices)
		data.CanStart = len(data.ForWhom) > 0
		current := slices.ContainsFunc(data.ForWhom, func(w whomChoice) bool {
			return (w.Self && sess.ActingFor == "") || (!w.Self && w.Value == sess.ActingFor)
		})
		if !current { // say why not for whom the session acts for
			err := s.cases.MayApply(svc.ID, actorRef(sess), principalRef(sess))
			if msg, refused := onBehalfMessage(err); refused {
				// Refused for oneself, the choices on the page are the
				// way on; without one, the reason ("first choose the
				// child you act for") is.
				if sess.ActingFor != "" || !data.CanStart {
					data.Refusal = s.msg.T(lang, msg)
				}
			} else if msg, refused := s.eligibilityMessage(lang, err); refused {
				data.Refusal = msg
			} else if err != nil {
				return err
			}
		}
	}
	p := s.page(c, "service", "", data)
	p.Title = svc.Name.In(lang)
	p.Description = svc.Summary.In(lang)
	return s.render(c, fiber.StatusOK, p)
}

// whomChoices lays out the choices of "Who are you applying for?": the
// one the session acts for is preselected, else the first.
func (s *Server) whomChoices(lang string, sess *identity.Session, ch *cases.Choices) []whomChoice {
	var out []whomChoice
	if ch.Self {
		out = append(out, whomChoice{Value: forSelf, Label: s.msg.T(lang, "acting.self", map[string]any{"Name": sess.Name}),
			Self: true, Checked: sess.ActingFor == ""})
	}
	for _, p := range ch.Principals {
		out = append(out, whomChoice{Value: p.ID, Label: p.Name, Checked: sess.ActingFor == p.ID})
	}
	if len(out) > 0 && !slices.ContainsFunc(out, func(w whomChoice) bool { return w.Checked }) {
		out[0].Checked = true
	}
	return out
}
