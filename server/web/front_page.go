package web

import "github.com/gofiber/fiber/v2"

// frontView is the data of the front page (writeFrontContent).
type frontView struct {
	Services               []ServiceCard
	LifeEvents, Categories []named
}

func (s *Server) frontData(c *fiber.Ctx) *Page {
	lang := requestLang(c)
	now := s.now()
	svcs, lifeEvents, kinds := s.catalog.Services(), s.catalog.LifeEvents(), s.catalog.Categories()
	cards := make([]ServiceCard, 0, len(svcs))
	for _, svc := range svcs {
		cards = append(cards, s.card(lang, svc, now))
	}
	events, cats := make([]named, 0, len(lifeEvents)), make([]named, 0, len(kinds))
	for _, e := range lifeEvents {
		events = append(events, named{e.ID, e.Name.In(lang), e.Summary.In(lang)})
	}
	for _, k := range kinds {
		cats = append(cats, named{ID: k.ID, Name: k.Name.In(lang)})
	}
	return s.page(c, "front", "", &frontView{Services: cards, LifeEvents: events, Categories: cats})
}

func (s *Server) frontPage(c *fiber.Ctx) error {
	return s.renderGo(c, fiber.StatusOK, s.frontData(c), nil, writeFrontContent)
}
