package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
)

func (s *Server) deleteDraftPage(c *fiber.Ctx) error {
	d, _, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	lang := requestLang(c)
	if d.CaseID != "" {
		return c.Redirect(pathsIn(lang).Case(d.CaseID), fiber.StatusSeeOther)
	}
	rows := s.draftRows(lang, []*cases.Draft{d})
	return s.render(c, fiber.StatusOK, s.page(c, "draft-delete", rows[0].Words.DeleteTitle, rows[0]))
}

func (s *Server) deleteDraft(c *fiber.Ctx) error {
	// The service, for the words of the notice (a notification is not an
	// application); a draft already gone is the domain's answer below.
	service := ""
	if d, err := s.cases.Draft(c.Params("id"), session(c).UserID); err == nil {
		service = d.Service
	}
	if err := s.cases.Delete(c.Params("id"), session(c).UserID); err != nil {
		return s.casesFail(c, err)
	}
	return c.Redirect(pathsIn(requestLang(c)).DraftDeleted(service), fiber.StatusSeeOther)
}
