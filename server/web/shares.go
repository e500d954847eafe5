package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
)

// shareOut is a share as the API shows it: the invitee's name, never
// their henkilötunnus.
func shareOut(sh *cases.Share, active bool) fiber.Map {
	out := fiber.Map{"id": sh.ID, "case": fiber.Map{"id": sh.Case, "reference": sh.Reference}, "service": sh.Service,
		"invitee": fiber.Map{"name": sh.Invitee.Name}, "by": fiber.Map{"name": sh.By.Name},
		"createdAt": sh.CreatedAt, "expiresAt": sh.ExpiresAt, "active": active}
	if sh.RevokedAt != nil {
		out["revokedAt"] = sh.RevokedAt
	}
	return out
}

func (s *Server) sharesFail(c *fiber.Ctx, err error) error {
	switch {
	case errors.Is(err, cases.ErrShareInvitee):
		return s.fail(c, fiber.StatusUnprocessableEntity, "no-such-person", "share.error.person")
	case errors.Is(err, cases.ErrTooManyShares):
		return s.fail(c, fiber.StatusConflict, "too-many-shares", "share.error.tooMany")
	}
	return s.casesFail(c, err)
}

// apiShareCase is POST /api/v1/cases/{id}/shares {name, hetu}: let that
// person read the application.
func (s *Server) apiShareCase(c *fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
		Hetu string `json:"hetu"`
	}
	if err := c.BodyParser(&in); err != nil || len(in.Name) > 200 || len(in.Hetu) > 20 {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	sh, err := s.cases.ShareCase(c.Params("id"), actorRef(session(c)), in.Name, in.Hetu)
	if err != nil {
		return s.sharesFail(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(shareOut(sh, true))
}

// apiCaseShares is GET /api/v1/cases/{id}/shares: who may read it.
func (s *Server) apiCaseShares(c *fiber.Ctx) error {
	list, err := s.cases.CaseShares(c.Params("id"), actorRef(session(c)))
	if err != nil {
		return s.sharesFail(c, err)
	}
	out := []fiber.Map{}
	now := s.now()
	for _, sh := range list {
		out = append(out, shareOut(sh, sh.Active(now)))
	}
	return c.JSON(out)
}

// apiRevokeShare is DELETE /api/v1/cases/{id}/shares/{share}: at once.
func (s *Server) apiRevokeShare(c *fiber.Ctx) error {
	if err := s.cases.RevokeShare(c.Params("id"), c.Params("share"), actorRef(session(c))); err != nil {
		return s.sharesFail(c, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiSharedWithMe is GET /api/v1/shared: applications others let me read.
func (s *Server) apiSharedWithMe(c *fiber.Ctx) error {
	list, err := s.cases.SharedWithMe(session(c).UserID)
	if err != nil {
		return err
	}
	out := []fiber.Map{}
	for _, sh := range list {
		out = append(out, shareOut(sh, true))
	}
	return c.JSON(out)
}

// apiSharedCase is GET /api/v1/shared/{id}: one, read-only, with its
// answers labelled; the view is in the access log of the people it is about.
func (s *Server) apiSharedCase(c *fiber.Ctx) error {
	cs, err := s.cases.SharedCase(c.Params("id"), actorRef(session(c)))
	if err != nil {
		return s.sharesFail(c, err)
	}
	out := caseJSON(cs, nil)
	labelled := []fiber.Map{}
	for _, st := range s.caseSummary(requestLang(c), cs) {
		for _, it := range st.Items {
			labelled = append(labelled, fiber.Map{"step": st.Title, "field": it.FieldID, "label": it.Label, "value": it.Value})
		}
	}
	out["answers"] = labelled
	out["readOnly"] = true
	return c.JSON(out)
}

// sharingView is the "who can read this application" part of the case
// page, for the person who may share it.
type sharingView struct {
	Action string
	Shares []shareRow
	Error  string
	Name   string // kept after an error
	Shared bool   // just shared
}

type shareRow struct {
	Name, Until, RevokeURL string
}

// sharingOf is the sharing part of a case page; nil when who may not share it.
func (s *Server) sharingOf(c *fiber.Ctx, caseID string) *sharingView {
	lang := requestLang(c)
	list, err := s.cases.CaseShares(caseID, actorRef(session(c)))
	if err != nil {
		return nil
	}
	p := pathsIn(lang)
	v := &sharingView{Action: p.CaseShares(caseID), Shared: c.Query("shared") == "1"}
	now := s.now()
	for _, sh := range list {
		if sh.Active(now) {
			v.Shares = append(v.Shares, shareRow{Name: sh.Invitee.Name, Until: datefmt.Date(sh.ExpiresAt, lang), RevokeURL: p.RevokeShare(caseID, sh.ID)})
		}
	}
	return v
}

// caseShare is the case page's form: share with a person (JS off).
func (s *Server) caseShare(c *fiber.Ctx) error {
	id := c.Params("id")
	_, err := s.cases.ShareCase(id, actorRef(session(c)), strings.Clone(c.FormValue("name")), strings.Clone(c.FormValue("hetu")))
	p := pathsIn(requestLang(c))
	switch {
	case errors.Is(err, cases.ErrShareInvitee), errors.Is(err, cases.ErrTooManyShares):
		msg := "share.error.person"
		if errors.Is(err, cases.ErrTooManyShares) {
			msg = "share.error.tooMany"
		}
		return c.Redirect(p.Case(id)+"?share-error="+msg+"#sharing", fiber.StatusSeeOther)
	case err != nil:
		return s.casesFail(c, err)
	}
	return c.Redirect(p.Case(id)+"?shared=1#sharing", fiber.StatusSeeOther)
}

// caseRevokeShare is the case page's revoke button.
func (s *Server) caseRevokeShare(c *fiber.Ctx) error {
	if err := s.cases.RevokeShare(c.Params("id"), c.Params("share"), actorRef(session(c))); err != nil {
		return s.casesFail(c, err)
	}
	return c.Redirect(pathsIn(requestLang(c)).Case(c.Params("id"))+"#sharing", fiber.StatusSeeOther)
}

// sharedView is the data of pages/shared.html: the applications shared
// with me, or one of them read-only.
type sharedView struct {
	List     []sharedRow
	Case     *caseRow
	Sections []summarySection
	Nested   bool // for the answers partial: the steps are h3 under "Answers"
	By       string
}

type sharedRow struct {
	Title, By, Until, URL string
}

// sharedPage is /{lang}/shared and /{lang}/shared/{id}.
func (s *Server) sharedPage(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	p := pathsIn(lang)
	v := &sharedView{Nested: true}
	if id := c.Params("id"); id != "" {
		cs, err := s.cases.SharedCase(id, actorRef(sess))
		if err != nil {
			return s.casesFail(c, err)
		}
		row := s.caseRowOf(lang, sess.UserID, cs)
		v.Case, v.By = &row, cs.Subject().Name
		v.Sections = s.caseSections(lang, cs)
		pg := s.page(c, "shared", "", v)
		pg.Title = cs.Reference + " – " + row.Service
		return s.render(c, fiber.StatusOK, pg)
	}
	list, err := s.cases.SharedWithMe(sess.UserID)
	if err != nil {
		return err
	}
	for _, sh := range list {
		name := sh.Service
		if svc, ok := s.catalog.Service(sh.Service); ok {
			name = svc.Name.In(lang)
		}
		v.List = append(v.List, sharedRow{Title: name + " " + sh.Reference, By: sh.By.Name, Until: datefmt.Date(sh.ExpiresAt, lang), URL: p.Shared(sh.Case)})
	}
	return s.render(c, fiber.StatusOK, s.page(c, "shared", "shared.title", v))
}
