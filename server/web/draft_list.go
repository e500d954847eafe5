package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
)

// draftRow is one unfinished application in a list.
type draftRow struct {
	ID, Service, Saved, For, Expires, Closes, ResumeURL, DeleteURL string
	Reached                                                        string // the step the person has reached
	Resume, Delete                                                 string // button texts
	Level                                                          int    // heading level of the title: 2 on its own page, else 3
	Words                                                          kindWords
}

func (s *Server) draftRows(lang string, list []*cases.Draft) []draftRow {
	now := s.now()
	var out []draftRow
	for _, d := range list {
		r := draftRow{ID: d.ID, Service: d.Service,
			Saved:     s.msg.T(lang, "drafts.saved", map[string]any{"When": datefmt.DateTime(d.UpdatedAt, lang)}),
			Resume:    s.msg.T(lang, "drafts.resume"),
			Delete:    s.msg.T(lang, "drafts.delete"),
			Expires:   s.msg.T(lang, "drafts.expires", map[string]any{"Date": datefmt.Date(d.ExpiresAt, lang)}),
			ResumeURL: pathsIn(lang).Draft(d.ID), DeleteURL: pathsIn(lang).DeleteDraft(d.ID), Words: s.serviceWords(d.Service)}
		if svc, ok := s.catalog.Service(d.Service); ok {
			r.Service = svc.Name.In(lang)
			if svc.ClosesAt != nil && now.Before(*svc.ClosesAt) {
				r.Closes = s.msg.T(lang, r.Words.DraftCloses, map[string]any{"When": datefmt.DateTime(*svc.ClosesAt, lang)})
			}
		}
		if d.Principal != nil {
			r.For = s.msg.T(lang, "drafts.for", map[string]any{"Name": d.Principal.Name})
		}
		if def, err := s.cases.Definition(d); err == nil && len(def.Steps) > 0 {
			if d.Step >= len(def.Steps) {
				r.Reached = s.msg.T(lang, "drafts.reachedSummary")
			} else {
				si := max(d.Step, 0)
				r.Reached = s.msg.T(lang, "drafts.reached", map[string]any{"N": si + 1, "Total": len(def.Steps), "Step": def.Steps[si].Title.In(lang)})
			}
		}
		out = append(out, r)
	}
	return out
}

// draftsView is the data of pages/drafts.html.
type draftsView struct {
	Drafts []draftRow
	Notice string
	Next   string // the URL of the next page, if any
}

func (s *Server) draftsPage(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	p, err := listPage(c)
	if err != nil {
		return s.pageFail(c, err)
	}
	pg, err := s.cases.DraftsPage(sess.UserID, p)
	if err != nil {
		return s.pageFail(c, err)
	}
	v := &draftsView{Drafts: s.draftRows(lang, pg.Drafts), Next: nextPageURL(pathsIn(lang).Drafts(), pg.Next, p)}
	for i := range v.Drafts {
		v.Drafts[i].Level = 2
	}
	if id := c.Query("saved"); id != "" {
		if d, err := s.cases.Draft(id, sess.UserID); err == nil {
			name := d.Service
			if svc, ok := s.catalog.Service(d.Service); ok {
				name = svc.Name.In(lang)
			}
			v.Notice = s.msg.T(lang, s.serviceWords(d.Service).SavedNotice, map[string]any{"Service": name})
		}
	} else if c.Query("deleted") == "1" {
		v.Notice = s.msg.T(lang, s.serviceWords(c.Query("service")).DeletedNotice)
	}
	return s.render(c, fiber.StatusOK, s.page(c, "drafts", "drafts.title", v))
}
