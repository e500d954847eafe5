package web

import "github.com/gofiber/fiber/v2"

// formPageRoutes registers the resident's form, draft and case pages.
func (s *Server) formPageRoutes(l fiber.Router) {}
