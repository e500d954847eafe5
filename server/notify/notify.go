// Package notify tells people what happened: the notifications a domain
// event creates (in the same store transaction as the event), who hears
// of it, each person's choice of channels, the in-app list with its unread
// count, and the outbox that a Dispatcher delivers to e-mail, SMS and web
// push with retries.
package notify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"asiointi/server/store"
)

// Kinds of notification. The text of each is rendered in the recipient's
// language (render.go).
const (
	// KindProxySubmitted tells the principal that someone sent an
	// application in their name.
	KindProxySubmitted = "proxy-submitted"
	// KindProxySupplemented and KindProxyWithdrew tell the principal that
	// someone acting for them answered a supplement request or withdrew
	// an application in their name.
	KindProxySupplemented = "proxy-supplemented"
	KindProxyWithdrew     = "proxy-withdrew"
	// KindProxyApproved tells a minor that their guardian approved, as
	// their co-applicant answer, an application they are a party of.
	KindProxyApproved = "proxy-approved"
	// KindProxyConsent tells the person an application is about that the
	// one who sent it for them withdrew a consent given on it.
	KindProxyConsent = "proxy-consent"
	// KindProxyShared tells the person an application is about that the
	// one who sent it for them let someone else read it.
	KindProxyShared = "proxy-shared"
	// KindCaseShared tells a person that someone let them read an
	// application (cases.ShareCase).
	KindCaseShared = "case-shared"
	// KindSubmittedFor tells the actor of a proxy action that it finished.
	KindSubmittedFor = "submitted-for"
	// KindPartySubmitted tells a party of a case that it was sent.
	KindPartySubmitted = "party-submitted"
	// KindPartyStatus tells an other party of a joint matter, told of the
	// application when it was sent, that its status changed later (more
	// information asked, decided, withdrawn).
	KindPartyStatus = "party-status"
	// KindOrgSubmitted tells someone who holds a role in an organisation
	// that another sent an application in the organisation's name.
	KindOrgSubmitted = "org-submitted"
	// KindOrgSupplemented and KindOrgWithdrew tell them that another
	// answered a supplement request or withdrew an application in the
	// organisation's name.
	KindOrgSupplemented = "org-supplemented"
	KindOrgWithdrew     = "org-withdrew"
	// KindHandlerSubmitted tells a handler of a case that a resident sent
	// it.
	KindHandlerSubmitted = "handler-submitted"
	// KindDraftExpiring reminds the owner of a draft about to be deleted.
	KindDraftExpiring = "draft-expiring"
	// KindInvitation asks a co-applicant to review and approve an
	// application; outside the app its link carries a one-time token
	// (Dispatcher.Links).
	KindInvitation = "invitation"
	// KindInvitationReminder reminds a co-applicant whose invitation
	// expires soon.
	KindInvitationReminder = "invitation-reminder"
	// KindPartyRemoved tells a co-applicant whom the applicant took off
	// the application before sending it again that they need not answer.
	KindPartyRemoved = "party-removed"
	// KindPartyAnswered tells the applicant that a party opened the
	// invitation or approved (Params["answer"]).
	KindPartyAnswered = "party-answered"
	// KindPartyDeclined tells the applicant that a party declined, with
	// their reason if they gave one.
	KindPartyDeclined = "party-declined"
	// KindInvitationExpired tells the applicant that a party's invitation
	// expired unanswered.
	KindInvitationExpired = "invitation-expired"
	// KindAllApproved tells the applicant that every party approved and
	// the application went to handling.
	KindAllApproved = "all-approved"
	// KindCaseStatus tells the people of a case that its status changed.
	KindCaseStatus = "case-status"
	// KindSupplementRequested tells them the handler needs more information.
	KindSupplementRequested = "supplement-requested"
	// KindDecision tells them the application was decided.
	KindDecision = "decision"
	// KindCaseMessage tells the people of a case that the handler wrote.
	KindCaseMessage = "case-message"
	// KindCaseActivity tells a handler that a resident acted on a case
	// they handle (a supplement, a message, a withdrawal).
	KindCaseActivity = "case-activity"
	// KindSupplementDue reminds the resident that a supplement is due soon.
	KindSupplementDue = "supplement-due"
	// KindDigest is a handler's or manager's daily list of deadlines.
	KindDigest = "digest"
)

