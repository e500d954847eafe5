package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/identity"
)

type apiUser struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// apiSession answers GET /api/v1/session.
func (s *Server) apiSession(c *fiber.Ctx) error {
	out := fiber.Map{"csrfToken": s.csrfToken(c), "user": nil, "actingFor": nil}
	if sess := session(c); sess != nil {
		out["user"] = apiUser{ID: sess.UserID, Name: sess.Name, Kind: sess.Kind}
		if a := s.actingFor(sess); a != nil {
			out["actingFor"] = a
		}
		out["expiresAt"] = s.sessions.ExpiresAt(*sess)
		out["kiosk"] = sess.Kiosk
	}
	c.Set("Cache-Control", "no-store")
	return c.JSON(out)
}

// actingFor describes the session's principal, if any.
func (s *Server) actingFor(sess *identity.Session) *apiUser {
	if sess.ActingFor == "" {
		return nil
	}
	return &apiUser{ID: sess.ActingFor, Name: sess.ActingName, Kind: sess.ActingAs}
}
