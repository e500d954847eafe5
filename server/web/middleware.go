package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/i18n"
	"asiointi/server/identity"
)

// Cookie names.
const (
	cookieSession = "asiointi_session"
	cookiePre     = "asiointi_pre"
	cookieDevice  = "asiointi_device"
	cookieLang    = "lang"
)

// Locals keys.
const (
	kNonce   = "nonce"
	kSession = "session"
	kLang    = "lang"
	kReqID   = "reqid"
	kKiosk   = "kiosk"
)

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// requestID is a per-process random prefix and a counter: unique, cheap,
// and it says nothing about the request.
func (s *Server) requestID() string {
	return s.idPrefix + strconv.FormatUint(s.reqSeq.Add(1), 36)
}

// observe records metrics and a log line per request, with a request id.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	id := s.requestID()
	c.Locals(kReqID, id)
	c.Set("X-Request-Id", id)
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = errorStatus(err)
	}
	route := s.routeLabel(c)
	if s.metrics != nil {
		s.metrics.ObserveRequest(c.Method(), route, status, time.Since(start))
	}
	if s.log != nil && status >= 500 {
		// Ids only: never paths' query strings, bodies or henkilötunnus.
		s.log.Error("request failed", "req", id, "method", c.Method(), "route", route, "status", status, "err", errString(err))
	}
	return err
}

// routeLabel names the request's route for metrics and logs: the pattern
// of the last route it matched, as registered (a string that outlives the
// request, from a bounded set), or "unmatched".
func (s *Server) routeLabel(c *fiber.Ctx) string {
	if r, ok := s.routePatterns[c.Route().Path]; ok {
		return r
	}
	return "unmatched"
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// secure sets the security headers on every response.
func (s *Server) secure(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/api/") {
		// JSON answers run no scripts: a fixed policy, no nonce to make.
		c.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
	} else {
		nonce := randomString(18)
		c.Locals(kNonce, nonce)
		c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+"'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'"+s.formActions+"; frame-ancestors 'none'; object-src 'none'; base-uri 'none'")
	}
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if s.isHTTPS(c) {
		c.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	return c.Next()
}

func (s *Server) isHTTPS(c *fiber.Ctx) bool { return c.Protocol() == "https" }

// isLocalHTTP is true for plain http on a loopback host, the one case in
// which cookies are not marked Secure.
func (s *Server) isLocalHTTP(c *fiber.Ctx) bool {
	if s.isHTTPS(c) {
		return false
	}
	host := c.Hostname()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{
		Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: !s.isLocalHTTP(c),
	}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	} else if maxAge < 0 {
		ck.MaxAge = -1
		ck.Expires = time.Unix(0, 0)
	}
	c.Cookie(ck)
}

// load reads the session and the device's kiosk flag.
func (s *Server) load(c *fiber.Ctx) error {
	c.Locals(kKiosk, c.Cookies(cookieDevice) == "kiosk")
	if tok := c.Cookies(cookieSession); tok != "" {
		sess, err := s.sessions.Get(tok)
		switch {
		case err == nil:
			c.Locals(kSession, &sess)
		case errors.Is(err, identity.ErrRotated):
			// A request that raced with an acting-for change: the browser
			// has the new cookie already; clearing it would log out.
		case errors.Is(err, identity.ErrNoSession):
			s.setCookie(c, cookieSession, "", -1)
		default:
			return err
		}
	}
	return c.Next()
}

func session(c *fiber.Ctx) *identity.Session {
	s, _ := c.Locals(kSession).(*identity.Session)
	return s
}

func isKiosk(c *fiber.Ctx) bool { k, _ := c.Locals(kKiosk).(bool); return k }

func nonce(c *fiber.Ctx) string { n, _ := c.Locals(kNonce).(string); return n }

// csrfBinding is what the CSRF token is bound to: the session, or a
// pre-session cookie for visitors who are not logged in.
func (s *Server) csrfBinding(c *fiber.Ctx, create bool) string {
	if sess := session(c); sess != nil {
		return sess.Key
	}
	if v := c.Cookies(cookiePre); len(v) >= 20 && len(v) <= 64 {
		return "pre:" + v
	}
	if !create {
		return ""
	}
	v := randomString(24)
	s.setCookie(c, cookiePre, v, 0)
	c.Request().Header.SetCookie(cookiePre, v)
	return "pre:" + v
}

func (s *Server) csrfToken(c *fiber.Ctx) string {
	return identity.CSRFToken(s.secret, s.csrfBinding(c, true))
}

func safeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// crossSite refuses requests a browser marks as coming from another site.
// "Origin: null" is what a browser sends for a form posted from a
// sandboxed frame, a data: URL or a file, where an attacker hides the
// site: it is cross-site too. (Our pages' Referrer-Policy same-origin
// keeps a real Origin on our own forms.)
func (s *Server) crossSite(c *fiber.Ctx) bool {
	if c.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	if o := c.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || o == "null" || u.Host != c.Hostname() {
			return true
		}
	}
	return false
}