// Kinds lists every kind in the order settings show them.
var Kinds = []string{KindProxySubmitted, KindProxySupplemented, KindProxyWithdrew, KindProxyApproved, KindProxyConsent, KindProxyShared, KindSubmittedFor, KindPartySubmitted, KindPartyStatus, KindCaseShared, KindOrgSubmitted, KindOrgSupplemented, KindOrgWithdrew,
	KindHandlerSubmitted, KindDraftExpiring,
	KindInvitation, KindInvitationReminder, KindPartyRemoved, KindPartyAnswered, KindPartyDeclined, KindInvitationExpired, KindAllApproved,
	KindCaseStatus, KindSupplementRequested, KindDecision, KindCaseMessage, KindSupplementDue,
	KindCaseActivity, KindDigest}

// StaffKinds are the kinds only staff receive (a handler's); settings
// show staff these and residents the rest.
var StaffKinds = []string{KindHandlerSubmitted, KindCaseActivity, KindDigest}

// SettingsKinds lists the kinds a person's settings show.
func SettingsKinds(staff bool) []string {
	var out []string
	for _, k := range Kinds {
		if slices.Contains(StaffKinds, k) == staff {
			out = append(out, k)
		}
	}
	return out
}

// Notification is one message to one person. It is stored in the
// person's in-app list (bucket notices, key "user/id"); the JSON names
// are those of the in-app notices written before this package existed,
// so those still read.
type Notification struct {
	ID     string            `json:"id"`
	User   string            `json:"user"`
	Kind   string            `json:"type"`
	At     time.Time         `json:"at"`
	Link   string            `json:"link"` // path after /{lang}
	Params map[string]string `json:"params,omitempty"`
	Read   bool              `json:"read,omitempty"`
	// Contact, when set, is how outside channels reach the recipient
	// instead of (or before) the register's addresses: a co-applicant
	// the register does not know, or the address the applicant gave.
	Contact *Contact `json:"contact,omitempty"`
}

// Contact is an address given with a notification.
type Contact struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	Lang  string `json:"lang,omitempty"`
}

// Person is someone an event names.
type Person struct{ ID, Name string }

// Organisation is an organisation in whose name someone acted, with the
// people who hold a role in it that lets them act for it in the service
// at the time of the action (they are told in its stead).
type Organisation struct {
	ID, Name string
	Members  []Person
}

// Action is a resident's action on a case that people must hear about.
type Action struct {
	Case, Reference, Service string
	At                       time.Time
	Actor                    Person
	Principal                *Person       // nil or the actor: for themself
	Organisation             *Organisation // in an organisation's name (Principal is then nil)
	Parties                  []Person
	// Handlers are the case's handlers (officials) at the time of the
	// action: a resident's action is theirs to hear of, as HandlerKind
	// (KindHandlerSubmitted when empty), linked to the staff page.
	Handlers    []Person
	HandlerKind string
	// Status is the case's status after the action, when it says more
	// than the kind (a resident's action on a case being handled).
	Status string
}

// Recipient is one person to tell, and what to tell them.
type Recipient struct {
	User, Kind string
}

// Recipients applies the rule of who hears of a submitted application:
// the principal always (even when the actor is the one logged in), the
// actor of a proxy action, for an organisation the people who hold a
// qualifying role in it (Organisation.Members), every party, and the
// case's handlers. Someone acting for themself is not told what they
// just did. Each person is told once, in their closest role.
func Recipients(a Action) []Recipient {
	var out []Recipient
	seen := map[string]bool{}
	add := func(id, kind string) {
		if id == "" || seen[id] {
			return
		}
		seen[id] = true
		out = append(out, Recipient{User: id, Kind: kind})
	}
	if a.Principal != nil && a.Principal.ID != a.Actor.ID {
		add(a.Principal.ID, KindProxySubmitted)
		add(a.Actor.ID, KindSubmittedFor)
	}
	if a.Organisation != nil {
		told := len(out)
		for _, m := range a.Organisation.Members {
			if m.ID != a.Actor.ID {
				add(m.ID, KindOrgSubmitted)
			}
		}
		if len(out) > told { // the actor hears that the others were told
			add(a.Actor.ID, KindSubmittedFor)
		}
	}
	seen[a.Actor.ID] = true
	for _, p := range a.Parties {
		add(p.ID, KindPartySubmitted)
	}
	kind := a.HandlerKind
	if kind == "" {
		kind = KindHandlerSubmitted
	}
	for _, h := range a.Handlers {
		add(h.ID, kind)
	}
	return out
}

// isHandlerKind: a kind that Recipients gives handlers (StaffKinds).
func isHandlerKind(kind string) bool { return slices.Contains(StaffKinds, kind) }

