package web

import (
	"mime"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/identity"
)

// attachmentFile sends an attachment to its draft's owner or to a person
// who may see its case; anyone else gets "not found".
func (s *Server) attachmentFile(c *fiber.Ctx) error {
	a, body, err := s.cases.AttachmentContent(c.Params("draft"), c.Params("att"), session(c).UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	return sendFile(c, a.Name, a.MIME, body)
}

// decisionFile sends the file of a case's decision to a resident or an
// official who may see the case (the read of someone else's is logged).
func (s *Server) decisionFile(c *fiber.Ctx) error {
	a, body, err := s.cases.DecisionFile(c.Params("id"), actorRef(session(c)))
	if err != nil {
		if session(c).Kind == identity.Staff {
			return s.staffFail(c, err)
		}
		return s.casesFail(c, err)
	}
	return sendFile(c, a.Name, a.MIME, body)
}

// sendFile sends a stored file as a download that the browser never
// runs or shows in the page's origin.
func sendFile(c *fiber.Ctx, name, mimeType string, body []byte) error {
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disp == "" {
		disp = "attachment"
	}
	c.Set("Content-Type", mimeType)
	c.Set("Content-Disposition", disp)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.Send(body)
}
