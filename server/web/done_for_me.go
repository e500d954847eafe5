package web

import (
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/identity"
)

// doneForQuery reads the filters of "done in my name" from the query:
// for (a child's or organisation's log instead of one's own), actor,
// from and to (dates, the day of to included), before (the cursor),
// limit. A malformed date is ignored.
func doneForQuery(c *fiber.Ctx) (string, cases.DoneForQuery) {
	q := cases.DoneForQuery{Actor: c.Query("actor"), Before: c.Query("before")}
	q.Limit, _ = strconv.Atoi(c.Query("limit"))
	if t, err := time.ParseInLocation("2006-01-02", c.Query("from"), datefmt.Helsinki()); err == nil {
		q.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", c.Query("to"), datefmt.Helsinki()); err == nil {
		q.To = t.AddDate(0, 0, 1)
	}
	return c.Query("for"), q
}

// doneForFail answers a refused log: not the person's to read.
func (s *Server) doneForFail(c *fiber.Ctx, err error) error {
	if errors.Is(err, cases.ErrNotYours) {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "doneFor.notYours")
	}
	return err
}

// apiDoneFor is one entry of GET /api/v1/me/done-for-me (CONTRACT.md).
type apiDoneFor struct {
	At     time.Time    `json:"at"`
	Actor  apiDoneActor `json:"actor"`
	Action string       `json:"action"`
	Text   string       `json:"text"`
	Svc    string       `json:"service"`
	Case   *apiDoneCase `json:"case,omitempty"`
	Draft  string       `json:"draft,omitempty"`
	From   *time.Time   `json:"from,omitempty"`
	Count  int          `json:"count,omitempty"`
}

type apiDoneActor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
}

type apiDoneCase struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
}

// apiDoneForMe answers GET /api/v1/me/done-for-me: newest first; the
// next page's link is in the Link header.
func (s *Server) apiDoneForMe(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	principal, q := doneForQuery(c)
	page, err := s.cases.DoneForMe(sess.UserID, principal, q)
	if err != nil {
		return s.doneForFail(c, err)
	}
	out := make([]apiDoneFor, 0, len(page.Entries))
	for _, e := range page.Entries {
		a := apiDoneFor{At: e.At, Actor: apiDoneActor{ID: e.Actor.ID, Name: e.Actor.Name, Role: e.Role},
			Action: e.Action, Text: s.doneForText(lang, e), Svc: e.Service, Draft: e.Draft, Count: e.Count}
		if e.Case != "" {
			a.Case = &apiDoneCase{ID: e.Case, Reference: e.Reference}
		}
		if !e.From.IsZero() {
			from := e.From
			a.From = &from
		}
		out = append(out, a)
	}
	if page.Next != "" {
		v, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
		v.Set("before", page.Next)
		c.Set("Link", `</api/v1/me/done-for-me?`+v.Encode()+`>; rel="next"`)
	}
	return c.JSON(out)
}

// doneForActions are the message ids of each action's sentence.
var doneForActions = map[string]string{
	cases.ActionStarted:            "doneFor.action.started",
	cases.ActionEdited:             "doneFor.action.edited",
	cases.ActionSubmitted:          "doneFor.action.submitted",
	cases.ActionSupplementAnswered: "doneFor.action.supplementAnswered",
	cases.ActionApproved:           "doneFor.action.approved",
	cases.ActionWithdrawn:          "doneFor.action.withdrawn",
	cases.ActionViewed:             "doneFor.action.viewed",
}

// doneForText says what was done in plain language, e.g. "edited the
// draft 14 times between 12.3. 10.02 and 10.40".
func (s *Server) doneForText(lang string, e cases.DoneFor) string {
	service := e.Service
	if svc, ok := s.catalog.Service(e.Service); ok {
		service = svc.Name.In(lang)
	}
	return s.msg.T(lang, doneForActions[e.Action], map[string]any{
		"Service": service, "Reference": e.Reference, "Count": e.Count,
		"From": datefmt.DayMonth(e.From, lang) + " " + datefmt.Time(e.From, lang),
		"To":   datefmt.Time(e.At, lang),
	})
}

// doneForView is the data of pages/done-for-me.html.
type doneForView struct {
	Rows                 []doneForRow
	For, Actor, From, To string
	Whose                []option // whose log: mine, my children's
	Actors               []option
	NextURL              string
	Filtered, ForSomeone bool
}

type doneForRow struct {
	At        time.Time
	Actor     string
	Text, URL string
}

// doneForMePage shows what others did in the resident's name (or their
// child's), with filters by person and period.
func (s *Server) doneForMePage(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	principal, q := doneForQuery(c)
	page, err := s.cases.DoneForMe(sess.UserID, principal, q)
	if err != nil {
		return s.doneForFail(c, err)
	}
	v := &doneForView{For: principal, Actor: q.Actor, From: c.Query("from"), To: c.Query("to"),
		Filtered: q.Actor != "" || c.Query("from") != "" || c.Query("to") != ""}
	v.Whose = append(v.Whose, option{Value: "", Label: s.msg.T(lang, "doneFor.mine")})
	list, err := s.principals(sess)
	if err != nil {
		return err
	}
	for _, p := range list {
		if p.Kind == identity.PrincipalGuardian || (p.Kind == identity.PrincipalOrganization && p.Role != "") {
			v.Whose = append(v.Whose, option{Value: p.ID, Label: p.Name})
		}
	}
	for _, a := range page.Actors {
		v.Actors = append(v.Actors, option{Value: a.ID, Label: a.Name})
	}
	for _, e := range page.Entries {
		r := doneForRow{At: e.At, Actor: e.Actor.Name, Text: s.doneForText(lang, e)}
		if e.Role != "" {
			r.Actor += " (" + e.Role + ")"
		}
		if e.Case != "" {
			r.URL = pathsIn(lang).Case(e.Case)
		}
		v.Rows = append(v.Rows, r)
	}
	if page.Next != "" {
		qs := url.Values{}
		for k, val := range map[string]string{"for": principal, "actor": q.Actor, "from": v.From, "to": v.To, "before": page.Next} {
			if val != "" {
				qs.Set(k, val)
			}
		}
		v.NextURL = pathsIn(lang).DoneForMe() + "?" + qs.Encode()
	}
	return s.render(c, fiber.StatusOK, s.page(c, "done-for-me", "doneFor.title", v))
}
