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
// expire within ReminderBefore (once per draft, as a notification).
// It returns how many it deleted and reminded.
func (s *Service) Housekeep() (deleted, reminded int, err error) {
	now := s.Now()
	s.drafts.clear()
	var expired, remind []string
	err = s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.Drafts, "", func(k string, raw []byte) error {
			var d Draft
			if err := unmarshal(raw, &d); err != nil {
				return err
			}
			switch {
			case d.CaseID != "":
			case !now.Before(d.ExpiresAt):
				expired = append(expired, d.ID)
			case !d.Reminded && now.Add(ReminderBefore).After(d.ExpiresAt):
				remind = append(remind, d.ID)
			}
			return nil
		})
	})
	if err != nil {
		return 0, 0, err
	}
	for _, id := range expired {
		err := s.Store.Update(func(tx *store.Tx) error {
			d, err := s.getDraft(tx, id, false)
			if err != nil || d.CaseID != "" || now.Before(d.ExpiresAt) {
				return err
			}
			return s.deleteDraft(tx, d)
		})
		if err != nil {
			return deleted, reminded, err
		}
		deleted++
	}
	for _, id := range remind {
		err := s.Store.Update(func(tx *store.Tx) error {
			d, err := s.getDraft(tx, id, false)
			if err != nil || d.Reminded || d.CaseID != "" {
				return err
			}
			d.Reminded = true
			if err := notify.DraftExpiring(tx, d.Owner.ID, d.ID, d.Service, now, d.ExpiresAt); err != nil {
				return err
			}
			return putDraft(tx, d, nil)
		})
		if err != nil {
			return deleted, reminded, err
		}
		reminded++
	}
	return deleted, reminded, nil
}

// CollectOrphans deletes the attachments that nothing refers to any more
// (no answer of their draft, or not the case a submitted draft became) once
// they are OrphanGrace old, and their content when no other attachment of
// the owner shares it. It returns how many it deleted.
func (s *Service) CollectOrphans() (int, error) {
	now := s.Now()
	candidates := map[string][]string{} // draft id → orphaned attachment ids
	err := s.Store.View(func(tx *store.Tx) error {
		var old []string // drafts with attachments past the grace period
		err := tx.Scan(store.Attachments, "", func(_ string, raw []byte) error {
			var a Attachment
			if err := unmarshal(raw, &a); err != nil {
				return err
			}
			if now.Sub(a.CreatedAt) >= OrphanGrace && (len(old) == 0 || old[len(old)-1] != a.Draft) {
				old = append(old, a.Draft)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range old {
			ids, err := s.orphans(tx, id, now)
			if err != nil {
				return err
			}
			if len(ids) > 0 {
				candidates[id] = ids
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	deleted := 0
	for draftID := range candidates {
		n := 0
		err := s.Store.Update(func(tx *store.Tx) error {
			n = 0
			ids, err := s.orphans(tx, draftID, now) // again: the draft may have changed
			if err != nil {
				return err
			}
			for _, id := range ids {
				var a Attachment
				if err := tx.Get(store.Attachments, draftID+"/"+id, &a); err != nil {
					return err
				}
				if err := deleteAttachment(tx, &a); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return deleted, err
		}
		deleted += n
	}
	return deleted, nil
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
