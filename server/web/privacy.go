package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/legal"
	"asiointi/server/publish"
)

// privacyView is the data of pages/privacy.html (the service as a whole)
// and pages/service-privacy.html (one service's form).
type privacyView struct {
	ServiceID, ServiceName string
	Version                int
	Purposes               []purposeView
	Sources                []string
	Consent                bool
	DPO                    dpoView
}

type purposeView struct {
	Text      string
	Bases     []basisView
	Data      []string
	Retention string
	Consent   bool
}

type basisView struct{ Title, URL string }

type dpoView struct{ Name, Email, Phone string }

// dpo is the data protection officer's contact; a municipality recorded
// without one is reached through its general contact.
func (s *Server) dpo(lang string) dpoView {
	d := s.muni.DataProtection
	if d.Email == "" && d.Phone == "" {
		return dpoView{Name: s.muni.Name.In(lang), Email: s.muni.Email, Phone: s.muni.Phone}
	}
	return dpoView{Name: d.Name.In(lang), Email: d.Email, Phone: d.Phone}
}

func basisViews(bs []legal.Basis, lang string) []basisView {
	var out []basisView
	for _, b := range bs {
		out = append(out, basisView{b.Title(lang), b.URL(lang)})
	}
	return out
}

// generalPurposes are what the service itself keeps about everyone who
// uses it, whatever the service they use.
var generalPurposes = []struct{ text, data, basis, retention string }{
	{"privacy.general.sessions", "privacy.general.sessions.data", "EU 2016/679 6(1)(e)", "privacy.general.sessions.retention"},
	{"privacy.general.devices", "privacy.general.devices.data", "EU 2016/679 6(1)(a)", "privacy.general.devices.retention"},
	{"privacy.general.notifications", "privacy.general.notifications.data", "EU 2016/679 6(1)(e)", "privacy.general.notifications.retention"},
	{"privacy.general.access", "privacy.general.access.data", "906/2019", "privacy.general.access.retention"},
	{"privacy.general.kiosk", "privacy.general.kiosk.data", "EU 2016/679 6(1)(e)", "privacy.general.kiosk.retention"},
}

// sourceMsg names the sources a privacy notice lists.
var sourceMsg = map[string]string{
	publish.SourcePerson:       "privacy.source.person",
	cases.SourcePopulation:     "privacy.source.population",
	cases.SourceContactDetails: "privacy.source.contact",
	cases.SourceEarlierCase:    "privacy.source.earlier-case",
	cases.SourceLandRegister:   "privacy.source.land",
	cases.SourceOrganization:   "privacy.source.business",
}

// privacyPage is the privacy notice of the service as a whole: sessions,
// devices, notifications, access logging and kiosk mode.
func (s *Server) privacyPage(c *fiber.Ctx) error {
	lang := requestLang(c)
	v := privacyView{DPO: s.dpo(lang)}
	for _, g := range generalPurposes {
		v.Purposes = append(v.Purposes, purposeView{
			Text:      s.msg.T(lang, g.text),
			Data:      []string{s.msg.T(lang, g.data)},
			Bases:     basisViews([]legal.Basis{legal.Parse(g.basis)}, lang),
			Retention: s.msg.T(lang, g.retention),
		})
	}
	return s.render(c, fiber.StatusOK, s.page(c, "privacy", "privacy.title", v))
}

// servicePrivacyPage is the privacy notice of a service, built from the
// form version people fill in now.
func (s *Server) servicePrivacyPage(c *fiber.Ctx) error {
	svc, ok := s.catalog.Service(c.Params("id"))
	if !ok {
		return fiber.ErrNotFound
	}
	def, ok := s.cases.Forms.Latest(svc.ID)
	if !ok {
		return fiber.ErrNotFound
	}
	lang := requestLang(c)
	n := publish.NoticeFor(def)
	v := privacyView{ServiceID: svc.ID, ServiceName: svc.Name.In(lang), Version: n.Version, Consent: n.Consent, DPO: s.dpo(lang)}
	for _, p := range n.Purposes {
		pv := purposeView{Text: p.Text.In(lang), Bases: basisViews(p.Bases, lang), Consent: p.Consent,
			Retention: s.periodText(lang, p.Retention.Years, p.Retention.Months, p.Retention.Days)}
		for _, d := range p.Data {
			pv.Data = append(pv.Data, d.In(lang))
		}
		v.Purposes = append(v.Purposes, pv)
	}
	for _, src := range n.Sources {
		v.Sources = append(v.Sources, s.msg.T(lang, sourceMsg[src]))
	}
	p := s.page(c, "service-privacy", "", v)
	p.Title = s.msg.T(lang, "privacy.serviceTitle", map[string]any{"Service": v.ServiceName})
	return s.render(c, fiber.StatusOK, p)
}

// periodText is a retention period in words with plural forms: "10 years",
// "1 year 6 months".
func (s *Server) periodText(lang string, years, months, days int) string {
	var out string
	add := func(id string, n int) {
		if n == 0 {
			return
		}
		if out != "" {
			out += " "
		}
		out += s.msg.T(lang, id, map[string]any{"Count": n})
	}
	add("period.years", years)
	add("period.months", months)
	add("period.days", days)
	return out
}

// helpPage is the help page: logging in, acting for someone, when a form
// does not work, and how to reach a person.
func (s *Server) helpPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, s.page(c, "help", "help.title", nil))
}
