package cases

import (
	"errors"
	"time"

	"asiointi/server/notify"
	"asiointi/server/store"
)

// ReminderBefore is how long before expiry a draft's owner is reminded.
const ReminderBefore = 3 * 24 * time.Hour

// Housekeep deletes expired drafts and reminds owners of drafts that
// expire within ReminderBefore (once per draft, as a notification), and
// deletes the files that nothing refers to (see CollectOrphans). It visits
// only the entries of the due index that have come due (due.go). It
// returns how many drafts it deleted and reminded.
func (s *Service) Housekeep() (deleted, reminded int, err error) {
	s.drafts.clear() // the cache only serves drafts being edited right now
	deleted, reminded, _, err = s.housekeep(dueDraft)
	return deleted, reminded, err
}

// CollectOrphans deletes the attachments that nothing refers to any more
// (no answer of their draft, or not the case a submitted draft became) once
// they are OrphanGrace old, and their content when no other attachment of
// the owner shares it. It looks at a draft's files OrphanGrace after one
// was added or the draft was submitted, and every OrphanGrace after that
// while the draft is open and has files. It returns how many it deleted.
func (s *Service) CollectOrphans() (int, error) {
	_, _, files, err := s.housekeep(dueFiles)
	return files, err
}

// housekeep visits the due entries of one kind.
func (s *Service) housekeep(kind string) (deleted, reminded, files int, err error) {
	now := s.Now()
	keys, err := s.dueUpTo(now)
	if err != nil || len(keys) == 0 {
		return 0, 0, 0, err
	}
	for _, k := range keys {
		_, kd, id, err := parseDueKey(k)
		if err != nil {
			return deleted, reminded, files, err
		}
		if kd != kind {
			continue
		}
		var del, rem, n int
		err = s.Store.Update(func(tx *store.Tx) error {
			del, rem, n = 0, 0, 0
			if !tx.Has(store.Due, k) { // done meanwhile
				return nil
			}
			if err := tx.Delete(store.Due, k); err != nil {
				return err
			}
			var err error
			if kind == dueDraft {
				del, rem, err = s.draftCameDue(tx, id, now)
			} else {
				n, err = s.filesCameDue(tx, id, now)
			}
			return err
		})
		if err != nil {
			return deleted, reminded, files, err
		}
		deleted, reminded, files = deleted+del, reminded+rem, files+n
	}
	return deleted, reminded, files, nil
}

// draftCameDue handles a draft whose entry came due (and was removed):
// it deletes the draft if it expired, reminds its owner if it expires
// soon, and files its next entry otherwise.
func (s *Service) draftCameDue(tx *store.Tx, id string, now time.Time) (deleted, reminded int, err error) {
	d, err := s.getDraft(tx, id, false)
	if errors.Is(err, ErrNotFound) {
		return 0, 0, nil
	}
	if err != nil || d.CaseID != "" {
		return 0, 0, err
	}
	d.Due = 0 // its entry is gone
	switch {
	case !now.Before(d.ExpiresAt) && d.Reopens != "": // its case ends too
		return 1, 0, s.closeReopened(tx, d, "lapsed", now)
	case !now.Before(d.ExpiresAt):
		if err := logDestruction(tx, Destruction{At: now, Kind: DestroyedDraft, Service: d.Service}); err != nil {
			return 0, 0, err
		}
		return 1, 0, s.deleteDraft(tx, d)
	case !d.Reminded && now.Add(ReminderBefore).After(d.ExpiresAt):
		d.Reminded = true
		if err := notify.DraftExpiring(tx, d.Owner.ID, d.ID, d.Service, now, d.ExpiresAt); err != nil {
			return 0, 0, err
		}
		reminded = 1
	}
	if err := fileDraftDue(tx, d); err != nil {
		return 0, 0, err
	}
	return 0, reminded, putDraft(tx, d, nil)
}

// filesCameDue deletes a draft's files that nothing refers to and asks
// to look again while the draft is open and has files left.
func (s *Service) filesCameDue(tx *store.Tx, draftID string, now time.Time) (int, error) {
	ids, err := s.orphans(tx, draftID, now)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		var a Attachment
		if err := tx.Get(store.Attachments, draftID+"/"+id, &a); err != nil {
			return 0, err
		}
		if err := deleteAttachment(tx, &a); err != nil {
			return 0, err
		}
	}
	d, err := s.getDraft(tx, draftID, false)
	if errors.Is(err, ErrNotFound) || (err == nil && d.CaseID != "") {
		return len(ids), nil
	}
	if err != nil {
		return 0, err
	}
	left, err := draftAttachments(tx, draftID)
	if err != nil || len(left) == 0 {
		return len(ids), err
	}
	return len(ids), fileFilesDue(tx, draftID, now.Add(OrphanGrace))
}

// orphans are the ids of a draft's attachments that nothing refers to and
// that are at least OrphanGrace old; all of them if the draft is gone.
func (s *Service) orphans(tx *store.Tx, draftID string, now time.Time) ([]string, error) {
	atts, err := draftAttachments(tx, draftID)
	if err != nil || len(atts) == 0 {
		return nil, err
	}
	var unused map[string]bool
	d, err := s.getDraft(tx, draftID, true)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, err
	default:
		if unused, err = s.unusedAttachments(tx, d, atts); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, a := range atts {
		if (d == nil || unused[a.ID]) && now.Sub(a.CreatedAt) >= OrphanGrace {
			out = append(out, a.ID)
		}
	}
	return out, nil
}