// csrf protects every state-changing request: a browser's cross-site
// request is refused, and a token bound to the session must come in the
// X-CSRF-Token header (API) or the _csrf form field (pages). Test login and
// logout are plain form posts in CONTRACT.md, so they rely on the
// cross-site check alone (our own logout forms carry the token all the
// same). A logout is never refused for a stale token: a refused logout
// would leave a session open on a shared computer.
func (s *Server) csrf(c *fiber.Ctx) error {
	if safeMethod(c.Method()) {
		return c.Next()
	}
	if p := c.Path(); p == "/saml/acs" || p == "/saml/slo" {
		// The IdP's answers are cross-site form posts by design; their
		// signatures and this browser's attempt cookie protect them.
		return c.Next()
	}
	if s.crossSite(c) {
		return s.fail(c, fiber.StatusForbidden, "csrf", "error.csrf")
	}
	p := c.Path()
	if p == "/auth/test-login" || p == "/auth/logout" {
		return c.Next()
	}
	tok := c.Get("X-CSRF-Token")
	if tok == "" && !strings.HasPrefix(p, "/api/") {
		tok = c.FormValue("_csrf")
	}
	if !identity.CheckCSRF(s.secret, s.csrfBinding(c, false), tok) {
		return s.fail(c, fiber.StatusForbidden, "csrf", "error.csrf")
	}
	return c.Next()
}

// noStore marks responses that may hold personal data as uncacheable.
func (s *Server) noStore(c *fiber.Ctx) error {
	err := c.Next()
	if session(c) != nil || c.Cookies(cookieSession) != "" {
		c.Set("Cache-Control", "no-store")
	}
	return err
}

// limit applies the named rate limit per session and per client address.
func (s *Server) limit(name string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !s.cfg.RateLimits {
			return c.Next()
		}
		keys := []string{"ip:" + c.IP()}
		if sess := session(c); sess != nil {
			keys = append(keys, "s:"+sess.Key)
		}
		if over, err := s.overLimit(c, name, keys...); over {
			return err
		}
		return c.Next()
	}
}

// loginLimit limits login attempts per account, wherever they come from,
// and per client address with a gentler rule: one person trying one
// account again and again must not lock out everyone behind a library's
// or a school's shared address.
func (s *Server) loginLimit(c *fiber.Ctx) error {
	if !s.cfg.RateLimits {
		return c.Next()
	}
	if over, err := s.overLimit(c, "login-address", "ip:"+c.IP()); over {
		return err
	}
	if over, err := s.overLimit(c, "login", "acct:"+identity.AccountKey(c.FormValue("user"))); over {
		return err
	}
	return c.Next()
}

// overLimit takes a token for each key from the named limiter. When one is
// refused it answers 429 with Retry-After and reports true.
func (s *Server) overLimit(c *fiber.Ctx, name string, keys ...string) (bool, error) {
	l := s.limits[name]
	for _, k := range keys {
		if ok, wait := l.Allow(k); !ok {
			secs := int(wait/time.Second) + 1
			c.Set("Retry-After", fmt.Sprint(secs))
			if s.metrics != nil {
				s.metrics.Inc("asiointi_rate_limited_total")
			}
			return true, s.failData(c, fiber.StatusTooManyRequests, "rate-limited", "error.rateLimited", map[string]any{"Count": secs})
		}
	}
	return false, nil
}

// writeLimit limits state-changing API calls only.
func (s *Server) writeLimit(c *fiber.Ctx) error {
	if safeMethod(c.Method()) {
		return c.Next()
	}
	return s.limit("write")(c)
}

// requestLang is the language for messages outside /{lang}/ pages:
// ?lang=, then the lang cookie, then Accept-Language.
func requestLang(c *fiber.Ctx) string {
	if l, ok := c.Locals(kLang).(string); ok && l != "" {
		return l
	}
	if l, ok := knownLang(c.Query("lang")); ok {
		return l
	}
	if l, ok := knownLang(c.Cookies(cookieLang)); ok {
		return l
	}
	return i18n.Match(c.Get("Accept-Language"))
}

// knownLang is l as i18n.Languages has it, when supported: a string of
// its own, whereas Fiber's params, queries and cookies live in buffers it
// reuses — and the language keys what the server keeps (descriptions,
// rules, availability words), so it must outlive the request.
func knownLang(l string) (string, bool) {
	for _, x := range i18n.Languages {
		if x == l {
			return x, true
		}
	}
	return "", false
}

// withLang serves /{lang}/… pages: it checks the language, remembers it in
// a cookie for API messages and renders in it.
func (s *Server) withLang(c *fiber.Ctx) error {
	l, ok := knownLang(c.Params("lang"))
	if !ok {
		return fiber.ErrNotFound
	}
	c.Locals(kLang, l)
	if c.Cookies(cookieLang) != l {
		s.setCookie(c, cookieLang, l, 365*24*time.Hour)
	}
	return c.Next()
}
