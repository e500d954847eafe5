package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/mandates"
)

// The choice of whom to act for in Suomi.fi Mandates
// (ASIOINTI_MANDATES=suomifi): the resident is sent there, chooses, and
// comes back acting for the one they chose (the session id rotates, as
// with every change of whom one acts for). Without the service these
// routes are not found.

// mandatesReturnURL is the absolute return address the service sends the
// browser back to (the same in Begin and in the token exchange).
func (s *Server) mandatesReturnURL(lang string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + pathsIn(lang).MandatesReturn()
}

// mandatesStart registers the resident's Mandates session and sends the
// browser to choose.
func (s *Server) mandatesStart(c *fiber.Ctx) error {
	if s.mandates == nil {
		return fiber.ErrNotFound
	}
	sess := session(c)
	lang := requestLang(c)
	p, err := s.dir.Person(sess.UserID)
	if err != nil {
		return err
	}
	kind := mandates.Persons
	if c.Query("for") == "organization" {
		kind = mandates.Organizations
	}
	to, err := s.mandates.Begin(c.UserContext(), sess.UserID, p.Hetu, kind, s.mandatesReturnURL(lang), lang)
	if err != nil {
		return s.mandatesFail(c, err)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// mandatesReturn finishes the choice: the state must be the one sent,
// the code gives the token, the service tells whom the resident chose,
// and the session then acts for them.
func (s *Server) mandatesReturn(c *fiber.Ctx) error {
	if s.mandates == nil {
		return fiber.ErrNotFound
	}
	sess := session(c)
	lang := requestLang(c)
	chosen, err := s.mandates.Complete(c.UserContext(), sess.UserID, strings.Clone(c.Query("code")),
		strings.Clone(c.Query("state")), s.mandatesReturnURL(lang))
	if errors.Is(err, mandates.ErrNoneChosen) {
		return c.Redirect(pathsIn(lang).ActingFor(""), fiber.StatusSeeOther)
	}
	if err != nil {
		return s.mandatesFail(c, err)
	}
	principal := ""
	if chosen.Organization != nil {
		principal = chosen.Organization.Identifier
	} else if p, err := s.dir.PersonByHetu(chosen.Person); err == nil {
		principal = p.ID
	} else {
		// Nobody the municipality's register knows: nothing to act in.
		return s.fail(c, fiber.StatusForbidden, "no-relation", "acting.noRelation")
	}
	if _, err := s.switchActingFor(c, principal); err != nil {
		return s.actingFail(c, err)
	}
	return c.Redirect(pathsIn(lang).My(), fiber.StatusSeeOther)
}

// mandatesFail answers a failed round trip: the service down (the
// resident can still act for themself), a return that does not match
// what was sent, or a refusal of the service.
func (s *Server) mandatesFail(c *fiber.Ctx, err error) error {
	var api *mandates.APIError
	switch {
	case errors.Is(err, mandates.ErrUnavailable):
		return s.fail(c, fiber.StatusServiceUnavailable, "mandates-unavailable", "acting.mandatesUnavailable")
	case errors.Is(err, mandates.ErrBadState), errors.Is(err, mandates.ErrNoSession):
		if s.log != nil {
			s.log.Warn("mandates return refused", "user", session(c).UserID, "reason", "state")
		}
		return s.fail(c, fiber.StatusBadRequest, "bad-return", "acting.mandatesBadReturn")
	case errors.As(err, &api):
		if s.log != nil {
			s.log.Warn("mandates refused", "user", session(c).UserID, "status", api.Status)
		}
		return s.fail(c, fiber.StatusBadGateway, "mandates-refused", "acting.mandatesRefused")
	}
	return err
}
