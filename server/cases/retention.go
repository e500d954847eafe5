package cases

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"asiointi/server/forms"
	"asiointi/server/legal"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// Retention of applications. A case has one entry in the due index
// (dueCase) at the next day something of it is to be deleted: an answer
// whose field's retention ends (forms.Field.Retention, counted from the
// submission) or the whole case at Case.RetainUntil (the service's case
// retention). A case still being handled is not deleted: its entry comes
// back a day later. Each deletion writes a line to the destruction log
// (store.Destructions): the kind, the reference and when, never the
// content.
const dueCase = "c"

// Kinds of the destruction log.
const (
	DestroyedCase   = "case"   // a whole application, with its files, events and index entries
	DestroyedAnswer = "answer" // one answer whose field's retention ended
	DestroyedDraft  = "draft"  // a draft that expired unsent
)

// Destruction is one line of the destruction log.
type Destruction struct {
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	Reference string    `json:"reference,omitempty"` // the case's reference; a draft has none
	Service   string    `json:"service"`
	Field     string    `json:"field,omitempty"` // the field id of a deleted answer
}

func logDestruction(tx *store.Tx, d Destruction) error {
	return tx.Put(store.Destructions, store.NewID(d.At), d)
}

// Destructions lists the destruction log, oldest first.
func (s *Service) Destructions() ([]Destruction, error) {
	var out []Destruction
	err := s.Store.View(func(tx *store.Tx) (err error) {
		out, err = store.Values[Destruction](tx, store.Destructions, "")
		return err
	})
	return out, err
}

// DueKeyOfDraft is the key of a draft's entry in the due index ("" for none).
func DueKeyOfDraft(d *Draft) string {
	if d.Due == 0 {
		return ""
	}
	return dueKey(d.Due, dueDraft, d.ID)
}

// DueKeyOfCase is the key of a case's retention entry in the due index.
func DueKeyOfCase(c *Case) string {
	if c.RetentionDue == 0 {
		return ""
	}
	return dueKey(c.RetentionDue, dueCase, c.ID)
}

// caseRetentionDue is the next time something of c is to be deleted.
func (s *Service) caseRetentionDue(c *Case) time.Time {
	next := c.RetainUntil
	if def, ok := s.Forms.Version(c.Service, c.FormVersion); ok {
		for id := range c.Answers {
			f, _, ok := def.Lookup(id)
			if !ok || f.Retention == "" {
				continue
			}
			if r, err := f.RetainUntil(c.SubmittedAt); err == nil && r.Before(next) {
				next = r
			}
		}
	}
	return next
}

// fileCaseDue puts c's retention entry at its next deletion; c's record
// must be written after (it holds the entry's time).
func (s *Service) fileCaseDue(tx *store.Tx, c *Case) error {
	at := s.caseRetentionDue(c).UnixMilli()
	if c.RetentionDue == at {
		return nil
	}
	if c.RetentionDue != 0 {
		if err := tx.Delete(store.Due, DueKeyOfCase(c)); err != nil {
			return err
		}
	}
	c.RetentionDue = at
	return tx.PutRaw(store.Due, DueKeyOfCase(c), nil)
}

// finalStatuses are those of an application nobody handles any more.
var finalStatuses = []string{StatusDecided, StatusClosed, StatusCancelled, StatusWithdrawn}

// Retain visits the cases whose retention entry has come due: it deletes
// their answers whose time is up and the cases whose retention ended. It
// returns how many answers and cases it deleted.
func (s *Service) Retain() (answers, deleted int, err error) {
	now := s.Now()
	keys, err := s.dueUpTo(now)
	if err != nil {
		return 0, 0, err
	}
	for _, k := range keys {
		_, kind, id, err := parseDueKey(k)
		if err != nil {
			return answers, deleted, err
		}
		if kind != dueCase {
			continue
		}
		var a, d int
		err = s.Store.Update(func(tx *store.Tx) error {
			a, d = 0, 0
			if !tx.Has(store.Due, k) {
				return nil
			}
			if err := tx.Delete(store.Due, k); err != nil {
				return err
			}
			var c Case
			if err := tx.Get(store.Cases, id, &c); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				return err
			}
			c.RetentionDue = 0 // its entry is gone
			var err error
			a, d, err = s.caseCameDue(tx, &c, now)
			return err
		})
		if err != nil {
			return answers, deleted, err
		}
		answers, deleted = answers+a, deleted+d
	}
	return answers, deleted, nil
}

