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

// ForgetCase deletes, in tx, the notifications about a case of the people
// in users (its link names the case: "/cases/<id>" for residents,
// "/staff/cases/<id>" for its handler, "/shared/<id>" for whom it was
// shared with) and the deliveries still owed for
// them, keeping the unread counts right. Retention calls it when it
// deletes the case, so no copy of it outlives it in the outbox.
func ForgetCase(tx *store.Tx, caseID string, users []string) error {
	gone := map[string]bool{}
	for _, u := range users {
		var keys []string
		var unread int64
		err := tx.Scan(store.Notices, u+"/", func(k string, raw []byte) error {
			var n Notification
			if err := json.Unmarshal(raw, &n); err != nil {
				return err
			}
			if n.Link == "/cases/"+caseID || n.Link == "/staff/cases/"+caseID || n.Link == "/shared/"+caseID {
				keys = append(keys, k)
				gone[n.ID] = true
				if !n.Read {
					unread++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(store.Notices, k); err != nil {
				return err
			}
		}
		if unread > 0 {
			if _, err := tx.AddCount(unreadKey(u), -unread); err != nil {
				return err
			}
		}
	}
	if len(gone) == 0 {
		return nil
	}
	var owed []string
	err := tx.Scan(store.Outbox, "", func(k string, raw []byte) error {
		var d Delivery
		if err := json.Unmarshal(raw, &d); err != nil {
			return err
		}
		if gone[d.Notice] {
			owed = append(owed, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range owed {
		if err := tx.Delete(store.Outbox, k); err != nil {
			return err
		}
	}
	return nil
}
