package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/notify"
)

// apiDevOutbox answers GET /api/v1/dev/outbox (demo mode): every e-mail
// and SMS the demo "sent", newest first.
func (s *Server) apiDevOutbox(c *fiber.Ctx) error {
	list, err := s.devOutbox.List()
	if err != nil {
		return err
	}
	if list == nil {
		list = []notify.Recorded{}
	}
	return c.JSON(list)
}

// devOutboxRow is one recorded message on the page.
type devOutboxRow struct {
	notify.Recorded
	ChannelName string
}

func (s *Server) devOutboxPage(c *fiber.Ctx) error {
	list, err := s.devOutbox.List()
	if err != nil {
		return err
	}
	lang := requestLang(c)
	rows := make([]devOutboxRow, 0, len(list))
	for _, m := range list {
		rows = append(rows, devOutboxRow{Recorded: m, ChannelName: s.noticeText.ChannelName(lang, m.Channel)})
	}
	p := s.page(c, "dev-outbox", "devOutbox.title", rows)
	p.Personal = true // addresses and texts of (demo) people
	return s.render(c, fiber.StatusOK, p)
}
