package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/audit"
	"asiointi/server/identity"
)

// The paper power of attorney an official records (issue 11): the
// holder, the principal, the mandate issue, the validity and the
// reference of the scanned document in the municipality's records. The
// official must hold a role in a service whose mandate issue it is; the
// recording is audit-logged (identity.RecordPaperMandate).

// paperMandateView is the data of pages/staff-mandates.html.
type paperMandateView struct {
	Issues []option // the issues the official may record
	Saved  bool
}

// staffIssues are the mandate issues of the services the official holds
// a role in.
func (s *Server) staffIssues(lang, user string) ([]option, error) {
	mine, err := s.dir.RolesOf(user)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, mi := range s.catalog.MandateIssues() {
		for _, svc := range s.catalog.ServicesOnIssue(mi.ID) {
			if mine[svc] != "" {
				out = append(out, option{Value: mi.ID, Label: mi.Name.In(lang)})
				break
			}
		}
	}
	return out, nil
}

// staffMandatesPage is the form.
func (s *Server) staffMandatesPage(c *fiber.Ctx) error {
	issues, err := s.staffIssues(requestLang(c), session(c).UserID)
	if err != nil {
		return err
	}
	if len(issues) == 0 {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "staff.mandates.notAllowed")
	}
	v := &paperMandateView{Issues: issues, Saved: c.Query("saved") == "1"}
	return s.render(c, fiber.StatusOK, s.page(c, "staff-mandates", "staff.mandates.title", v))
}

// staffMandatesRecord records the paper power of attorney.
func (s *Server) staffMandatesRecord(c *fiber.Ctx) error {
	sess := session(c)
	issue := strings.Clone(c.FormValue("issue"))
	m := identity.PaperMandate{Holder: strings.TrimSpace(strings.Clone(c.FormValue("holder"))),
		Principal: strings.TrimSpace(strings.Clone(c.FormValue("principal"))), Issues: []string{issue},
		ValidFrom: strings.Clone(c.FormValue("validFrom")), ValidTo: strings.Clone(c.FormValue("validTo")),
		Document: strings.TrimSpace(strings.Clone(c.FormValue("document")))}
	err := s.dir.RecordPaperMandate(audit.Who{ID: sess.UserID, Name: sess.Name, Kind: sess.Kind},
		s.catalog.ServicesOnIssue(issue), m, s.now())
	switch {
	case err == nil:
		if s.log != nil {
			s.log.Info("paper mandate recorded", "official", sess.UserID)
		}
		return c.Redirect(pathsIn(requestLang(c)).StaffMandates()+"?saved=1", fiber.StatusSeeOther)
	case errors.Is(err, identity.ErrNotOfficial):
		return s.fail(c, fiber.StatusForbidden, "forbidden", "staff.mandates.notAllowed")
	case errors.Is(err, identity.ErrBadMandate):
		return s.fail(c, fiber.StatusUnprocessableEntity, "bad-input", "staff.mandates.bad")
	}
	return err
}
