package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
)

// submitDraft sends the application. Problems show on the summary (422),
// a closed service keeps the draft (409), and success or a repeat opens
// the case with its receipt.
func (s *Server) submitDraft(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	d, def, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	res, err := s.cases.Submit(d.ID, actorRef(sess))
	switch {
	case errors.Is(err, cases.ErrClosed):
		msg := s.msg.T(lang, "draft.serviceClosed")
		if svc, ok := s.catalog.Service(d.Service); ok {
			_, status := s.availabilityText(lang, svc.Kind, svc.AvailabilityAt(s.now()))
			msg += " " + status + "."
		}
		return s.renderSummary(c, fiber.StatusConflict, d, def, nil, msg)
	case err != nil:
		return s.casesFail(c, err)
	case len(res.Errors) > 0:
		return s.renderSummary(c, fiber.StatusUnprocessableEntity, d, def, res.Errors, "")
	}
	if !res.Again {
		s.publishCase(res.Case) // the service's inboxes refresh
		if s.log != nil {
			s.log.Info("case submitted", "case", res.Case.ID, "service", res.Case.Service, "actor", sess.UserID)
		}
	}
	return c.Redirect(pathsIn(lang).NewCase(res.Case.ID), fiber.StatusSeeOther)
}
