package web

import (
	"net/url"
	"strconv"
)

// paths builds every URL of the app's pages, in one language: handlers
// use it (pathsIn(lang)) and so do templates ({{.Paths.Service .ID}}).
// routes.go registers the patterns these fill in; TestPathsAreRoutes checks
// that each one is served.
type paths struct{ lang string }

func pathsIn(lang string) paths { return paths{lang: lang} }

// in is rest (which starts with "/") inside the language.
func (p paths) in(rest string) string { return "/" + p.lang + rest }

func (p paths) Home() string      { return p.in("/") }
func (p paths) Offline() string   { return p.in("/offline") }
func (p paths) LoggedOut() string { return p.in("/logged-out") }
func (p paths) TimedOut() string  { return p.in("/timed-out") }
func (p paths) My() string        { return p.in("/my") }
func (p paths) Kiosk() string     { return p.in("/staff/kiosk") }

// The staff pages (staff_routes.go).
func (p paths) Staff() string         { return p.in("/staff") }
func (p paths) StaffRoles() string    { return p.in("/staff/roles") }
func (p paths) StaffMandates() string { return p.in("/staff/mandates") }

// StaffMandateScan and MyMandateScan are the scanned document of a
// paper power of attorney, for an official and for its holder or
// principal.
func (p paths) StaffMandateScan(holder, scan string) string {
	return p.in("/staff/mandates/" + holder + "/" + scan)
}
func (p paths) MyMandateScan(holder, scan string) string {
	return p.in("/my/mandates/" + holder + "/" + scan)
}

// StaffReport is a report page: "situation" is the reports' front page.
func (p paths) StaffReport(name string) string {
	if name == "situation" {
		return p.in("/staff/reports")
	}
	return p.in("/staff/reports/" + name)
}
func (p paths) StaffCase(id string) string           { return p.in("/staff/cases/" + id) }
func (p paths) StaffAction(id, action string) string { return p.StaffCase(id) + "/" + action }
func (p paths) StaffAttachment(id, att string) string {
	return p.StaffCase(id) + "/files/" + att
}

// Login is the login page; next, when given, is where to go afterwards.
func (p paths) Login(next string) string { return withNext(p.in("/login"), next) }

// ActingFor is the choice of whom to act for, then next.
func (p paths) ActingFor(next string) string { return withNext(p.in("/acting-for"), next) }

// MandatesChoice sends the resident to choose whom to act for in Suomi.fi
// Mandates; MandatesReturn is where it sends them back.
func (p paths) MandatesChoice() string { return p.in("/acting-for/mandates") }
func (p paths) MandatesOrganization() string {
	return p.in("/acting-for/mandates?for=organization")
}
func (p paths) MandatesReturn() string { return p.in("/acting-for/mandates/return") }

func (p paths) Services() string { return p.in("/services") }
func (p paths) ServicesInCategory(id string) string {
	return p.Services() + "?category=" + url.QueryEscape(id)
}
func (p paths) ServicesForEvent(id string) string {
	return p.Services() + "?event=" + url.QueryEscape(id)
}
func (p paths) Service(id string) string      { return p.in("/services/" + id) }
func (p paths) StartService(id string) string { return p.Service(id) + "/start" }

func (p paths) Drafts() string { return p.in("/drafts") }

// DraftSaved is the drafts list telling that draft id was saved for later.
func (p paths) DraftSaved(id string) string { return p.Drafts() + "?saved=" + id }

// DraftDeleted is the drafts list telling that a draft of the service was
// deleted.
func (p paths) DraftDeleted(service string) string {
	if service == "" {
		return p.Drafts() + "?deleted=1"
	}
	return p.Drafts() + "?deleted=1&service=" + url.QueryEscape(service)
}
func (p paths) Draft(id string) string       { return p.in("/drafts/" + id) }
func (p paths) DeleteDraft(id string) string { return p.Draft(id) + "/delete" }

// Step is step si (0-based) of a draft; its URL counts from 1.
func (p paths) Step(id string, si int) string { return p.Draft(id) + "/step/" + strconv.Itoa(si+1) }
func (p paths) Summary(id string) string      { return p.Draft(id) + "/summary" }

// SummaryProblems is the summary after a failed send: it lists the problems.
func (p paths) SummaryProblems(id string) string { return p.Summary(id) + "?check=1" }
func (p paths) Submit(id string) string          { return p.Draft(id) + "/submit" }

func (p paths) Cases() string         { return p.in("/cases") }
func (p paths) Case(id string) string { return p.in("/cases/" + id) }

// DecisionFile is the file of a case's decision (residents); the staff
// page's is StaffCase(id) + "/decision-file".
func (p paths) DecisionFile(id string) string { return p.Case(id) + "/decision-file" }

// The resident's actions on a case being handled (case_handling.go).
func (p paths) CaseSupplement(id string) string { return p.Case(id) + "/supplement" }
func (p paths) CaseWithdraw(id string) string   { return p.Case(id) + "/withdraw" }
func (p paths) CaseMessages(id string) string   { return p.Case(id) + "/messages" }

// NewCase is a case's page just after sending, with the receipt on top.
func (p paths) NewCase(id string) string { return p.Case(id) + "?new=1" }
func (p paths) Receipt(id string) string { return p.Case(id) + "/receipt.json" }

// ReceiptPDF is a case's receipt as a PDF to keep.
func (p paths) ReceiptPDF(id string) string { return p.Case(id) + "/receipt.pdf" }

// DoneForMe is "done in my name": what others did in the person's name.
func (p paths) DoneForMe() string { return p.in("/done-for-me") }

