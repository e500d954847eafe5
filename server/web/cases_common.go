package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
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

// onBehalfMessages explain the on-behalf refusals of cases.
var onBehalfMessages = []struct {
	err error
	msg string
}{
	{cases.ErrResidentsOnly, "error.residentsOnly"},
	{cases.ErrNeedChild, "start.needChild"},
	{cases.ErrNeedOrganization, "start.needOrganization"},
	{cases.ErrNeedPrincipal, "start.needPrincipal"},
	{cases.ErrNoRelation, "acting.noRelation"},
	{cases.ErrNotForPrincipal, "start.notForPrincipal"},
}

// onBehalfMessage is the message id that explains an on-behalf refusal;
// false for any other error.
func onBehalfMessage(err error) (string, bool) {
	for _, m := range onBehalfMessages {
		if errors.Is(err, m.err) {
			return m.msg, true
		}
	}
	return "", false
}

// eligibilityMessage words an eligibility refusal in lang: the
// catalogue's reason and the person's age ("Early education is for
// children under school age. Ella is 15."); false for any other error.
func (s *Server) eligibilityMessage(lang string, err error) (string, bool) {
	var ee *cases.EligibilityError
	if !errors.As(err, &ee) {
		return "", false
	}
	id := "eligibility.age"
	if ee.ThisYear {
		id = "eligibility.ageThisYear"
	}
	return ee.Reason.In(lang) + " " + s.msg.T(lang, id, map[string]any{"Name": ee.Name, "Count": ee.Age}), true
}

// casesFail maps domain errors to localized HTTP answers.
func (s *Server) casesFail(c *fiber.Ctx, err error) error {
	if errors.Is(err, cases.ErrMandatesUnavailable) {
		return s.fail(c, fiber.StatusServiceUnavailable, "mandates-unavailable", "acting.mandatesUnavailable")
	}
	if msg, ok := onBehalfMessage(err); ok {
		return s.failHelp(c, fiber.StatusForbidden, "on-behalf-requirement", msg, nil, s.rightHelpOf(requestLang(c), err))
	}
	if msg, ok := s.eligibilityMessage(requestLang(c), err); ok {
		return s.failText(c, fiber.StatusForbidden, "not-eligible", msg)
	}
	var ce *cases.ConflictError
	var le *cases.LimitError
	var closed *cases.ClosedError
	switch {
	case errors.As(err, &le) && errors.Is(err, cases.ErrQuota):
		return s.failData(c, fiber.StatusRequestEntityTooLarge, "quota-exceeded", "upload.quota",
			map[string]any{"Max": forms.FormatSize(le.Limit, requestLang(c))})
	case errors.As(err, &le):
		return s.failData(c, fiber.StatusRequestEntityTooLarge, "too-large", forms.ErrFileTooLarge,
			map[string]any{"Max": forms.FormatSize(le.Limit, requestLang(c))})
	case errors.As(err, &ce):
		return s.fail(c, fiber.StatusConflict, "stale-version", "draft.conflict")
	case errors.Is(err, cases.ErrNotFound):
		return s.fail(c, fiber.StatusNotFound, "not-found", "error.notFound")
	case errors.Is(err, cases.ErrSubmitted):
		return s.fail(c, fiber.StatusConflict, "already-submitted", "draft.alreadySubmitted")
	case errors.As(err, &closed):
		// In the service's word: starting it, or sending a kept draft.
		w := s.serviceWords(closed.Service)
		msg := w.ServiceClosed
		if closed.Draft == "" {
			msg = w.CannotStartClosed
		}
		return s.fail(c, fiber.StatusConflict, "service-closed", msg)
	case errors.Is(err, cases.ErrClosed):
		return s.fail(c, fiber.StatusConflict, "service-closed", "draft.serviceClosed")
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
