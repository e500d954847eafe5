package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
)

// Co-applicants in the JSON API (CONTRACT.md): parties on a draft, the
// logged-in person's invitations and their answers.

type partyIn struct {
	Name  string `json:"name"`
	Hetu  string `json:"hetu"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

func (s *Server) apiAddParty(c *fiber.Ctx) error {
	var in partyIn
	if err := c.BodyParser(&in); err != nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	p, errs, err := s.cases.AddParty(c.Params("id"), actorRef(session(c)),
		cases.PartyInput{Name: in.Name, Hetu: in.Hetu, Email: in.Email, Phone: in.Phone})
	if err != nil {
		return s.invitationFail(c, err)
	}
	if len(errs) > 0 {
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"errors": s.fieldErrors(requestLang(c), errs)})
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": p.ID})
}

type apiDraftParty struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Source string `json:"source"`
}

func (s *Server) apiParties(c *fiber.Ctx) error {
	list, err := s.cases.Parties(c.Params("id"), session(c).UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	out := []apiDraftParty{}
	for _, p := range list {
		out = append(out, apiDraftParty{ID: p.ID, Name: p.Name, Source: p.Source})
	}
	return c.JSON(out)
}

func (s *Server) apiRemoveParty(c *fiber.Ctx) error {
	if err := s.cases.RemoveParty(c.Params("id"), session(c).UserID, c.Params("party")); err != nil {
		return s.invitationFail(c, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type apiInvitation struct {
	ID        string    `json:"id"`
	Case      string    `json:"case"`
	Service   string    `json:"service"`
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expiresAt"`
	Answers   string    `json:"answers"`
}

func (s *Server) apiInvitations(c *fiber.Ctx) error {
	list, err := s.cases.Invitations(session(c).UserID)
	if err != nil {
		return err
	}
	out := []apiInvitation{}
	for _, inv := range list {
		out = append(out, apiInvitation{ID: inv.ID, Case: inv.Case, Service: inv.Service, Status: inv.Status,
			ExpiresAt: inv.ExpiresAt, Answers: inv.Answers})
	}
	return c.JSON(out)
}

func (s *Server) apiAnswer(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in struct {
			Reason  string `json:"reason"`
			Answers string `json:"answers"`
		}
		if len(c.Body()) > 0 {
			if err := c.BodyParser(&in); err != nil {
				return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
			}
		}
		inv, err := s.cases.Answer(c.Params("id"), actorRef(session(c)),
			cases.Answer{Approve: approve, Reason: in.Reason, Answers: in.Answers})
		if err != nil {
			return s.invitationFail(c, err)
		}
		return c.JSON(fiber.Map{"id": inv.ID, "status": inv.Status})
	}
}

// invitationFail answers the refusals of invitations; a wrong person is
// logged (ids only) and the invitation stays as it was.
func (s *Server) invitationFail(c *fiber.Ctx, err error) error {
	switch {
	case errors.Is(err, cases.ErrNotInvitee):
		if s.log != nil {
			s.log.Warn("invitation refused: not the invited person", "invitation", c.Params("id"), "user", session(c).UserID)
		}
		return s.fail(c, fiber.StatusForbidden, "not-invitee", "parties.error.notInvitee")
	case errors.Is(err, cases.ErrInvitationClosed):
		return s.fail(c, fiber.StatusConflict, "invitation-closed", "parties.error.closed")
	case errors.Is(err, cases.ErrAnswersChanged):
		return s.fail(c, fiber.StatusConflict, "application-changed", "parties.error.changed")
	case errors.Is(err, cases.ErrNoParties):
		return s.fail(c, fiber.StatusConflict, "no-parties", "parties.error.noParties")
	}
	return s.casesFail(c, err)
}
