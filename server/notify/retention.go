package notify

import (
	"encoding/json"
	"errors"
	"time"

	"asiointi/server/store"
)

// How long what this package keeps is kept. A delivery leaves the outbox
// when its channel took it or it was given up, so the outbox needs no
// retention of its own.
const (
	KeepRead     = 90 * 24 * time.Hour  // a read notice
	KeepNotice   = 365 * 24 * time.Hour // any notice, read or not
	KeepRecorded = 30 * 24 * time.Hour  // a message in the demo outbox
)

// pruneChunk bounds one write transaction of Prune.
const pruneChunk = 500

// Prune deletes the notices past their retention (read ones after
// KeepRead, unread ones after KeepNotice, keeping the unread count right)
// and the demo outbox's messages after KeepRecorded. Housekeeping calls
// it; it returns how many records it deleted.
func Prune(st *store.Store, now time.Time) (int, error) {
	expired := func(at time.Time, read bool) bool {
		return now.Sub(at) >= KeepNotice || (read && now.Sub(at) >= KeepRead)
	}
	type stamp struct {
		At   time.Time `json:"at"`
		Read bool      `json:"read"`
	}
	var notices, recorded []string
	err := st.View(func(tx *store.Tx) error {
		if err := tx.Scan(store.Notices, "", func(k string, raw []byte) error {
			var s stamp
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			if expired(s.At, s.Read) {
				notices = append(notices, k)
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.Scan(store.DevOutbox, "", func(k string, raw []byte) error {
			var s stamp
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			if now.Sub(s.At) >= KeepRecorded {
				recorded = append(recorded, k)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	deleted := 0
	for len(notices) > 0 {
		chunk := notices[:min(pruneChunk, len(notices))]
		notices = notices[len(chunk):]
		n := 0
		err := st.Update(func(tx *store.Tx) error {
			n = 0
			for _, k := range chunk {
				var nt Notification
				err := tx.Get(store.Notices, k, &nt)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if !expired(nt.At, nt.Read) { // read meanwhile: kept longer
					continue
				}
				if err := tx.Delete(store.Notices, k); err != nil {
					return err
				}
				if !nt.Read {
					if _, err := tx.AddCount(unreadKey(nt.User), -1); err != nil {
						return err
					}
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
	for len(recorded) > 0 {
		chunk := recorded[:min(pruneChunk, len(recorded))]
		recorded = recorded[len(chunk):]
		err := st.Update(func(tx *store.Tx) error {
			for _, k := range chunk {
				if err := tx.Delete(store.DevOutbox, k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return deleted, err
		}
		deleted += len(chunk)
	}
	return deleted, nil
}