// Submitted records the notifications of a submitted application in tx,
// the transaction that creates the case.
func Submitted(tx *store.Tx, a Action) error {
	params := map[string]string{"service": a.Service, "reference": a.Reference, "actor": a.Actor.Name}
	switch {
	case a.Principal != nil:
		params["principal"] = a.Principal.Name
	case a.Organisation != nil:
		params["principal"] = a.Organisation.Name
	}
	return record(tx, a, Recipients(a), params)
}

// record writes the notifications of a to recipients: a handler's links
// to the staff page of the case, anyone else's to their application.
func record(tx *store.Tx, a Action, recipients []Recipient, params map[string]string) error {
	if a.Status != "" {
		params["status"] = a.Status
	}
	var messages messagesKinds // read once for all of them
	for _, r := range recipients {
		link := "/cases/" + a.Case
		if isHandlerKind(r.Kind) {
			link = "/staff/cases/" + a.Case
		}
		if err := recordIn(tx, Notification{User: r.User, Kind: r.Kind, At: a.At, Link: link, Params: params}, &messages); err != nil {
			return err
		}
	}
	return nil
}

// HandlersOnly records a's notifications to its handlers alone: a
// resident's action on a case being handled (a supplement, a message, a
// withdrawal), whose residents hear of it through CaseUpdate.
func HandlersOnly(tx *store.Tx, a Action) error {
	var handlers []Recipient
	for _, r := range Recipients(Action{Actor: a.Actor, Handlers: a.Handlers, HandlerKind: a.HandlerKind}) {
		if isHandlerKind(r.Kind) {
			handlers = append(handlers, r)
		}
	}
	params := map[string]string{"service": a.Service, "reference": a.Reference, "actor": a.Actor.Name}
	return record(tx, a, handlers, params)
}

// DraftExpiring records the reminder that a draft expires at expires.
func DraftExpiring(tx *store.Tx, owner, draft, service string, at, expires time.Time) error {
	return Record(tx, Notification{User: owner, Kind: KindDraftExpiring, At: at, Link: "/drafts/" + draft,
		Params: map[string]string{"service": service, "expiresAt": expires.Format(time.RFC3339Nano)}})
}

// Record writes n in tx: into the person's in-app list, their unread
// count, one outbox delivery to their open pages (live) and one for each
// channel their preferences turn on for its kind. n.ID is made when empty.
func Record(tx *store.Tx, n Notification) error {
	return recordIn(tx, n, &messagesKinds{})
}

// recordIn is Record with the Suomi.fi Messages kinds of the event (read
// at the first notification that needs them).
func recordIn(tx *store.Tx, n Notification, messages *messagesKinds) error {
	if n.User == "" || n.Kind == "" {
		return errors.New("notify: a notification needs a user and a kind")
	}
	if !recording {
		return nil
	}
	if n.ID == "" {
		n.ID = store.NewID(n.At)
	}
	// Stored uncompressed: compressing a notification's 300 bytes saved
	// 120 for 10 µs of CPU in every write that notifies (issue 10).
	if err := tx.PutPlain(store.Notices, n.User+"/"+n.ID, encodeNotification(&n)); err != nil {
		return err
	}
	if _, err := tx.AddCount(unreadKey(n.User), 1); err != nil {
		return err
	}
	// The live delivery rides on the notification's first delivery to
	// another channel when the store is this process's alone (Delivery.Link):
	// one outbox record fewer to write, take and remove.
	q := queue{tx: tx, n: &n, carry: !tx.Shared(), messages: messages}
	if !q.carry {
		if err := enqueue(tx, Delivery{Notice: n.ID, User: n.User, Channel: ChannelLive, Link: n.Link}, n.At); err != nil {
			return err
		}
	}
	if err := queueMessages(&q); err != nil {
		return err
	}
	prefs, err := prefsIn(tx, n.User)
	if err != nil {
		return err
	}
	for _, ch := range prefs.Channels(n.Kind) {
		if ch == ChannelPush {
			if err := queuePush(&q); err != nil {
				return err
			}
			continue
		}
		if err := q.add(ch, ""); err != nil {
			return err
		}
	}
	if q.carry { // nothing carried it
		return enqueue(tx, Delivery{Notice: n.ID, User: n.User, Channel: ChannelLive, Link: n.Link}, n.At)
	}
	return nil
}

// queue writes the outbox deliveries of one notification.
type queue struct {
	tx       *store.Tx
	n        *Notification
	carry    bool // the next delivery carries the live one (then false)
	messages *messagesKinds
}

