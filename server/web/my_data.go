package web

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/mydata"
)

// myDataTopics word the topics of the my-data page.
var myDataTopics = map[string][2]string{ // title, intro
	mydata.TopicIdentity:      {"myData.topic.identity", "myData.topic.identity.intro"},
	mydata.TopicApplications:  {"myData.topic.applications", "myData.topic.applications.intro"},
	mydata.TopicDrafts:        {"myData.topic.drafts", "myData.topic.drafts.intro"},
	mydata.TopicMandates:      {"myData.topic.mandates", "myData.topic.mandates.intro"},
	mydata.TopicOrganisations: {"myData.topic.organisations", "myData.topic.organisations.intro"},
	mydata.TopicInvitations:   {"myData.topic.invitations", "myData.topic.invitations.intro"},
	mydata.TopicNotifications: {"myData.topic.notifications", "myData.topic.notifications.intro"},
	mydata.TopicDevices:       {"myData.topic.devices", "myData.topic.devices.intro"},
	mydata.TopicSessions:      {"myData.topic.sessions", "myData.topic.sessions.intro"},
	mydata.TopicAccessLog:     {"myData.topic.accessLog", "myData.topic.accessLog.intro"},
}

// myDataView is the data of pages/my-data.html.
type myDataView struct {
	Person, ForChild string
	Topics           []myDataTopic
	Consents         []myDataConsent
	Deletions        []myDataDeletion
	Reads            int
	Print, Withdrawn bool
	JSONURL          string
	SchemaURL        string
	PrintURL         string
	PageURL          string
	WithdrawAction   string
}

type myDataTopic struct {
	ID, Title, Intro string
	Groups           []myDataGroup
}

type myDataGroup struct {
	Title, URL, EditURL string
	Items               []myDataItem
}

type myDataItem struct {
	mydata.Item
	N                  int // for ids
	StoredAt, DeleteOn string
	FileURL, FileSize  string // the document it is about, if any
}

type myDataConsent struct {
	mydata.Consent
	CaseURL, Since, WithdrawnAt string
}

type myDataDeletion struct {
	On, What, URL string
}

// myDataFor reads the session's data for the page and the API; a refusal
// (a guardian whose child has come of age meanwhile) is 403.
func (s *Server) myDataFor(c *fiber.Ctx, kind string) (*mydata.Data, error) {
	d, err := s.mydata.Read(*session(c), requestLang(c), kind)
	if errors.Is(err, mydata.ErrRefused) {
		return nil, s.fail(c, fiber.StatusForbidden, "forbidden", "myData.refused")
	}
	return d, err
}

