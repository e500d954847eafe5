package cases

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// The resident's side of handling: answering a supplement request,
// messages to the handler, withdrawing. Each is an event in the case's
// timeline, and the handler is told.

// SupplementResult is the outcome of SendSupplement: the case, or the
// problems with the corrected answers (nothing saved).
type SupplementResult struct {
	Case   *Case
	Errors []forms.FieldError
}

// SendSupplement corrects exactly the fields the open supplement request
// names (values of other fields are ignored), checks the whole
// application again, and sends it back to handling with the changes in
// the event.
func (s *Service) SendSupplement(id string, who Ref, values map[string]any) (*SupplementResult, error) {
	now := s.Now()
	v, err := s.viewerOf(who, now)
	if err != nil {
		return nil, err
	}
	if err := s.mayActOnCase(v, id, now); err != nil {
		return nil, err
	}
	var res SupplementResult
	err = s.Store.Update(func(tx *store.Tx) error {
		res = SupplementResult{}
		c, a, err := s.caseFor(tx, v, id)
		if err != nil {
			return err
		}
		if a != ResidentAccess {
			return ErrForbidden
		}
		if c.Status != StatusSupplementRequested || c.Supplement == nil {
			return fmt.Errorf("%w: no open supplement request", ErrIllegalTransition)
		}
		def, ok := s.Forms.Version(c.Service, c.FormVersion)
		if !ok {
			return ErrNotFound
		}
		merged := copyMap(c.Answers)
		for _, f := range c.Supplement.Fields {
			if v, ok := values[f]; ok {
				merged[f] = v
			} else {
				delete(merged, f)
			}
		}
		// The case's files and those sent for the supplement (its
		// draft's; other files of the draft are not the case's).
		byID := map[string]Attachment{}
		for _, a := range c.Attachments {
			byID[a.ID] = a
		}
		drafts, err := draftAttachments(tx, c.DraftID)
		if err != nil {
			return err
		}
		for _, a := range drafts {
			if slices.Contains(c.Supplement.Fields, a.Field) && !a.CreatedAt.Before(c.Supplement.RequestedAt) {
				byID[a.ID] = a
			}
		}
		clean, errs := def.CheckSubmit(merged, forms.CheckOptions{Now: now, Attachment: func(id string) (forms.Attachment, bool) {
			a, ok := byID[id]
			return a.Form(), ok
		}})
		if len(errs) > 0 {
			res.Errors = errs
			return nil
		}
		c.Attachments = usedAttachments(def, clean, byID)
		var changes []Change
		for _, f := range c.Supplement.Fields {
			if !reflect.DeepEqual(c.Answers[f], clean[f]) {
				changes = append(changes, Change{Field: f, From: c.Answers[f], To: clean[f]})
			}
		}
		c.Answers = clean
		sent := now
		c.Supplement.SentAt = &sent
		ev := &Event{Type: "supplement-sent", At: now, Actor: who, Principal: c.Principal, From: c.Status, To: StatusInProgress, Changes: changes}
		c.Status = StatusInProgress
		if err := s.residentWrite(tx, v, c, ev, now); err != nil {
			return err
		}
		res.Case = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// AddSupplementFile stores a file the resident sends for a file field
// that the open supplement request names (with the case's draft's files,
// as the resident's). SendSupplement then answers the field with its id;
// a file no answer takes is collected after OrphanGrace.
func (s *Service) AddSupplementFile(caseID string, who Ref, field string, up Upload) (*Attachment, error) {
	now := s.Now()
	v, err := s.viewerOf(who, now)
	if err != nil {
		return nil, err
	}
	if err := s.mayActOnCase(v, caseID, now); err != nil { // an upload in someone's name re-checks the right
		return nil, err
	}
	var c *Case
	err = s.Store.View(func(tx *store.Tx) error {
		var a Access
		var err error
		if c, a, err = s.caseFor(tx, v, caseID); err != nil {
			return err
		}
		if a != ResidentAccess {
			return ErrForbidden
		}
		if c.Status != StatusSupplementRequested || c.Supplement == nil {
			return fmt.Errorf("%w: no open supplement request", ErrIllegalTransition)
		}
		if !slices.Contains(c.Supplement.Fields, field) {
			return ErrNotFileFld
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	def, ok := s.Forms.Version(c.Service, c.FormVersion)
	if !ok {
		return nil, ErrNotFound
	}
	a, content, err := fieldFile(def, c.DraftID, field, who.ID, up, now)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(func(tx *store.Tx) error {
		if err := putBlob(tx, a.Blob, content); err != nil {
			return err
		}
		if err := fileFilesDue(tx, c.DraftID, now.Add(OrphanGrace)); err != nil {
			return err
		}
		return tx.Put(store.Attachments, c.DraftID+"/"+a.ID, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Withdraw ends an application the municipality has not decided yet, at
// the resident's request.
func (s *Service) Withdraw(id string, who Ref, reason string) (*Case, error) {
	return s.residentAct(id, who, func(c *Case, now time.Time) (*Event, error) {
		if !slices.Contains(OpenStatuses, c.Status) {
			return nil, fmt.Errorf("%w: %s → %s", ErrIllegalTransition, c.Status, StatusWithdrawn)
		}
		ev := &Event{Type: "withdrawn", At: now, Actor: who, Principal: c.Principal, From: c.Status, To: StatusWithdrawn, Note: trimTo(reason)}
		c.Status = StatusWithdrawn
		return ev, nil
	})
}

// SendMessage adds the resident's message to the case's timeline, while
// it is not decided.
func (s *Service) SendMessage(id string, who Ref, text string) (*Case, error) {
	text, err := cleanText(text)
	if err != nil {
		return nil, err
	}
	return s.residentAct(id, who, func(c *Case, now time.Time) (*Event, error) {
		if !slices.Contains(OpenStatuses, c.Status) {
			return nil, fmt.Errorf("%w: the application is %s", ErrIllegalTransition, c.Status)
		}
		return &Event{Type: "message", At: now, Actor: who, Principal: c.Principal, Note: text}, nil
	})
}

func trimTo(s string) string {
	t, err := cleanText(s)
	if err != nil {
		return ""
	}
	return t
}

// mayActOnCase checks, before an action on a case made in someone else's
// name, that the one acting still has the right to act for them (the
// same check as a draft's save and submit: a mandate revoked or expired,
// a child come of age, a role ended are refused and logged). It runs
// outside the write: the check may ask Suomi.fi Mandates.
func (s *Service) mayActOnCase(v viewer, id string, now time.Time) error {
	var c *Case
	err := s.Store.View(func(tx *store.Tx) (err error) {
		c, _, err = s.caseFor(tx, v, id)
		return err
	})
	if err != nil || !proxied(v.Ref, c.Principal) || c.Actor.ID != v.ID {
		return err // access itself is decided in the write
	}
	svc, ok := s.Catalog.Service(c.Service)
	if !ok {
		return ErrNotFound
	}
	return s.mayAct("case", svc, v.Ref, c.Principal, c.DraftID, now)
}

// residentAct runs a resident's action on their case.
func (s *Service) residentAct(id string, who Ref, change func(c *Case, now time.Time) (*Event, error)) (*Case, error) {
	now := s.Now()
	v, err := s.viewerOf(who, now)
	if err != nil {
		return nil, err
	}
	if err := s.mayActOnCase(v, id, now); err != nil {
		return nil, err
	}
	var out *Case
	err = s.Store.Update(func(tx *store.Tx) error {
		c, a, err := s.caseFor(tx, v, id)
		if err != nil {
			return err
		}
		if a != ResidentAccess {
			return ErrForbidden
		}
		ev, err := change(c, now)
		if err != nil {
			return err
		}
		if err := s.residentWrite(tx, v, c, ev, now); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// residentWrite stores a case a resident changed: a new version, the
// event, the index, and the handler told (and the other people of the
// case, except the one who acted).
func (s *Service) residentWrite(tx *store.Tx, v viewer, c *Case, ev *Event, now time.Time) error {
	c.Version++
	c.UpdatedAt = now
	if err := s.writeCase(tx, c, ev, ""); err != nil {
		return err
	}
	a := notify.Action{Case: c.ID, Reference: c.Reference, Service: c.Service, At: ev.At,
		Actor: notify.Person{ID: ev.Actor.ID, Name: ev.Actor.Name}, HandlerKind: notify.KindCaseActivity, Status: c.Status}
	if c.Handler != nil {
		a.Handlers = []notify.Person{{ID: c.Handler.ID, Name: c.Handler.Name}}
	}
	if err := notify.HandlersOnly(tx, a); err != nil {
		return err
	}
	if err := s.proxyFinished(tx, v, c, ev); err != nil {
		return err
	}
	return residentsTold(tx, c, ev)
}

// residentsTold tells, when a resident's action changed the status of a
// case (a withdrawal, a supplement sent), the people of the case on the
// resident side whom nothing else tells: its co-applicants (as its other
// parties of a joint matter are told in writeCase, notify.PartyStatus)
// and its sender when someone else acted — the principal, a co-applicant
// (notify.KindCaseStatus). The principal and an organisation's people
// hear of it through proxyFinished, the handler through HandlersOnly;
// the one who acted is not told.
func residentsTold(tx *store.Tx, c *Case, ev *Event) error {
	if ev.To == "" || ev.To == ev.From {
		return nil
	}
	u := caseChange(c, notify.KindPartyStatus, ev)
	var parties []notify.Person
	for _, p := range u.Parties {
		if !slices.ContainsFunc(c.Notified, func(n Party) bool { return n.ID == p.ID }) { // told in writeCase
			parties = append(parties, p)
		}
	}
	if err := notify.PartyStatus(tx, u, parties); err != nil {
		return err
	}
	if u.By.ID == u.Actor.ID || (c.Principal != nil && c.Principal.Kind == identity.PrincipalOrganization) {
		return nil // only its sender acts on an organisation's case (access)
	}
	return notify.CaseUpdate(tx, notify.CaseChange{Kind: notify.KindCaseStatus, Case: u.Case, Reference: u.Reference,
		Service: u.Service, Status: u.Status, At: u.At, By: u.By, Actor: u.Actor})
}

// proxyFinished records, when someone acting for the person of the case
// answered a supplement request or withdrew it, the action in the
// principal's "done in my name" and tells the principal, or for an
// organisation the others who may now act for it in the service (its
// role's holders and valid mandates naming its issue, as at submit).
func (s *Service) proxyFinished(tx *store.Tx, v viewer, c *Case, ev *Event) error {
	action, kind, orgKind := "", "", ""
	switch ev.Type {
	case "supplement-sent":
		action, kind, orgKind = ActionSupplementAnswered, notify.KindProxySupplemented, notify.KindOrgSupplemented
	case "withdrawn":
		action, kind, orgKind = ActionWithdrawn, notify.KindProxyWithdrew, notify.KindOrgWithdrew
	case "consent-withdrawn": // the person's own consent: they are told (not logged as an action of "done in my name")
		if !proxied(ev.Actor, c.Principal) || c.Principal.Kind == identity.PrincipalOrganization {
			return nil
		}
		return notify.ProxyActed(tx, notify.KindProxyConsent, caseChange(c, notify.KindProxyConsent, ev))
	default:
		return nil
	}
	if !proxied(ev.Actor, c.Principal) {
		return nil
	}
	if err := logDoneFor(tx, DoneFor{Principal: c.Principal.ID, At: ev.At, Actor: ev.Actor, Role: v.roleIn(c.Principal.ID), Action: action,
		Service: c.Service, Draft: c.DraftID, Case: c.ID, Reference: c.Reference}); err != nil {
		return err
	}
	if c.Principal.Kind == identity.PrincipalOrganization {
		u, err := s.caseUpdate(tx, c, orgKind, ev) // with the organisation's people
		if err != nil {
			return err
		}
		return notify.OrgActed(tx, orgKind, u, *u.Organisation)
	}
	u, err := s.caseUpdate(tx, c, kind, ev)
	if err != nil {
		return err
	}
	return notify.ProxyActed(tx, kind, u)
}
