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
	var cards []ServiceCard
	for _, svc := range s.catalog.Services() {
		cards = append(cards, s.card(lang, svc, now))
	}
	var events, cats []named
	for _, e := range s.catalog.LifeEvents() {
		events = append(events, named{e.ID, e.Name.In(lang), e.Summary.In(lang)})
	}
	for _, k := range s.catalog.Categories() {
		cats = append(cats, named{ID: k.ID, Name: k.Name.In(lang)})
	}
	return s.page(c, "front", "", &frontView{Services: cards, LifeEvents: events, Categories: cats})
}

func (s *Server) frontPage(c *fiber.Ctx) error {
	return s.renderGo(c, fiber.StatusOK, s.frontData(c), nil, writeFrontContent)
}
