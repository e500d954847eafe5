package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
)

// startView is the data of pages/start.html: why an application cannot
// be started now.
type startView struct {
	Service, ServiceURL, Message, Status, ActingURL string
	Closed, NotEligible                             bool
	Right                                           *rightHelp
	Words                                           kindWords
}

// startService starts a draft of a service for whom the session acts for
// and opens its first step. The service page's "Who are you applying
// for?" sends its answer as "for" (forSelf or a principal's id): the
// session switches to acting for them first, with identity's check and a
// new session id, as the acting-for page does.
func (s *Server) startService(c *fiber.Ctx) error {
	svc, ok := s.catalog.Service(c.Params("id"))
	if !ok {
		return fiber.ErrNotFound
	}
	sess := session(c)
	if whom := c.FormValue("for"); whom != "" {
		if whom == forSelf {
			whom = ""
		}
		if whom != sess.ActingFor {
			var err error
			if sess, err = s.switchActingFor(c, whom); err != nil {
				return s.actingFail(c, err)
			}
		}
	}
	lang := requestLang(c)
	v := &startView{Service: svc.Name.In(lang), ServiceURL: pathsIn(lang).Service(svc.ID), Words: wordsFor(svc.Kind)}
	d, err := s.cases.CreateDraft(svc.ID, actorRef(sess), principalRef(sess))
	if msg, refused := onBehalfMessage(err); refused {
		v.Message = s.msg.T(lang, msg)
		v.Right = s.rightHelpOf(lang, err)
		v.ActingURL = pathsIn(lang).ActingFor(v.ServiceURL)
		return s.render(c, fiber.StatusForbidden, s.page(c, "start", v.Words.RefusedTitle, v))
	}
	if msg, refused := s.eligibilityMessage(lang, err); refused {
		v.Message, v.NotEligible = msg, true
		return s.render(c, fiber.StatusForbidden, s.page(c, "start", "startPage.notEligibleTitle", v))
	}
	if errors.Is(err, cases.ErrClosed) {
		v.Closed = true
		_, v.Status = s.availabilityText(lang, svc.Kind, svc.AvailabilityAt(s.now()))
		return s.render(c, fiber.StatusConflict, s.page(c, "start", v.Words.ClosedTitle, v))
	}
	if err != nil {
		return s.casesFail(c, err)
	}
	if s.log != nil {
		s.log.Info("draft started", "draft", d.ID, "service", svc.ID, "user", sess.UserID)
	}
	return c.Redirect(pathsIn(lang).Step(d.ID, 0), fiber.StatusSeeOther)
}
