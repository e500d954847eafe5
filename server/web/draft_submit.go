package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
)

// submitDraft sends the application. A failed send redirects (303) to the
// summary, a GET that a refresh does not post again: with ?check=1 it lists
// the problems, and it says itself when the service is closed (the draft is
// kept either way; every answer was saved before). Success or a repeat
// opens the case with its receipt.
func (s *Server) submitDraft(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	d, _, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	res, err := s.cases.Submit(d.ID, actorRef(sess))
	switch {
	case errors.Is(err, cases.ErrClosed):
		return c.Redirect(pathsIn(lang).Summary(d.ID), fiber.StatusSeeOther)
	case err != nil:
		return s.casesFail(c, err)
	case len(res.Errors) > 0:
		return c.Redirect(pathsIn(lang).SummaryProblems(d.ID), fiber.StatusSeeOther)
	}
	if !res.Again {
		s.publishCase(res.Case) // the service's inboxes refresh
		if s.log != nil {
			s.log.Info("case submitted", "case", res.Case.ID, "service", res.Case.Service, "actor", sess.UserID)
		}
	}
	return c.Redirect(pathsIn(lang).NewCase(res.Case.ID), fiber.StatusSeeOther)
}
