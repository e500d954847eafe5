package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/notify"
)

// notificationsShown is how many a page of the list shows unless asked.
const notificationsShown = cases.MaxPageSize

// notificationPage reads the page of the person's notifications the
// request asks for (see listPage).
func (s *Server) notificationPage(c *fiber.Ctx) ([]notify.Notification, cases.Page, string, error) {
	p, err := listPage(c)
	if err != nil {
		return nil, p, "", err
	}
	limit := notificationsShown
	if p.Limit > 0 {
		limit = p.Size()
	}
	list, next, err := s.inbox.Page(session(c).UserID, p.Cursor, limit)
	return list, p, next, err
}

// apiNotification is one entry of GET /api/v1/notifications.
type apiNotification struct {
	ID   string    `json:"id"`
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	Read bool      `json:"read"`
	Text string    `json:"text"`
	Link string    `json:"link"`
}

func (s *Server) apiNotifications(c *fiber.Ctx) error {
	lang := requestLang(c)
	list, p, next, err := s.notificationPage(c)
	if err != nil {
		return s.pageFail(c, err)
	}
	setNextPage(c, "/api/v1/notifications", next, p)
	out := make([]apiNotification, 0, len(list))
	for _, n := range list {
		out = append(out, apiNotification{ID: n.ID, Kind: n.Kind, At: n.At, Read: n.Read,
			Text: s.noticeText.Text(lang, n), Link: s.noticeText.URL(lang, n)})
	}
	return c.JSON(out)
}

func (s *Server) apiNotificationRead(c *fiber.Ctx) error {
	if err := s.markRead(c); err != nil {
		return err
	}
	return c.JSON(fiber.Map{})
}

func (s *Server) apiNotificationsReadAll(c *fiber.Ctx) error {
	if err := s.inbox.MarkAllRead(session(c).UserID); err != nil {
		return err
	}
	return c.JSON(fiber.Map{})
}

// markRead marks the notification in the path read; another person's is
// not found.
func (s *Server) markRead(c *fiber.Ctx) error {
	err := s.inbox.MarkRead(session(c).UserID, c.Params("id"))
	if errors.Is(err, notify.ErrNotFound) {
		return fiber.ErrNotFound
	}
	return err
}

// notificationRow is one notification on the page.
type notificationRow struct {
	ID, Text, URL string
	At            time.Time
	Read          bool
}

// notificationsView is the data of pages/notifications.html.
type notificationsView struct {
	Rows []notificationRow
	Next string // the URL of the next page, if any
}

func (s *Server) notificationsPage(c *fiber.Ctx) error {
	lang := requestLang(c)
	list, p, next, err := s.notificationPage(c)
	if err != nil {
		return s.pageFail(c, err)
	}
	v := &notificationsView{Rows: make([]notificationRow, 0, len(list)),
		Next: nextPageURL(pathsIn(lang).Notifications(), next, p)}
	for _, n := range list {
		v.Rows = append(v.Rows, notificationRow{ID: n.ID, Text: s.noticeText.Text(lang, n), URL: s.noticeText.URL(lang, n), At: n.At, Read: n.Read})
	}
	return s.render(c, fiber.StatusOK, s.page(c, "notifications", "notifications.title", v))
}

func (s *Server) notificationRead(c *fiber.Ctx) error {
	if err := s.markRead(c); err != nil {
		return err
	}
	return c.Redirect(pathsIn(requestLang(c)).Notifications(), fiber.StatusSeeOther)
}

func (s *Server) notificationsReadAll(c *fiber.Ctx) error {
	if err := s.inbox.MarkAllRead(session(c).UserID); err != nil {
		return err
	}
	return c.Redirect(pathsIn(requestLang(c)).Notifications(), fiber.StatusSeeOther)
}
