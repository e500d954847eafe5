package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
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
