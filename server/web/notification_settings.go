package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/identity"
	"asiointi/server/notify"
)

// settingsChannels are the channels the settings page offers: push once
// the person has a device for it.
func settingsChannels(devices []notify.Subscription) []string {
	if len(devices) > 0 {
		return []string{notify.ChannelPush, notify.ChannelEmail, notify.ChannelSMS}
	}
	return []string{notify.ChannelEmail, notify.ChannelSMS}
}

// notificationSettings is the settings page's view: one row per kind,
// one checkbox per channel.
type notificationSettings struct {
	Kinds          []settingsKind
	Devices        []notify.Subscription
	Saved, Removed bool
}

type settingsKind struct {
	ID, Name string
	Channels []settingsChannel
}

type settingsChannel struct {
	ID, Name string
	On       bool
}

func (s *Server) notificationSettingsPage(c *fiber.Ctx) error {
	me := session(c).UserID
	prefs, err := s.prefs.Get(me)
	if err != nil {
		return err
	}
	devices, err := s.push.Devices(me)
	if err != nil {
		return err
	}
	lang := requestLang(c)
	v := notificationSettings{Saved: c.Query("saved") != "", Removed: c.Query("removed") != "", Devices: devices}
	for _, k := range notify.SettingsKinds(session(c).Kind == identity.Staff) {
		row := settingsKind{ID: k, Name: s.noticeText.KindName(lang, k)}
		for _, ch := range settingsChannels(devices) {
			row.Channels = append(row.Channels, settingsChannel{ID: ch, Name: s.noticeText.ChannelName(lang, ch), On: prefs.Has(k, ch)})
		}
		v.Kinds = append(v.Kinds, row)
	}
	return s.render(c, fiber.StatusOK, s.page(c, "notification-settings", "settings.title", v))
}

// notificationSettingsSave takes the form: each kind's field lists the
// channels checked for it.
func (s *Server) notificationSettingsSave(c *fiber.Ctx) error {
	me := session(c).UserID
	devices, err := s.push.Devices(me)
	if err != nil {
		return err
	}
	on := map[string][]string{}
	args := c.Request().PostArgs()
	for _, k := range notify.SettingsKinds(session(c).Kind == identity.Staff) {
		for _, v := range args.PeekMulti(k) {
			on[k] = append(on[k], string(v))
		}
	}
	err = s.prefs.Save(me, settingsChannels(devices), on)
	if errors.Is(err, notify.ErrUnknown) {
		return fiber.ErrBadRequest
	}
	if err != nil {
		return err
	}
	return c.Redirect(pathsIn(requestLang(c)).NotificationSettingsSaved(), fiber.StatusSeeOther)
}
