package audit

import (
	"encoding/json"
	"errors"
	"time"

	"asiointi/server/store"
)

// The audit log of administrative changes (who changed whose role),
// beside the access log (reads of personal data, audit.go); written inside
// the transaction of the change it records.

// Who is the person who acted.
type Who struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"` // resident | staff
}

// Entry is one administrative change or sensitive action.
type Entry struct {
	ID     string            `json:"id"`
	At     time.Time         `json:"at"`
	Actor  Who               `json:"actor"`
	Action string            `json:"action"` // e.g. role-set
	Target string            `json:"target"` // what it was done to (a username, a case id)
	Detail map[string]string `json:"detail,omitempty"`
}

// Actions recorded in the audit log.
const (
	ActionRoleSet = "role-set" // an admin gave or took a staff role
	// ActionPaperMandate: an official recorded a paper power of attorney
	// (Target the holder; Detail principal, issues, validity, document).
	ActionPaperMandate = "paper-mandate-recorded"
)

// Record writes e in tx; its id is made from its time when empty.
func Record(tx *store.Tx, e Entry) error {
	if e.Action == "" || e.Actor.ID == "" {
		return errors.New("audit: an entry needs an actor and an action")
	}
	if e.ID == "" {
		e.ID = store.NewID(e.At)
	}
	return tx.Put(store.Audit, e.ID, e)
}

// Entries lists up to limit entries, newest first (limit <= 0: all).
func Entries(st *store.Store, limit int) ([]Entry, error) {
	var out []Entry
	err := st.View(func(tx *store.Tx) error {
		return tx.ScanReverse(store.Audit, "", func(_ string, raw []byte) error {
			var e Entry
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			out = append(out, e)
			if limit > 0 && len(out) >= limit {
				return store.ErrStop
			}
			return nil
		})
	})
	return out, err
}
