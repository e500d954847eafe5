package cases

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"asiointi/server/store"
)

// Housekeeping visits only what has come due. The bucket store.Due holds
// one key per thing to look at and when: "<when>/<kind>/<draft id>", the
// time as 16 hex digits of Unix milliseconds so keys sort by time. Kinds:
//
//   - dueDraft: the draft's reminder, or once reminded its expiry. The
//     draft records the time of its entry (Draft.Due) so that submit and
//     delete remove it. An autosave does not touch the entry: a save only
//     moves the expiry later, so the entry comes due early, and the pass
//     that finds nothing to do yet files it again at the right time.
//   - dueFiles: the draft's files, OrphanGrace after one was added (and
//     after a submit, and again every OrphanGrace while the draft is open
//     and has files): its files that no answer refers to are deleted.
//
// A pass with nothing due reads one key.
const (
	dueDraft = "d"
	dueFiles = "f"
)

// dueKey is the key of an entry in store.Due (one allocation: every
// create, and each save that moves the entry, makes one).
func dueKey(at int64, kind, id string) string {
	var digits [16]byte
	hex := strconv.AppendUint(digits[:0], uint64(max(at, 0)), 16)
	var b strings.Builder
	b.Grow(16 + 2 + len(kind) + len(id))
	for range 16 - len(hex) {
		b.WriteByte('0')
	}
	b.Write(hex)
	b.WriteByte('/')
	b.WriteString(kind)
	b.WriteByte('/')
	b.WriteString(id)
	return b.String()
}

// parseDueKey splits a key of store.Due.
func parseDueKey(k string) (at int64, kind, id string, err error) {
	parts := strings.SplitN(k, "/", 3)
	if len(parts) != 3 || len(parts[0]) != 16 {
		return 0, "", "", fmt.Errorf("cases: bad due key %q", k)
	}
	u, err := strconv.ParseUint(parts[0], 16, 64)
	if err != nil {
		return 0, "", "", fmt.Errorf("cases: bad due key %q", k)
	}
	return int64(u), parts[1], parts[2], nil
}

// draftDue is when housekeeping must next look at a draft: its reminder
// (ReminderBefore its expiry) until it is reminded, then its expiry.
func draftDue(d *Draft) int64 {
	if !d.Reminded {
		return d.ExpiresAt.Add(-ReminderBefore).UnixMilli()
	}
	return d.ExpiresAt.UnixMilli()
}

// fileDraftDue puts d's entry at draftDue, moving the one it had; d's
// record must be written after (it holds the entry's time).
func fileDraftDue(tx *store.Tx, d *Draft) error {
	at := draftDue(d)
	if d.Due == at && d.Due != 0 {
		return nil
	}
	if err := unfileDraftDue(tx, d); err != nil {
		return err
	}
	d.Due = at
	return tx.PutRaw(store.Due, dueKey(at, dueDraft, d.ID), nil)
}

// unfileDraftDue removes d's entry (a submitted or deleted draft).
func unfileDraftDue(tx *store.Tx, d *Draft) error {
	if d.Due == 0 {
		return nil
	}
	err := tx.Delete(store.Due, dueKey(d.Due, dueDraft, d.ID))
	d.Due = 0
	return err
}

// fileFilesDue asks for a look at a draft's files at.
func fileFilesDue(tx *store.Tx, draftID string, at time.Time) error {
	return tx.PutRaw(store.Due, dueKey(at.UnixMilli(), dueFiles, draftID), nil)
}

// dueUpTo lists the entries due at now or before, oldest first.
func (s *Service) dueUpTo(now time.Time) ([]string, error) {
	bound := dueKey(now.UnixMilli(), "~", "") // every kind at now sorts below "~"
	var keys []string
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.Due, "", func(k string, _ []byte) error {
			if k > bound {
				return store.ErrStop
			}
			keys = append(keys, k)
			return nil
		})
	})
	return keys, err
}

// dueIndexMark in the meta bucket says the due index has been built.
const dueIndexMark = "dueIndex"

// UpgradeDue builds the due index of a data file written before it
// existed: an entry for every open draft and one, now, for the files of
// every draft that has any. It also drops the answers submitted drafts
// kept (their case has them, see loadData), as submit does now. A file
// that has the index already is left alone (a read-only transaction
// succeeds then).
func UpgradeDue(tx *store.Tx, now time.Time) error {
	if tx.Has(store.Meta, dueIndexMark) {
		return nil
	}
	var drafts []*Draft
	var submitted []string
	err := tx.Scan(store.Drafts, "", func(_ string, raw []byte) error {
		var d Draft
		if err := unmarshal(raw, &d); err != nil {
			return err
		}
		if d.CaseID == "" {
			drafts = append(drafts, &d)
		} else {
			submitted = append(submitted, d.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range submitted {
		if err := tx.Delete(store.DraftData, id); err != nil {
			return err
		}
	}
	for _, d := range drafts {
		if err := fileDraftDue(tx, d); err != nil {
			return err
		}
		if err := tx.Put(store.Drafts, d.ID, d); err != nil {
			return err
		}
	}
	last := ""
	err = tx.Scan(store.Attachments, "", func(k string, _ []byte) error {
		id, _, _ := strings.Cut(k, "/")
		if id == last {
			return nil
		}
		last = id
		return fileFilesDue(tx, id, now)
	})
	if err != nil {
		return err
	}
	return tx.PutRaw(store.Meta, dueIndexMark, []byte("1"))
}
