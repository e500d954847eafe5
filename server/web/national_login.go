package web

import (
	"bytes"
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/identity"
	"asiointi/server/suomifi/eid"
)

// cookieSAML holds the token of this browser's SAML login or logout in
// flight: the answer the IdP brings back counts only in the browser that
// asked for it.
const cookieSAML = "asiointi_saml"

// NationalLogin is where the national login starts, in the language.
func (p paths) NationalLogin(next string) string {
	return "/auth/national-login?lang=" + p.lang + "&next=" + url.QueryEscape(next)
}

// samlMetadata serves the SP metadata to register with the IdP.
func (s *Server) samlMetadata(c *fiber.Ctx) error {
	if s.eid == nil {
		return fiber.ErrNotFound
	}
	b, err := s.eid.Metadata()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/samlmetadata+xml")
	c.Set("Cache-Control", "public, max-age=3600")
	return c.Send(b)
}

// samlLogin sends the browser to the IdP with a signed AuthnRequest.
func (s *Server) samlLogin(c *fiber.Ctx) error {
	if s.eid == nil {
		return fiber.ErrNotFound
	}
	lang := requestLang(c)
	to, tok, err := s.eid.StartLogin(nextOr(c.Query("next"), pathsIn(lang).My()))
	if err != nil {
		return err
	}
	s.setAttemptCookie(c, tok)
	return c.Redirect(to, fiber.StatusSeeOther)
}

// setAttemptCookie keeps the attempt token for the IdP's answer. The
// answer is a cross-site form post from the IdP, which a SameSite=Lax
// cookie would not come with: SameSite=None (which needs Secure).
func (s *Server) setAttemptCookie(c *fiber.Ctx, tok string) {
	ck := &fiber.Cookie{Name: cookieSAML, Value: tok, Path: "/saml/", HTTPOnly: true,
		MaxAge: int(eid.AttemptTTL / time.Second), SameSite: "None", Secure: true}
	if s.isLocalHTTP(c) {
		ck.SameSite, ck.Secure = "Lax", false // a local test IdP on the same host
	}
	if tok == "" {
		ck.MaxAge, ck.Expires = -1, time.Unix(0, 0)
	}
	c.Cookie(ck)
}

// addressLimit bounds logins from one client address. The outside
// logins name no account before the answer is validated, so the
// per-account limit of test login does not apply (with no account it
// would be one limit for every resident at once).
func (s *Server) addressLimit(c *fiber.Ctx) error {
	if !s.cfg.RateLimits {
		return c.Next()
	}
	if over, err := s.overLimit(c, "login-address", "ip:"+c.IP()); over {
		return err
	}
	return c.Next()
}

// samlACS takes the IdP's answer: validated, the person is found (or
// created at their first login) and logged in with a new session.
func (s *Server) samlACS(c *fiber.Ctx) error {
	if s.eid == nil {
		return fiber.ErrNotFound
	}
	tok := c.Cookies(cookieSAML)
	s.setAttemptCookie(c, "")
	login, err := s.eid.FinishLogin(tok, c.FormValue("SAMLResponse"))
	if err != nil {
		if s.log != nil {
			s.log.Warn("national login refused", "err", err.Error())
		}
		return s.fail(c, fiber.StatusForbidden, "login-refused", "identity.loginRefused")
	}
	p, err := s.dir.Identify(login.Person, s.now())
	if err != nil {
		return err
	}
	fed := login.Federated
	sess := identity.Session{UserID: p.ID, Kind: identity.Resident, Name: p.Name(), Kiosk: isKiosk(c), Federated: &fed}
	if err := s.sessions.End(c.Cookies(cookieSession)); err != nil {
		return err
	}
	st, _, err := s.sessions.Create(sess)
	if err != nil {
		return err
	}
	s.setCookie(c, cookieSession, st, 0)
	if s.log != nil {
		s.log.Info("login", "method", "suomifi", "kind", sess.Kind, "user", p.ID)
	}
	return c.Redirect(nextOr(login.Next, pathsIn(requestLang(c)).My()), fiber.StatusSeeOther)
}

// samlSLO is the single logout endpoint: a LogoutRequest from the IdP
// ends the sessions of the login it names (in every browser) and is
// answered; a LogoutResponse answers the logout we started.
func (s *Server) samlSLO(c *fiber.Ctx) error {
	if s.eid == nil {
		return fiber.ErrNotFound
	}
	r, err := s.stdRequest(c)
	if err != nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	if eid.IsLogoutRequest(r) {
		lo, err := s.eid.HandleIdPLogout(r)
		if err != nil {
			if s.log != nil {
				s.log.Warn("single logout request refused", "err", err.Error())
			}
			return s.fail(c, fiber.StatusBadRequest, "logout-refused", "error.badRequest")
		}
		ended, err := s.sessions.EndWhere(func(x identity.Session) bool { return lo.Matches(x.Federated) })
		if err != nil {
			return err
		}
		for _, key := range ended {
			s.hub.CloseSession(key)
		}
		if sess := session(c); sess != nil && lo.Matches(sess.Federated) {
			s.clearSiteButCookies(c)
		}
		if s.log != nil {
			s.log.Info("logout", "method", "suomifi-idp", "sessions", len(ended))
		}
		return c.Redirect(lo.Answer, fiber.StatusSeeOther)
	}
	tok := c.Cookies(cookieSAML)
	s.setAttemptCookie(c, "")
	if err := s.eid.FinishLogout(tok, r); err != nil && s.log != nil {
		// Our session ended before we went to the IdP; say so all the same.
		s.log.Warn("single logout response refused", "err", err.Error())
	}
	return c.Redirect(pathsIn(requestLang(c)).LoggedOut(), fiber.StatusSeeOther)
}

// stdRequest is the request as net/http has it (the SAML library reads
// the query string and the posted form from it).
func (s *Server) stdRequest(c *fiber.Ctx) (*http.Request, error) {
	r, err := http.NewRequest(c.Method(), "http://"+c.Hostname()+string(c.Request().URI().RequestURI()), nil)
	if err != nil {
		return nil, err
	}
	if c.Method() == fiber.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form, err := url.ParseQuery(string(bytes.Clone(c.Body())))
		if err != nil {
			return nil, err
		}
		r.PostForm, r.Form = form, form
	}
	return r, nil
}

// federatedLogout starts single logout at the identity provider the
// session came from, when it does that: it answers where to send the
// browser ("" when nowhere).
func (s *Server) federatedLogout(c *fiber.Ctx, sess *identity.Session) string {
	if sess == nil || sess.Federated == nil {
		return ""
	}
	if sess.Federated.Method == "suomifi-saml" && s.eid != nil {
		to, tok, err := s.eid.StartLogout(*sess.Federated)
		if err != nil {
			if s.log != nil {
				s.log.Warn("single logout not started", "err", err.Error())
			}
			return ""
		}
		if to != "" {
			s.setAttemptCookie(c, tok)
		}
		return to
	}
	if sess.Federated.Method == "oidc" && s.staffSSO != nil {
		back := ""
		if s.cfg.BaseURL != "" {
			back = s.cfg.BaseURL + pathsIn(requestLang(c)).LoggedOut()
		}
		return s.staffSSO.LogoutURL(sess.Federated.IDToken, back)
	}
	return ""
}
