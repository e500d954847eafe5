package web

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
)

// Co-applicant pages, all working without JavaScript: the draft's
// parties, the invitation link, the invitation with approve and decline,
// and the applicant's actions on the case (take back, ask again).

// cookieInvite holds an invitation link's token between opening the link
// and logging in: the token leaves the URL at once.
const cookieInvite = "asiointi_invite"

// allParties: the service is one where every party signs.
func (s *Server) allParties(service string) bool {
	svc, ok := s.catalog.Service(service)
	return ok && svc.OnBehalf == catalog.OnBehalfAllParties
}

type partyRow struct {
	ID, Name, Status, StatusText, RemoveURL, ResendURL string
}

type suggestionRow struct {
	Person, Name, SourceText string
}

type draftPartiesView struct {
	Service     string
	Parties     []partyRow
	Suggestions []suggestionRow
	Errors      []FieldMessage
	In          partyIn
	AddURL      string
	SummaryURL  string
	Msgs        map[string]string
}

func (s *Server) draftPartiesPage(c *fiber.Ctx) error {
	return s.renderDraftParties(c, fiber.StatusOK, nil, partyIn{})
}

func (s *Server) renderDraftParties(c *fiber.Ctx, status int, errs []forms.FieldError, in partyIn) error {
	lang := requestLang(c)
	sess := session(c)
	id := c.Params("id")
	list, err := s.cases.Parties(id, sess.UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	sugg, err := s.cases.SuggestedParties(id, sess.UserID)
	if err != nil {
		return s.invitationFail(c, err)
	}
	d, err := s.cases.Draft(id, sess.UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	v := &draftPartiesView{AddURL: pathsIn(lang).DraftParties(id), SummaryURL: pathsIn(lang).Summary(id), In: in,
		Msgs: map[string]string{}}
	if svc, ok := s.catalog.Service(d.Service); ok {
		v.Service = svc.Name.In(lang)
	}
	for _, p := range list {
		v.Parties = append(v.Parties, partyRow{ID: p.ID, Name: p.Name, RemoveURL: pathsIn(lang).RemoveParty(id, p.ID)})
	}
	for _, sg := range sugg {
		v.Suggestions = append(v.Suggestions, suggestionRow{Person: sg.Person, Name: sg.Name,
			SourceText: s.msg.T(lang, partySourceIDs[sg.Source])})
	}
	for _, e := range errs {
		m := s.fieldMessage(lang, e)
		if _, dup := v.Msgs[e.Field]; !dup {
			v.Msgs[e.Field] = m
			v.Errors = append(v.Errors, FieldMessage{Field: "party-" + e.Field, Message: m})
		}
	}
	pg := s.page(c, "draft-parties", "parties.title", v)
	pg.Errors = v.Errors
	return s.render(c, status, pg)
}

var partySourceIDs = map[string]string{
	cases.PartyFromProperty: "parties.source.property",
	cases.PartyFromGuardian: "parties.source.guardian",
	cases.PartyAdded:        "parties.source.added",
}

func (s *Server) draftPartyAdd(c *fiber.Ctx) error {
	in := partyIn{Name: c.FormValue("name"), Hetu: c.FormValue("hetu"), Email: c.FormValue("email"), Phone: c.FormValue("phone")}
	in = partyIn{Name: strings.Clone(in.Name), Hetu: strings.Clone(in.Hetu), Email: strings.Clone(in.Email), Phone: strings.Clone(in.Phone)}
	_, errs, err := s.cases.AddParty(c.Params("id"), actorRef(session(c)),
		cases.PartyInput{Name: in.Name, Hetu: in.Hetu, Email: in.Email, Phone: in.Phone, Suggested: strings.Clone(c.FormValue("suggested"))})
	if err != nil {
		return s.invitationFail(c, err)
	}
	if len(errs) > 0 {
		return s.renderDraftParties(c, fiber.StatusUnprocessableEntity, errs, in)
	}
	return c.Redirect(pathsIn(requestLang(c)).DraftParties(c.Params("id")), fiber.StatusSeeOther)
}

func (s *Server) draftPartyRemove(c *fiber.Ctx) error {
	if err := s.cases.RemoveParty(c.Params("id"), session(c).UserID, c.Params("party")); err != nil {
		return s.invitationFail(c, err)
	}
	return c.Redirect(pathsIn(requestLang(c)).DraftParties(c.Params("id")), fiber.StatusSeeOther)
}

// invitationLink is the link in an invitation message. It changes
// nothing and does not use the token up (mail scanners open links): the
// token moves into a cookie and the browser goes on to a URL without it.
func (s *Server) invitationLink(c *fiber.Ctx) error {
	c.Set("Referrer-Policy", "no-referrer")
	lang := requestLang(c)
	if _, err := s.cases.ByToken(c.Params("token")); err != nil {
		return s.render(c, fiber.StatusNotFound, s.page(c, "invitation-landing", "invitation.badTitle", &landingView{Bad: true}))
	}
	s.setCookie(c, cookieInvite, strings.Clone(c.Params("token")), time.Hour)
	return c.Redirect(pathsIn(lang).InvitationLanding(), fiber.StatusSeeOther)
}

type landingView struct {
	Bad, WrongPerson bool
	Service          string
	LoginURL         string
}

// invitationLanding shows an invitation opened from its link: before
// login only the service and a login button; after login the invited
// person goes on to the invitation, anyone else is told politely (and
// logged) and the invitation stays valid.
func (s *Server) invitationLanding(c *fiber.Ctx) error {
	c.Set("Referrer-Policy", "no-referrer")
	lang := requestLang(c)
	t, err := s.cases.ByToken(c.Cookies(cookieInvite))
	if err != nil {
		return s.render(c, fiber.StatusNotFound, s.page(c, "invitation-landing", "invitation.badTitle", &landingView{Bad: true}))
	}
	v := &landingView{Service: t.Service, LoginURL: pathsIn(lang).Login(pathsIn(lang).InvitationLanding())}
	if s.cfg.Mode == "demo" {
		v.LoginURL = "/auth/test-login?next=" + pathsIn(lang).InvitationLanding()
	}
	if svc, ok := s.catalog.Service(t.Service); ok {
		v.Service = svc.Name.In(lang)
	}
	sess := session(c)
	if sess == nil {
		return s.render(c, fiber.StatusOK, s.page(c, "invitation-landing", "invitation.title", v))
	}
	if err := s.cases.Opened(t.ID, sess.UserID); err != nil {
		if errors.Is(err, cases.ErrNotInvitee) {
			if s.log != nil {
				s.log.Warn("invitation link opened by someone else", "invitation", t.ID, "user", sess.UserID)
			}
			v.WrongPerson = true
			return s.render(c, fiber.StatusForbidden, s.page(c, "invitation-landing", "invitation.wrongTitle", v))
		}
		return s.invitationFail(c, err)
	}
	s.setCookie(c, cookieInvite, "", -1)
	return c.Redirect(pathsIn(lang).Invitation(t.ID), fiber.StatusSeeOther)
}

type invitationView struct {
	ID, Service, Applicant, Status, StatusText, Expires, Reference string
	Open                                                           bool
	For                                                            string // the minor the invitee answers for
	Others                                                         []partyRow
	Sections                                                       []summarySection
	Nested                                                         bool
	Answers, ApproveURL, DeclineURL, CaseURL                       string
}

// invitationPage shows the invitation to the logged-in invitee. Its URL
// carries no token, so it keeps the site's same-origin Referrer-Policy
// (its forms need their Origin for the CSRF check).
func (s *Server) invitationPage(c *fiber.Ctx) error {
	lang := requestLang(c)
	sess := session(c)
	iv, err := s.cases.Invitation(c.Params("id"), sess.UserID)
	if err != nil {
		return s.invitationFail(c, err)
	}
	inv, cs := iv.Invitation, iv.Case
	v := &invitationView{ID: inv.ID, Applicant: inv.Applicant.Name, Status: inv.Status,
		StatusText: s.msg.T(lang, partyStatusIDs[inv.Status]), Expires: datefmt.Date(inv.ExpiresAt, lang),
		Reference: cs.Reference, Open: inv.Open(s.now()), Nested: true, Answers: inv.Answers,
		ApproveURL: pathsIn(lang).Approve(inv.ID), DeclineURL: pathsIn(lang).Decline(inv.ID), CaseURL: pathsIn(lang).Case(cs.ID)}
	if inv.Guardian != nil {
		v.For = inv.Name
	}
	if svc, ok := s.catalog.Service(cs.Service); ok {
		v.Service = svc.Name.In(lang)
	}
	for _, o := range iv.Others {
		v.Others = append(v.Others, partyRow{Name: o.Name, Status: o.Status, StatusText: s.msg.T(lang, partyStatusIDs[o.Status])})
	}
	for _, st := range s.caseSummary(lang, cs) {
		sec := summarySection{Title: st.Title}
		for _, it := range st.Items {
			sec.Items = append(sec.Items, summaryRowOf(it, "", nil))
		}
		v.Sections = append(v.Sections, sec)
	}
	return s.render(c, fiber.StatusOK, s.page(c, "invitation", "invitation.title", v))
}

var partyStatusIDs = map[string]string{
	cases.InvitationWaiting:  "parties.status.waiting",
	cases.InvitationOpened:   "parties.status.opened",
	cases.InvitationApproved: "parties.status.approved",
	cases.InvitationDeclined: "parties.status.declined",
	cases.InvitationExpired:  "parties.status.expired",
	cases.InvitationRevoked:  "parties.status.revoked",
}

func (s *Server) invitationAnswer(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, err := s.cases.Answer(c.Params("id"), actorRef(session(c)),
			cases.Answer{Approve: approve, Reason: c.FormValue("reason"), Answers: c.FormValue("answers")})
		if err != nil {
			return s.invitationFail(c, err)
		}
		return c.Redirect(pathsIn(requestLang(c)).Invitation(c.Params("id"))+"?answered=1", fiber.StatusSeeOther)
	}
}

type invitationsView struct {
	Items []invitationRow
}

type invitationRow struct {
	Service, StatusText, Status, URL, Applicant, Expires string
}

func (s *Server) invitationsPage(c *fiber.Ctx) error {
	lang := requestLang(c)
	list, err := s.cases.Invitations(session(c).UserID)
	if err != nil {
		return err
	}
	v := &invitationsView{}
	for _, inv := range list {
		r := invitationRow{Service: inv.Service, Status: inv.Status, StatusText: s.msg.T(lang, partyStatusIDs[inv.Status]),
			URL: pathsIn(lang).Invitation(inv.ID), Applicant: inv.Applicant.Name, Expires: datefmt.Date(inv.ExpiresAt, lang)}
		if svc, ok := s.catalog.Service(inv.Service); ok {
			r.Service = svc.Name.In(lang)
		}
		v.Items = append(v.Items, r)
	}
	return s.render(c, fiber.StatusOK, s.page(c, "invitations", "invitations.title", v))
}

func (s *Server) caseReopen(c *fiber.Ctx) error {
	id, err := s.cases.Reopen(c.Params("id"), session(c).UserID)
	if err != nil {
		return s.invitationFail(c, err)
	}
	return c.Redirect(pathsIn(requestLang(c)).Summary(id), fiber.StatusSeeOther)
}

func (s *Server) caseResend(c *fiber.Ctx) error {
	if err := s.cases.Resend(c.Params("id"), session(c).UserID, c.Params("party")); err != nil {
		return s.invitationFail(c, err)
	}
	return c.Redirect(pathsIn(requestLang(c)).Case(c.Params("id")), fiber.StatusSeeOther)
}
