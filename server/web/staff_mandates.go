package web

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/identity"
)

// The paper power of attorney an official records (issue 11): the
// holder, the principal, the mandate issue, the validity, the reference
// of the document in the municipality's records and the scanned document
// itself (PDF, JPEG or PNG within the limits of a form's file field). The
// official must hold a role in a service whose mandate issue it is; the
// recording is audit-logged (identity.RecordPaperMandate). The scan is
// shown to the holder and the principal (my data) and to the officials
// who may record one on its issue (the case page of an application sent
// by it), each reading of an official's in the access log
// (identity.PaperMandateScan).

// paperMandateView is the data of pages/staff-mandates.html.
type paperMandateView struct {
	Issues  []option // the issues the official may record
	Saved   bool
	ScanMax string // the scan's size limit in words
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
	v := &paperMandateView{Issues: issues, Saved: c.Query("saved") == "1", ScanMax: forms.FormatSize(identity.ScanLimit, requestLang(c))}
	return s.render(c, fiber.StatusOK, s.page(c, "staff-mandates", "staff.mandates.title", v))
}

// staffMandatesRecord records the paper power of attorney with its scan
// (multipart field scan).
func (s *Server) staffMandatesRecord(c *fiber.Ctx) error {
	sess := session(c)
	issue := strings.Clone(c.FormValue("issue"))
	m := identity.PaperMandate{Holder: strings.TrimSpace(strings.Clone(c.FormValue("holder"))),
		Principal: strings.TrimSpace(strings.Clone(c.FormValue("principal"))), Issues: []string{issue},
		ValidFrom: strings.Clone(c.FormValue("validFrom")), ValidTo: strings.Clone(c.FormValue("validTo")),
		Document: strings.TrimSpace(strings.Clone(c.FormValue("document")))}
	if fh, err := c.FormFile("scan"); err == nil && fh.Size > 0 {
		if fh.Size > identity.ScanLimit {
			return s.scanFail(c, identity.ErrScanTooLarge)
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		content, err := io.ReadAll(io.LimitReader(f, identity.ScanLimit+1))
		f.Close()
		if err != nil {
			return err
		}
		m.Scan = &identity.ScanFile{Name: strings.Clone(fh.Filename), Content: content}
	}
	err := s.dir.RecordPaperMandate(audit.Who{ID: sess.UserID, Name: sess.Name, Kind: sess.Kind},
		s.catalog.ServicesOnIssue(issue), m, s.now())
	switch {
	case errors.Is(err, identity.ErrScanTooLarge), errors.Is(err, identity.ErrScanType):
		return s.scanFail(c, err)
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

// scanFail answers a scan over the limit (413) or of another type (415),
// in the words of a form's file field.
func (s *Server) scanFail(c *fiber.Ctx, err error) error {
	if errors.Is(err, identity.ErrScanTooLarge) {
		return s.failData(c, fiber.StatusRequestEntityTooLarge, "too-large", forms.ErrFileTooLarge,
			map[string]any{"Max": forms.FormatSize(identity.ScanLimit, requestLang(c))})
	}
	return s.fail(c, fiber.StatusUnsupportedMediaType, "unsupported-type", "upload.badType")
}

// mandateScan sends the scanned document of a paper power of attorney
// to its holder or principal, or to an official who may record one on its
// issue (whose reading is in the access log); anyone else gets "not
// found".
func (s *Server) mandateScan(c *fiber.Ctx) error {
	sess := session(c)
	m, body, err := s.dir.PaperMandateScan(audit.Who{ID: sess.UserID, Name: sess.Name, Kind: sess.Kind},
		c.Params("holder"), c.Params("scan"), s.catalog.ServicesOnIssue, s.now())
	if errors.Is(err, identity.ErrNoScan) {
		return s.fail(c, fiber.StatusNotFound, "not-found", "error.notFound")
	}
	if err != nil {
		return err
	}
	return sendFile(c, m.Scan.Name, m.Scan.MIME, body)
}

// paperMandateRow is the paper power of attorney, recorded by an
// official, by which the sender of a case acted for its principal (a
// person or an organisation) on the service's mandate issue on the day
// it was sent; nil when they acted by another right.
func (s *Server) paperMandateRow(lang string, cs *cases.Case) *paperMandateRow {
	svc, ok := s.catalog.Service(cs.Service)
	if cs.Principal == nil || cs.Principal.Kind == identity.PrincipalGuardian || !ok || svc.MandateIssue == "" {
		return nil
	}
	m, ok := s.dir.PaperMandateOf(cs.Actor.ID, cs.Principal.ID, svc.MandateIssue, cs.SubmittedAt)
	if !ok {
		return nil
	}
	validity := datefmt.Date(dateOnly(m.ValidFrom), lang) + "–"
	if m.ValidTo != "" {
		validity += datefmt.Date(dateOnly(m.ValidTo), lang)
	}
	row := &paperMandateRow{Text: s.msg.T(lang, "staff.case.paperMandate", map[string]any{"Sender": cs.Actor.Name,
		"Principal": cs.Principal.Name, "Document": m.Document, "Validity": validity})}
	if m.Scan != nil {
		row.ScanURL = pathsIn(lang).StaffMandateScan(cs.Actor.ID, m.Scan.ID)
	}
	return row
}

// dateOnly reads a YYYY-MM-DD day in Helsinki (zero when it does not parse).
func dateOnly(day string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, day, datefmt.Helsinki())
	return t
}
