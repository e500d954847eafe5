package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/identity"
	"asiointi/server/population"
)

type pickerPerson struct {
	User, Name, Note string
	Age              int
}

// testLoginView is the data of pages/test-login.html.
type testLoginView struct {
	Residents, Staff []pickerPerson
	Next             string // where to go after login
}

// testLoginPage is the demo identification page: a picker of the demo
// people and staff, styled like a national test identification service.
func (s *Server) testLoginPage(c *fiber.Ctx) error {
	people, err := s.dir.People()
	if err != nil {
		return err
	}
	staff, err := s.dir.AllStaff()
	if err != nil {
		return err
	}
	lang := requestLang(c)
	now := s.now()
	var res, st []pickerPerson
	for _, p := range people {
		res = append(res, pickerPerson{User: p.Hetu, Name: p.Name(), Age: p.Age(now), Note: s.relationNote(lang, p)})
	}
	for _, m := range staff {
		st = append(st, pickerPerson{User: m.Username, Name: m.Name, Note: m.Title.In(lang)})
	}
	next, _ := localPath(c.Query("next"))
	p := s.page(c, "test-login", "testLogin.title", &testLoginView{Residents: res, Staff: st, Next: next})
	if c.Query("error") != "" {
		p.ErrorIntro = s.msg.T(lang, "testLogin.unknown")
	}
	return s.render(c, fiber.StatusOK, p)
}

func (s *Server) relationNote(lang string, p population.Person) string {
	var notes []string
	if len(p.Guardians) > 0 {
		notes = append(notes, s.msg.T(lang, "testLogin.note.child"))
	}
	principals, _ := s.dir.Principals(p, s.now())
	for _, pr := range principals {
		switch pr.Kind {
		case identity.PrincipalGuardian:
			notes = append(notes, s.msg.T(lang, "testLogin.note.guardianOf", map[string]any{"Name": pr.Name}))
		case identity.PrincipalMandate:
			notes = append(notes, s.msg.T(lang, "testLogin.note.mandateFrom", map[string]any{"Name": pr.Name}))
		case identity.PrincipalOrganization:
			notes = append(notes, s.msg.T(lang, "testLogin.note.organization", map[string]any{"Name": pr.Name}))
		}
	}
	if len(p.Properties) > 0 {
		notes = append(notes, s.msg.T(lang, "testLogin.note.property", map[string]any{"Property": strings.Join(p.Properties, ", ")}))
	}
	return strings.Join(notes, " · ")
}

// testLogin logs in as the chosen demo person or staff member, with a new
// session id, and redirects (303) to where the person was going.
func (s *Server) testLogin(c *fiber.Ctx) error {
	user := strings.TrimSpace(c.FormValue("user"))
	lang := requestLang(c)
	sess := identity.Session{Kiosk: isKiosk(c)}
	if p, err := s.dir.PersonByHetu(strings.ToUpper(user)); err == nil {
		sess.UserID, sess.Kind, sess.Name = p.ID, identity.Resident, p.Name()
	} else if m, err := s.dir.StaffMember(strings.ToLower(user)); err == nil {
		sess.UserID, sess.Kind, sess.Name, sess.Role = m.Username, identity.Staff, m.Name, m.Role
	} else {
		if wantsJSON(c) {
			return s.fail(c, fiber.StatusUnauthorized, "unknown-user", "testLogin.unknown")
		}
		return c.Redirect(pathsIn(lang).TestLoginFailed(), fiber.StatusSeeOther)
	}
	// A new session id at every login; any earlier session of this browser ends.
	if err := s.sessions.End(c.Cookies(cookieSession)); err != nil {
		return err
	}
	tok, _, err := s.sessions.Create(sess)
	if err != nil {
		return err
	}
	s.setCookie(c, cookieSession, tok, 0)
	if s.log != nil {
		s.log.Info("login", "method", "test", "kind", sess.Kind, "user", sess.UserID)
	}
	home := pathsIn(lang).My()
	if sess.Kind == identity.Staff {
		home = pathsIn(lang).Staff() // the inbox
	}
	return c.Redirect(nextOr(c.FormValue("next"), home), fiber.StatusSeeOther)
}

// clearSite tells the browser to drop this site's caches and storage. On a
// kiosk the device cookie must survive, so cookies are expired one by one
// instead of all at once.
func (s *Server) clearSite(c *fiber.Ctx) {
	if isKiosk(c) {
		c.Set("Clear-Site-Data", `"cache", "storage"`)
	} else {
		c.Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	}
	s.setCookie(c, cookieSession, "", -1)
	s.setCookie(c, cookiePre, "", -1)
	c.Set("Cache-Control", "no-store")
}

// clearSiteButCookies is clearSite for a browser on its way through an
// identity provider's single logout: our cookies are expired one by one,
// as Clear-Site-Data "cookies" would also drop the cookies the logout
// itself needs (ours, or the identity provider's on the same host).
func (s *Server) clearSiteButCookies(c *fiber.Ctx) {
	c.Set("Clear-Site-Data", `"cache", "storage"`)
	s.setCookie(c, cookieSession, "", -1)
	s.setCookie(c, cookiePre, "", -1)
	c.Set("Cache-Control", "no-store")
}

// endSession ends the session the cookie names (also one rotated away a
// moment ago, and so what it was rotated into) and clears the browser.
func (s *Server) endSession(c *fiber.Ctx) error {
	if err := s.sessions.End(c.Cookies(cookieSession)); err != nil {
		return err
	}
	sess := session(c)
	if sess != nil {
		s.hub.CloseSession(sess.Key) // its open pages stop hearing
		s.forgetDevice(c, sess.UserID)
		if s.mandates != nil && sess.Kind == identity.Resident {
			// The Suomi.fi Mandates session ends with ours.
			if err := s.mandates.End(c.UserContext(), sess.UserID); err != nil && s.log != nil {
				s.log.Warn("mandates unregister failed", "user", sess.UserID, "err", err)
			}
		}
		if s.log != nil {
			s.log.Info("logout", "user", sess.UserID)
		}
	}
	if to := s.federatedLogout(c, sess); to != "" {
		// On to the identity provider's single logout; the cookie of that
		// attempt must survive.
		s.clearSiteButCookies(c)
		return c.Redirect(to, fiber.StatusSeeOther)
	}
	s.clearSite(c)
	return c.Redirect(pathsIn(requestLang(c)).LoggedOut(), fiber.StatusSeeOther)
}

func (s *Server) logout(c *fiber.Ctx) error { return s.endSession(c) }