// caseCameDue deletes what of c is past its retention at now.
func (s *Service) caseCameDue(tx *store.Tx, c *Case, now time.Time) (answers, deleted int, err error) {
	if !slices.Contains(finalStatuses, c.Status) {
		// Still being handled: look again tomorrow.
		c.RetentionDue = now.Add(24 * time.Hour).UnixMilli()
		if err := tx.PutRaw(store.Due, DueKeyOfCase(c), nil); err != nil {
			return 0, 0, err
		}
		return 0, 0, tx.Put(store.Cases, c.ID, c)
	}
	if !now.Before(c.RetainUntil) {
		return 0, 1, s.deleteCase(tx, c, now)
	}
	if def, ok := s.Forms.Version(c.Service, c.FormVersion); ok {
		answers, err = dropExpiredAnswers(tx, def, c, now)
		if err != nil {
			return 0, 0, err
		}
	}
	if answers > 0 {
		// The report counts go with the answers (issue 14): the case's
		// report facts (index a/<case>) hold its answers' values, so they
		// must not outlive the answers, and the counts stay what a
		// recomputation from the stored cases gives, as when a whole case
		// is destroyed. The privacy notice promises the answer is deleted
		// on its day; a report of a past month may therefore shrink when
		// its answers' retention ends (never below what is still kept).
		if err := s.aggregate(tx, c, now); err != nil {
			return 0, 0, err
		}
	}
	if err := s.fileCaseDue(tx, c); err != nil {
		return 0, 0, err
	}
	return answers, 0, tx.Put(store.Cases, c.ID, c)
}

// dropExpiredAnswers removes c's answers whose field's retention has ended.
func dropExpiredAnswers(tx *store.Tx, def *forms.Definition, c *Case, now time.Time) (int, error) {
	n := 0
	for id := range c.Answers {
		f, _, ok := def.Lookup(id)
		if !ok || f.Retention == "" {
			continue
		}
		r, err := f.RetainUntil(c.SubmittedAt)
		if err != nil || now.Before(r) {
			continue
		}
		delete(c.Answers, id)
		delete(c.Sources, id)
		n++
		if err := logDestruction(tx, Destruction{At: now, Kind: DestroyedAnswer, Reference: c.Reference, Service: c.Service, Field: id}); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// deleteCase removes a case and everything that is there because of it:
// its events, files (and their content when nothing else refers to it),
// the draft it came from, its parties and invitations with their tokens,
// its index entries and its internal notes. The access log keeps its
// entries (they hold no content, and the chain must not break).
func (s *Service) deleteCase(tx *store.Tx, c *Case, now time.Time) error {
	people := map[string]bool{c.Actor.ID: true}
	if c.Principal != nil {
		people[c.Principal.ID] = true
	}
	invs, err := caseInvitations(tx, c.ID)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if err := dropTokens(tx, inv); err != nil {
			return err
		}
		if id := inv.Invitee(); id != "" {
			people[id] = true
			if err := tx.Delete(store.InvitationsByUser, id+"/"+inv.ID); err != nil {
				return err
			}
		}
		if err := tx.Delete(store.InvitationsByCase, c.ID+"/"+inv.ID); err != nil {
			return err
		}
		if err := tx.Delete(store.Invitations, inv.ID); err != nil {
			return err
		}
	}
	if c.Handler != nil {
		people[c.Handler.ID] = true
	}
	for _, p := range c.Notified { // the other parties of a joint matter
		people[p.ID] = true
	}
	shares, err := caseShares(tx, c.ID) // told of their share (sharedTold)
	if err != nil {
		return err
	}
	for _, sh := range shares {
		people[sh.Invitee.ID] = true
	}
	var ids []string
	for id := range people {
		ids = append(ids, id)
		if err := tx.Delete(store.CasesByUser, userKey(id, c.ID)); err != nil {
			return err
		}
	}
	if err := notify.ForgetCase(tx, c.ID, ids); err != nil {
		return err
	}
	for _, b := range []string{store.Events, store.CaseNotes} {
		var keys []string
		if err := tx.Scan(b, c.ID+"/", func(k string, _ []byte) error { keys = append(keys, k); return nil }); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(b, k); err != nil {
				return err
			}
		}
	}
	if c.DraftID != "" {
		d, err := s.getDraft(tx, c.DraftID, false)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		default:
			if err := s.deleteDraft(tx, d); err != nil { // its files, parties, answers
				return err
			}
		}
	}
	for i := range c.Attachments { // files whose draft record is gone already
		a := c.Attachments[i]
		if tx.Has(store.Attachments, a.Draft+"/"+a.ID) {
			if err := deleteAttachment(tx, &a); err != nil {
				return err
			}
		}
	}
	if err := unindexCase(tx, c); err != nil {
		return err
	}
	if err := deleteShares(tx, c.ID); err != nil {
		return err
	}
	if c.Reference != "" {
		if err := tx.Delete(store.CasesByRef, c.Reference); err != nil {
			return err
		}
	}
	if err := tx.Delete(store.Cases, c.ID); err != nil {
		return err
	}
	return logDestruction(tx, Destruction{At: now, Kind: DestroyedCase, Reference: c.Reference, Service: c.Service})
}

