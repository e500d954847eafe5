package web

import "github.com/gofiber/fiber/v2"

// casesAPIRoutes registers /api/v1 services, drafts and cases.
func (s *Server) casesAPIRoutes(api fiber.Router) {}
