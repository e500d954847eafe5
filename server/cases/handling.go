package cases

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"asiointi/server/audit"
	"asiointi/server/identity"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// Refusals of handling actions.
var (
	// ErrIllegalTransition: the case's status does not allow the change.
	ErrIllegalTransition = errors.New("cases: illegal status change")
	// ErrBadInput: the action's input is not acceptable (an unknown
	// outcome, a field the form does not have, an empty text).
	ErrBadInput = errors.New("cases: bad input")
	// ErrNotHandler: the assignee has no handling role in the service.
	ErrNotHandler = errors.New("cases: the assignee does not handle the service")
)

// CaseConflictError is a handling action that named an older version of
// the case: someone else acted first. Current is the case as it is now.
type CaseConflictError struct{ Current *Case }

func (e *CaseConflictError) Error() string { return ErrConflict.Error() }
func (e *CaseConflictError) Unwrap() error { return ErrConflict }

// transitions are the allowed status changes (issue 13):
// submitted → in-progress → supplement-requested → in-progress → decided
// → closed, and cancelled from any open status.
var transitions = map[string][]string{
	StatusSubmitted:           {StatusInProgress, StatusCancelled},
	StatusInProgress:          {StatusSupplementRequested, StatusDecided, StatusCancelled},
	StatusSupplementRequested: {StatusInProgress, StatusCancelled},
	StatusDecided:             {StatusClosed},
}

// CanTransition reports whether a case may go from one status to another.
func CanTransition(from, to string) bool { return slices.Contains(transitions[from], to) }

// Transitions lists the statuses a case may go to from its status.
func Transitions(from string) []string { return transitions[from] }

// HandlerCase is a case for a staff member who may see it, with its
// events and internal notes. Opening it records an access event for each
// person whose data it shows (the customer, the actor, the parties).
func (s *Service) HandlerCase(id string, who Ref) (*Case, []Event, []Note, error) {
	return s.handlerCase(id, who, true)
}

