package web

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/notify"
)

// cookiePush names this device's push subscription, so that logging out
// on the device stops its pushes.
const cookiePush = "asiointi_push"

func (s *Server) apiPushKey(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"publicKey": s.push.Keys.Public})
}

type apiSubscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// apiPushSubscribe keeps this device's subscription. A kiosk is shared by
// strangers: never on one.
func (s *Server) apiPushSubscribe(c *fiber.Ctx) error {
	if isKiosk(c) {
		return s.fail(c, fiber.StatusForbidden, "kiosk", "push.kiosk")
	}
	var in apiSubscription
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	id, err := s.push.Subscribe(session(c).UserID, strings.Clone(in.Endpoint), strings.Clone(in.Keys.P256dh),
		strings.Clone(in.Keys.Auth), deviceName(c.Get(fiber.HeaderUserAgent)))
	switch {
	case errors.Is(err, notify.ErrHostNotAllowed):
		return s.fail(c, fiber.StatusBadRequest, "push-host-not-allowed", "push.hostNotAllowed")
	case errors.Is(err, notify.ErrBadSubscription):
		return s.fail(c, fiber.StatusBadRequest, "bad-subscription", "error.badRequest")
	case err != nil:
		return err
	}
	s.setCookie(c, cookiePush, id, 400*24*time.Hour)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id})
}

func (s *Server) apiPushUnsubscribe(c *fiber.Ctx) error {
	if err := s.unsubscribe(c); err != nil {
		return err
	}
	return c.JSON(fiber.Map{})
}

func (s *Server) unsubscribe(c *fiber.Ctx) error {
	err := s.push.Unsubscribe(session(c).UserID, c.Params("id"))
	if errors.Is(err, notify.ErrNotFound) {
		return fiber.ErrNotFound
	}
	return err
}

func (s *Server) deviceRemove(c *fiber.Ctx) error {
	if err := s.unsubscribe(c); err != nil {
		return err
	}
	return c.Redirect(pathsIn(requestLang(c)).DeviceRemoved(), fiber.StatusSeeOther)
}

// forgetDevice removes this device's subscription at logout: the device
// gets no more pushes for the person who logged out.
func (s *Server) forgetDevice(c *fiber.Ctx, user string) {
	id := c.Cookies(cookiePush)
	if id == "" {
		return
	}
	if err := s.push.Unsubscribe(user, id); err != nil && !errors.Is(err, notify.ErrNotFound) && s.log != nil {
		s.log.Error("push subscription at logout", "err", err)
	}
	s.setCookie(c, cookiePush, "", -1)
}

// deviceName names a browser and OS from a User-Agent, for the devices
// list ("Firefox, Android").
func deviceName(ua string) string {
	pick := func(pairs ...string) string {
		for i := 0; i+1 < len(pairs); i += 2 {
			if strings.Contains(ua, pairs[i]) {
				return pairs[i+1]
			}
		}
		return ""
	}
	browser := pick("Edg/", "Edge", "SamsungBrowser/", "Samsung Internet", "Firefox/", "Firefox", "Chrome/", "Chrome", "Safari/", "Safari")
	os := pick("Android", "Android", "iPhone", "iOS", "iPad", "iPadOS", "Windows", "Windows", "Mac OS X", "macOS", "CrOS", "ChromeOS", "Linux", "Linux")
	switch {
	case browser != "" && os != "":
		return browser + ", " + os
	case browser != "":
		return browser
	}
	return os
}