func (p paths) Notifications() string { return p.in("/notifications") }

// ReadNotification marks one notification read (a form's target).
func (p paths) ReadNotification(id string) string { return p.Notifications() + "/" + id + "/read" }
func (p paths) ReadAllNotifications() string      { return p.Notifications() + "/read-all" }
func (p paths) NotificationSettings() string      { return p.in("/settings/notifications") }

// NotificationSettingsSaved is the settings page telling that the
// choices were saved; DeviceRemoved that a device no longer gets pushes.
func (p paths) NotificationSettingsSaved() string { return p.NotificationSettings() + "?saved=1" }
func (p paths) DeviceRemoved() string             { return p.NotificationSettings() + "?removed=1" }
func (p paths) RemoveDevice(id string) string     { return p.in("/settings/devices/" + id + "/delete") }
func (p paths) DevOutbox() string                 { return p.in("/dev/outbox") }

// The published statements, the help page and accessibility feedback.
func (p paths) Accessibility() string           { return p.in("/accessibility") }
func (p paths) Feedback() string                { return p.in("/accessibility/feedback") }
func (p paths) FeedbackSent() string            { return p.Feedback() + "?sent=1" }
func (p paths) Privacy() string                 { return p.in("/privacy") }
func (p paths) ServicePrivacy(id string) string { return p.Service(id) + "/privacy" }
func (p paths) Help() string                    { return p.in("/help") }

// ServicePrivacyConsent is the part of a service's privacy notice that
// tells how to withdraw consent.
func (p paths) ServicePrivacyConsent(id string) string { return p.ServicePrivacy(id) + "#consent" }

// HelpSection is one section of the help page (its id: login, acting-for,
// forms, contact).
func (p paths) HelpSection(id string) string { return p.Help() + "#" + id }

// FeedbackAbout is the feedback form about the page at path.
func (p paths) FeedbackAbout(path string) string {
	return p.Feedback() + "?page=" + url.QueryEscape(path)
}

func (p paths) StaffFeedback() string { return p.in("/staff/feedback") }

// StaffFeedbackFilter lists the feedback with one status.
func (p paths) StaffFeedbackFilter(status string) string {
	if status == "" {
		return p.StaffFeedback()
	}
	return p.StaffFeedback() + "?status=" + url.QueryEscape(status)
}
func (p paths) AnswerFeedback(id string) string { return p.StaffFeedback() + "/" + id }

// StaffFeedbackSaved is the list telling that feedback id was saved.
func (p paths) StaffFeedbackSaved(id string) string {
	return p.StaffFeedback() + "?saved=" + url.QueryEscape(id) + "#feedback-" + url.QueryEscape(id)
}

// MyData is everything the service holds about me; MyDataConsents
// withdraws a consent given on a form.
func (p paths) MyData() string         { return p.My() + "/data" }
func (p paths) MyDataConsents() string { return p.MyData() + "/consents" }

// AccessLog is the list of who has read my data.
func (p paths) AccessLog() string { return p.My() + "/access-log" }

// AccessLogPage is a page of the access log with its filter; before is
// the cursor (0 for the newest).
func (p paths) AccessLogPage(from, to, who string, before uint64) string {
	v := url.Values{}
	for k, x := range map[string]string{"from": from, "to": to, "who": who} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if before != 0 {
		v.Set("before", strconv.FormatUint(before, 10))
	}
	if len(v) == 0 {
		return p.AccessLog()
	}
	return p.AccessLog() + "?" + v.Encode()
}

func (p paths) Attachment(draft, id string) string { return p.in("/attachments/" + draft + "/" + id) }

// TestLogin is the demo identification page's form target, in the
// language; TestLoginThen its page with where to go after login.
func (p paths) TestLogin() string { return "/auth/test-login?lang=" + p.lang }
func (p paths) TestLoginThen(next string) string {
	return p.TestLogin() + "&next=" + url.QueryEscape(next)
}
func (p paths) TestLoginFailed() string { return "/auth/test-login?error=1&lang=" + p.lang }
func (p paths) Logout() string          { return "/auth/logout?lang=" + p.lang }

func withNext(path, next string) string {
	if next == "" {
		return path
	}
	return path + "?next=" + url.QueryEscape(next)
}

// Co-applicants: a draft's parties, invitation links and invitations.
func (p paths) DraftParties(id string) string { return p.in("/drafts/" + id + "/parties") }
func (p paths) RemoveParty(id, party string) string {
	return p.DraftParties(id) + "/" + party + "/delete"
}
func (p paths) InvitationLink(token string) string { return p.in("/i/" + token) }
func (p paths) InvitationLanding() string          { return p.in("/invitation") }
func (p paths) Invitations() string                { return p.in("/invitations") }
func (p paths) Invitation(id string) string        { return p.in("/invitations/" + id) }
func (p paths) Approve(id string) string           { return p.Invitation(id) + "/approve" }
func (p paths) Decline(id string) string           { return p.Invitation(id) + "/decline" }
func (p paths) ReopenCase(id string) string        { return p.Case(id) + "/reopen" }

// CaseShares shares a case view; RevokeShare ends a share; Shared is the
// list of applications shared with me, or one of them.
func (p paths) CaseShares(id string) string { return p.Case(id) + "/shares" }
func (p paths) RevokeShare(id, share string) string {
	return p.CaseShares(id) + "/" + share + "/delete"
}
func (p paths) Shared(id string) string {
	if id == "" {
		return p.in("/shared")
	}
	return p.in("/shared/" + id)
}
func (p paths) ResendInvitation(id, party string) string {
	return p.Case(id) + "/parties/" + party + "/resend"
}
