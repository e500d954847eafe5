package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// APIError is the JSON error body of CONTRACT.md.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func wantsJSON(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/") || strings.Contains(c.Get("Accept"), "application/json") && !strings.Contains(c.Get("Accept"), "text/html")
}

// fail answers an error in the request's language, as JSON for the API and
// as an error page otherwise.
func (s *Server) fail(c *fiber.Ctx, status int, code, msgID string) error {
	return s.failData(c, status, code, msgID, nil)
}

func (s *Server) failData(c *fiber.Ctx, status int, code, msgID string, data map[string]any) error {
	lang := requestLang(c)
	msg := s.msg.T(lang, msgID, data)
	if wantsJSON(c) {
		return c.Status(status).JSON(fiber.Map{"error": APIError{Code: code, Message: msg}})
	}
	p := s.page(c, "error", "error.title", map[string]any{"Status": status, "Message": msg})
	return s.render(c, status, p)
}

// errorHandler turns errors returned by handlers into localized answers.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status = fe.Code
	}
	switch status {
	case fiber.StatusNotFound:
		return s.fail(c, status, "not-found", "error.notFound")
	case fiber.StatusMethodNotAllowed:
		return s.fail(c, status, "method-not-allowed", "error.methodNotAllowed")
	case fiber.StatusRequestEntityTooLarge:
		return s.fail(c, status, "too-large", "error.tooLarge")
	case fiber.StatusBadRequest:
		return s.fail(c, status, "bad-request", "error.badRequest")
	case fiber.StatusForbidden:
		return s.fail(c, status, "forbidden", "error.forbidden")
	case fiber.StatusRequestTimeout:
		// An idle connection timed out before sending a request: close it
		// quietly, it is not a server error.
		c.Set("Connection", "close")
		return c.SendStatus(status)
	}
	if status < 500 {
		return s.fail(c, status, "bad-request", "error.badRequest")
	}
	if s.log != nil {
		id, _ := c.Locals(kReqID).(string)
		s.log.Error("handler error", "req", id, "route", s.routeLabel(c), "err", err.Error())
	}
	return s.fail(c, fiber.StatusInternalServerError, "internal", "error.internal")
}