// add owes n to channel (push: to the device target).
func (q *queue) add(channel, target string) error {
	d := Delivery{Notice: q.n.ID, User: q.n.User, Channel: channel, Target: target}
	if q.carry {
		d.Link, q.carry = q.n.Link, false
	}
	return enqueue(q.tx, d, q.n.At)
}

func unreadKey(user string) string { return "unread/" + user }

// ErrNotFound answers a notification id that is not the person's.
var ErrNotFound = errors.New("notify: not found")

// Inbox reads and marks a person's in-app notifications.
type Inbox struct {
	Store *store.Store
}

// List returns up to limit of the person's notifications, newest first
// (limit <= 0: all).
func (b *Inbox) List(user string, limit int) ([]Notification, error) {
	out, _, err := b.Page(user, "", limit)
	return out, err
}

// Page returns up to limit of the person's notifications, newest first,
// from below cursor (the next of the page before; "" for the first page),
// and the cursor of the following page ("" on the last). A cursor that is
// not an id is store.ErrBadCursor.
func (b *Inbox) Page(user, cursor string, limit int) (out []Notification, next string, err error) {
	err = b.Store.View(func(tx *store.Tx) error {
		var err error
		next, err = tx.PageReverse(store.Notices, user+"/", cursor, limit, func(_ string, raw []byte) (bool, error) {
			var n Notification
			if err := decodeNotification(raw, &n); err != nil {
				return false, err
			}
			out = append(out, n)
			return true, nil
		})
		return err
	})
	return out, next, err
}

// State is the person's unread count and the id of their newest
// notification ("" when none): what a page shows, and where its live
// connection resumes after a reconnect (Since).
func (b *Inbox) State(user string) (unread int, latest string, err error) {
	err = b.Store.View(func(tx *store.Tx) error {
		var err error
		if unread, err = unreadIn(tx, user); err != nil {
			return err
		}
		return tx.ScanReverse(store.Notices, user+"/", func(k string, _ []byte) error {
			latest = k[len(user)+1:]
			return store.ErrStop
		})
	})
	return unread, latest, err
}

// Since returns the person's notifications after the one with id after
// ("" : from the first), oldest first, at most limit; more tells that
// there were more.
func (b *Inbox) Since(user, after string, limit int) (out []Notification, more bool, err error) {
	err = b.Store.View(func(tx *store.Tx) error {
		return tx.ScanReverse(store.Notices, user+"/", func(k string, raw []byte) error {
			if k[len(user)+1:] <= after {
				return store.ErrStop
			}
			if len(out) == limit {
				more = true
				return store.ErrStop
			}
			var n Notification
			if err := decodeNotification(raw, &n); err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
	})
	slices.Reverse(out)
	return out, more, err
}

// Unread is the number of the person's unread notifications.
func (b *Inbox) Unread(user string) (int, error) {
	var n int
	err := b.Store.View(func(tx *store.Tx) error {
		var err error
		n, err = unreadIn(tx, user)
		return err
	})
	return n, err
}

func unreadIn(tx *store.Tx, user string) (int, error) {
	raw, err := tx.GetRaw(store.Counters, unreadKey(user))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n int
	_, err = fmt.Sscan(string(raw), &n)
	return n, err
}

// MarkRead marks one of the person's notifications read; another
// person's id, or junk, is ErrNotFound.
func (b *Inbox) MarkRead(user, id string) error {
	if !store.ValidID(id) || strings.Contains(user, "/") {
		return ErrNotFound
	}
	return b.Store.Update(func(tx *store.Tx) error {
		var n Notification
		if err := tx.Get(store.Notices, user+"/"+id, &n); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return ErrNotFound
			}
			return err
		}
		if n.Read {
			return nil
		}
		n.Read = true
		if err := tx.Put(store.Notices, user+"/"+id, n); err != nil {
			return err
		}
		_, err := tx.AddCount(unreadKey(user), -1)
		return err
	})
}

// MarkAllRead marks every notification of the person read.
func (b *Inbox) MarkAllRead(user string) error {
	return b.Store.Update(func(tx *store.Tx) error {
		var unread []Notification
		if err := tx.Scan(store.Notices, user+"/", func(_ string, raw []byte) error {
			var n Notification
			if err := decodeNotification(raw, &n); err != nil {
				return err
			}
			if !n.Read {
				unread = append(unread, n)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, n := range unread {
			n.Read = true
			if err := tx.Put(store.Notices, user+"/"+n.ID, n); err != nil {
				return err
			}
		}
		n, err := unreadIn(tx, user)
		if err != nil {
			return err
		}
		_, err = tx.AddCount(unreadKey(user), -int64(n))
		return err
	})
}
