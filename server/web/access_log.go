package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/audit"
	"asiointi/server/datefmt"
	"asiointi/server/identity"
)

// accessLogKinds and accessLogPurposes word an access-log entry: what was
// read, and why.
var accessLogKinds = map[string]string{
	audit.KindCase:        "accessLog.kind.case",
	audit.KindAttachment:  "accessLog.kind.attachment",
	audit.KindExport:      "accessLog.kind.export",
	audit.KindAccessLog:   "accessLog.kind.access-log",
	audit.KindReport:      "accessLog.kind.report",
	audit.KindMyData:      "accessLog.kind.my-data",
	audit.KindMandateScan: "accessLog.kind.mandate-scan",
}

var accessLogPurposes = map[string]string{
	audit.PurposeHandling:  "accessLog.purpose.handling",
	audit.PurposeProxy:     "accessLog.purpose.proxy",
	audit.PurposeGuardian:  "accessLog.purpose.guardian",
	audit.PurposeParty:     "accessLog.purpose.party",
	audit.PurposeShared:    "accessLog.purpose.shared",
	audit.PurposeOversight: "accessLog.purpose.oversight",
	audit.PurposeMandate:   "accessLog.purpose.mandate",
	audit.PurposeOwn:       "accessLog.purpose.own",
}

var accessLogRoles = map[string]string{
	"resident": "accessLog.role.resident",
	"handler":  "accessLog.role.handler",
	"manager":  "accessLog.role.manager",
	"admin":    "accessLog.role.admin",
	"staff":    "accessLog.role.staff",
}

// accessSubject is whose access log the session reads: the person's own,
// or, for a guardian acting for their minor child, the child's.
func accessSubject(sess *identity.Session) string {
	if sess.ActingFor != "" && sess.ActingAs == identity.PrincipalGuardian {
		return sess.ActingFor
	}
	return sess.UserID
}

// accessEntry is one read of the person's data, in words.
type accessEntry struct {
	At                time.Time
	Actor, Role, Unit string
	What, Purpose     string
	CaseID, Reference string
	CaseURL           string
}

func (s *Server) accessEntries(lang string, list []audit.Access) []accessEntry {
	var out []accessEntry
	for _, a := range list {
		e := accessEntry{At: a.At, Actor: a.Actor.Name, Unit: a.Actor.Unit, CaseID: a.Case, Reference: a.Reference,
			What:    s.msg.T(lang, accessLogKinds[a.Kind]),
			Purpose: s.msg.T(lang, accessLogPurposes[a.Purpose])}
		if id, ok := accessLogRoles[a.Actor.Role]; ok {
			e.Role = s.msg.T(lang, id)
		}
		if u, ok := s.catalog.Unit(a.Actor.Unit); ok { // an official's unit by its id: its name
			e.Unit = u.Name.In(lang)
		}
		if a.Case != "" {
			e.CaseURL = pathsIn(lang).Case(a.Case)
		}
		out = append(out, e)
	}
	return out
}

// accessFilter reads the filter of the page and the API: from and to as
// dates (Helsinki days, to inclusive), who as an actor id, before as the
// cursor.
func accessFilter(c *fiber.Ctx) (audit.Filter, map[string]string) {
	var f audit.Filter
	bad := map[string]string{}
	day := func(name string) time.Time {
		v := c.Query(name)
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, v, datefmt.Helsinki())
		if err != nil {
			bad[name] = "accessLog.error.date"
		}
		return t
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	f.Actor = c.Query("who")
	if b := c.Query("before"); b != "" {
		n, err := strconv.ParseUint(b, 10, 64)
		if err != nil {
			bad["before"] = "error.badRequest"
		}
		f.Before = n
	}
	return f, bad
}

func readerOf(sess *identity.Session) audit.Actor {
	return audit.Actor{ID: sess.UserID, Name: sess.Name, Role: "resident"}
}

// apiAccessLog is GET /api/v1/me/access-log: reads of my data by others,
// newest first; a Link header gives the next page.
func (s *Server) apiAccessLog(c *fiber.Ctx) error {
	sess := session(c)
	f, bad := accessFilter(c)
	if len(bad) > 0 {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	list, next, err := s.access.Read(readerOf(sess), accessSubject(sess), f)
	if err != nil {
		return err
	}
	lang := requestLang(c)
	out := []fiber.Map{}
	for i, e := range s.accessEntries(lang, list) {
		actor := fiber.Map{"name": e.Actor, "role": list[i].Actor.Role}
		if e.Unit != "" {
			actor["unit"] = e.Unit
		}
		m := fiber.Map{"at": e.At, "actor": actor, "what": list[i].Kind, "purpose": e.Purpose}
		if e.CaseID != "" {
			m["case"] = fiber.Map{"id": e.CaseID, "reference": e.Reference}
		}
		out = append(out, m)
	}
	if next != 0 {
		q := c.Request().URI().QueryArgs()
		q.Set("before", strconv.FormatUint(next, 10))
		c.Set("Link", "</api/v1/me/access-log?"+string(q.QueryString())+`>; rel="next"`)
	}
	return c.JSON(out)
}

// accessLogView is the data of pages/access-log.html.
type accessLogView struct {
	Entries       []accessEntry
	From, To, Who string
	Actors        []whoChoice
	NextURL       string
	Filtered      bool
	FieldErrors   map[string]string
	ForChild      string // the child's name when a guardian reads it
}

type whoChoice struct {
	ID, Name string
	Current  bool
}

func (s *Server) accessLogPage(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	subject := accessSubject(sess)
	f, bad := accessFilter(c)
	v := &accessLogView{From: c.Query("from"), To: c.Query("to"), Who: f.Actor, FieldErrors: map[string]string{}}
	v.Filtered = v.From != "" || v.To != "" || v.Who != ""
	if subject != sess.UserID {
		v.ForChild = sess.ActingName
	}
	p := s.page(c, "access-log", "accessLog.title", v)
	if len(bad) > 0 {
		for field, msg := range bad {
			v.FieldErrors[field] = s.msg.T(lang, msg)
			p.Errors = append(p.Errors, FieldMessage{Field: "access-" + field, Message: v.FieldErrors[field]})
		}
		f = audit.Filter{}
	}
	list, next, err := s.access.Read(readerOf(sess), subject, f)
	if err != nil {
		return err
	}
	v.Entries = s.accessEntries(lang, list)
	actors, err := audit.Actors(s.access.Store, subject, 1000)
	if err != nil {
		return err
	}
	for _, a := range actors {
		v.Actors = append(v.Actors, whoChoice{a.ID, a.Name, a.ID == f.Actor})
	}
	if next != 0 {
		v.NextURL = pathsIn(lang).AccessLogPage(v.From, v.To, v.Who, next)
	}
	status := fiber.StatusOK
	if len(bad) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return s.render(c, status, p)
}
