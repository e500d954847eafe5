package web

import "asiointi/server/catalog"

// kindWords are the message ids of the words that depend on what a
// service is (catalog.Service.Kind): a building notification is "sent"
// as a notification, not as an application. Each kind's ids are the
// application's with ".<kind>" appended.
type kindWords struct {
	Open, OpenUntil, Closed                                  string // the service's availability
	CannotStartClosed, ClosedTitle, ServiceClosed            string // starting or sending while closed
	Closes, DraftCloses                                      string // when it closes, on a step and in drafts
	ForWhom, Start, StartFor, RefusedTitle                   string // the service page's button, and for whom
	OnBehalf, AllParties                                     string // who can make it; every party approves it
	StepsLabel, StepFor                                      string // the form's steps
	SavedNotice, DeletedNotice, DeleteTitle, DeleteBody      string // drafts
	SummaryIntro, SendTitle, SendFor, SendBody, Send         string // check your answers
	Reference, Applicant                                     string // the case page
	Submitted, SubmittedFor, StatusChanged, Other            string // its timeline
	ReceiptTitle, ReceiptReference, ReceiptKeep, ReceiptNext string // the receipt
}

// kindMessages holds the words of each kind of service.
var kindMessages = map[string]kindWords{
	catalog.KindApplication: {
		Open:              "service.open",
		OpenUntil:         "service.openUntil",
		Closed:            "service.closed",
		CannotStartClosed: "service.cannotStartClosed",
		ClosedTitle:       "startPage.closedTitle",
		ServiceClosed:     "draft.serviceClosed",
		Closes:            "step.closes",
		DraftCloses:       "drafts.closes",
		ForWhom:           "service.forWhom",
		Start:             "service.start",
		StartFor:          "service.startFor",
		RefusedTitle:      "startPage.refusedTitle",
		OnBehalf:          "service.onBehalf",
		AllParties:        "service.onBehalf.all-parties",
		StepsLabel:        "step.navLabel",
		StepFor:           "step.for",
		SavedNotice:       "drafts.savedNotice",
		DeletedNotice:     "drafts.deletedNotice",
		DeleteTitle:       "drafts.deleteTitle",
		DeleteBody:        "drafts.deleteBody",
		SummaryIntro:      "summary.intro",
		SendTitle:         "summary.sendTitle",
		SendFor:           "summary.sendFor",
		SendBody:          "summary.sendBody",
		Send:              "summary.send",
		Reference:         "casePage.reference",
		Applicant:         "casePage.applicant",
		Submitted:         "timeline.submitted",
		SubmittedFor:      "timeline.submittedFor",
		StatusChanged:     "timeline.statusChanged",
		Other:             "timeline.other",
		ReceiptTitle:      "receipt.title",
		ReceiptReference:  "receipt.reference",
		ReceiptKeep:       "receipt.keep",
		ReceiptNext:       "receipt.nextBody",
	},
	catalog.KindNotification: {
		Open:              "service.open.notification",
		OpenUntil:         "service.openUntil.notification",
		Closed:            "service.closed.notification",
		CannotStartClosed: "service.cannotStartClosed.notification",
		ClosedTitle:       "startPage.closedTitle.notification",
		ServiceClosed:     "draft.serviceClosed.notification",
		Closes:            "step.closes.notification",
		DraftCloses:       "drafts.closes.notification",
		ForWhom:           "service.forWhom.notification",
		Start:             "service.start.notification",
		StartFor:          "service.startFor.notification",
		RefusedTitle:      "startPage.refusedTitle.notification",
		OnBehalf:          "service.onBehalf.notification",
		AllParties:        "service.onBehalf.all-parties.notification",
		StepsLabel:        "step.navLabel.notification",
		StepFor:           "step.for.notification",
		SavedNotice:       "drafts.savedNotice.notification",
		DeletedNotice:     "drafts.deletedNotice.notification",
		DeleteTitle:       "drafts.deleteTitle.notification",
		DeleteBody:        "drafts.deleteBody.notification",
		SummaryIntro:      "summary.intro.notification",
		SendTitle:         "summary.sendTitle.notification",
		SendFor:           "summary.sendFor.notification",
		SendBody:          "summary.sendBody.notification",
		Send:              "summary.send.notification",
		Reference:         "casePage.reference.notification",
		Applicant:         "casePage.applicant.notification",
		Submitted:         "timeline.submitted.notification",
		SubmittedFor:      "timeline.submittedFor.notification",
		StatusChanged:     "timeline.statusChanged.notification",
		Other:             "timeline.other.notification",
		ReceiptTitle:      "receipt.title.notification",
		ReceiptReference:  "receipt.reference.notification",
		ReceiptKeep:       "receipt.keep.notification",
		ReceiptNext:       "receipt.nextBody.notification",
	},
	catalog.KindRequest: {
		Open:              "service.open.request",
		OpenUntil:         "service.openUntil.request",
		Closed:            "service.closed.request",
		CannotStartClosed: "service.cannotStartClosed.request",
		ClosedTitle:       "startPage.closedTitle.request",
		ServiceClosed:     "draft.serviceClosed.request",
		Closes:            "step.closes.request",
		DraftCloses:       "drafts.closes.request",
		ForWhom:           "service.forWhom.request",
		Start:             "service.start.request",
		StartFor:          "service.startFor.request",
		RefusedTitle:      "startPage.refusedTitle.request",
		OnBehalf:          "service.onBehalf.request",
		AllParties:        "service.onBehalf.all-parties.request",
		StepsLabel:        "step.navLabel.request",
		StepFor:           "step.for.request",
		SavedNotice:       "drafts.savedNotice.request",
		DeletedNotice:     "drafts.deletedNotice.request",
		DeleteTitle:       "drafts.deleteTitle.request",
		DeleteBody:        "drafts.deleteBody.request",
		SummaryIntro:      "summary.intro.request",
		SendTitle:         "summary.sendTitle.request",
		SendFor:           "summary.sendFor.request",
		SendBody:          "summary.sendBody.request",
		Send:              "summary.send.request",
		Reference:         "casePage.reference.request",
		Applicant:         "casePage.applicant.request",
		Submitted:         "timeline.submitted.request",
		SubmittedFor:      "timeline.submittedFor.request",
		StatusChanged:     "timeline.statusChanged.request",
		Other:             "timeline.other.request",
		ReceiptTitle:      "receipt.title.request",
		ReceiptReference:  "receipt.reference.request",
		ReceiptKeep:       "receipt.keep.request",
		ReceiptNext:       "receipt.nextBody.request",
	},
	catalog.KindRegistration: {
		Open:              "service.open.registration",
		OpenUntil:         "service.openUntil.registration",
		Closed:            "service.closed.registration",
		CannotStartClosed: "service.cannotStartClosed.registration",
		ClosedTitle:       "startPage.closedTitle.registration",
		ServiceClosed:     "draft.serviceClosed.registration",
		Closes:            "step.closes.registration",
		DraftCloses:       "drafts.closes.registration",
		ForWhom:           "service.forWhom.registration",
		Start:             "service.start.registration",
		StartFor:          "service.startFor.registration",
		RefusedTitle:      "startPage.refusedTitle.registration",
		OnBehalf:          "service.onBehalf.registration",
		AllParties:        "service.onBehalf.all-parties.registration",
		StepsLabel:        "step.navLabel.registration",
		StepFor:           "step.for.registration",
		SavedNotice:       "drafts.savedNotice.registration",
		DeletedNotice:     "drafts.deletedNotice.registration",
		DeleteTitle:       "drafts.deleteTitle.registration",
		DeleteBody:        "drafts.deleteBody.registration",
		SummaryIntro:      "summary.intro.registration",
		SendTitle:         "summary.sendTitle.registration",
		SendFor:           "summary.sendFor.registration",
		SendBody:          "summary.sendBody.registration",
		Send:              "summary.send.registration",
		Reference:         "casePage.reference.registration",
		Applicant:         "casePage.applicant.registration",
		Submitted:         "timeline.submitted.registration",
		SubmittedFor:      "timeline.submittedFor.registration",
		StatusChanged:     "timeline.statusChanged.registration",
		Other:             "timeline.other.registration",
		ReceiptTitle:      "receipt.title.registration",
		ReceiptReference:  "receipt.reference.registration",
		ReceiptKeep:       "receipt.keep.registration",
		ReceiptNext:       "receipt.nextBody.registration",
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
