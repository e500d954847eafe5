package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
)

// apiRoutes registers the JSON API of drafts, services and cases.
func (s *Server) apiRoutes(api fiber.Router) {
	s.casesAPIRoutes(api)
	s.notifyAPIRoutes(api)
	s.pushAPIRoutes(api)
}

// pageRoutes registers the domain pages under /{lang}.
func (s *Server) pageRoutes(l fiber.Router) {
	s.catalogPageRoutes(l)
	s.formPageRoutes(l)
	s.notifyPageRoutes(l)
	s.pushPageRoutes(l)
}

func urlQueryEscape(v string) string { return url.QueryEscape(v) }
