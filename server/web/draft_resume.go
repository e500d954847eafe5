package web

import "github.com/gofiber/fiber/v2"

// resumeDraft sends the resident to where they left off.
func (s *Server) resumeDraft(c *fiber.Ctx) error {
	d, def, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	lang := requestLang(c)
	if d.CaseID != "" {
		return c.Redirect(pathsIn(lang).Case(d.CaseID), fiber.StatusSeeOther)
	}
	if d.Step >= len(def.Steps) {
		return c.Redirect(pathsIn(lang).Summary(d.ID), fiber.StatusSeeOther)
	}
	return c.Redirect(pathsIn(lang).Step(d.ID, max(d.Step, 0)), fiber.StatusSeeOther)
}