// handlerCase is HandlerCase; without logged, it reads in a read-only
// transaction and writes no access entry (only the benchmark that
// measures what the entry costs does that).
func (s *Service) handlerCase(id string, who Ref, logged bool) (*Case, []Event, []Note, error) {
	var c *Case
	var evs []Event
	var notes []Note
	now := s.Now()
	run := s.Store.Update
	if !logged {
		run = s.Store.View
	}
	err := run(func(tx *store.Tx) error {
		var err error
		if c, _, err = s.caseFor(tx, viewer{Ref: who}, id); err != nil {
			return err
		}
		if who.Kind != identity.Staff {
			return ErrNotFound
		}
		if evs, err = store.Values[Event](tx, store.Events, id+"/"); err != nil {
			return err
		}
		if notes, err = store.Values[Note](tx, store.CaseNotes, id+"/"); err != nil {
			return err
		}
		if !logged {
			return nil
		}
		return recordAccess(tx, s.staffActor(tx, who, c), c, audit.KindCase, now)
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return c, evs, notes, nil
}

// staffActor is a staff member as the access log names them: their role
// in the case's service and its unit.
func (s *Service) staffActor(tx *store.Tx, who Ref, c *Case) audit.Actor {
	a := audit.Actor{ID: who.ID, Name: who.Name, Role: identity.StaffRole(tx, who.ID, c.Service)}
	if svc, ok := s.Catalog.Service(c.Service); ok {
		a.Unit = svc.Unit
	}
	return a
}

// recordAccess writes one access-log entry for each person whose data
// the case shows (the handler's reading, purpose handling).
func recordAccess(tx *store.Tx, actor audit.Actor, c *Case, kind string, now time.Time) error {
	var entries []audit.Access
	for _, p := range shownPeople(c) {
		entries = append(entries, audit.Access{At: now, Actor: actor, Subject: p, Kind: kind, Purpose: audit.PurposeHandling,
			Case: c.ID, Reference: c.Reference})
	}
	return audit.RecordAccess(tx, now, entries...)
}

// shownPeople are the people whose data a case shows.
func shownPeople(c *Case) []string {
	var out []string
	add := func(id string) {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	add(c.Actor.ID)
	if c.Principal != nil && c.Principal.Kind != identity.PrincipalOrganization {
		add(c.Principal.ID)
	}
	for _, p := range c.Parties {
		add(p.Person)
	}
	return out
}

// Note is a handler's internal note on a case: never shown to residents.
type Note struct {
	ID     string    `json:"id"`
	Case   string    `json:"case"`
	At     time.Time `json:"at"`
	Author Ref       `json:"author"`
	Text   string    `json:"text"`
}

// AnyVersion is the version of an action that does not check the case's
// version (an API call that names none).
const AnyVersion = -1

// act runs one handling action on a case: who must handle its service;
// version, unless AnyVersion, must be the case's (else a
// *CaseConflictError).
// change changes the case and returns the event to record and the
// notification kind to tell the resident ("" for none). The case's
// version grows, and its record, event, index entries and notifications
// are written in one transaction.
func (s *Service) act(id string, who Ref, version int, change func(tx *store.Tx, c *Case, now time.Time) (*Event, string, error)) (*Case, error) {
	now := s.Now()
	var out *Case
	err := s.Store.Update(func(tx *store.Tx) error {
		c, a, err := s.caseFor(tx, viewer{Ref: who}, id)
		if err != nil {
			return err
		}
		if a != StaffHandle {
			return ErrForbidden
		}
		if version != AnyVersion && version != c.Version {
			return &CaseConflictError{Current: c}
		}
		ev, kind, err := change(tx, c, now)
		if err != nil {
			return err
		}
		c.Version++
		c.UpdatedAt = now
		if err := s.writeCase(tx, c, ev, kind); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// writeCase stores a changed case with its index entries, its event and
// the notifications of kind to the people of the case.
func (s *Service) writeCase(tx *store.Tx, c *Case, ev *Event, kind string) error {
	if err := tx.Put(store.Cases, c.ID, c); err != nil {
		return err
	}
	if err := indexCase(tx, c); err != nil {
		return err
	}
	at := c.UpdatedAt
	if ev != nil {
		at = ev.At
	}
	if err := s.aggregate(tx, c, at); err != nil {
		return err
	}
	if ev != nil {
		ev.ID, ev.Case = store.NewID(ev.At), c.ID
		if err := tx.Put(store.Events, eventKey(c.ID, ev.ID), ev); err != nil {
			return err
		}
	}
	if err := tellNotified(tx, c, ev); err != nil {
		return err
	}
	if kind == "" {
		return nil
	}
	u, err := s.caseUpdate(tx, c, kind, ev)
	if err != nil {
		return err
	}
	return notify.CaseUpdate(tx, u)
}

// tellNotified tells the other parties of a joint matter (Case.Notified,
// told of the application when it was sent) of each later change of its
// status — more information asked, decided, withdrawn, … — whoever made
// it, in the transaction of the change.
func tellNotified(tx *store.Tx, c *Case, ev *Event) error {
	if ev == nil || ev.To == "" || ev.To == ev.From || len(c.Notified) == 0 {
		return nil
	}
	parties := make([]notify.Person, 0, len(c.Notified))
	for _, p := range c.Notified {
		parties = append(parties, notify.Person{ID: p.ID, Name: p.Name})
	}
	return notify.PartyStatus(tx, caseChange(c, notify.KindPartyStatus, ev), parties)
}

// caseUpdate is what notify needs to tell the people of a case (caseChange)
// and, for an organisation's case, read in tx, the people who may now act
// for it (they are its principal's side).
func (s *Service) caseUpdate(tx *store.Tx, c *Case, kind string, ev *Event) (notify.CaseChange, error) {
	u := caseChange(c, kind, ev)
	if c.Principal != nil && c.Principal.Kind == identity.PrincipalOrganization {
		org, err := s.organisation(tx, c, u.At)
		if err != nil {
			return u, err
		}
		u.Organisation = org
	}
	return u, nil
}

// caseChange is what notify needs to tell the people of a case, from the
// case alone.
func caseChange(c *Case, kind string, ev *Event) notify.CaseChange {
	u := notify.CaseChange{Kind: kind, Case: c.ID, Reference: c.Reference, Service: c.Service, Status: c.Status,
		At: c.UpdatedAt, Actor: notify.Person{ID: c.Actor.ID, Name: c.Actor.Name}}
	if ev != nil {
		u.At = ev.At
		u.By = notify.Person{ID: ev.Actor.ID, Name: ev.Actor.Name}
	}
	if c.Principal != nil && c.Principal.Kind != "organization" {
		u.Principal = &notify.Person{ID: c.Principal.ID, Name: c.Principal.Name}
	}
	for _, p := range c.Parties {
		if p.Invitee != "" && p.Status != InvitationRevoked {
			u.Parties = append(u.Parties, notify.Person{ID: p.Invitee, Name: p.Name})
		}
	}
	if c.Handler != nil {
		u.Handler = &notify.Person{ID: c.Handler.ID, Name: c.Handler.Name}
	}
	return u
}

// Transition changes a case's status along the allowed transitions
// (ErrIllegalTransition otherwise). A supplement request and a decision
// carry more than a status: they have their own calls, and a transition
// to their statuses is ErrBadInput.
func (s *Service) Transition(id string, who Ref, version int, to, note string) (*Case, error) {
	if to == StatusSupplementRequested || to == StatusDecided {
		return nil, ErrBadInput
	}
	return s.act(id, who, version, func(_ *store.Tx, c *Case, now time.Time) (*Event, string, error) {
		if !CanTransition(c.Status, to) {
			return nil, "", fmt.Errorf("%w: %s → %s", ErrIllegalTransition, c.Status, to)
		}
		ev := &Event{Type: "status-changed", At: now, Actor: who, From: c.Status, To: to, Note: strings.TrimSpace(note)}
		c.Status = to
		return ev, notify.KindCaseStatus, nil
	})
}

// Assign gives the case to a handler of its service (to: a username; ""
// takes it from whoever has it). Taking a submitted case starts its
// handling (in-progress).
func (s *Service) Assign(id string, who Ref, version int, to string) (*Case, error) {
	return s.act(id, who, version, func(tx *store.Tx, c *Case, now time.Time) (*Event, string, error) {
		ev := &Event{Type: "assigned", At: now, Actor: who, From: c.Status}
		if to == "" {
			c.Handler = nil
			ev.To = c.Status
			return ev, "", nil
		}
		role := identity.StaffRole(tx, to, c.Service)
		if role != identity.RoleHandler && role != identity.RoleManager {
			return nil, "", ErrNotHandler
		}
		var m struct {
			Name string `json:"name"`
		}
		if err := tx.Get(store.Staff, to, &m); err != nil {
			return nil, "", ErrNotHandler
		}
		c.Handler = &Ref{ID: to, Name: m.Name, Kind: identity.Staff}
		ev.Note = m.Name
		if c.Status == StatusSubmitted {
			c.Status = StatusInProgress
		}
		ev.To = c.Status
		if ev.To == ev.From { // handed to another handler: nothing new for the residents
			return ev, "", nil
		}
		return ev, notify.KindCaseStatus, nil
	})
}

// maxText bounds notes, messages and decision texts.
const maxText = 20000

func cleanText(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxText {
		return "", ErrBadInput
	}
	return s, nil
}

// AddNote records an internal note: seen by the staff of the service
// only, never in the resident's timeline or exports.
func (s *Service) AddNote(id string, who Ref, text string) (*Note, error) {
	text, err := cleanText(text)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var n *Note
	err = s.Store.Update(func(tx *store.Tx) error {
		_, a, err := s.caseFor(tx, viewer{Ref: who}, id)
		if err != nil {
			return err
		}
		if a != StaffHandle {
			return ErrForbidden
		}
		n = &Note{ID: store.NewID(now), Case: id, At: now, Author: who, Text: text}
		return tx.Put(store.CaseNotes, id+"/"+n.ID, n)
	})
	return n, err
}

// RequestSupplement asks the resident to correct fields of the form by
// due; the case waits for them (supplement-requested).
func (s *Service) RequestSupplement(id string, who Ref, version int, message string, fields []string, due time.Time) (*Case, error) {
	message, err := cleanText(message)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, ErrBadInput
	}
	return s.act(id, who, version, func(_ *store.Tx, c *Case, now time.Time) (*Event, string, error) {
		if !CanTransition(c.Status, StatusSupplementRequested) {
			return nil, "", fmt.Errorf("%w: %s → %s", ErrIllegalTransition, c.Status, StatusSupplementRequested)
		}
		if !due.After(now) {
			return nil, "", ErrBadInput
		}
		def, ok := s.Forms.Version(c.Service, c.FormVersion)
		if !ok {
			return nil, "", ErrNotFound
		}
		for _, f := range fields {
			if _, _, ok := def.Lookup(f); !ok {
				return nil, "", ErrBadInput
			}
		}
		c.Supplement = &Supplement{Message: message, Fields: slices.Clone(fields), Due: due, RequestedAt: now, By: who}
		ev := &Event{Type: "supplement-requested", At: now, Actor: who, From: c.Status, To: StatusSupplementRequested, Note: message}
		c.Status = StatusSupplementRequested
		return ev, notify.KindSupplementRequested, nil
	})
}

// Outcomes lists the decision outcomes.
var Outcomes = []string{OutcomeApproved, OutcomePartly, OutcomeRejected}

// Decide records the decision: the case is decided.
func (s *Service) Decide(id string, who Ref, version int, outcome, text string, file *Upload) (*Case, error) {
	text, err := cleanText(text)
	if err != nil || !slices.Contains(Outcomes, outcome) {
		return nil, ErrBadInput
	}
	var att *Attachment
	var content []byte
	if file != nil {
		if att, content, err = decisionFile(*file, who, s.Now()); err != nil {
			return nil, err
		}
	}
	return s.act(id, who, version, func(tx *store.Tx, c *Case, now time.Time) (*Event, string, error) {
		if !CanTransition(c.Status, StatusDecided) {
			return nil, "", fmt.Errorf("%w: %s → %s", ErrIllegalTransition, c.Status, StatusDecided)
		}
		c.Decision = &Decision{Outcome: outcome, Text: text, At: now, By: who}
		if att != nil {
			a := *att
			a.Blob = blobKey("decision/"+c.ID, a.SHA256)
			if err := putBlob(tx, a.Blob, content); err != nil {
				return nil, "", err
			}
			c.Decision.Attachment = &a
		}
		ev := &Event{Type: "decided", At: now, Actor: who, From: c.Status, To: StatusDecided, Note: outcome}
		c.Status = StatusDecided
		return ev, notify.KindDecision, nil
	})
}

// HandlerAttachment is a file of a case for a staff member who may see
// the case; the download is recorded in the audit log first.
func (s *Service) HandlerAttachment(caseID, attID string, who Ref) (*Attachment, []byte, error) {
	if !store.ValidID(attID) || who.Kind != identity.Staff {
		return nil, nil, ErrNotFound
	}
	now := s.Now()
	var a Attachment
	err := s.Store.Update(func(tx *store.Tx) error {
		c, _, err := s.caseFor(tx, viewer{Ref: who}, caseID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(c.Attachments, func(x Attachment) bool { return x.ID == attID })
		if i < 0 {
			return ErrNotFound
		}
		a = c.Attachments[i]
		return recordAccess(tx, s.staffActor(tx, who, c), c, audit.KindAttachment, now)
	})
	if err != nil {
		return nil, nil, err
	}
	var body []byte
	err = s.Store.View(func(tx *store.Tx) error {
		raw, err := tx.GetRaw(store.Blobs, a.blob())
		if err != nil {
			return err
		}
		body = append([]byte(nil), raw...)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		err = ErrNotFound
	}
	return &a, body, err
}

// SendHandlerMessage writes to the people of the case in its timeline.
func (s *Service) SendHandlerMessage(id string, who Ref, version int, text string) (*Case, error) {
	text, err := cleanText(text)
	if err != nil {
		return nil, err
	}
	return s.act(id, who, version, func(_ *store.Tx, c *Case, now time.Time) (*Event, string, error) {
		return &Event{Type: "message", At: now, Actor: who, Note: text}, notify.KindCaseMessage, nil
	})
}
