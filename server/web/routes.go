package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	"asiointi/server/config"
	"asiointi/server/identity"
)

func (s *Server) routes() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:                 "asiointi",
		ErrorHandler:            s.errorHandler,
		BodyLimit:               12 << 20,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             120 * time.Second,
		DisableStartupMessage:   true,
		EnableTrustedProxyCheck: true,
		EnableIPValidation:      true,
		TrustedProxies:          s.cfg.TrustedProxies,
		ProxyHeader:             fiber.HeaderXForwardedFor,
	})
	app.Use(s.recoverer, s.observe, s.secure, compress.New(compress.Config{
		// Pages and static files are compressed; the small JSON answers of
		// the API are not worth the CPU on the autosave path.
		Next:  func(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") },
		Level: compress.LevelBestSpeed,
	}))

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/s/:version/*", s.staticFile)
	app.Get("/manifest.webmanifest", s.manifest)
	app.Get("/sw.js", s.serviceWorker)
	app.Get("/robots.txt", s.robots)
	app.Get("/favicon.ico", s.favicon)

	app.Use(s.load, s.noStore, s.csrf)
	app.Get("/", s.rootRedirect)
	app.Get("/ws", s.wsAuth, s.wsHandler)

	auth := app.Group("/auth")
	auth.Get("/test-login", s.demoOnly, s.testLoginPage)
	auth.Post("/test-login", s.demoOnly, s.loginLimit, s.testLogin)
	auth.Post("/logout", s.logout)

	api := app.Group("/api/v1", s.writeLimit)
	api.Get("/session", s.apiSession)
	api.Put("/session/acting-for", s.requireResidentAPI, s.apiActingFor)
	api.Get("/me/principals", s.requireResidentAPI, s.apiPrincipals)
	s.apiRoutes(api)
	api.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })

	app.Get("/metrics", s.staffOnly, s.metricsHandler)

	l := app.Group("/:lang", s.withLang)
	l.Get("/", s.frontPage)
	l.Get("/offline", s.offlinePage)
	l.Get("/login", s.loginPage)
	l.Get("/logged-out", s.loggedOutPage)
	l.Get("/timed-out", s.timedOutPage)
	l.Get("/my", s.requireLogin, s.myPage)
	l.Get("/acting-for", s.requireResident, s.actingPage)
	l.Post("/acting-for", s.requireResident, s.actingSet)
	l.Get("/staff/kiosk", s.requireStaff, s.kioskPage)
	l.Post("/staff/kiosk", s.requireStaff, s.kioskSet)
	s.pageRoutes(l)
	return app
}

func (s *Server) recoverer(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if s.log != nil {
				s.log.Error("panic", "route", c.Route().Path, "panic", r)
			}
			err = fiber.ErrInternalServerError
		}
	}()
	return c.Next()
}

func (s *Server) demoOnly(c *fiber.Ctx) error {
	if s.cfg.Mode != config.Demo {
		return fiber.ErrNotFound
	}
	return c.Next()
}

// requireLogin sends visitors who are not logged in to the login page and
// back here afterwards.
func (s *Server) requireLogin(c *fiber.Ctx) error {
	if session(c) == nil {
		return c.Redirect("/"+requestLang(c)+"/login?next="+urlQueryEscape(string(c.Request().URI().RequestURI())), fiber.StatusSeeOther)
	}
	return c.Next()
}

func (s *Server) requireStaff(c *fiber.Ctx) error {
	if session(c) == nil {
		return s.requireLogin(c)
	}
	if session(c).Kind != identity.Staff {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "error.staffOnly")
	}
	return c.Next()
}

func (s *Server) requireResident(c *fiber.Ctx) error {
	if session(c) == nil {
		return s.requireLogin(c)
	}
	if session(c).Kind != identity.Resident {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "error.residentsOnly")
	}
	return c.Next()
}

func (s *Server) staffOnly(c *fiber.Ctx) error {
	if sess := session(c); sess == nil || sess.Kind != identity.Staff {
		return fiber.ErrNotFound
	}
	return c.Next()
}

func (s *Server) requireLoginAPI(c *fiber.Ctx) error {
	if session(c) == nil {
		return s.fail(c, fiber.StatusUnauthorized, "unauthenticated", "error.loginRequired")
	}
	return c.Next()
}

func (s *Server) requireResidentAPI(c *fiber.Ctx) error {
	sess := session(c)
	if sess == nil {
		return s.fail(c, fiber.StatusUnauthorized, "unauthenticated", "error.loginRequired")
	}
	if sess.Kind != identity.Resident {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "error.residentsOnly")
	}
	return c.Next()
}
