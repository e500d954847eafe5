package web

import "asiointi/server/catalog"

// kindWords are the message ids of the words that depend on what a
// service is (catalog.Service.Kind): a building notification is "sent"
// as a notification, not as an application.
type kindWords struct {
	Open, OpenUntil, Closed                                  string // the service's availability
	ForWhom, Start, StartFor                                 string // the service page's button
	SummaryIntro, SendTitle, SendFor, SendBody, Send         string // check your answers
	Reference, Applicant, Submitted, SubmittedFor            string // the case page and its timeline
	ReceiptTitle, ReceiptReference, ReceiptKeep, ReceiptNext string // the receipt
}

// kindMessages holds the words of each kind of service.
var kindMessages = map[string]kindWords{
	catalog.KindApplication: {
		ForWhom:          "service.forWhom",
		Open:             "service.open",
		OpenUntil:        "service.openUntil",
		Closed:           "service.closed",
		Start:            "service.start",
		StartFor:         "service.startFor",
		SummaryIntro:     "summary.intro",
		SendTitle:        "summary.sendTitle",
		SendFor:          "summary.sendFor",
		SendBody:         "summary.sendBody",
		Send:             "summary.send",
		Reference:        "casePage.reference",
		Applicant:        "casePage.applicant",
		Submitted:        "timeline.submitted",
		SubmittedFor:     "timeline.submittedFor",
		ReceiptTitle:     "receipt.title",
		ReceiptReference: "receipt.reference",
		ReceiptKeep:      "receipt.keep",
		ReceiptNext:      "receipt.nextBody",
	},
	catalog.KindNotification: {
		ForWhom:          "service.forWhom.notification",
		Open:             "service.open.notification",
		OpenUntil:        "service.openUntil.notification",
		Closed:           "service.closed.notification",
		Start:            "service.start.notification",
		StartFor:         "service.startFor.notification",
		SummaryIntro:     "summary.intro.notification",
		SendTitle:        "summary.sendTitle.notification",
		SendFor:          "summary.sendFor.notification",
		SendBody:         "summary.sendBody.notification",
		Send:             "summary.send.notification",
		Reference:        "casePage.reference.notification",
		Applicant:        "casePage.applicant.notification",
		Submitted:        "timeline.submitted.notification",
		SubmittedFor:     "timeline.submittedFor.notification",
		ReceiptTitle:     "receipt.title.notification",
		ReceiptReference: "receipt.reference.notification",
		ReceiptKeep:      "receipt.keep.notification",
		ReceiptNext:      "receipt.nextBody.notification",
	},
	catalog.KindRequest: {
		ForWhom:          "service.forWhom.request",
		Open:             "service.open.request",
		OpenUntil:        "service.openUntil.request",
		Closed:           "service.closed.request",
		Start:            "service.start.request",
		StartFor:         "service.startFor.request",
		SummaryIntro:     "summary.intro.request",
		SendTitle:        "summary.sendTitle.request",
		SendFor:          "summary.sendFor.request",
		SendBody:         "summary.sendBody.request",
		Send:             "summary.send.request",
		Reference:        "casePage.reference.request",
		Applicant:        "casePage.applicant.request",
		Submitted:        "timeline.submitted.request",
		SubmittedFor:     "timeline.submittedFor.request",
		ReceiptTitle:     "receipt.title.request",
		ReceiptReference: "receipt.reference.request",
		ReceiptKeep:      "receipt.keep.request",
		ReceiptNext:      "receipt.nextBody.request",
	},
	catalog.KindRegistration: {
		ForWhom:          "service.forWhom.registration",
		Open:             "service.open.registration",
		OpenUntil:        "service.openUntil.registration",
		Closed:           "service.closed.registration",
		Start:            "service.start.registration",
		StartFor:         "service.startFor.registration",
		SummaryIntro:     "summary.intro.registration",
		SendTitle:        "summary.sendTitle.registration",
		SendFor:          "summary.sendFor.registration",
		SendBody:         "summary.sendBody.registration",
		Send:             "summary.send.registration",
		Reference:        "casePage.reference.registration",
		Applicant:        "casePage.applicant.registration",
		Submitted:        "timeline.submitted.registration",
		SubmittedFor:     "timeline.submittedFor.registration",
		ReceiptTitle:     "receipt.title.registration",
		ReceiptReference: "receipt.reference.registration",
		ReceiptKeep:      "receipt.keep.registration",
		ReceiptNext:      "receipt.nextBody.registration",
	},
}

// wordsFor returns the message ids for a kind of service; an unknown kind
// gets the application's.
func wordsFor(kind string) kindWords {
	if w, ok := kindMessages[kind]; ok {
		return w
	}
	return kindMessages[catalog.KindApplication]
}

// serviceWords returns the message ids for the service with the given
// id; an unknown service (gone from the catalogue) gets the
// application's.
func (s *Server) serviceWords(serviceID string) kindWords {
	if svc, ok := s.catalog.Service(serviceID); ok {
		return wordsFor(svc.Kind)
	}
	return wordsFor("")
}
