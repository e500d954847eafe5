package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/identity"
	"asiointi/server/notify"
)

// myView is the data of pages/my.html.
type myView struct {
	Overview *myOverview // a resident's applications; nil for staff
}

// myOverview is what "My page" shows of a resident's applications
// (partials/my-overview.html, through pages/my.html's myContent block).
type myOverview struct {
	Drafts     []draftRow
	Cases      []caseRow
	Notices    []noticeRow
	MoreDrafts bool
	MoreCases  bool
}

type noticeRow struct{ Text, URL, At string }

// myListLimit is how many drafts and cases My page lists.
const myListLimit = 3

func (s *Server) myPage(c *fiber.Ctx) error {
	v := &myView{}
	if sess := session(c); sess.Kind == identity.Resident {
		o, err := s.myOverview(requestLang(c), sess.UserID)
		if err != nil {
			return err
		}
		v.Overview = o
	}
	return s.render(c, fiber.StatusOK, s.page(c, "my", "my.title", v))
}

// myOverview reads a resident's drafts, latest cases and the reminders
// of their unfinished drafts for My page.
func (s *Server) myOverview(lang, me string) (*myOverview, error) {
	o := &myOverview{}
	// The first page of drafts (in order of the last save) and of cases
	// (newest first): My page shows the top of each.
	dp, err := s.cases.DraftsPage(me, cases.Page{})
	if err != nil {
		return nil, err
	}
	drafts := dp.Drafts
	open := map[string]bool{} // drafts still unfinished
	for _, d := range drafts {
		open["/drafts/"+d.ID] = true
	}
	o.MoreDrafts = len(drafts) > myListLimit || dp.Next != ""
	o.Drafts = s.draftRows(lang, drafts[:min(len(drafts), myListLimit)])
	cp, err := s.cases.CasesPage(me, cases.Page{Limit: myListLimit})
	if err != nil {
		return nil, err
	}
	list := cp.Cases
	o.MoreCases = cp.Next != ""
	for _, c := range list[:min(len(list), myListLimit)] {
		o.Cases = append(o.Cases, s.caseRowOf(lang, me, c.Case))
	}
	notices, err := s.inbox.List(me, 50)
	if err != nil {
		return nil, err
	}
	for _, n := range notices {
		if n.Kind != notify.KindDraftExpiring || !open[n.Link] {
			continue
		}
		// A notice links inside the language.
		o.Notices = append(o.Notices, noticeRow{URL: pathsIn(lang).in(n.Link), At: datefmt.Date(n.At, lang),
			Text: s.noticeText.Text(lang, n)})
	}
	return o, nil
}
