package web

import "github.com/gofiber/fiber/v2"

func (s *Server) frontData(c *fiber.Ctx) *Page {
	return s.page(c, "front", "", nil)
}

func (s *Server) myData(c *fiber.Ctx) *Page {
	return s.page(c, "my", "my.title", nil)
}
