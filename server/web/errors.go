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
	// Right tells which right to act for someone is missing and where to
	// get it (on-behalf refusals only).
	Right *rightHelp `json:"right,omitempty"`
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
	return s.failText(c, status, code, s.msg.T(requestLang(c), msgID, data))
}

// failHelp is failData with help on the right to act that is missing.
func (s *Server) failHelp(c *fiber.Ctx, status int, code, msgID string, data map[string]any, help *rightHelp) error {
	return s.failTextHelp(c, status, code, s.msg.T(requestLang(c), msgID, data), help)
}

// failText answers an error whose message is already worded.
func (s *Server) failText(c *fiber.Ctx, status int, code, msg string) error {
	return s.failTextHelp(c, status, code, msg, nil)
}

// failTextHelp is failText with help on the right to act that is missing.
func (s *Server) failTextHelp(c *fiber.Ctx, status int, code, msg string, help *rightHelp) error {
	if wantsJSON(c) {
		if help != nil {
			msg += " " + help.Text
		}
		return c.Status(status).JSON(fiber.Map{"error": APIError{Code: code, Message: msg, Right: help}})
	}
	p := s.page(c, "error", "error.title", &errorView{Status: status, Message: msg, Right: help})
	return s.render(c, status, p)
}

// errorView is the data of pages/error.html.
type errorView struct {
	Status  int
	Message string
	Right   *rightHelp
}

// errorStatus is the status errorHandler answers err with.
func errorStatus(err error) int {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		return fe.Code
	case isDiskFull(err):
		return fiber.StatusInsufficientStorage
	}
	return fiber.StatusInternalServerError
}

// isDiskFull reports a write refused for a full disk (store.ErrDiskFull,
// recognised by its DiskFull method).
func isDiskFull(err error) bool {
	var full interface{ DiskFull() bool }
	return errors.As(err, &full) && full.DiskFull()
}

// errorHandler turns errors returned by handlers into localized answers.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	status := errorStatus(err)
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
	case fiber.StatusInsufficientStorage:
		return s.failDiskFull(c, err)
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

// failDiskFull answers a write that failed because the disk is full: 507
// Insufficient Storage ("the server is unable to store the representation
// needed to complete the request", RFC 4918), which tells the autosave
// script to keep the answers in the browser, unlike a plain 500. The
// autosave call's message says that they are kept (except on a kiosk,
// where nothing is); every other answer, page or JSON, says that nothing
// was changed.
func (s *Server) failDiskFull(c *fiber.Ctx, err error) error {
	if s.log != nil {
		id, _ := c.Locals(kReqID).(string)
		s.log.Error("disk full: could not save", "req", id, "route", s.routeLabel(c), "err", err.Error())
	}
	msgID := "error.storageFull"
	if (c.Method() == fiber.MethodPatch || c.Method() == fiber.MethodPut) && s.routeLabel(c) == autosaveRoute && !isKiosk(c) {
		msgID = "autosave.full"
	}
	return s.fail(c, fiber.StatusInsufficientStorage, "storage-full", msgID)
}

// autosaveRoute is the route of the autosave call (PATCH, and the whole
// answers' PUT), as routes.go registers it.
const autosaveRoute = "/api/v1/drafts/:id"
