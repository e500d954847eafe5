package cases

import (
	"encoding/json"
	"slices"
	"time"

	"asiointi/server/catalog"
	"asiointi/server/forms"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// The decline loop: a party declines; the applicant takes the application
// back (Reopen), changes it and sends it again (Submit of the reopened
// draft), which asks every party again. Approvals of the earlier version
// do not carry over: they were bound to its answers.

// sameParties refuses a submit whose draft's parties changed after they
// were read (Submit then reads them again).
func sameParties(tx *store.Tx, d *Draft, seen []DraftParty) error {
	now, err := draftParties(tx, d.ID)
	if err != nil {
		return err
	}
	if !slices.EqualFunc(now, seen, func(a, b DraftParty) bool { return a.ID == b.ID }) {
		full := *d
		return refuse(&ConflictError{Current: &full})
	}
	return nil
}

// applicantCase loads a case its applicant may change: theirs, still
// waiting for the parties.
func applicantCase(tx *store.Tx, id, owner string) (*Case, error) {
	if !store.ValidID(id) {
		return nil, ErrNotFound
	}
	var c Case
	if err := tx.Get(store.Cases, id, &c); err != nil {
		return nil, ErrNotFound
	}
	if c.Actor.ID != owner {
		return nil, ErrNotFound
	}
	if c.Status != StatusAwaitingSignatures {
		return nil, ErrInvitationClosed
	}
	return &c, nil
}

// Reopen takes an application that waits for its parties back into a
// draft that the applicant can change and send again. The open
// invitations are revoked; the draft's id is returned.
func (s *Service) Reopen(caseID, owner string) (string, error) {
	now := s.Now()
	var draftID string
	err := s.Store.Update(func(tx *store.Tx) error {
		c, err := applicantCase(tx, caseID, owner)
		if err != nil {
			return err
		}
		d, err := s.getDraft(tx, c.DraftID, false)
		if err != nil {
			return err
		}
		svc, ok := s.Catalog.Service(d.Service)
		if !ok {
			return ErrNotFound
		}
		draftID = d.ID
		if d.CaseID == "" { // reopened already
			return nil
		}
		invs, err := caseInvitations(tx, c.ID)
		if err != nil {
			return err
		}
		for _, inv := range currentRound(invs) {
			if err := revokeOpen(tx, inv); err != nil {
				return err
			}
		}
		d.CaseID, d.Reopens = "", c.ID
		d.Version++
		d.UpdatedAt, d.ExpiresAt, d.Reminded = now, now.AddDate(0, 0, retentionDays(svc)), false
		raw, err := json.Marshal(c.Answers)
		if err != nil {
			return err
		}
		if err := fileDraftDue(tx, d); err != nil { // draft retention applies again
			return err
		}
		if err := putDraft(tx, d, raw); err != nil {
			return err
		}
		if err := tx.PutRaw(store.DraftsByUser, userKey(owner, d.ID), nil); err != nil {
			return err
		}
		if k := subjectIndexKey(d); k != "" {
			if err := tx.PutRaw(store.DraftsBySubject, k, nil); err != nil {
				return err
			}
		}
		ev := Event{ID: store.NewID(now), Case: c.ID, Type: "reopened", At: now, Actor: c.Actor}
		return tx.Put(store.Events, eventKey(c.ID, ev.ID), ev)
	})
	s.drafts.forget(draftID)
	return draftID, err
}

// resubmit sends a reopened draft again: the case gets the new answers,
// and every party named now gets a new invitation to approve them.
func (s *Service) resubmit(snap snapshot, def *forms.Definition, svc *catalog.Service, clean map[string]any,
	byID map[string]Attachment, parties []DraftParty, actor Ref, now time.Time) (*SubmitResult, error) {
	d := snap.d
	hash, err := answersHash(clean)
	if err != nil {
		return nil, err
	}
	var res SubmitResult
	_, err = s.drafts.update(s.Store, d.ID, snap.raw, func(tx *store.Tx, changed bool) error {
		res = SubmitResult{}
		latest, err := s.ownDraft(tx, d.ID, actor.ID, false)
		if err != nil {
			return err
		}
		if latest.CaseID != "" { // a concurrent submit won
			var c Case
			if err := tx.Get(store.Cases, latest.CaseID, &c); err != nil {
				return err
			}
			res = SubmitResult{Case: &c, Again: true}
			return nil
		}
		if changed && latest.Version != d.Version {
			full, err := s.getDraft(tx, d.ID, true)
			if err != nil {
				return err
			}
			return refuse(&ConflictError{Current: full})
		}
		if err := sameParties(tx, d, parties); err != nil {
			return err
		}
		var c Case
		if err := tx.Get(store.Cases, d.Reopens, &c); err != nil {
			return err
		}
		if c.Status != StatusAwaitingSignatures {
			return refuse(ErrInvitationClosed)
		}
		c.Answers, c.Known = clean, knownConcepts(def, clean)
		c.Attachments = usedAttachments(def, clean, byID)
		c.FormVersion, c.UpdatedAt = d.FormVersion, now
		before, err := caseInvitations(tx, c.ID)
		if err != nil {
			return err
		}
		c.Round++
		invs := newInvitations(&c, parties, c.Round, hash, invitationDays(svc), now)
		c.Parties = partyRows(invs)
		ev := Event{ID: store.NewID(now), Case: c.ID, Type: "resubmitted", At: now, Actor: actor, To: StatusAwaitingSignatures}
		if len(invs) == 0 { // no one left to ask: to handling
			c.Status, ev.To = StatusSubmitted, StatusSubmitted
		}
		if err := tx.Put(store.Events, eventKey(c.ID, ev.ID), ev); err != nil {
			return err
		}
		if err := partiesRemoved(tx, &c, currentRound(before), invs, actor, now); err != nil {
			return err
		}
		if err := invite(tx, &c, c.Reference, invs, now); err != nil {
			return err
		}
		if err := s.fileCaseDue(tx, &c); err != nil { // the answers' fields may differ
			return err
		}
		if err := tx.Put(store.Cases, c.ID, &c); err != nil {
			return err
		}
		if err := indexCase(tx, &c); err != nil { // to the inbox when no one is left to ask
			return err
		}
		if err := s.aggregate(tx, &c, now); err != nil {
			return err
		}
		done := *latest
		done.CaseID, done.Reopens, done.UpdatedAt = c.ID, "", now
		if err := putDraft(tx, &done, nil); err != nil {
			return err
		}
		if err := tx.Delete(store.DraftsByUser, userKey(actor.ID, d.ID)); err != nil {
			return err
		}
		if k := subjectIndexKey(d); k != "" {
			if err := tx.Delete(store.DraftsBySubject, k); err != nil {
				return err
			}
		}
		res = SubmitResult{Case: &c}
		return nil
	})
	s.drafts.forget(d.ID)
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// partiesRemoved handles the parties asked in the round before (before)
// whom the applicant took off the application before sending it again
// (not among asked, the new round): each is told that they need not
// answer, where they were asked (notify.KindPartyRemoved), the removal is
// an event of the case, an invitation still open is revoked, and whoever
// answered for them no longer sees the case as theirs — unless they are
// asked again, for another party.
func partiesRemoved(tx *store.Tx, c *Case, before, asked []*Invitation, actor Ref, now time.Time) error {
	kept, still := map[string]bool{}, map[string]bool{c.Actor.ID: true}
	for _, inv := range asked {
		kept[inv.Party] = true
		still[inv.Invitee()] = true
	}
	for _, inv := range before {
		if kept[inv.Party] {
			continue
		}
		if err := revokeOpen(tx, inv); err != nil {
			return err
		}
		if err := notify.Record(tx, notify.Notification{User: inv.recipient(), Kind: notify.KindPartyRemoved, At: now, Link: "/invitations",
			Params:  map[string]string{"service": c.Service, "reference": c.Reference, "actor": actor.Name},
			Contact: inv.contact()}); err != nil {
			return err
		}
		ev := Event{ID: store.NewID(now), Case: c.ID, Type: "party-removed", At: now, Actor: actor, Note: inv.Name}
		if err := tx.Put(store.Events, eventKey(c.ID, ev.ID), ev); err != nil {
			return err
		}
		if id := inv.Invitee(); id != "" && !still[id] {
			if err := tx.Delete(store.CasesByUser, userKey(id, c.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Resend asks a party whose invitation expired (or who has not answered)
// again: a new expiry, a new link; the links sent before stop working.
func (s *Service) Resend(caseID, owner, partyID string) error {
	now := s.Now()
	return s.Store.Update(func(tx *store.Tx) error {
		c, err := applicantCase(tx, caseID, owner)
		if err != nil {
			return err
		}
		svc, _ := s.Catalog.Service(c.Service)
		invs, err := caseInvitations(tx, c.ID)
		if err != nil {
			return err
		}
		for _, inv := range currentRound(invs) {
			if inv.Party != partyID {
				continue
			}
			switch inv.Status {
			case InvitationWaiting, InvitationOpened, InvitationExpired:
			default:
				return ErrInvitationClosed
			}
			if err := dropTokens(tx, inv); err != nil {
				return err
			}
			inv.Status, inv.Reminded = InvitationWaiting, false
			inv.ExpiresAt = now.AddDate(0, 0, invitationDays(svc))
			if err := notifyInvitee(tx, inv, c.Reference, notify.KindInvitation, now); err != nil {
				return err
			}
			return s.partyChanged(tx, inv, now, "")
		}
		return ErrNotFound
	})
}

// HousekeepInvitations expires the invitations past their time (the
// applicant is told and can send them again) and reminds the invitees
// whose invitation expires within ReminderBefore, once. It returns how
// many it expired and reminded.
func (s *Service) HousekeepInvitations() (expired, reminded int, err error) {
	now := s.Now()
	var expire, remind []string
	err = s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.Invitations, "", func(k string, raw []byte) error {
			var inv Invitation
			if err := unmarshal(raw, &inv); err != nil {
				return err
			}
			if inv.Status != InvitationWaiting && inv.Status != InvitationOpened {
				return nil
			}
			switch {
			case !now.Before(inv.ExpiresAt):
				expire = append(expire, inv.ID)
			case !inv.Reminded && now.Add(ReminderBefore).After(inv.ExpiresAt):
				remind = append(remind, inv.ID)
			}
			return nil
		})
	})
	if err != nil {
		return 0, 0, err
	}
	for _, id := range expire {
		done := false
		err := s.Store.Update(func(tx *store.Tx) error {
			done = false
			var inv Invitation
			if err := tx.Get(store.Invitations, id, &inv); err != nil {
				return err
			}
			if (inv.Status != InvitationWaiting && inv.Status != InvitationOpened) || now.Before(inv.ExpiresAt) {
				return nil
			}
			inv.Status = InvitationExpired
			if err := dropTokens(tx, &inv); err != nil {
				return err
			}
			done = true
			return s.partyChanged(tx, &inv, now, "")
		})
		if err != nil {
			return expired, reminded, err
		}
		if done {
			expired++
		}
	}
	for _, id := range remind {
		done := false
		err := s.Store.Update(func(tx *store.Tx) error {
			done = false
			var inv Invitation
			if err := tx.Get(store.Invitations, id, &inv); err != nil {
				return err
			}
			if inv.Reminded || !inv.Open(now) {
				return nil
			}
			var c Case
			if err := tx.Get(store.Cases, inv.Case, &c); err != nil {
				return err
			}
			inv.Reminded = true
			if err := notifyInvitee(tx, &inv, c.Reference, notify.KindInvitationReminder, now); err != nil {
				return err
			}
			done = true
			return tx.Put(store.Invitations, inv.ID, &inv)
		})
		if err != nil {
			return expired, reminded, err
		}
		if done {
			reminded++
		}
	}
	return expired, reminded, nil
}

// closeReopened ends the application a reopened draft was taken back
// from, when the draft goes without being sent again: the applicant
// deletes it (ev "withdrawn") or draft retention does ("lapsed"). The
// case, which never went to handling, is withdrawn and stays out of the
// inbox; the applicant and the parties are told; the draft becomes the
// case's sent draft again, so that the case keeps its attachments (the
// files only the draft used are collected after OrphanGrace).
func (s *Service) closeReopened(tx *store.Tx, d *Draft, evType string, now time.Time) error {
	s.drafts.forget(d.ID)
	var c Case
	if err := tx.Get(store.Cases, d.Reopens, &c); err != nil {
		return err
	}
	if c.Status == StatusAwaitingSignatures {
		ev := Event{ID: store.NewID(now), Case: c.ID, Type: evType, At: now, Actor: c.Actor, Principal: c.Principal,
			From: c.Status, To: StatusWithdrawn}
		c.Status, c.UpdatedAt = StatusWithdrawn, now
		c.Version++
		if err := tx.Put(store.Cases, c.ID, &c); err != nil {
			return err
		}
		if err := unindexCase(tx, &c); err != nil {
			return err
		}
		if err := tx.Put(store.Events, eventKey(c.ID, ev.ID), ev); err != nil {
			return err
		}
		u, err := s.caseUpdate(tx, &c, notify.KindCaseStatus, &ev)
		if err != nil {
			return err
		}
		if evType == "lapsed" { // no one acted: the applicant hears of it too
			u.By = notify.Person{}
		}
		if err := notify.CaseUpdate(tx, u); err != nil {
			return err
		}
	}
	if err := unfileDraftDue(tx, d); err != nil {
		return err
	}
	done := *d
	done.CaseID, done.Reopens, done.UpdatedAt, done.Due = c.ID, "", now, 0
	if err := putDraft(tx, &done, nil); err != nil {
		return err
	}
	if err := tx.Delete(store.DraftData, d.ID); err != nil {
		return err
	}
	if err := tx.Delete(store.DraftsByUser, userKey(d.Owner.ID, d.ID)); err != nil {
		return err
	}
	if atts, err := draftAttachments(tx, d.ID); err != nil || len(atts) == 0 {
		return err
	}
	return fileFilesDue(tx, d.ID, now.Add(OrphanGrace))
}

// revokeOpen revokes inv when it still waits for an answer (its link
// tokens go with it); an answered invitation stays as it is.
func revokeOpen(tx *store.Tx, inv *Invitation) error {
	if inv.Status != InvitationWaiting && inv.Status != InvitationOpened {
		return nil
	}
	inv.Status = InvitationRevoked
	if err := dropTokens(tx, inv); err != nil {
		return err
	}
	return tx.Put(store.Invitations, inv.ID, inv)
}
