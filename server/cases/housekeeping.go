package cases

import (
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
