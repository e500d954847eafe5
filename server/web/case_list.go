package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
)

// caseStatusIDs word each case status for residents.
var caseStatusIDs = map[string]string{
	cases.StatusAwaitingSignatures:  "caseStatus.awaitingSignatures",
	cases.StatusSubmitted:           "caseStatus.submitted",
	cases.StatusInProgress:          "caseStatus.inProgress",
	cases.StatusSupplementRequested: "caseStatus.supplementRequested",
	cases.StatusDecided:             "caseStatus.decided",
	cases.StatusClosed:              "caseStatus.closed",
	cases.StatusCancelled:           "caseStatus.cancelled",
	cases.StatusWithdrawn:           "caseStatus.withdrawn",
}

func (s *Server) caseStatusText(lang, status string) string {
	if id, ok := caseStatusIDs[status]; ok {
		return s.msg.T(lang, id)
	}
	return status
}

// caseRow is one application in a list.
type caseRow struct {
	ID, Reference, Service, Status, StatusText, Submitted, For, By, URL string
	SubmittedText                                                       string // "Sent 23.11.2026"
	Applicant, Sender                                                   string // names: whose application, who sent it
	Level                                                               int    // heading level in lists: 2 on its own page, else 3
	Words                                                               kindWords
}

func (s *Server) caseRowOf(lang, me string, c *cases.Case) caseRow {
	r := caseRow{ID: c.ID, Reference: c.Reference, Service: c.Service, Status: c.Status,
		StatusText: s.caseStatusText(lang, c.Status), Submitted: datefmt.Date(c.SubmittedAt, lang),
		URL: pathsIn(lang).Case(c.ID), Words: s.serviceWords(c.Service)}
	r.SubmittedText = s.msg.T(lang, "caseList.sent", map[string]any{"Date": r.Submitted})
	r.Applicant, r.Sender = c.Subject().Name, c.Actor.Name
	if svc, ok := s.catalog.Service(c.Service); ok {
		r.Service = svc.Name.In(lang)
	}
	if c.Principal != nil && c.Principal.ID != me {
		r.For = s.msg.T(lang, "caseList.for", map[string]any{"Name": c.Principal.Name})
	}
	if c.Actor.ID != me {
		r.By = s.msg.T(lang, "caseList.by", map[string]any{"Name": c.Actor.Name})
	}
	return r
}

// casesView is the data of pages/cases.html: the page's cases in their
// groups.
type casesView struct {
	Groups []caseGroup
	Next   string // the URL of the next page, if any
}

// caseGroup is one group of "my applications": mine, my children's, for
// people who gave me a mandate, for organisations, others' I am a party
// of.
type caseGroup struct {
	Title string
	Rows  []caseRow
}

// caseGroupTitles title the groups of "my applications".
var caseGroupTitles = map[string]string{
	cases.GroupMine:          "caseList.group.mine",
	cases.GroupChildren:      "caseList.group.children",
	cases.GroupMandates:      "caseList.group.mandates",
	cases.GroupOrganizations: "caseList.group.organizations",
	cases.GroupOthers:        "caseList.group.others",
}

func (s *Server) casesPage(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	p, err := listPage(c)
	if err != nil {
		return s.pageFail(c, err)
	}
	pg, err := s.cases.CasesPage(sess.UserID, p)
	if err != nil {
		return s.pageFail(c, err)
	}
	v := &casesView{Next: nextPageURL(pathsIn(lang).Cases(), pg.Next, p)}
	for _, g := range cases.GroupOrder {
		grp := caseGroup{Title: s.msg.T(lang, caseGroupTitles[g])}
		for _, cs := range pg.Cases {
			if cs.Group == g {
				r := s.caseRowOf(lang, sess.UserID, cs.Case)
				r.Level = 3
				grp.Rows = append(grp.Rows, r)
			}
		}
		if len(grp.Rows) > 0 {
			v.Groups = append(v.Groups, grp)
		}
	}
	return s.render(c, fiber.StatusOK, s.page(c, "cases", "caseList.title", v))
}
