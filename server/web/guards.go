package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/config"
	"asiointi/server/identity"
)

func (s *Server) recoverer(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if s.log != nil {
				s.log.Error("panic", "route", c.Route().Path, "panic", r)
			}
			err = fiber.ErrInternalServerError
		}
	}()
	return c.Next()
}

func (s *Server) demoOnly(c *fiber.Ctx) error {
	if s.cfg.Mode != config.Demo {
		return fiber.ErrNotFound
	}
	return c.Next()
}

// requireLogin sends visitors who are not logged in to the login page and
// back here afterwards.
func (s *Server) requireLogin(c *fiber.Ctx) error {
	if session(c) == nil {
		return c.Redirect(pathsIn(requestLang(c)).Login(string(c.Request().URI().RequestURI())), fiber.StatusSeeOther)
	}
	return c.Next()
}

func (s *Server) requireStaff(c *fiber.Ctx) error {
	if session(c) == nil {
		return s.requireLogin(c)
	}
	if session(c).Kind != identity.Staff {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "error.staffOnly")
	}
	return c.Next()
}

func (s *Server) requireResident(c *fiber.Ctx) error {
	if session(c) == nil {
		return s.requireLogin(c)
	}
	if session(c).Kind != identity.Resident {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "error.residentsOnly")
	}
	return c.Next()
}

func (s *Server) staffOnly(c *fiber.Ctx) error {
	if sess := session(c); sess == nil || sess.Kind != identity.Staff {
		return fiber.ErrNotFound
	}
	return c.Next()
}

func (s *Server) requireLoginAPI(c *fiber.Ctx) error {
	if session(c) == nil {
		return s.fail(c, fiber.StatusUnauthorized, "unauthenticated", "error.loginRequired")
	}
	return c.Next()
}

func (s *Server) requireResidentAPI(c *fiber.Ctx) error {
	sess := session(c)
	if sess == nil {
		return s.fail(c, fiber.StatusUnauthorized, "unauthenticated", "error.loginRequired")
	}
	if sess.Kind != identity.Resident {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "error.residentsOnly")
	}
	return c.Next()
}

// requireStaffAPI lets only staff through to a staff API call: anyone
// else gets 401 (not logged in) or 403 (a resident).
func (s *Server) requireStaffAPI(c *fiber.Ctx) error {
	sess := session(c)
	if sess == nil {
		return s.fail(c, fiber.StatusUnauthorized, "unauthenticated", "error.loginRequired")
	}
	if sess.Kind != identity.Staff {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "error.staffOnly")
	}
	return c.Next()
}
