package web

import (
	"context"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/staffsso"
)

// cookieOIDC holds the token of this browser's staff login in flight.
const cookieOIDC = "asiointi_oidc"

// StaffLogin is where the staff login starts, in the language.
func (p paths) StaffLogin(next string) string {
	return "/auth/staff-login?lang=" + p.lang + "&next=" + url.QueryEscape(next)
}

// staffLogin sends the browser to the municipality's identity provider.
func (s *Server) staffLogin(c *fiber.Ctx) error {
	if s.staffSSO == nil {
		return fiber.ErrNotFound
	}
	to, tok, err := s.staffSSO.StartLogin(nextOr(c.Query("next"), pathsIn(requestLang(c)).Home()))
	if err != nil {
		return err
	}
	s.setOIDCCookie(c, tok)
	return c.Redirect(to, fiber.StatusSeeOther)
}

// setOIDCCookie keeps the attempt token; the provider's answer is a
// top-level GET, which a SameSite=Lax cookie comes with.
func (s *Server) setOIDCCookie(c *fiber.Ctx, tok string) {
	ck := &fiber.Cookie{Name: cookieOIDC, Value: tok, Path: staffsso.CallbackPath, HTTPOnly: true, SameSite: "Lax",
		Secure: !s.isLocalHTTP(c), MaxAge: int(staffsso.AttemptTTL / time.Second)}
	if tok == "" {
		ck.MaxAge, ck.Expires = -1, time.Unix(0, 0)
	}
	c.Cookie(ck)
}

// staffCallback takes the provider's answer: the ID token verified and
// the roles mapped, the staff member is logged in with a new session.
func (s *Server) staffCallback(c *fiber.Ctx) error {
	if s.staffSSO == nil {
		return fiber.ErrNotFound
	}
	tok := c.Cookies(cookieOIDC)
	s.setOIDCCookie(c, "")
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 20*time.Second)
	defer cancel()
	l, err := s.staffSSO.FinishLogin(ctx, tok, q)
	if err != nil {
		if s.log != nil {
			s.log.Warn("staff login refused", "err", err.Error())
		}
		return s.fail(c, fiber.StatusForbidden, "login-refused", "identity.staffLoginRefused")
	}
	m := population.Staff{Username: "sso:" + l.Subject, Name: l.Name, Municipality: s.muni.ID, Role: l.Grant.Role()}
	if err := s.dir.StaffSignedIn(m, l.Grant.Roles, s.now()); err != nil {
		return err
	}
	sess := identity.Session{UserID: m.Username, Kind: identity.Staff, Name: m.Name, Role: m.Role, Kiosk: isKiosk(c),
		Federated: &identity.Federated{Method: "oidc", IDToken: l.IDToken}}
	if err := s.sessions.End(c.Cookies(cookieSession)); err != nil {
		return err
	}
	st, _, err := s.sessions.Create(sess)
	if err != nil {
		return err
	}
	s.setCookie(c, cookieSession, st, 0)
	if s.log != nil {
		s.log.Info("login", "method", "oidc", "kind", sess.Kind, "user", m.Username, "role", m.Role)
	}
	return c.Redirect(nextOr(l.Next, pathsIn(requestLang(c)).Home()), fiber.StatusSeeOther)
}
