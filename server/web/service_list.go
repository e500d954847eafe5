package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/catalog"
	"asiointi/server/datefmt"
)

// ServiceCard is a service as lists show it.
type ServiceCard struct {
	ID, Name, Summary, WhoFor, URL string
	Status                         string // open | closed | soon
	StatusText                     string
}

func (s *Server) card(lang string, svc *catalog.Service, now time.Time) ServiceCard {
	c := ServiceCard{ID: svc.ID, Name: svc.Name.In(lang), Summary: svc.Summary.In(lang), WhoFor: svc.WhoFor.In(lang),
		URL: pathsIn(lang).Service(svc.ID)}
	c.Status, c.StatusText = s.availabilityText(lang, svc.Kind, svc.AvailabilityAt(now))
	return c
}

// availabilityText words a service's availability: "open until 31.3. at
// 16.00", "opens 15.1.2027 at 9.00", "closed".
func (s *Server) availabilityText(lang, kind string, a catalog.Availability) (string, string) {
	// The words follow from the language, the kind and the availability
	// alone: they are kept (every service card of the front page and the
	// services list has them), up to maxAvailTexts, then made afresh.
	key := availKey{lang: lang, kind: kind, state: a.State}
	if a.OpensAt != nil {
		key.opens, key.hasOpens = a.OpensAt.UnixNano(), true
	}
	if a.ClosesAt != nil {
		key.closes, key.hasCloses = a.ClosesAt.UnixNano(), true
	}
	if t, ok := s.availTexts.Load(key); ok {
		t := t.([2]string)
		return t[0], t[1]
	}
	status, text := s.availabilityWords(lang, kind, a)
	if s.availCount.Add(1) <= maxAvailTexts {
		s.availTexts.Store(key, [2]string{status, text})
	}
	return status, text
}

// availKey is what a service's availability in words depends on.
type availKey struct {
	lang, kind, state   string
	opens, closes       int64
	hasOpens, hasCloses bool
}

// maxAvailTexts bounds the availabilities kept in words: a few per
// service and language between two openings.
const maxAvailTexts = 4096

func (s *Server) availabilityWords(lang, kind string, a catalog.Availability) (string, string) {
	w := wordsFor(kind)
	switch a.State {
	case catalog.StateOpen:
		if a.ClosesAt != nil {
			return "open", s.msg.T(lang, w.OpenUntil, map[string]any{"When": datefmt.DateTime(*a.ClosesAt, lang)})
		}
		return "open", s.msg.T(lang, w.Open)
	case catalog.StateNotYetOpen, catalog.StateOutsideOfficeHours:
		if a.OpensAt != nil {
			return "soon", s.msg.T(lang, "service.opens", map[string]any{"When": datefmt.DateTime(*a.OpensAt, lang)})
		}
	}
	if a.ClosesAt != nil {
		return "closed", s.msg.T(lang, "service.closedSince", map[string]any{"When": datefmt.DateTime(*a.ClosesAt, lang)})
	}
	return "closed", s.msg.T(lang, w.Closed)
}

type named struct{ ID, Name, Summary string }

// servicesView is the data of pages/services.html: all services, a
// search's results or one category's or life event's.
type servicesView struct {
	Query, Heading string
	Searched       bool
	Services       []ServiceCard
	Categories     []named
}

func (s *Server) servicesPage(c *fiber.Ctx) error {
	lang := requestLang(c)
	now := s.now()
	q := strings.TrimSpace(c.Query("q"))
	if len(q) > 100 {
		q = q[:100]
	}
	var list []*catalog.Service
	heading := ""
	switch {
	case q != "":
		list = s.catalog.Search(q, lang)
	case c.Query("category") != "":
		k, ok := s.catalog.Category(c.Query("category"))
		if !ok {
			return fiber.ErrNotFound
		}
		heading = k.Name.In(lang)
		list = s.catalog.ByCategory(k.ID)
	case c.Query("event") != "":
		e, ok := s.catalog.LifeEvent(c.Query("event"))
		if !ok {
			return fiber.ErrNotFound
		}
		heading = e.Name.In(lang)
		list = s.catalog.ByLifeEvent(e.ID)
	default:
		list = s.catalog.Services()
	}
	var cards []ServiceCard
	for _, svc := range list {
		cards = append(cards, s.card(lang, svc, now))
	}
	var cats []named
	for _, k := range s.catalog.Categories() {
		cats = append(cats, named{ID: k.ID, Name: k.Name.In(lang)})
	}
	p := s.page(c, "services", "services.title", &servicesView{Query: q, Services: cards, Heading: heading, Categories: cats, Searched: q != ""})
	if heading != "" {
		p.Title = heading
	}
	return s.render(c, fiber.StatusOK, p)
}
