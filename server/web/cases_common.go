package web

import (
	"errors"
	"slices"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/forms"
	"asiointi/server/identity"
)

// actorRef is the logged-in person as a case actor.
func actorRef(sess *identity.Session) cases.Ref {
	return cases.Ref{ID: sess.UserID, Name: sess.Name, Kind: sess.Kind}
}

// principalRef is whom the session acts for, or nil.
func principalRef(sess *identity.Session) *cases.Ref {
	if sess.ActingFor == "" {
		return nil
	}
	return &cases.Ref{ID: sess.ActingFor, Name: sess.ActingName, Kind: sess.ActingAs}
}

// Refusals of the on-behalf check, each with its own message.
var (
	errNeedPrincipal = errors.New("acting for the wrong kind of principal")
	errNotForSelf    = errors.New("service is not for oneself")
)

// mayStart applies the service's on-behalf requirement (DESIGN.md) to the
// session: nil when the person may start the service for the current
// acting-for principal. The returned message id explains a refusal.
func (s *Server) mayStart(sess *identity.Session, svc *catalog.Service) (string, error) {
	if sess == nil || sess.Kind != identity.Resident {
		return "error.residentsOnly", errNeedPrincipal
	}
	if sess.ActingFor == "" {
		if svc.ForSelf || svc.OnBehalf == catalog.OnBehalfAlone || svc.OnBehalf == catalog.OnBehalfAllParties {
			return "", nil
		}
		switch svc.OnBehalf {
		case catalog.OnBehalfGuardian:
			return "start.needChild", errNotForSelf
		case catalog.OnBehalfOrganization:
			return "start.needOrganization", errNotForSelf
		default:
			return "start.needPrincipal", errNotForSelf
		}
	}
	list, err := s.principals(sess)
	if err != nil {
		return "", err
	}
	var p *identity.Principal
	for i := range list {
		if list[i].ID == sess.ActingFor {
			p = &list[i]
		}
	}
	if p == nil { // the relation ended since the switch
		return "acting.noRelation", errNeedPrincipal
	}
	ok := false
	switch svc.OnBehalf {
	case catalog.OnBehalfGuardian:
		ok = p.Kind == identity.PrincipalGuardian
	case catalog.OnBehalfMandate:
		ok = p.Kind == identity.PrincipalMandate && slices.Contains(p.Issues, svc.MandateIssue)
	case catalog.OnBehalfOrganization:
		ok = p.Kind == identity.PrincipalOrganization && ((svc.Role != "" && p.Role == svc.Role) || slices.Contains(p.Issues, svc.MandateIssue))
	}
	if !ok {
		return "start.notForPrincipal", errNeedPrincipal
	}
	return "", nil
}

// casesFail maps domain errors to localized HTTP answers.
func (s *Server) casesFail(c *fiber.Ctx, err error) error {
	var ce *cases.ConflictError
	switch {
	case errors.As(err, &ce):
		return s.fail(c, fiber.StatusConflict, "stale-version", "draft.conflict")
	case errors.Is(err, cases.ErrNotFound):
		return s.fail(c, fiber.StatusNotFound, "not-found", "error.notFound")
	case errors.Is(err, cases.ErrSubmitted):
		return s.fail(c, fiber.StatusConflict, "already-submitted", "draft.alreadySubmitted")
	case errors.Is(err, cases.ErrClosed):
		return s.fail(c, fiber.StatusConflict, "service-closed", "draft.serviceClosed")
	case errors.Is(err, cases.ErrTooLarge):
		return s.fail(c, fiber.StatusRequestEntityTooLarge, "too-large", "upload.tooLarge")
	case errors.Is(err, cases.ErrBadType):
		return s.fail(c, fiber.StatusUnsupportedMediaType, "unsupported-type", "upload.badType")
	case errors.Is(err, cases.ErrNotFileFld):
		return s.fail(c, fiber.StatusBadRequest, "not-a-file-field", "upload.notFileField")
	}
	return err
}

// fieldMessage is a validation error's message in lang.
func (s *Server) fieldMessage(lang string, fe forms.FieldError) string {
	return s.msg.T(lang, fe.Code, fe.TemplateData(lang))
}
