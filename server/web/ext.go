package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
)

// apiRoutes and pageRoutes are where the domain features register; the
// foundation has none beyond the session.
func (s *Server) apiRoutes(api fiber.Router) {}

func (s *Server) pageRoutes(l fiber.Router) {}

func urlQueryEscape(v string) string { return url.QueryEscape(v) }
