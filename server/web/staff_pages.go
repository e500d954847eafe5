package web

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/identity"
)

// inboxView is the data of pages/staff-inbox.html.
type inboxView struct {
	Filter  cases.InboxFilter
	DueDate string // the dueBefore filter as given
	// SubmittedFrom and SubmittedTo are the submitted filter as given;
	// FieldErrors why it was refused, by end ("from", "to").
	SubmittedFrom, SubmittedTo string
	FieldErrors                map[string]string
	MaxDays                    int
	Services                   []option
	Statuses                   []option
	Handlers                   []option
	Tabs                       []inboxTab
	Rows                       []inboxRowView
	Total                      int
	Counts                     cases.InboxCounts
	PrevURL                    string
	NextURL                    string
	Page                       int
}

type option struct {
	Value, Label string
	Selected     bool
}

type inboxTab struct {
	Label, URL string
	Count      int
	Current    bool
}

type inboxRowView struct {
	URL, Reference, Service, StatusText, Customer, Handler, Due, DueISO string
	Overdue, DueSoon                                                    bool
}

// staffInboxPage is the handlers' inbox: filters (a GET form, so it works
// without JS), counts, a page of cases; it refreshes live.
func (s *Server) staffInboxPage(c *fiber.Ctx) error {
	lang := requestLang(c)
	now := s.now()
	f, ferr := inboxFilter(c, now)
	var refused *cases.RangeError
	if ferr != nil && !errors.As(ferr, &refused) {
		return ferr
	}
	pg, err := s.cases.Inbox(actorRef(session(c)), f) // a refused range: the inbox without it
	if err != nil {
		return s.staffFail(c, err)
	}
	v := &inboxView{Filter: f, DueDate: c.Query("dueBefore"), Total: pg.Total, Counts: pg.Counts, Page: pg.Page,
		SubmittedFrom: c.Query("submittedFrom"), SubmittedTo: c.Query("submittedTo"), FieldErrors: map[string]string{},
		MaxDays: cases.MaxSubmittedDays}
	roles, err := s.dir.RolesOf(session(c).UserID)
	if err != nil {
		return err
	}
	v.Services = append(v.Services, option{Value: "", Label: s.msg.T(lang, "staff.inbox.allServices")})
	for _, svc := range s.catalog.Services() {
		if roles[svc.ID] != "" {
			v.Services = append(v.Services, option{Value: svc.ID, Label: svc.Name.In(lang), Selected: svc.ID == f.Service})
		}
	}
	v.Statuses = append(v.Statuses, option{Value: "", Label: s.msg.T(lang, "staff.inbox.open")},
		option{Value: "all", Label: s.msg.T(lang, "staff.inbox.allStatuses"), Selected: f.Status == "all"})
	for _, st := range cases.InboxStatuses {
		v.Statuses = append(v.Statuses, option{Value: st, Label: s.caseStatusText(lang, st) + " (" + strconv.Itoa(pg.Counts.ByStatus[st]) + ")", Selected: f.Status == st})
	}
	for _, h := range []struct{ v, id string }{{"", "staff.inbox.anyone"}, {cases.HandlerMine, "staff.inbox.mine"}, {cases.HandlerUnassigned, "staff.inbox.unassigned"}} {
		v.Handlers = append(v.Handlers, option{Value: h.v, Label: s.msg.T(lang, h.id), Selected: f.Handler == h.v})
	}
	if h := f.Handler; h != "" && h != cases.HandlerMine && h != cases.HandlerUnassigned { // one person's (a report's link)
		name := h
		holders, err := s.dir.RoleHolders()
		if err != nil {
			return err
		}
		for _, r := range holders {
			if r.Username == h {
				name = r.Name
				break
			}
		}
		v.Handlers = append(v.Handlers, option{Value: h, Label: name, Selected: true})
	}
	q := c.Request().URI().QueryArgs()
	with := func(k, val string) string {
		args := url.Values{}
		for key, value := range q.All() {
			args.Set(string(key), string(value))
		}
		args.Del("page")
		if val == "" {
			args.Del(k)
		} else {
			args.Set(k, val)
		}
		if k == "page" && val != "" {
			args.Set("page", val)
		}
		if len(args) == 0 {
			return pathsIn(lang).Staff()
		}
		return pathsIn(lang).Staff() + "?" + args.Encode()
	}
	v.Tabs = []inboxTab{
		{Label: s.msg.T(lang, "staff.inbox.mine"), URL: with("handler", cases.HandlerMine), Count: pg.Counts.Mine, Current: f.Handler == cases.HandlerMine},
		{Label: s.msg.T(lang, "staff.inbox.unassigned"), URL: with("handler", cases.HandlerUnassigned), Count: pg.Counts.Unassigned, Current: f.Handler == cases.HandlerUnassigned},
		{Label: s.msg.T(lang, "staff.inbox.overdue"), URL: with("overdue", "1"), Count: pg.Counts.Overdue, Current: f.Overdue},
	}
	for _, r := range pg.Rows {
		row := inboxRowView{URL: pathsIn(lang).StaffCase(r.ID), Reference: r.Reference, StatusText: s.caseStatusText(lang, r.Status),
			Customer: r.Customer.Name, Due: datefmt.Date(r.DueAt, lang), DueISO: r.DueAt.Format(time.RFC3339),
			Overdue: overdue(r, now)}
		row.DueSoon = !row.Overdue && r.DueAt.Before(now.AddDate(0, 0, cases.DueSoonDays)) && overdue(r, r.DueAt.Add(time.Second))
		if svc, ok := s.catalog.Service(r.Service); ok {
			row.Service = svc.Name.In(lang)
		}
		if r.Handler != nil {
			row.Handler = r.Handler.Name
		}
		v.Rows = append(v.Rows, row)
	}
	if pg.Page > 1 {
		v.PrevURL = with("page", strconv.Itoa(pg.Page-1))
	}
	if pg.More {
		v.NextURL = with("page", strconv.Itoa(pg.Page+1))
	}
	p := s.page(c, "staff-inbox", "staff.inbox.title", v)
	if refused != nil {
		msg := s.rangeText(lang, refused)
		v.FieldErrors[refused.Field] = msg
		p.Errors = append(p.Errors, FieldMessage{Field: "f-submitted-" + refused.Field, Message: msg})
		return s.render(c, fiber.StatusUnprocessableEntity, p)
	}
	return s.render(c, fiber.StatusOK, p)
}

