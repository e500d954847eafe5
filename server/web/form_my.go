package web

import (
	"asiointi/server/datefmt"
	"asiointi/server/identity"
	"asiointi/server/notify"
)

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

// MyOverview reads the logged-in resident's drafts, latest cases and
// in-app notices for My page; nil for anyone else. A read error leaves the
// list out rather than failing the page.
func (p *Page) MyOverview() *myOverview {
	if p.Session == nil || p.Session.Kind != identity.Resident {
		return nil
	}
	s, lang, me := p.s, p.Lang, p.Session.UserID
	o := &myOverview{}
	open := map[string]bool{} // drafts still unfinished
	if list, err := s.cases.Drafts(me); err == nil {
		for _, d := range list {
			open["/drafts/"+d.ID] = true
		}
		o.MoreDrafts = len(list) > myListLimit
		o.Drafts = s.draftRows(lang, list[:min(len(list), myListLimit)])
	}
	if list, err := s.cases.Cases(me); err == nil {
		o.MoreCases = len(list) > myListLimit
		for _, c := range list[:min(len(list), myListLimit)] {
			o.Cases = append(o.Cases, s.caseRowOf(lang, me, c))
		}
	}
	if list, err := s.inbox.List(me, 50); err == nil {
		for _, n := range list {
			if n.Kind != notify.KindDraftExpiring || !open[n.Link] {
				continue
			}
			o.Notices = append(o.Notices, noticeRow{URL: "/" + lang + n.Link, At: datefmt.Date(n.At, lang),
				Text: s.noticeText.Text(lang, n)})
		}
	}
	return o
}
