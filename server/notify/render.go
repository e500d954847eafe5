package notify

import (
	"html/template"
	"math"
	"strings"
	"time"

	"asiointi/i18n"
	"asiointi/server/datefmt"
)

// Renderer writes notifications as text in a given language.
type Renderer struct {
	Msg *i18n.Bundle
	// ServiceName names a service in a language (the id when unknown).
	ServiceName func(id, lang string) string
	// BaseURL is the public origin for links in messages sent outside
	// the app ("" leaves them relative).
	BaseURL string
}

// kindMessages are the message ids of each kind's sentence.
var kindMessages = map[string]string{
	KindProxySubmitted:      "notify.kind.proxySubmitted",
	KindProxySupplemented:   "notify.kind.proxySupplemented",
	KindProxyWithdrew:       "notify.kind.proxyWithdrew",
	KindProxyApproved:       "notify.kind.proxyApproved",
	KindProxyConsent:        "notify.kind.proxyConsent",
	KindProxyShared:         "notify.kind.proxyShared",
	KindCaseShared:          "notify.kind.caseShared",
	KindSubmittedFor:        "notify.kind.submittedFor",
	KindPartySubmitted:      "notify.kind.partySubmitted",
	KindPartyStatus:         "notify.kind.partyStatus",
	KindOrgSubmitted:        "notify.kind.orgSubmitted",
	KindOrgSupplemented:     "notify.kind.orgSupplemented",
	KindOrgWithdrew:         "notify.kind.orgWithdrew",
	KindHandlerSubmitted:    "notify.kind.handlerSubmitted",
	KindDraftExpiring:       "notify.kind.draftExpiring",
	KindInvitation:          "notify.kind.invitation",
	KindInvitationReminder:  "notify.kind.invitationReminder",
	KindPartyRemoved:        "notify.kind.partyRemoved",
	KindPartyAnswered:       "notify.kind.partyApproved",
	KindPartyDeclined:       "notify.kind.partyDeclined",
	KindInvitationExpired:   "notify.kind.invitationExpired",
	KindAllApproved:         "notify.kind.allApproved",
	KindCaseStatus:          "notify.kind.caseStatus",
	KindSupplementRequested: "notify.kind.supplementRequested",
	KindDecision:            "notify.kind.decision",
	KindCaseMessage:         "notify.kind.caseMessage",
	KindCaseActivity:        "notify.kind.caseActivity",
	KindSupplementDue:       "notify.kind.supplementDue",
	KindDigest:              "notify.kind.digest",
}

// kindNames are the message ids naming each kind in settings.
var kindNames = map[string]string{
	KindProxySubmitted:      "notify.kindName.proxySubmitted",
	KindProxySupplemented:   "notify.kindName.proxySupplemented",
	KindProxyWithdrew:       "notify.kindName.proxyWithdrew",
	KindProxyApproved:       "notify.kindName.proxyApproved",
	KindProxyConsent:        "notify.kindName.proxyConsent",
	KindProxyShared:         "notify.kindName.proxyShared",
	KindCaseShared:          "notify.kindName.caseShared",
	KindSubmittedFor:        "notify.kindName.submittedFor",
	KindPartySubmitted:      "notify.kindName.partySubmitted",
	KindPartyStatus:         "notify.kindName.partyStatus",
	KindOrgSubmitted:        "notify.kindName.orgSubmitted",
	KindOrgSupplemented:     "notify.kindName.orgSupplemented",
	KindOrgWithdrew:         "notify.kindName.orgWithdrew",
	KindHandlerSubmitted:    "notify.kindName.handlerSubmitted",
	KindDraftExpiring:       "notify.kindName.draftExpiring",
	KindInvitation:          "notify.kindName.invitation",
	KindInvitationReminder:  "notify.kindName.invitationReminder",
	KindPartyRemoved:        "notify.kindName.partyRemoved",
	KindPartyAnswered:       "notify.kindName.partyAnswered",
	KindPartyDeclined:       "notify.kindName.partyDeclined",
	KindInvitationExpired:   "notify.kindName.invitationExpired",
	KindAllApproved:         "notify.kindName.allApproved",
	KindCaseStatus:          "notify.kindName.caseStatus",
	KindSupplementRequested: "notify.kindName.supplementRequested",
	KindDecision:            "notify.kindName.decision",
	KindCaseMessage:         "notify.kindName.caseMessage",
	KindCaseActivity:        "notify.kindName.caseActivity",
	KindSupplementDue:       "notify.kindName.supplementDue",
	KindDigest:              "notify.kindName.digest",
}

