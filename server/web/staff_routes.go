package web

import (
	"github.com/gofiber/fiber/v2"
)

// staffRoute is one route only staff may reach.
type staffRoute struct {
	method, path string // path under /api/v1 (api) or /:lang (page)
	api          bool
	handler      func(s *Server) fiber.Handler
}

// staffRoutes is every staff route, in one table: routes registers them
// behind the staff guards, and TestStaffRouteTable fails when a route
// under a staff path is registered any other way (a resident must never
// reach one).
var staffRoutes = []staffRoute{
	{"GET", "/handler/cases", true, func(s *Server) fiber.Handler { return s.apiHandlerCases }},
	{"GET", "/handler/cases/:id", true, func(s *Server) fiber.Handler { return s.apiHandlerCase }},
	{"POST", "/handler/cases/:id/transition", true, func(s *Server) fiber.Handler { return s.apiHandlerTransition }},
	{"POST", "/handler/cases/:id/assign", true, func(s *Server) fiber.Handler { return s.apiHandlerAssign }},
	{"POST", "/handler/cases/:id/supplement-request", true, func(s *Server) fiber.Handler { return s.apiHandlerSupplement }},
	{"POST", "/handler/cases/:id/decision", true, func(s *Server) fiber.Handler { return s.apiHandlerDecision }},
	{"POST", "/handler/cases/:id/notes", true, func(s *Server) fiber.Handler { return s.apiHandlerNote }},
	{"POST", "/handler/cases/:id/messages", true, func(s *Server) fiber.Handler { return s.apiHandlerMessage }},

	{"GET", "/reports/:name", true, func(s *Server) fiber.Handler { return s.apiReport }},

	{"GET", "/staff", false, func(s *Server) fiber.Handler { return s.staffInboxPage }},
	{"GET", "/staff/cases/:id", false, func(s *Server) fiber.Handler { return s.staffCasePage }},
	{"POST", "/staff/cases/:id/:action", false, func(s *Server) fiber.Handler { return s.staffCaseAction }},
	{"GET", "/staff/cases/:id/files/:att", false, func(s *Server) fiber.Handler { return s.staffAttachment }},
	{"GET", "/staff/cases/:id/decision-file", false, func(s *Server) fiber.Handler { return s.decisionFile }},
	{"GET", "/staff/roles", false, func(s *Server) fiber.Handler { return s.staffRolesPage }},
	{"POST", "/staff/roles", false, func(s *Server) fiber.Handler { return s.staffRolesSet }},
	{"GET", "/staff/mandates", false, func(s *Server) fiber.Handler { return s.staffMandatesPage }},
	{"POST", "/staff/mandates", false, func(s *Server) fiber.Handler { return s.staffMandatesRecord }},
	{"GET", "/staff/mandates/:holder/:scan", false, func(s *Server) fiber.Handler { return s.mandateScan }},
	{"GET", "/staff/kiosk", false, func(s *Server) fiber.Handler { return s.kioskPage }},
	{"POST", "/staff/kiosk", false, func(s *Server) fiber.Handler { return s.kioskSet }},
	{"GET", "/staff/reports", false, func(s *Server) fiber.Handler { return s.staffReportPage }},
	{"GET", "/staff/reports/:name", false, func(s *Server) fiber.Handler { return s.staffReportPage }},
	{"GET", "/staff/feedback", false, func(s *Server) fiber.Handler { return s.staffFeedbackPage }},
	{"POST", "/staff/feedback/:id", false, func(s *Server) fiber.Handler { return s.staffFeedbackAnswer }},
}

// addStaffRoutes registers the table's API routes (api) on the /api/v1
// group behind requireStaffAPI, or its pages on the /:lang group behind
// requireStaff.
func (s *Server) addStaffRoutes(g fiber.Router, api bool) {
	for _, r := range staffRoutes {
		switch {
		case r.api && api:
			g.Add(r.method, r.path, s.requireStaffAPI, r.handler(s))
		case !r.api && !api:
			g.Add(r.method, r.path, s.requireStaff, r.handler(s))
		}
	}
}