// staffCaseView is the data of pages/staff-case.html.
type staffCaseView struct {
	ID, Reference, Service, StatusText, Status string
	Customer, Sender, Handler                  string
	SubmittedAt, Due                           string
	FormVersion, Version                       int
	Sections                                   []summarySection
	Nested                                     bool
	Attachments                                []attachmentRow
	Events                                     []staffEventRow
	Notes                                      []noteRow
	Transitions                                []option
	Fields                                     []option // the form's fields, for a supplement request
	Outcomes                                   []option
	Supplement                                 *cases.Supplement
	SupplementDue                              string
	Decision                                   *cases.Decision
	DecisionOutcome                            string
	Mine, CanAct, CanRequest, CanDecide        bool
	Notice                                     string
	Parties                                    []partyRow // co-applicants and their answers
	DecisionFileSize, DecisionFileMax          string
	// PaperMandate: the sender acted by a paper power of attorney
	// recorded by an official.
	PaperMandate *paperMandateRow
}

// paperMandateRow tells by which paper power of attorney the sender
// acted, with the link to its scan.
type paperMandateRow struct{ Text, ScanURL string }

type noteRow struct{ At, DateTime, Author, Text string }

// staffEventRow is a timeline row with what a supplement changed.
type staffEventRow struct {
	timelineRow
	Changes []string // "label: before → after"
}