// unindexCase removes c's rows and counts from the inbox index, and its
// report facts and counts (a rebuild from the remaining cases must give
// the same aggregates).
func unindexCase(tx *store.Tx, c *Case) error {
	if err := dropFacts(tx, c.ID); err != nil {
		return err
	}
	var old InboxRow
	if err := tx.Get(store.CaseIndex, "r/"+c.ID, &old); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	for _, e := range old.keys() {
		if err := tx.Delete(store.CaseIndex, e.key); err != nil {
			return err
		}
	}
	for _, k := range countKeys(&old) {
		if _, err := tx.AddCount(k, -1); err != nil {
			return err
		}
	}
	return tx.Delete(store.CaseIndex, "r/"+c.ID)
}

// caseRetentionMark in the meta bucket says every case has its retention
// entry in the due index.
const caseRetentionMark = "caseRetentionIndex"

// UpgradeRetention files the retention entry of every case of a data
// file written before cases had one, and indexes drafts by their subject
// (store.DraftsBySubject), once, at start (it needs the forms: app calls
// it after loading them). A file that has them is left alone.
func (s *Service) UpgradeRetention() error {
	done := false
	if err := s.Store.View(func(tx *store.Tx) error { done = tx.Has(store.Meta, caseRetentionMark); return nil }); err != nil || done {
		return err
	}
	return s.Store.UpdateAlone(s.upgradeRetention)
}

func (s *Service) upgradeRetention(tx *store.Tx) error {
	if tx.Has(store.Meta, caseRetentionMark) {
		return nil
	}
	var list []*Case
	err := tx.Scan(store.Cases, "", func(_ string, raw []byte) error {
		var c Case
		if err := unmarshal(raw, &c); err != nil {
			return err
		}
		if c.RetentionDue == 0 {
			list = append(list, &c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range list {
		if err := s.fileCaseDue(tx, c); err != nil {
			return err
		}
		if err := tx.Put(store.Cases, c.ID, c); err != nil {
			return err
		}
	}
	var drafts []*Draft
	err = tx.Scan(store.Drafts, "", func(_ string, raw []byte) error {
		var d Draft
		if err := unmarshal(raw, &d); err != nil {
			return err
		}
		if d.CaseID == "" && d.Principal != nil && d.Principal.ID != d.Owner.ID {
			drafts = append(drafts, &d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range drafts {
		if err := tx.PutRaw(store.DraftsBySubject, userKey(d.Principal.ID, d.ID), nil); err != nil {
			return err
		}
	}
	return tx.PutRaw(store.Meta, caseRetentionMark, []byte("1"))
}

// subjectIndexKey is a draft's entry in DraftsBySubject ("" when the
// draft is the owner's own).
func subjectIndexKey(d *Draft) string {
	if d.Principal == nil || d.Principal.ID == d.Owner.ID {
		return ""
	}
	return userKey(d.Principal.ID, d.ID)
}

// WithdrawConsent withdraws a consent given on an application: the
// answer of a consent field (its legal basis is consent) becomes false,
// the withdrawal is an event on the case, the handler is told, and what
// relied on it is no longer used (prefill reads the answer, now false).
// Only the person the application is about, or whoever sent it for them,
// may withdraw it.
func (s *Service) WithdrawConsent(id, field string, who Ref) (*Case, error) {
	return s.residentAct(id, who, func(c *Case, now time.Time) (*Event, error) {
		if who.ID != c.Actor.ID && who.ID != c.Subject().ID {
			return nil, ErrForbidden
		}
		def, ok := s.Forms.Version(c.Service, c.FormVersion)
		if !ok {
			return nil, fmt.Errorf("cases: form %s version %d is not loaded", c.Service, c.FormVersion)
		}
		f, _, ok := def.Lookup(field)
		if !ok || strings.Contains(field, ".") || f.Type != forms.TypeCheckbox || !legal.Parse(f.LegalBasis).Consent() {
			return nil, ErrNotFound
		}
		if v, _ := c.Answers[field].(bool); !v {
			return nil, ErrNotConsented
		}
		c.Answers[field] = false
		if c.ConsentsWithdrawn == nil {
			c.ConsentsWithdrawn = map[string]*time.Time{}
		}
		at := now.UTC()
		c.ConsentsWithdrawn[field] = &at
		return &Event{Type: "consent-withdrawn", At: now, Actor: who, Principal: c.Principal, Note: field,
			Changes: []Change{{Field: field, From: true, To: false}}}, nil
	})
}

// ErrNotConsented: the consent was not given, or is withdrawn already.
var ErrNotConsented = errors.New("cases: no consent to withdraw")
