package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/identity"
)

// principals lists whom the logged-in resident may act for.
func (s *Server) principals(sess *identity.Session) ([]identity.Principal, error) {
	p, err := s.dir.Person(sess.UserID)
	if err != nil {
		return nil, err
	}
	return s.dir.Principals(p, s.now())
}

// switchActingFor changes whom the session acts for ("" = oneself) and
// rotates the session id. It answers false when there is no such relation.
func (s *Server) switchActingFor(c *fiber.Ctx, principal string) (*identity.Session, bool, error) {
	sess := session(c)
	next := *sess
	next.ActingFor, next.ActingAs, next.ActingName = "", "", ""
	if principal != "" {
		list, err := s.principals(sess)
		if err != nil {
			return nil, false, err
		}
		found := false
		for _, p := range list {
			if p.ID == principal {
				next.ActingFor, next.ActingAs, next.ActingName = p.ID, p.Kind, p.Name
				found = true
				break
			}
		}
		if !found {
			return nil, false, nil
		}
	}
	tok, rotated, err := s.sessions.Rotate(next)
	if err != nil {
		return nil, false, err
	}
	s.setCookie(c, cookieSession, tok, 0)
	c.Locals(kSession, &rotated)
	if s.log != nil {
		s.log.Info("acting-for changed", "user", rotated.UserID, "principal", rotated.ActingFor, "as", rotated.ActingAs)
	}
	return &rotated, true, nil
}

// apiPrincipals answers GET /api/v1/me/principals.
func (s *Server) apiPrincipals(c *fiber.Ctx) error {
	list, err := s.principals(session(c))
	if err != nil {
		return err
	}
	if list == nil {
		list = []identity.Principal{}
	}
	return c.JSON(list)
}

// apiActingFor answers PUT /api/v1/session/acting-for {principal}.
func (s *Server) apiActingFor(c *fiber.Ctx) error {
	var in struct {
		Principal *string `json:"principal"`
	}
	if err := c.BodyParser(&in); err != nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	p := ""
	if in.Principal != nil {
		p = *in.Principal
	}
	sess, ok, err := s.switchActingFor(c, p)
	if err != nil {
		return err
	}
	if !ok {
		return s.fail(c, fiber.StatusForbidden, "no-relation", "acting.noRelation")
	}
	return c.JSON(fiber.Map{"actingFor": s.actingFor(sess), "csrfToken": s.csrfToken(c)})
}

// actingPage lets a resident choose whom to act for.
func (s *Server) actingPage(c *fiber.Ctx) error {
	list, err := s.principals(session(c))
	if err != nil {
		return err
	}
	p := s.page(c, "acting", "acting.title", map[string]any{"Principals": list, "Next": nextOr(c.Query("next"), "")})
	return s.render(c, fiber.StatusOK, p)
}

// actingSet is the form version of the switch (works without JS).
func (s *Server) actingSet(c *fiber.Ctx) error {
	_, ok, err := s.switchActingFor(c, c.FormValue("principal"))
	if err != nil {
		return err
	}
	if !ok {
		return s.fail(c, fiber.StatusForbidden, "no-relation", "acting.noRelation")
	}
	return c.Redirect(nextOr(c.FormValue("next"), "/"+requestLang(c)+"/my"), fiber.StatusSeeOther)
}
