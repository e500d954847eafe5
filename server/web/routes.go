package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
)

// routes is the route table: every route of the app, in one place.
func (s *Server) routes() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:      "asiointi",
		ErrorHandler: s.errorHandler,
		// Bodies are read by readBody (body.go), after the session is
		// known, within the limit for who asks for what; nothing is read
		// before. BodyLimit only bounds fasthttp's own read-ahead.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    int(uploadBodyLimit),
		// The headers; a body has its own deadlines (readBody).
		ReadTimeout:             s.cfg.HeaderTimeout,
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             120 * time.Second,
		DisableStartupMessage:   true,
		EnableTrustedProxyCheck: true,
		EnableIPValidation:      true,
		TrustedProxies:          s.cfg.TrustedProxies,
		ProxyHeader:             fiber.HeaderXForwardedFor,
	})
	app.Use(s.recoverer, s.observe, s.bodyGuard, s.secure, compress.New(compress.Config{
		// Pages and static files are compressed; the small JSON answers of
		// the API are not worth the CPU on the autosave path.
		Next:  func(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") },
		Level: compress.LevelBestSpeed,
	}))

	// Outside the session: health, static files, the manifest and the
	// service worker.
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/s/:version/*", s.staticFile)
	app.Get("/manifest.webmanifest", s.manifest)
	app.Get("/sw.js", s.serviceWorker)
	app.Get("/robots.txt", s.robots)
	app.Get("/favicon.ico", s.favicon)

	app.Use(s.load, s.readBody, s.noStore, s.csrf)
	app.Get("/", s.rootRedirect)
	app.Get("/ws", s.wsAuth, s.wsHandler)

	app.Get("/saml/metadata", s.samlMetadata)
	app.Get("/auth/national-login", s.samlLogin)
	app.Post("/saml/acs", s.addressLimit, s.samlACS)
	app.Get("/saml/slo", s.samlSLO)
	app.Post("/saml/slo", s.samlSLO)
	app.Get("/auth/staff-login", s.staffLogin)
	app.Get("/auth/oidc/callback", s.addressLimit, s.staffCallback)
	auth := app.Group("/auth")
	auth.Get("/test-login", s.demoOnly, s.testLoginPage)
	auth.Post("/test-login", s.demoOnly, s.loginLimit, s.testLogin)
	auth.Post("/logout", s.logout)

	// The JSON API (CONTRACT.md).
	resident := s.requireResidentAPI
	api := app.Group("/api/v1", s.writeLimit)
	api.Get("/session", s.apiSession)
	api.Put("/session/acting-for", resident, s.apiActingFor)
	api.Get("/me/principals", resident, s.apiPrincipals)
	api.Get("/me/access-log", resident, s.apiAccessLog)
	api.Get("/me/done-for-me", resident, s.apiDoneForMe)
	api.Get("/me/data", resident, s.apiMyData)
	api.Get("/me/data.schema.json", s.apiMyDataSchema)
	api.Post("/me/consents/withdraw", resident, s.apiWithdrawConsent)
	api.Get("/services", s.apiServices)
	api.Get("/services/:id/form", s.apiServiceForm)
	api.Post("/drafts", resident, s.apiCreateDraft)
	api.Get("/drafts", resident, s.apiDrafts)
	api.Get("/drafts/:id", resident, s.apiDraft)
	api.Put("/drafts/:id", resident, s.apiSaveDraft)          // the whole answers (autosaveRoute)
	api.Patch("/drafts/:id", resident, s.apiSaveDraftChanges) // autosave: what changed (autosaveRoute)
	api.Delete("/drafts/:id", resident, s.apiDeleteDraft)
	api.Post("/drafts/:id/attachments", resident, s.limit("upload"), s.apiUpload)
	api.Get("/drafts/:id/parties", resident, s.apiParties)
	api.Post("/drafts/:id/parties", resident, s.limit("invite"), s.apiAddParty)
	api.Delete("/drafts/:id/parties/:party", resident, s.apiRemoveParty)
	api.Post("/drafts/:id/submit", resident, s.apiSubmit)
	api.Get("/cases", resident, s.apiCases)
	api.Get("/cases/:id", resident, s.apiCase)
	api.Get("/invitations", resident, s.apiInvitations)
	api.Post("/invitations/:id/approve", resident, s.apiAnswer(true))
	api.Post("/invitations/:id/decline", resident, s.apiAnswer(false))
	api.Post("/cases/:id/withdraw", resident, s.apiCaseWithdraw)
	api.Get("/cases/:id/shares", resident, s.apiCaseShares)
	api.Post("/cases/:id/shares", resident, s.limit("invite"), s.apiShareCase)
	api.Delete("/cases/:id/shares/:share", resident, s.apiRevokeShare)
	api.Get("/shared", resident, s.apiSharedWithMe)
	api.Get("/shared/:id", resident, s.apiSharedCase)
	api.Post("/cases/:id/messages", resident, s.apiCaseMessage)
	api.Post("/cases/:id/supplement", resident, s.apiCaseSupplement)
	api.Get("/notifications", s.requireLoginAPI, s.apiNotifications)
	api.Post("/notifications/read-all", s.requireLoginAPI, s.apiNotificationsReadAll)
	api.Post("/notifications/:id/read", s.requireLoginAPI, s.apiNotificationRead)
	api.Get("/dev/outbox", s.demoOnly, s.apiDevOutbox)
	api.Get("/push/key", s.apiPushKey)
	api.Post("/push/subscriptions", s.requireLoginAPI, s.apiPushSubscribe)
	api.Delete("/push/subscriptions/:id", s.requireLoginAPI, s.apiPushUnsubscribe)
	s.addStaffRoutes(api, true) // the staff routes: one table (staff_routes.go)
	api.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })

	app.Get("/metrics", s.staffOnly, s.metricsHandler)

	// The pages, under /{lang} (their URLs: paths.go). Every flow works
	// without JavaScript; pwa/js adds autosave, offline drafts, conditional
	// fields and checks in the browser.
	l := app.Group("/:lang", s.withLang)
	l.Get("/", s.frontPage)
	l.Get("/offline", s.offlinePage)
	l.Get("/login", s.loginPage)
	l.Get("/logged-out", s.loggedOutPage)
	l.Get("/timed-out", s.timedOutPage)
	l.Get("/my", s.requireLogin, s.myPage)
	l.Get("/my/access-log", s.requireResident, s.accessLogPage)
	l.Get("/my/data", s.requireResident, s.myDataPage)
	l.Post("/my/data/consents", s.requireResident, s.myDataWithdraw)
	l.Get("/acting-for", s.requireResident, s.actingPage)
	l.Post("/acting-for", s.requireResident, s.actingSet)
	l.Get("/acting-for/mandates", s.requireResident, s.mandatesStart)
	l.Get("/acting-for/mandates/return", s.requireResident, s.mandatesReturn)
	s.addStaffRoutes(l, false)
	l.Get("/services", s.servicesPage)
	l.Get("/services/:id", s.servicePage)
	l.Get("/services/:id/privacy", s.servicePrivacyPage)
	l.Get("/privacy", s.privacyPage)
	l.Get("/accessibility", s.accessibilityPage)
	l.Get("/accessibility/feedback", s.feedbackPage)
	l.Post("/accessibility/feedback", s.limit("feedback"), s.feedbackSend)
	l.Get("/help", s.helpPage)
	// An invitation link: no login needed to open it (it shows nothing
	// personal); the token goes into a cookie and leaves the URL.
	l.Get("/i/:token", s.limit("invitation-guess"), s.invitationLink)
	l.Get("/invitation", s.invitationLanding)

	r := s.requireResident
	l.Post("/services/:id/start", r, s.startService)
	l.Get("/drafts", r, s.draftsPage)
	l.Get("/drafts/:id", r, s.resumeDraft)
	l.Get("/drafts/:id/delete", r, s.deleteDraftPage)
	l.Post("/drafts/:id/delete", r, s.deleteDraft)
	l.Get("/drafts/:id/step/:n", r, s.stepPage)
	l.Post("/drafts/:id/step/:n", r, s.saveStep)
	l.Get("/drafts/:id/summary", r, s.summaryPage)
	l.Post("/drafts/:id/submit", r, s.submitDraft)
	l.Get("/drafts/:id/parties", r, s.draftPartiesPage)
	l.Post("/drafts/:id/parties", r, s.limit("invite"), s.draftPartyAdd)
	l.Post("/drafts/:id/parties/:party/delete", r, s.draftPartyRemove)
	l.Get("/invitations", r, s.invitationsPage)
	l.Get("/invitations/:id", r, s.invitationPage)
	l.Post("/invitations/:id/approve", r, s.invitationAnswer(true))
	l.Post("/invitations/:id/decline", r, s.invitationAnswer(false))
	l.Post("/cases/:id/reopen", r, s.caseReopen)
	l.Post("/cases/:id/shares", r, s.limit("invite"), s.caseShare)
	l.Post("/cases/:id/shares/:share/delete", r, s.caseRevokeShare)
	l.Get("/shared", r, s.sharedPage)
	l.Get("/shared/:id", r, s.sharedPage)
	l.Post("/cases/:id/parties/:party/resend", r, s.limit("invite"), s.caseResend)
	l.Get("/cases", r, s.casesPage)
	l.Get("/done-for-me", r, s.doneForMePage)
	l.Get("/cases/:id", r, s.casePage)
	l.Get("/cases/:id/receipt.json", r, s.caseReceiptJSON)
	l.Get("/cases/:id/receipt.pdf", r, s.caseReceiptPDF)
	l.Post("/cases/:id/withdraw", r, s.caseWithdraw)
	l.Post("/cases/:id/messages", r, s.caseMessage)
	l.Get("/cases/:id/supplement", r, s.supplementPage)
	l.Post("/cases/:id/supplement", r, s.supplementSend)
	l.Get("/attachments/:draft/:att", r, s.attachmentFile)
	l.Get("/cases/:id/decision-file", r, s.decisionFile)
	l.Get("/my/mandates/:holder/:scan", r, s.mandateScan)

	l.Get("/notifications", s.requireLogin, s.notificationsPage)
	l.Post("/notifications/read-all", s.requireLogin, s.notificationsReadAll)
	l.Post("/notifications/:id/read", s.requireLogin, s.notificationRead)
	l.Get("/settings/notifications", s.requireLogin, s.notificationSettingsPage)
	l.Post("/settings/notifications", s.requireLogin, s.notificationSettingsSave)
	l.Post("/settings/devices/:id/delete", s.requireLogin, s.deviceRemove)
	l.Get("/dev/outbox", s.demoOnly, s.devOutboxPage)
	return app
}
