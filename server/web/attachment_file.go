package web

import (
	"mime"

	"github.com/gofiber/fiber/v2"
)

// attachmentFile sends an attachment to its draft's owner or to a person
// who may see its case; anyone else gets "not found".
func (s *Server) attachmentFile(c *fiber.Ctx) error {
	a, body, err := s.cases.AttachmentContent(c.Params("draft"), c.Params("att"), session(c).UserID)
	if err != nil {
		return s.casesFail(c, err)
	}
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
	if disp == "" {
		disp = "attachment"
	}
	c.Set("Content-Type", a.MIME)
	c.Set("Content-Disposition", disp)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.Send(body)
}