// channelNames are the message ids naming each optional channel.
var channelNames = map[string]string{
	ChannelPush:  "notify.channel.push",
	ChannelEmail: "notify.channel.email",
	ChannelSMS:   "notify.channel.sms",
}

// KindName names a kind in lang, for settings.
func (r *Renderer) KindName(lang, kind string) string { return r.Msg.T(lang, kindNames[kind]) }

// ChannelName names a channel in lang, for settings.
func (r *Renderer) ChannelName(lang, channel string) string {
	return r.Msg.T(lang, channelNames[channel])
}

// Text is the plain-language sentence of n in lang, e.g. "Juhani
// Korhonen sent an application in your name: Apply for home help."
func (r *Renderer) Text(lang string, n Notification) string {
	id, ok := kindMessages[n.Kind]
	if !ok {
		return r.Msg.T(lang, "notify.generic")
	}
	service := n.Params["service"]
	if r.ServiceName != nil {
		service = r.ServiceName(service, lang)
	}
	data := map[string]any{
		"Service": service, "Reference": n.Params["reference"],
		"Actor": n.Params["actor"], "Principal": n.Params["principal"], "Party": n.Params["party"],
		"Reason": n.Params["reason"],
	}
	if st := n.Params["status"]; st != "" {
		data["Status"] = r.Msg.T(lang, statusMessage(st))
	}
	if n.Kind == KindDigest {
		data["Overdue"], data["Soon"] = n.Params["overdue"], n.Params["soon"]
	}
	if n.Kind == KindSupplementDue {
		due, _ := time.Parse(time.RFC3339Nano, n.Params["expiresAt"])
		data["Date"] = datefmt.Date(due, lang)
	}
	if n.Kind == KindDraftExpiring {
		exp, _ := time.Parse(time.RFC3339Nano, n.Params["expiresAt"])
		data["Date"] = datefmt.Date(exp, lang)
		data["Count"] = max(1, int(math.Ceil(exp.Sub(n.At).Hours()/24)))
	}
	if n.Kind == KindPartyAnswered && n.Params["answer"] == "opened" {
		id = "notify.kind.partyOpened"
	}
	if n.Kind == KindPartyDeclined && n.Params["reason"] != "" {
		id = "notify.kind.partyDeclinedWithReason"
	}
	if n.Kind == KindInvitation || n.Kind == KindInvitationReminder {
		exp, _ := time.Parse(time.RFC3339Nano, n.Params["expiresAt"])
		data["Date"] = datefmt.Date(exp, lang)
	}
	return r.Msg.T(lang, id, data)
}

// URL is the link of n in lang, absolute when BaseURL is set.
func (r *Renderer) URL(lang string, n Notification) string {
	return r.BaseURL + "/" + lang + n.Link
}

// Mail is n as an e-mail: subject, plain text and a simple HTML part.
func (r *Renderer) Mail(lang string, n Notification) (subject, text, html string) {
	subject = r.Msg.T(lang, "notify.mail.subject")
	body := r.Text(lang, n)
	link := r.URL(lang, n)
	open := r.Msg.T(lang, "notify.mail.open")
	footer := r.Msg.T(lang, "notify.mail.footer")
	text = body + "\n\n" + open + ": " + link + "\n\n-- \n" + footer + "\n"
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="` + lang + `"><body><p>`)
	b.WriteString(template.HTMLEscapeString(body))
	b.WriteString(`</p><p><a href="` + template.HTMLEscapeString(link) + `">`)
	b.WriteString(template.HTMLEscapeString(open))
	b.WriteString(`</a></p><p><small>` + template.HTMLEscapeString(footer) + `</small></p></body></html>`)
	return subject, text, b.String()
}

// SMS is n as a text message: the sentence and the link.
func (r *Renderer) SMS(lang string, n Notification) string {
	return r.Text(lang, n) + " " + r.URL(lang, n)
}

// PushTitle is the neutral title of a push message: it names no one.
func (r *Renderer) PushTitle(lang string) string { return r.Msg.T(lang, "notify.generic") }