// staffCasePage is the case as a handler sees it, with the actions.
func (s *Server) staffCasePage(c *fiber.Ctx) error {
	lang := requestLang(c)
	sess := session(c)
	cs, evs, notes, err := s.cases.HandlerCase(c.Params("id"), actorRef(sess))
	if err != nil {
		return s.staffFail(c, err)
	}
	roles, err := s.dir.RolesOf(sess.UserID)
	if err != nil {
		return err
	}
	v := &staffCaseView{ID: cs.ID, Reference: cs.Reference, Status: cs.Status, StatusText: s.caseStatusText(lang, cs.Status),
		Customer: cs.Subject().Name, Sender: cs.Actor.Name, SubmittedAt: datefmt.DateTime(cs.SubmittedAt, lang),
		Due: datefmt.Date(cs.DueAt, lang), FormVersion: cs.FormVersion, Version: cs.Version, Nested: true,
		Supplement: cs.Supplement, Decision: cs.Decision, Notice: c.Query("done")}
	role := roles[cs.Service]
	v.CanAct = role == identity.RoleHandler || role == identity.RoleManager
	if svc, ok := s.catalog.Service(cs.Service); ok {
		v.Service = svc.Name.In(lang)
	}
	if cs.Handler != nil {
		v.Handler, v.Mine = cs.Handler.Name, cs.Handler.ID == sess.UserID
	}
	if cs.Supplement != nil {
		v.SupplementDue = datefmt.Date(cs.Supplement.Due, lang)
	}
	if cs.Decision != nil {
		v.DecisionOutcome = s.msg.T(lang, outcomeIDs[cs.Decision.Outcome])
		if a := cs.Decision.Attachment; a != nil {
			v.DecisionFileSize = forms.FormatSize(a.Size, lang)
		}
	}
	v.DecisionFileMax = forms.FormatSize(cases.DecisionFileLimit, lang)
	v.PaperMandate = s.paperMandateRow(lang, cs)
	for _, to := range cases.Transitions(cs.Status) {
		switch to {
		case cases.StatusSupplementRequested:
			v.CanRequest = v.CanAct
		case cases.StatusDecided:
			v.CanDecide = v.CanAct
		default:
			v.Transitions = append(v.Transitions, option{Value: to, Label: s.caseStatusText(lang, to)})
		}
	}
	for _, p := range cs.Parties {
		if p.Status != cases.InvitationRevoked {
			v.Parties = append(v.Parties, partyRow{ID: p.ID, Name: p.Name, Status: p.Status, StatusText: s.msg.T(lang, partyStatusIDs[p.Status])})
		}
	}
	for _, o := range cases.Outcomes {
		v.Outcomes = append(v.Outcomes, option{Value: o, Label: s.msg.T(lang, outcomeIDs[o])})
	}
	for _, st := range s.caseSummary(lang, cs) {
		sec := summarySection{Title: st.Title}
		for _, it := range st.Items {
			row := summaryRowOf(it, "", nil)
			if src, ok := cases.SourceOf(cs.Sources, it.FieldID, cs.Answers[it.FieldID]); ok {
				row.Source = s.staffSourceText(lang, cs, src)
			}
			sec.Items = append(sec.Items, row)
			v.Fields = append(v.Fields, option{Value: it.FieldID, Label: it.Label})
		}
		v.Sections = append(v.Sections, sec)
	}
	for _, a := range cs.Attachments {
		v.Attachments = append(v.Attachments, attachmentRow{Name: a.Name, Size: forms.FormatSize(a.Size, lang),
			URL: pathsIn(lang).StaffAttachment(cs.ID, a.ID)})
	}
	labels := map[string]string{}
	for _, f := range v.Fields {
		labels[f.Value] = f.Label
	}
	for _, e := range evs {
		row := staffEventRow{timelineRow: timelineRow{At: e.At.Format(time.RFC3339), DateTime: datefmt.DateTime(e.At, lang), Text: s.eventText(lang, s.serviceWords(cs.Service), e)}}
		for _, ch := range e.Changes {
			row.Changes = append(row.Changes, s.msg.T(lang, "staff.case.change", map[string]any{
				"Label": labels[ch.Field], "From": answerText(ch.From), "To": answerText(ch.To)}))
		}
		v.Events = append(v.Events, row)
	}
	for _, n := range notes {
		v.Notes = append(v.Notes, noteRow{At: n.At.Format(time.RFC3339), DateTime: datefmt.DateTime(n.At, lang), Author: n.Author.Name, Text: n.Text})
	}
	p := s.page(c, "staff-case", "", v)
	p.Title = cs.Reference + " – " + v.Service
	return s.render(c, fiber.StatusOK, p)
}

// staffSourceText tells a handler where a prefilled answer came from
// and whether the resident could change it.
func (s *Server) staffSourceText(lang string, cs *cases.Case, src cases.PrefillSource) string {
	var text string
	switch src.Source {
	case cases.SourcePopulation:
		text = s.msg.T(lang, "staff.source.population")
	case cases.SourceOrganization:
		text = s.msg.T(lang, "staff.source.organization")
	case cases.SourceLandRegister:
		text = s.msg.T(lang, "staff.source.landRegister")
	case cases.SourceContactDetails:
		who := cs.Actor.Name
		if src.About == cases.AboutSubject {
			who = cs.Subject().Name
		}
		text = s.msg.T(lang, "staff.source.contactDetails", map[string]any{"Name": who})
	case cases.SourceEarlierCase:
		text = s.msg.T(lang, "staff.source.earlierCase", map[string]any{"Reference": src.Reference})
	default:
		return ""
	}
	if src.Locked {
		return text + " " + s.msg.T(lang, "staff.source.locked")
	}
	return text + " " + s.msg.T(lang, "staff.source.editable")
}