// apiMyData is GET /api/v1/me/data: everything about me (CONTRACT.md),
// with ?download=1 as a file to keep (the structure is described by the
// JSON Schema at mydata.SchemaPath).
func (s *Server) apiMyData(c *fiber.Ctx) error {
	download := c.Query("download")
	if download != "" && download != "1" {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	kind := audit.KindMyData
	if download == "1" {
		kind = audit.KindExport
	}
	d, err := s.myDataFor(c, kind)
	if err != nil || d == nil {
		return err
	}
	if download == "1" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="my-data-`+s.now().In(datefmt.Helsinki()).Format(time.DateOnly)+`.json"`)
	}
	c.Set("Link", "<"+mydata.SchemaPath+`>; rel="describedby"`)
	return c.JSON(d)
}

// apiMyDataSchema serves the JSON Schema of the download.
func (s *Server) apiMyDataSchema(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/schema+json")
	return c.Send(mydata.Schema)
}

// myDataPage is /{lang}/my/data: grouped by topic, each item with why,
// from where and until when behind a disclosure; ?view=print shows it
// all open for printing.
func (s *Server) myDataPage(c *fiber.Ctx) error {
	view := c.Query("view")
	if view != "" && view != "print" {
		return fiber.ErrBadRequest
	}
	d, err := s.myDataFor(c, audit.KindMyData)
	if err != nil || d == nil {
		return err
	}
	lang := requestLang(c)
	p := pathsIn(lang)
	v := &myDataView{Person: d.Person.Name, Print: view == "print", Withdrawn: c.Query("withdrawn") == "1",
		JSONURL: "/api/v1/me/data?download=1&lang=" + lang, SchemaURL: mydata.SchemaPath,
		PrintURL: p.MyData() + "?view=print", PageURL: p.MyData(), WithdrawAction: p.MyDataConsents(), Reads: d.AccessLog.Reads}
	if d.Person.Guardian != nil {
		v.ForChild = d.Person.Name
	}
	n := 0
	for _, topic := range mydata.Topics {
		t := myDataTopic{ID: topic, Title: s.msg.T(lang, myDataTopics[topic][0]), Intro: s.msg.T(lang, myDataTopics[topic][1])}
		index := map[string]int{}
		for _, it := range d.Items {
			if it.Topic != topic {
				continue
			}
			gi, ok := index[it.Group]
			if !ok {
				gi = len(t.Groups)
				index[it.Group] = gi
				g := myDataGroup{Title: it.Group}
				if cs := it.Case; cs != nil {
					if cs.Kind == "draft" {
						g.URL = p.Draft(cs.ID)
						if cs.Editable {
							g.EditURL = p.Draft(cs.ID)
						}
					} else {
						g.URL = p.Case(cs.ID)
						if cs.Editable {
							g.EditURL = p.CaseSupplement(cs.ID)
						}
					}
				}
				t.Groups = append(t.Groups, g)
			}
			n++
			mi := myDataItem{Item: it, N: n}
			if it.File != nil {
				mi.FileURL, mi.FileSize = "/"+lang+it.File.Link, forms.FormatSize(it.File.Size, lang)
			}
			if !it.StoredAt.IsZero() {
				mi.StoredAt = datefmt.Date(it.StoredAt, lang)
			}
			mi.DeleteOn = it.RetainText
			t.Groups[gi].Items = append(t.Groups[gi].Items, mi)
		}
		v.Topics = append(v.Topics, t)
	}
	for _, cn := range d.Consents {
		mc := myDataConsent{Consent: cn, CaseURL: p.Case(cn.Case.ID), Since: datefmt.Date(cn.Since, lang)}
		if cn.WithdrawnAt != nil {
			mc.WithdrawnAt = datefmt.Date(*cn.WithdrawnAt, lang)
		}
		v.Consents = append(v.Consents, mc)
	}
	for _, del := range d.Deletions {
		on, err := time.ParseInLocation(time.DateOnly, del.On, datefmt.Helsinki())
		if err != nil {
			continue
		}
		md := myDataDeletion{On: datefmt.Date(on, lang), What: del.What}
		if del.Case != nil {
			if del.Case.Kind == "draft" {
				md.URL = p.Draft(del.Case.ID)
			} else {
				md.URL = p.Case(del.Case.ID)
			}
		}
		v.Deletions = append(v.Deletions, md)
	}
	return s.render(c, fiber.StatusOK, s.page(c, "my-data", "myData.title", v))
}

// myDataWithdraw is the page's form to withdraw a consent (JS off too).
func (s *Server) myDataWithdraw(c *fiber.Ctx) error {
	err := s.withdrawConsent(c, strings.Clone(c.FormValue("case")), strings.Clone(c.FormValue("field")))
	if err != nil {
		return err
	}
	return c.Redirect(pathsIn(requestLang(c)).MyData()+"?withdrawn=1#consents", fiber.StatusSeeOther)
}

// apiWithdrawConsent is POST /api/v1/me/consents/withdraw {case, field}.
func (s *Server) apiWithdrawConsent(c *fiber.Ctx) error {
	var in struct {
		Case  string `json:"case"`
		Field string `json:"field"`
	}
	if err := c.BodyParser(&in); err != nil {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	if err := s.withdrawConsent(c, in.Case, in.Field); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"case": in.Case, "field": in.Field, "withdrawn": true})
}

func (s *Server) withdrawConsent(c *fiber.Ctx, caseID, field string) error {
	if len(field) > 100 || field == "" {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	cs, err := s.cases.WithdrawConsent(caseID, field, actorRef(session(c)))
	switch {
	case errors.Is(err, cases.ErrNotConsented):
		return s.fail(c, fiber.StatusConflict, "not-consented", "myData.consent.notGiven")
	case err != nil:
		return s.staffFail(c, err)
	}
	s.publishCase(cs)
	return nil
}
