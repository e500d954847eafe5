package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/datefmt"
	"asiointi/server/identity"
)

// principals lists whom the logged-in resident may act for.
func (s *Server) principals(sess *identity.Session) ([]identity.Principal, error) {
	return s.dir.PrincipalsOf(*sess, s.now())
}

// switchActingFor changes whom the session acts for ("" = oneself): the
// check and the rotation are identity's; this sets the new cookie. Errors
// are answered by actingFail.
func (s *Server) switchActingFor(c *fiber.Ctx, principal string) (*identity.Session, error) {
	tok, rotated, err := s.sessions.SwitchActingFor(s.dir, *session(c), principal)
	if err != nil {
		return nil, err
	}
	s.hub.CloseSession(session(c).Key) // pages opened as the other person stop hearing
	s.setCookie(c, cookieSession, tok, 0)
	c.Locals(kSession, &rotated)
	if s.log != nil {
		s.log.Info("acting-for changed", "user", rotated.UserID, "principal", rotated.ActingFor, "as", rotated.ActingAs)
	}
	return &rotated, nil
}

// actingFail answers a refused or failed acting-for change.
func (s *Server) actingFail(c *fiber.Ctx, err error) error {
	var r *identity.Refusal
	switch {
	case errors.Is(err, identity.ErrNotResident):
		return s.fail(c, fiber.StatusForbidden, "forbidden", "error.residentsOnly")
	case errors.As(err, &r):
		return s.fail(c, fiber.StatusForbidden, r.Code, "acting.noRelation")
	case errors.Is(err, identity.ErrNoSession): // logged out meanwhile
		if wantsJSON(c) {
			return s.fail(c, fiber.StatusUnauthorized, "unauthenticated", "error.loginRequired")
		}
		c.Locals(kSession, nil)
		return s.requireLogin(c)
	}
	return err
}

// apiPrincipals answers GET /api/v1/me/principals.
func (s *Server) apiPrincipals(c *fiber.Ctx) error {
	list, err := s.principals(session(c))
	if err != nil {
		return err
	}
	if list == nil {
		list = []identity.Principal{}
	}
	return c.JSON(list)
}

// apiActingFor answers PUT /api/v1/session/acting-for {principal}.
func (s *Server) apiActingFor(c *fiber.Ctx) error {
	var in struct {
		Principal *string `json:"principal"`
	}
	if err := c.BodyParser(&in); err != nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	p := ""
	if in.Principal != nil {
		p = *in.Principal
	}
	sess, err := s.switchActingFor(c, p)
	if err != nil {
		return s.actingFail(c, err)
	}
	return c.JSON(fiber.Map{"actingFor": s.actingFor(sess), "csrfToken": s.csrfToken(c)})
}

// actingView is the data of pages/acting.html.
type actingView struct {
	Principals []principalRow
	Next       string // where to go after the choice
	// MandatesURL starts the choice in Suomi.fi Mandates, when it is
	// configured.
	MandatesURL, MandatesOrgURL string
}

// principalRow is someone the resident may act for, and what they may do
// for them: the mandate issues in plain language, the services, until
// when and on what grounds.
type principalRow struct {
	identity.Principal
	Issues   []string // the mandate issues' names
	Services []string // the services the right covers
	Until    string   // the last day, formatted; "" when open-ended
	Source   string   // where the right comes from, in words
	RoleName string   // the role in the organisation, in words
}

// sourceNames word the sources of a right.
var sourceNames = map[string]string{
	identity.SourcePopulation:    "acting.source.population",
	identity.SourceMandates:      "acting.source.mandates",
	identity.SourcePaper:         "acting.source.paper",
	identity.SourceTradeRegister: "acting.source.tradeRegister",
}

// principalRows describes each principal for the acting-for page.
func (s *Server) principalRows(lang string, list []identity.Principal) []principalRow {
	rows := make([]principalRow, 0, len(list))
	for _, p := range list {
		r := principalRow{Principal: p}
		for _, is := range p.Issues {
			if mi, ok := s.catalog.MandateIssue(is); ok {
				r.Issues = append(r.Issues, mi.Name.In(lang))
			} else {
				r.Issues = append(r.Issues, is)
			}
		}
		for _, svc := range s.cases.ServicesFor(p) {
			r.Services = append(r.Services, svc.Name.In(lang))
		}
		if id, ok := roleNames[p.Role]; ok {
			r.RoleName = s.msg.T(lang, id)
		} else {
			r.RoleName = p.Role
		}
		if t, err := time.ParseInLocation("2006-01-02", p.ValidTo, datefmt.Helsinki()); err == nil {
			r.Until = datefmt.Date(t, lang)
		}
		if id, ok := sourceNames[p.Source]; ok {
			r.Source = s.msg.T(lang, id)
		}
		rows = append(rows, r)
	}
	return rows
}

// actingPage lets a resident choose whom to act for, and shows what they
// may do for each and until when.
func (s *Server) actingPage(c *fiber.Ctx) error {
	list, err := s.principals(session(c))
	if err != nil {
		return err
	}
	next, _ := localPath(c.Query("next"))
	v := &actingView{Principals: s.principalRows(requestLang(c), list), Next: next}
	if s.mandates != nil {
		v.MandatesURL = pathsIn(requestLang(c)).MandatesChoice()
		v.MandatesOrgURL = pathsIn(requestLang(c)).MandatesOrganization()
	}
	return s.render(c, fiber.StatusOK, s.page(c, "acting", "acting.title", v))
}

// actingSet is the form version of the switch (works without JS).
func (s *Server) actingSet(c *fiber.Ctx) error {
	if _, err := s.switchActingFor(c, c.FormValue("principal")); err != nil {
		return s.actingFail(c, err)
	}
	return c.Redirect(nextOr(c.FormValue("next"), pathsIn(requestLang(c)).My()), fiber.StatusSeeOther)
}
