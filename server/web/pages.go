package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) offlinePage(c *fiber.Ctx) error {
	p := s.page(c, "offline", "offline.title", nil)
	// The service worker precaches this page: it must hold nothing personal.
	p.Session, p.Personal = nil, false
	c.Set("Cache-Control", "no-cache")
	return s.render(c, fiber.StatusOK, p)
}

// loginView is the data of pages/login.html.
type loginView struct {
	Next string // where to go after login
	// National is set when the national login (Suomi.fi
	// e-Identification) is configured.
	National bool
	// Staff is set when the staff login (OpenID Connect) is configured.
	Staff bool
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	next := nextOr(c.Query("next"), pathsIn(requestLang(c)).My())
	if session(c) != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, s.page(c, "login", "login.title", &loginView{Next: next, National: s.eid != nil, Staff: s.staffSSO != nil}))
}

func (s *Server) loggedOutPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, s.page(c, "logged-out", "loggedOut.title", nil))
}

// timedOutPage is where a kiosk's idle timer lands (also without JS, by a
// meta refresh): it clears what the browser holds for this site.
func (s *Server) timedOutPage(c *fiber.Ctx) error {
	if sess := session(c); sess != nil {
		if s.now().Before(s.sessions.ExpiresAt(*sess)) && c.Query("force") == "" {
			return c.Redirect(pathsIn(requestLang(c)).My(), fiber.StatusSeeOther)
		}
	}
	s.clearSite(c)
	p := s.page(c, "timed-out", "timedOut.title", nil)
	p.Session, p.Personal = nil, false
	return s.render(c, fiber.StatusOK, p)
}

func (s *Server) kioskPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, s.page(c, "kiosk", "kiosk.title", nil))
}

// kioskSet marks (or unmarks) this device as a shared kiosk with a
// long-lived device cookie, then logs the staff member out so the device is
// ready for residents.
func (s *Server) kioskSet(c *fiber.Ctx) error {
	if c.FormValue("kiosk") == "on" {
		s.setCookie(c, cookieDevice, "kiosk", 5*365*24*time.Hour)
		c.Locals(kKiosk, true)
	} else {
		s.setCookie(c, cookieDevice, "", -1)
		c.Locals(kKiosk, false)
	}
	return s.endSession(c)
}
