package web

import "github.com/gofiber/fiber/v2"

// catalogPageRoutes registers the service catalogue pages.
func (s *Server) catalogPageRoutes(l fiber.Router) {}