// answerText shows a changed answer plainly.
func answerText(v any) string {
	switch x := v.(type) {
	case nil:
		return "–"
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// outcomeIDs word the decision outcomes.
var outcomeIDs = map[string]string{
	cases.OutcomeApproved: "staff.outcome.approved",
	cases.OutcomePartly:   "staff.outcome.partly",
	cases.OutcomeRejected: "staff.outcome.rejected",
}

// staffCaseAction runs an action from the case page's forms (JS off) and
// goes back to the case.
func (s *Server) staffCaseAction(c *fiber.Ctx) error {
	action := c.Params("action")
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		version = cases.AnyVersion
	}
	in := actionInput{Version: &version, To: strings.Clone(c.FormValue("to")), Note: strings.Clone(c.FormValue("note")),
		Message: strings.Clone(c.FormValue("message")), Due: strings.Clone(c.FormValue("due")),
		Outcome: strings.Clone(c.FormValue("outcome")), Text: strings.Clone(c.FormValue("text"))}
	if args := c.Request().PostArgs(); args != nil {
		for _, f := range args.PeekMulti("fields") {
			in.Fields = append(in.Fields, string(f))
		}
	}
	if fh, err := c.FormFile("attachment"); action == "decision" && err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		in.File = &cases.Upload{Name: fh.Filename, Size: fh.Size, Content: f}
	}
	if _, err := s.runAction(c, action, in); err != nil {
		return s.staffFail(c, err)
	}
	return c.Redirect(pathsIn(requestLang(c)).StaffCase(c.Params("id"))+"?done="+url.QueryEscape(action), fiber.StatusSeeOther)
}

// staffAttachment downloads a file of a case; the download is in the
// audit log.
func (s *Server) staffAttachment(c *fiber.Ctx) error {
	a, body, err := s.cases.HandlerAttachment(c.Params("id"), c.Params("att"), actorRef(session(c)))
	if err != nil {
		return s.staffFail(c, err)
	}
	c.Set("Content-Type", a.MIME)
	c.Set("Content-Disposition", `attachment; filename="`+url.PathEscape(a.Name)+`"`)
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(body)
}

// rolesView is the data of pages/staff-roles.html.
type rolesView struct {
	Rows     []roleRow
	Staff    []option
	Services []option
	Roles    []option
	Saved    bool
}

type roleRow struct{ Name, Username, Service, Role string }

// staffRolesPage lists the roles of the services the admin administers,
// with a form to change one.
func (s *Server) staffRolesPage(c *fiber.Ctx) error {
	lang := requestLang(c)
	mine, err := s.dir.RolesOf(session(c).UserID)
	if err != nil {
		return err
	}
	v := &rolesView{Saved: c.Query("saved") == "1"}
	for _, svc := range s.catalog.Services() {
		if mine[svc.ID] == identity.RoleAdmin {
			v.Services = append(v.Services, option{Value: svc.ID, Label: svc.Name.In(lang)})
		}
	}
	if len(v.Services) == 0 {
		return s.fail(c, fiber.StatusForbidden, "forbidden", "staff.error.notAdmin")
	}
	holders, err := s.dir.RoleHolders()
	if err != nil {
		return err
	}
	for _, h := range holders {
		if mine[h.Service] != identity.RoleAdmin {
			continue
		}
		name := h.Service
		if svc, ok := s.catalog.Service(h.Service); ok {
			name = svc.Name.In(lang)
		}
		v.Rows = append(v.Rows, roleRow{Name: h.Name, Username: h.Username, Service: name, Role: s.msg.T(lang, roleIDs[h.Role])})
	}
	staff, err := s.dir.AllStaff()
	if err != nil {
		return err
	}
	for _, m := range staff {
		v.Staff = append(v.Staff, option{Value: m.Username, Label: m.Name})
	}
	v.Roles = append(v.Roles, option{Value: "", Label: s.msg.T(lang, "staff.role.none")})
	for _, r := range identity.Roles {
		v.Roles = append(v.Roles, option{Value: r, Label: s.msg.T(lang, roleIDs[r])})
	}
	return s.render(c, fiber.StatusOK, s.page(c, "staff-roles", "staff.roles.title", v))
}

// roleIDs word the staff roles.
var roleIDs = map[string]string{
	identity.RoleHandler: "staff.role.handler",
	identity.RoleManager: "staff.role.manager",
	identity.RoleAdmin:   "staff.role.admin",
}

// staffRolesSet changes one role (audit-logged in the domain).
func (s *Server) staffRolesSet(c *fiber.Ctx) error {
	sess := session(c)
	err := s.dir.SetRole(audit.Who{ID: sess.UserID, Name: sess.Name, Kind: sess.Kind},
		strings.Clone(c.FormValue("user")), strings.Clone(c.FormValue("service")), strings.Clone(c.FormValue("role")), s.now())
	switch {
	case err == nil:
		return c.Redirect(pathsIn(requestLang(c)).StaffRoles()+"?saved=1", fiber.StatusSeeOther)
	case errors.Is(err, identity.ErrNotAdmin):
		return s.fail(c, fiber.StatusForbidden, "forbidden", "staff.error.notAdmin")
	case errors.Is(err, identity.ErrBadRole), errors.Is(err, identity.ErrUnknown):
		return s.fail(c, fiber.StatusUnprocessableEntity, "bad-input", "staff.error.badInput")
	}
	return err
}
