package web

import (
	"encoding/json"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"asiointi/i18n"
	"asiointi/pwa"
	"asiointi/server/metrics"
)

func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	return c.SendString("ok")
}

func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	if !s.storage.Ready() {
		return c.Status(fiber.StatusServiceUnavailable).SendString("store not open")
	}
	if !s.storage.Writable() {
		// A full disk or failing writes: answers would fail to save.
		return c.Status(fiber.StatusServiceUnavailable).SendString("store cannot write")
	}
	return c.SendString("ready")
}

// staticFile serves /s/<version>/<file>. The current version is cached
// forever; an old version's URL still gets the current file, briefly
// cached, so a page from before a deploy keeps working.
func (s *Server) staticFile(c *fiber.Ctx) error {
	name := c.Params("*")
	b, ok := s.static[name]
	if !ok {
		return fiber.ErrNotFound
	}
	if c.Params("version") == s.version {
		c.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Set("Cache-Control", "no-cache")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
		// An SVG opened by itself is a document: it may do nothing.
		c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	}
	c.Set("Content-Type", ct)
	return c.Send(b)
}

func (s *Server) favicon(c *fiber.Ctx) error {
	b, ok := s.static["icons/icon-192.png"]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set("Cache-Control", "public, max-age=86400")
	c.Set("Content-Type", "image/png")
	return c.Send(b)
}

func (s *Server) robots(c *fiber.Ctx) error {
	c.Set("Cache-Control", "public, max-age=86400")
	return c.SendString("User-agent: *\nAllow: /\nAllow: /auth/test-login\nDisallow: /api/\nDisallow: /auth/\n")
}

func (s *Server) rootRedirect(c *fiber.Ctx) error {
	lang := i18n.Match(c.Get("Accept-Language"))
	if l := c.Cookies(cookieLang); i18n.Supported(l) {
		lang = l
	}
	c.Set("Vary", "Accept-Language, Cookie")
	return c.Redirect(pathsIn(lang).Home(), fiber.StatusFound)
}

// manifest is the web app manifest, in the language of the request.
func (s *Server) manifest(c *fiber.Ctx) error {
	lang := requestLang(c)
	name := s.muni.ShortName.In(lang)
	m := map[string]any{
		"id":               "/",
		"name":             s.msg.T(lang, "app.name", map[string]any{"Municipality": name}),
		"short_name":       s.msg.T(lang, "app.shortName"),
		"description":      s.msg.T(lang, "meta.description", map[string]any{"Municipality": name}),
		"lang":             lang,
		"start_url":        pathsIn(lang).Home() + "?source=pwa",
		"scope":            "/",
		"display":          "standalone",
		"theme_color":      s.muni.PrimaryColor,
		"background_color": "#ffffff",
		"icons": []map[string]string{
			{"src": s.Asset("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
			{"src": s.Asset("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
			{"src": s.Asset("icons/maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
		},
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.Set("Content-Type", "application/manifest+json")
	c.Set("Cache-Control", "no-cache")
	c.Set("Vary", "Accept-Language, Cookie")
	return c.Send(b)
}

// serviceWorker serves /sw.js with the build version and the precache list
// filled in, so each deploy installs a new worker that drops old caches.
func (s *Server) serviceWorker(c *fiber.Ctx) error {
	pre := []string{}
	for name := range s.static {
		if strings.HasPrefix(name, "css/") || strings.HasPrefix(name, "js/") || name == "icons/icon-192.png" || name == s.logoName {
			pre = append(pre, s.Asset(name))
		}
	}
	for _, l := range i18n.Languages {
		pre = append(pre, pathsIn(l).Offline())
	}
	list, _ := json.Marshal(pre)
	body := strings.NewReplacer("__VERSION__", s.version, "__PRECACHE__", string(list)).Replace(pwa.ServiceWorker)
	c.Set("Content-Type", "text/javascript; charset=utf-8")
	c.Set("Cache-Control", "no-cache")
	c.Set("Service-Worker-Allowed", "/")
	return c.SendString(body)
}

func (s *Server) metricsHandler(c *fiber.Ctx) error {
	c.Set("Content-Type", metrics.ContentType)
	_, err := s.metrics.WriteTo(c.Response().BodyWriter())
	return err
}
