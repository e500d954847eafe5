package cases

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"asiointi/server/audit"
	"asiointi/server/catalog"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// Service runs drafts and cases on the store.
type Service struct {
	Store     *store.Store
	Catalog   *catalog.Catalog
	Forms     *Forms
	Register  Register
	RefPrefix string
	Now       func() time.Time
	// UploadQuota caps, per person, the bytes of files waiting in their
	// unsubmitted drafts (see heldBytes); 0 is no cap.
	UploadQuota int64
	// Log gets a line for every refused attempt to act for someone (ids
	// only); nil logs nothing.
	Log *slog.Logger
	// Mandates, when set (ASIOINTI_MANDATES=suomifi), answers for the
	// mandates a person chose in Suomi.fi Mandates, on every check.
	Mandates MandatesCheck

	drafts draftRecords // the autosave path's records (records.go)
}

// draftKey and friends build the index keys.
func userKey(user, id string) string    { return user + "/" + id }
func eventKey(caseID, id string) string { return caseID + "/" + id }

// getDraft loads a draft's record; withData also loads its answers.
func (s *Service) getDraft(tx *store.Tx, id string, withData bool) (*Draft, error) {
	raw, err := draftRecord(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	// A page of a draft reads it more than once (the draft, its files),
	// and a record was most of a step page's decoding: the decoded records
	// are kept (draftRecords.get).
	d, err := s.drafts.get(id, raw)
	if err != nil {
		return nil, err
	}
	if withData {
		if err := loadData(tx, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// StoredDraft is the record of draft id (without its answers), sent or
// not; ErrNotFound when there is none.
func StoredDraft(tx *store.Tx, id string) (*Draft, error) {
	raw, err := draftRecord(tx, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	var d Draft
	if err := unmarshal(raw, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// draftRecord is the stored record of draft id: a draft being written
// (bucket Drafts) or a sent one (DraftsSent; older data files keep
// those in Drafts too).
func draftRecord(tx *store.Tx, id string) ([]byte, error) {
	raw, err := tx.GetRaw(store.Drafts, id)
	if errors.Is(err, store.ErrNotFound) {
		raw, err = tx.GetRaw(store.DraftsSent, id)
	}
	return raw, err
}

// putSent stores the record of a sent draft (raw, JSON) in DraftsSent and
// removes it from Drafts.
func putSent(tx *store.Tx, id string, raw []byte) error {
	if err := tx.Delete(store.Drafts, id); err != nil {
		return err
	}
	return tx.PutRaw(store.DraftsSent, id, raw)
}

// sentMark in the meta bucket says the records of sent drafts are in
// DraftsSent.
const sentMark = "draftsSent"

// UpgradeSent moves the records of drafts sent before DraftsSent existed
// out of Drafts (and any answers they kept), once: app's upgrade runs it
// before anything reads. `asiointi compact` then gives the space back.
func UpgradeSent(tx *store.Tx) error {
	if tx.Has(store.Meta, sentMark) {
		return nil
	}
	type rec struct {
		id  string
		raw []byte
	}
	var sent []rec
	err := tx.Scan(store.Drafts, "", func(id string, raw []byte) error {
		var d struct {
			CaseID string `json:"caseId"`
		}
		if err := unmarshal(raw, &d); err != nil {
			return err
		}
		if d.CaseID != "" {
			sent = append(sent, rec{id, bytes.Clone(raw)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range sent {
		if err := putSent(tx, r.id, r.raw); err != nil {
			return err
		}
		if err := tx.Delete(store.DraftData, r.id); err != nil {
			return err
		}
	}
	return tx.PutRaw(store.Meta, sentMark, []byte("1"))
}

// loadData loads a draft's answers; a submitted draft's are its case's
// (submit moves them there).
func loadData(tx *store.Tx, d *Draft) error {
	raw, err := tx.GetRaw(store.DraftData, d.ID)
	if err == nil {
		err = decodeAnswers(raw, &d.Data)
	}
	if errors.Is(err, store.ErrNotFound) && d.CaseID != "" {
		var c struct {
			Answers map[string]any `json:"answers"`
		}
		if err = tx.Get(store.Cases, d.CaseID, &c); err == nil {
			d.Data = c.Answers
		}
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if d.Data == nil {
		d.Data = map[string]any{}
	}
	return nil
}

// ownDraft loads a draft of the owner; any other person gets ErrNotFound,
// so ids reveal nothing.
func (s *Service) ownDraft(tx *store.Tx, id, owner string, withData bool) (*Draft, error) {
	if !store.ValidID(id) {
		return nil, ErrNotFound
	}
	d, err := s.getDraft(tx, id, withData)
	if err != nil {
		return nil, err
	}
	if d.Owner.ID != owner {
		return nil, ErrNotFound
	}
	return d, nil
}

// putDraft writes a draft's record (in DraftsSent once sent) and, when
// raw is not nil, its answers.
func putDraft(tx *store.Tx, d *Draft, raw []byte) error {
	if d.CaseID != "" {
		rec, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if err := putSent(tx, d.ID, rec); err != nil {
			return err
		}
	} else {
		if err := tx.Delete(store.DraftsSent, d.ID); err != nil { // reopened
			return err
		}
		if err := tx.Put(store.Drafts, d.ID, d); err != nil {
			return err
		}
	}
	if raw == nil {
		return nil
	}
	return tx.PutRaw(store.DraftData, d.ID, raw)
}

// CreateDraft starts a draft of the service's newest form for owner, acting
// for principal (nil: for themself), with known data prefilled. It refuses
// what the service's on-behalf requirement does not allow (the ErrOnBehalf
// family, see MayApply), a subject the service is not for (an
// *EligibilityError) and a service that is not open now (a *ClosedError, ErrClosed).
func (s *Service) CreateDraft(serviceID string, owner Ref, principal *Ref) (*Draft, error) {
	svc, ok := s.Catalog.Service(serviceID)
	if !ok {
		return nil, ErrNotFound
	}
	def, ok := s.Forms.Latest(serviceID)
	if !ok {
		return nil, ErrNotFound
	}
	now := s.Now()
	if err := s.mayAct("create", svc, owner, principal, "", now); err != nil {
		return nil, err
	}
	if err := s.eligible(svc, owner, principal, now); err != nil {
		return nil, err
	}
	if !svc.AvailabilityAt(now).Open {
		return nil, &ClosedError{Service: svc.ID}
	}
	d := &Draft{
		ID: store.NewID(now), Service: serviceID, Municipality: svc.Municipality, FormVersion: def.Version,
		Owner: owner, Principal: principal, Version: 1, Data: map[string]any{},
		CreatedAt: now, UpdatedAt: now,
		ExpiresAt: now.AddDate(0, 0, retentionDays(svc)),
	}
	pre, err := s.prefill(def, d)
	if err != nil {
		return nil, err
	}
	d.Prefill = pre
	for id, src := range pre {
		src.Hash = prefillHash(src.Value)
		pre[id] = src
		d.Data[id] = src.Value
		if f, _, ok := def.Lookup(id); ok && f.Locked {
			if d.Locked == nil {
				d.Locked = map[string]any{}
			}
			d.Locked[id] = src.Value
		}
	}
	raw, err := encodeAnswers(d.Data)
	if err != nil {
		return nil, err
	}
	// The record and the draft's entry in housekeeping's list
	// (fileDraftDue, which a new draft has none to move of) are made
	// before the serial write, as a save makes them.
	d.Due = draftDue(d)
	record, err := encodeStored(d)
	if err != nil {
		return nil, err
	}
	role := s.roleIn(owner, principal, now)
	err = s.Store.Update(func(tx *store.Tx) error {
		if err := tx.PutRaw(store.Due, dueKey(d.Due, dueDraft, d.ID), nil); err != nil {
			return err
		}
		// A new id: nothing of it in DraftsSent to remove (putDraft).
		if err := tx.PutRaw(store.Drafts, d.ID, record); err != nil {
			return err
		}
		if err := tx.PutRaw(store.DraftData, d.ID, raw); err != nil {
			return err
		}
		if proxied(owner, principal) {
			if err := logDoneFor(tx, DoneFor{Principal: principal.ID, At: now, Actor: owner, Role: role,
				Action: ActionStarted, Service: serviceID, Draft: d.ID}); err != nil {
				return err
			}
		}
		if k := subjectIndexKey(d); k != "" {
			if err := tx.PutRaw(store.DraftsBySubject, k, nil); err != nil {
				return err
			}
		}
		return tx.PutRaw(store.DraftsByUser, userKey(owner.ID, d.ID), nil)
	})
	putAnswers(raw) // the write has ended
	if err != nil {
		return nil, err
	}
	// The first save (or page) of the draft reads this record: it finds
	// its decoding kept, as after a save.
	s.drafts.remember(d.ID, record, storedCopy(d))
	return d, nil
}

// storedCopy is d as decoding its record gives it back: maps of its own
// and no prefilled values (PrefillSource.Value is not stored).
func storedCopy(d *Draft) Draft {
	c := ownCopy(*d)
	for id, src := range c.Prefill {
		src.Value = nil
		c.Prefill[id] = src
	}
	c.Data = nil
	return c
}

func retentionDays(svc *catalog.Service) int {
	if svc.DraftRetentionDays > 0 {
		return svc.DraftRetentionDays
	}
	return 30
}

// Draft returns the owner's draft.
func (s *Service) Draft(id, owner string) (*Draft, error) {
	var d *Draft
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		d, err = s.ownDraft(tx, id, owner, true)
		return err
	})
	return d, err
}

// Definition is the form a draft was started with.
func (s *Service) Definition(d *Draft) (*forms.Definition, error) {
	def, ok := s.Forms.Version(d.Service, d.FormVersion)
	if !ok {
		return nil, fmt.Errorf("form %s v%d is missing", d.Service, d.FormVersion)
	}
	return def, nil
}

// Save stores new answers if version is the draft's current version: data
// replaces every answer. The
// values are shape-checked leniently (a draft may be incomplete); locked
// prefilled answers keep their register value. step < 0 keeps the step.
// Saving keeps the draft for the service's draft retention from now on.
// A stale version gets a *ConflictError holding the current draft; a
// draft made for someone the owner may no longer act for gets the
// on-behalf refusal, and one for someone the service is no longer for an
// *EligibilityError.
func (s *Service) Save(id, owner string, version int, data map[string]any, step int) (*Draft, []forms.FieldError, error) {
	w := &wholeAnswers{data: data}
	out, errs, err := s.save(id, owner, version, w, step)
	if err == nil {
		out.Data = w.clean
	}
	return out, errs, err
}

// SaveChanges is Save of the answers that changed: changes maps top-level
// field ids to their new values, null for an answer removed; the other
// answers stay as saved. It is exactly Save of the saved answers with
// changes merged in — the same checks (forms.CheckDraftChanges checks each
// changed field by CheckDraft's rule), the same version, conflict and
// refusal rules, the same write — but it neither decodes nor encodes the
// answers it does not change. The draft it returns has no Data.
func (s *Service) SaveChanges(id, owner string, version int, changes map[string]any, step int) (*Draft, []forms.FieldError, error) {
	return s.save(id, owner, version, &changedAnswers{changes: changes}, step)
}

// save is Save and SaveChanges: edit says what becomes of the answers.
func (s *Service) save(id, owner string, version int, edit answersEdit, step int) (*Draft, []forms.FieldError, error) {
	// Everything that can run in parallel runs before the serial write:
	// reading, checking and encoding both the answers and the next record.
	what := recordOnly
	if edit.stored() {
		what = withRawAnswers
	}
	snap, err := s.drafts.read(s.Store, id, what)
	if err != nil {
		return nil, nil, err
	}
	defer snap.release()
	pre := snap.d
	if pre.Owner.ID != owner {
		return nil, nil, ErrNotFound
	}
	if pre.CaseID != "" {
		return nil, nil, ErrSubmitted
	}
	svc, ok := s.Catalog.Service(pre.Service)
	if !ok {
		return nil, nil, ErrNotFound
	}
	now := s.Now()
	if err := s.mayAct("save", svc, pre.Owner, pre.Principal, pre.ID, now); err != nil {
		return nil, nil, err
	}
	role := s.roleIn(pre.Owner, pre.Principal, now) // for the principal's log, read outside the write
	// Whom the draft is for must still be someone the service is for (a
	// child may have grown past its age limit since the start): saved
	// answers that could never be sent would only mislead.
	if err := s.eligible(svc, pre.Owner, pre.Principal, now); err != nil {
		return nil, nil, err
	}
	if pre.Version != version { // versions only grow: stale for sure
		cur, err := s.Draft(id, owner)
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, &ConflictError{Current: cur}
	}
	def, err := s.Definition(pre)
	if err != nil {
		return nil, nil, err
	}
	shapeErrs, err := edit.check(def, pre.Locked)
	if err != nil {
		return nil, nil, err
	}
	raw, err := edit.apply(snap.answers)
	if err != nil {
		return nil, nil, err
	}
	w := &saveWrite{s: s, id: id, owner: owner, version: version, edit: edit, snap: snap, raw: raw,
		role: role, now: now, svc: svc, step: min(step, len(def.Steps))}
	w.out = *pre
	w.saved(&w.out)
	// A save moves the expiry later, so the draft's entry in housekeeping's
	// list comes due early and stays; only one that would come too late
	// (a draft without one, or a shorter retention) is filed again.
	w.refile = w.out.Due == 0 || draftDue(&w.out) < w.out.Due
	if !w.refile {
		if w.record, err = s.drafts.next(snap, &w.out); err != nil {
			return nil, nil, err
		}
	}
	changed, err := s.drafts.update(s.Store, id, snap.raw, w.write)
	putAnswers(raw) // stored (or not): the write has ended
	if err != nil {
		return nil, nil, err
	}
	if changed || w.refile {
		s.drafts.forget(id)
	} else { // the stored record is exactly what was encoded here
		s.drafts.remember(id, w.record, w.out)
	}
	out := &w.out // the caller's: w keeps nothing else for it
	*w = saveWrite{out: w.out}
	out.Data = nil
	return out, shapeErrs, nil
}

// saveWrite is a save's serial write and what it needs, made before it:
// one value rather than a closure for each part.
type saveWrite struct {
	s         *Service
	id, owner string
	version   int
	edit      answersEdit
	snap      snapshot
	raw       []byte // the answers to store, made from those read
	record    []byte // the next record, made from the one read (not when refile)
	refile    bool   // the draft's due entry moves
	role      string // for the principal's log
	now       time.Time
	svc       *catalog.Service
	step      int
	out       Draft // the draft as saved
}

// answers is what the write stores: raw, made from the answers as read,
// unless they changed since (then made again from the current).
func (w *saveWrite) answers(tx *store.Tx) ([]byte, error) {
	if !w.edit.stored() {
		return w.raw, nil
	}
	cur, err := tx.GetRaw(store.DraftData, w.id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if bytes.Equal(cur, w.snap.answers) && (cur == nil) == (w.snap.answers == nil) {
		return w.raw, nil
	}
	return w.edit.apply(cur)
}

// saved makes what a save changes in the record.
func (w *saveWrite) saved(d *Draft) {
	d.Version++
	d.UpdatedAt = w.now
	d.ExpiresAt = w.now.AddDate(0, 0, retentionDays(w.svc))
	d.Reminded = false
	if w.step >= 0 {
		d.Step = w.step
	}
}

// write is the save's write (draftRecords.update: it may run again).
func (w *saveWrite) write(tx *store.Tx, changed bool) error {
	raw, err := w.answers(tx)
	if err != nil {
		return err
	}
	pre := w.snap.d
	if !changed && !w.refile { // the usual case: nothing touched the draft since it was read
		if err := logEdit(tx, pre, w.role, w.now); err != nil {
			return err
		}
		if err := tx.PutRaw(store.Drafts, w.id, w.record); err != nil {
			return err
		}
		return tx.PutRaw(store.DraftData, w.id, raw)
	}
	if !changed {
		d := *pre
		w.saved(&d)
		if err := fileDraftDue(tx, &d); err != nil {
			return err
		}
		w.out = d
		return putDraft(tx, &d, raw)
	}
	d, err := w.s.ownDraft(tx, w.id, w.owner, false)
	if err != nil {
		return err
	}
	switch {
	case d.CaseID != "":
		return refuse(ErrSubmitted)
	case d.Version != w.version:
		full, err := w.s.getDraft(tx, w.id, true)
		if err != nil {
			return err
		}
		return refuse(&ConflictError{Current: full})
	}
	// Same version, other bookkeeping changed (a reminder).
	if err := logEdit(tx, d, w.role, w.now); err != nil {
		return err
	}
	w.saved(d)
	if d.Due == 0 || draftDue(d) < d.Due {
		if err := fileDraftDue(tx, d); err != nil {
			return err
		}
	}
	w.out = *d
	return putDraft(tx, d, raw)
}

// applyLocked puts locked prefilled values back: the resident may not
// change what the register says when the form locks it.
func applyLocked(locked, data map[string]any) {
	for id, v := range locked {
		data[id] = v
	}
}

// Delete removes the owner's unsubmitted draft and its attachments.
func (s *Service) Delete(id, owner string) error {
	return s.Store.UpdateAlone(func(tx *store.Tx) error {
		d, err := s.ownDraft(tx, id, owner, false)
		if err != nil {
			return err
		}
		if d.CaseID != "" {
			return ErrSubmitted
		}
		if d.Reopens != "" { // the application taken back ends with it
			return s.closeReopened(tx, d, "withdrawn", s.Now())
		}
		return s.deleteDraft(tx, d)
	})
}

// deleteDraft removes a draft, its answers and its attachments, and the
// file contents no other attachment shares.
func (s *Service) deleteDraft(tx *store.Tx, d *Draft) error {
	s.drafts.forget(d.ID)
	atts, err := draftAttachments(tx, d.ID)
	if err != nil {
		return err
	}
	for i := range atts {
		if err := deleteAttachment(tx, &atts[i]); err != nil {
			return err
		}
	}
	if err := tx.Delete(store.DraftData, d.ID); err != nil {
		return err
	}
	if err := tx.Delete(store.DraftsByUser, userKey(d.Owner.ID, d.ID)); err != nil {
		return err
	}
	if k := subjectIndexKey(d); k != "" {
		if err := tx.Delete(store.DraftsBySubject, k); err != nil {
			return err
		}
	}
	parties, err := draftParties(tx, d.ID)
	if err != nil {
		return err
	}
	for _, p := range parties {
		if err := tx.Delete(store.DraftParties, partyKey(d.ID, p.ID)); err != nil {
			return err
		}
	}
	if err := unfileDraftDue(tx, d); err != nil {
		return err
	}
	if err := tx.Delete(store.DraftsSent, d.ID); err != nil {
		return err
	}
	return tx.Delete(store.Drafts, d.ID)
}

// SubmitResult is the outcome of Submit.
type SubmitResult struct {
	Case   *Case
	Errors []forms.FieldError
	// Again is true when the draft had already been submitted: the same
	// case is returned (a double click or a retry).
	Again bool
}

// submitTries is how many times Submit checks a draft when saves keep
// landing between its check and its write.
const submitTries = 3

// Submit validates the draft and turns it into a case, in one transaction
// with its first event and index entries. Repeating it returns the same
// case. Validation errors leave the draft untouched. A save that lands
// between the check and the write makes Submit check the saved answers
// again; a *ConflictError only when that keeps happening.
func (s *Service) Submit(id string, actor Ref) (*SubmitResult, error) {
	for try := 1; ; try++ {
		res, err := s.submit(id, actor)
		var ce *ConflictError
		if !errors.As(err, &ce) || try == submitTries {
			return res, err
		}
	}
}

// submit is one try of Submit.
func (s *Service) submit(id string, actor Ref) (*SubmitResult, error) {
	// The draft's files are read with it: the owner is checked below, and
	// Attachments read the draft again in a transaction of its own.
	snap, err := s.drafts.read(s.Store, id, withAnswersAndFiles)
	if err != nil {
		return nil, err
	}
	d, atts := snap.d, snap.files
	if d.Owner.ID != actor.ID {
		return nil, ErrNotFound
	}
	if d.CaseID != "" {
		c, err := s.caseByID(d.CaseID)
		return &SubmitResult{Case: c, Again: true}, err
	}
	svc, ok := s.Catalog.Service(d.Service)
	if !ok {
		return nil, ErrNotFound
	}
	now := s.Now()
	if err := s.mayAct("submit", svc, d.Owner, d.Principal, d.ID, now); err != nil {
		return nil, err
	}
	if err := s.eligible(svc, d.Owner, d.Principal, now); err != nil {
		return nil, err
	}
	if !svc.AvailabilityAt(now).Open {
		return nil, &ClosedError{Service: svc.ID, Draft: d.ID}
	}
	def, err := s.Definition(d)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Attachment, len(atts))
	for _, a := range atts {
		byID[a.ID] = a
	}
	// d.Data was decoded for this submit alone: the locked values go
	// into it, not into a copy.
	data := d.Data
	applyLocked(d.Locked, data)
	clean, errs := def.CheckSubmit(data, forms.CheckOptions{Now: now, Attachment: func(id string) (forms.Attachment, bool) {
		a, ok := byID[id]
		return a.Form(), ok
	}})
	var parties []DraftParty
	if svc.OnBehalf == catalog.OnBehalfAllParties {
		if parties, err = s.Parties(d.ID, actor.ID); err != nil {
			return nil, err
		}
		missing, err := s.partyProblems(d, def, clean, parties)
		if err != nil {
			return nil, err
		}
		errs = append(errs, missing...)
	}
	if len(errs) > 0 {
		return &SubmitResult{Errors: errs}, nil
	}
	if d.Reopens != "" {
		return s.resubmit(snap, def, svc, clean, byID, parties, actor, now)
	}
	role := s.roleIn(actor, d.Principal, now)
	var notified []Party
	if svc.NotifyOtherParties {
		if notified, err = s.otherParties(actor, d.Principal); err != nil {
			return nil, err
		}
	}
	// Everything but the reference number is made and encoded before the
	// serial write.
	year := now.In(datefmt.Helsinki()).Year()
	c := &Case{
		ID: store.NewID(now), Service: d.Service, Municipality: s.municipality(d.Municipality),
		FormVersion: d.FormVersion, Status: StatusSubmitted,
		Actor: actor, Principal: d.Principal, Answers: clean,
		Attachments: usedAttachments(def, clean, byID), Parties: []Party{}, Notified: notified, DraftID: d.ID,
		SubmittedAt: now, UpdatedAt: now,
		DueAt:       DueAfter(now, svc.ProcessingDays, svc.ProcessingWorkingDays),
		RetainUntil: svc.CaseRetentionUntil(now),
		Sources:     prefillSources(casePrefill(d), clean),
	}
	c.RetentionDue = s.caseRetentionDue(c).UnixMilli()
	var invs []*Invitation
	if len(parties) > 0 { // the parties approve before it goes to handling
		hash, err := answersHash(clean)
		if err != nil {
			return nil, err
		}
		c.Status, c.Round = StatusAwaitingSignatures, 1
		invs = newInvitations(c, parties, 1, hash, invitationDays(svc), now)
		c.Parties = partyRows(invs)
	}
	// Without the reference (see caseRecord) and without Known, which
	// is read from the answers (withKnown).
	caseJSON, err := encodeCaseRecord(c)
	if err != nil {
		return nil, err
	}
	ev := Event{ID: store.NewID(now), Case: c.ID, Type: "submitted", At: now, Actor: actor, Principal: d.Principal, To: c.Status}
	evJSON, err := encodeStoredPooled(ev)
	if err != nil {
		return nil, err
	}
	// The draft's record stays, small, for the links to it and a repeated
	// submit; its answers go (the case has them, see loadData).
	done := *d
	done.Data, done.Prefill, done.Locked = nil, nil, nil
	done.CaseID, done.UpdatedAt, done.Due = c.ID, now, 0 // submitted: nothing comes due
	doneJSON, err := encodeStoredPooled(&done)
	if err != nil {
		putAnswers(evJSON)
		return nil, err
	}
	dueWas := d.Due
	// The answers by concept, for the result: made before the serial
	// write, which need not wait for them.
	known := knownConcepts(def, clean)
	var res SubmitResult
	_, err = s.drafts.update(s.Store, id, snap.raw, func(tx *store.Tx, changed bool) error {
		res = SubmitResult{}
		due := dueWas
		if changed {
			latest, err := s.ownDraft(tx, id, actor.ID, false)
			if err != nil {
				return err
			}
			due = latest.Due
			if latest.CaseID != "" { // a concurrent submit won
				var c Case
				if err := tx.Get(store.Cases, latest.CaseID, &c); err != nil {
					return err
				}
				s.withKnown(&c)
				res = SubmitResult{Case: &c, Again: true}
				return nil
			}
			if latest.Version != d.Version { // saved meanwhile: check again
				full, err := s.getDraft(tx, id, true)
				if err != nil {
					return err
				}
				return refuse(&ConflictError{Current: full})
			}
			// Same answers, other bookkeeping changed: go on.
		}
		n, err := tx.NextSeq(refCounter(c.Municipality, year))
		if err != nil {
			return err
		}
		ref := caseReference(s.RefPrefix, year, n)
		record, err := caseJSON.withReference(ref)
		if err != nil {
			return err
		}
		if err := tx.PutRaw(store.Cases, c.ID, record); err != nil {
			return err
		}
		if err := tx.PutRaw(store.CasesByRef, ref, []byte(c.ID)); err != nil {
			return err
		}
		if err := tx.PutRaw(store.Due, DueKeyOfCase(c), nil); err != nil {
			return err
		}
		if k := subjectIndexKey(d); k != "" {
			if err := tx.Delete(store.DraftsBySubject, k); err != nil {
				return err
			}
		}
		if err := tx.PutRaw(store.CasesByUser, userKey(actor.ID, c.ID), nil); err != nil {
			return err
		}
		if d.Principal != nil && d.Principal.ID != actor.ID {
			if err := tx.PutRaw(store.CasesByUser, userKey(d.Principal.ID, c.ID), nil); err != nil {
				return err
			}
		}
		for _, p := range notified { // a notified party finds the case among theirs (read-only: access)
			if err := tx.PutRaw(store.CasesByUser, userKey(p.ID, c.ID), nil); err != nil {
				return err
			}
		}
		if err := tx.PutRaw(store.Events, eventKey(c.ID, ev.ID), evJSON); err != nil {
			return err
		}
		made := *c
		made.Reference = ref
		if err := indexCase(tx, &made); err != nil {
			return err
		}
		if err := s.aggregate(tx, &made, now); err != nil {
			return err
		}
		act, err := s.submittedAction(tx, svc, c, ref)
		if err != nil {
			return err
		}
		if err := notify.Submitted(tx, act); err != nil {
			return err
		}
		if len(invs) > 0 {
			if err := sameParties(tx, d, parties); err != nil {
				return err
			}
			if err := invite(tx, c, ref, invs, now); err != nil {
				return err
			}
		}
		if proxied(actor, d.Principal) {
			if err := logDoneFor(tx, DoneFor{Principal: d.Principal.ID, At: now, Actor: actor, Role: role,
				Action: ActionSubmitted, Service: d.Service, Draft: d.ID, Case: c.ID, Reference: ref}); err != nil {
				return err
			}
		}
		if err := putSent(tx, id, doneJSON); err != nil {
			return err
		}
		if err := tx.Delete(store.DraftData, id); err != nil {
			return err
		}
		if err := tx.Delete(store.DraftsByUser, userKey(actor.ID, id)); err != nil {
			return err
		}
		if err := unfileDraftDue(tx, &Draft{ID: id, Due: due}); err != nil {
			return err
		}
		if len(atts) > 0 { // the files the case does not use go after the grace
			if err := fileFilesDue(tx, id, now.Add(OrphanGrace)); err != nil {
				return err
			}
		}
		made.Known = known
		res = SubmitResult{Case: &made}
		return nil
	})
	s.drafts.forget(id)
	// The write has ended: the store put copies of these.
	caseJSON.release()
	putAnswers(evJSON)
	putAnswers(doneJSON)
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// caseReference is a case's reference, "<prefix>-<year>-<n, 6 digits or
// more>": fmt.Sprintf("%s-%d-%06d", prefix, year, n) in one allocation.
func caseReference(prefix string, year int, n uint64) string {
	var buf [64]byte
	b := append(append(buf[:0], prefix...), '-')
	b = append(strconv.AppendInt(b, int64(year), 10), '-')
	return string(appendZeroPadded(b, n, 6))
}

// prefillSources are the sources of the prefilled answers that were
// sent as they were prefilled (one the person changed is theirs).
func prefillSources(pre map[string]PrefillSource, answers map[string]any) map[string]PrefillSource {
	var out map[string]PrefillSource
	for id := range pre {
		v, ok := answers[id]
		if !ok {
			continue
		}
		src, ok := SourceOf(pre, id, v)
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]PrefillSource{}
		}
		src.Value = nil
		out[id] = src
	}
	return out
}

// withReference makes the record of a case encoded without its reference
// (Case.Reference is left out when empty) and the reference, which is
// numbered only inside the serial write: the reference becomes the
// record's first member.
func withReference(caseJSON []byte, ref string) ([]byte, error) {
	if len(caseJSON) < 2 || caseJSON[0] != '{' || caseJSON[len(caseJSON)-1] != '}' {
		return nil, fmt.Errorf("cases: a case record is a JSON object, not %.20q", caseJSON)
	}
	out := make([]byte, 0, len(caseJSON)+len(ref)+len(`"reference":"",`))
	out = append(out, `{"reference":`...)
	if plainID(ref) { // as every reference is ("ESI-2027-000042"): its JSON is itself in quotes
		out = append(append(append(out, '"'), ref...), '"')
	} else {
		value, err := json.Marshal(ref)
		if err != nil {
			return nil, err
		}
		out = append(out, value...)
	}
	if len(caseJSON) > 2 {
		out = append(out, ',')
	}
	return append(out, caseJSON[1:]...), nil
}

// caseRecord is the record of a case encoded without its reference,
// after recordRoom bytes of room where withReference writes the
// reference: a submit's record (2 KB and more) is then not copied again.
type caseRecord []byte

// recordRoom is the room before a caseRecord: `{"reference":` and a
// reference of up to 48 bytes.
const recordRoom = 64

// encodeCaseRecord encodes c as json.Marshal does, into a caseRecord.
func encodeCaseRecord(c *Case) (caseRecord, error) {
	var w roomWriter
	if err := encodeStoredTo(&w, c); err != nil {
		return nil, err
	}
	rec := w.b
	if body := rec[recordRoom:]; len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
		return nil, fmt.Errorf("cases: a case record is a JSON object, not %.20q", body)
	}
	return caseRecord(rec), nil
}

// roomWriter holds the one write of a json.Encoder after recordRoom bytes,
// in a buffer from caseRecordBufs when one is big enough.
type roomWriter struct{ b []byte }

func (w *roomWriter) Write(p []byte) (int, error) {
	if w.b == nil {
		n := recordRoom + len(p)
		if bp, ok := caseRecordBufs.Get().(*[]byte); ok && cap(*bp) >= n {
			w.b = (*bp)[:recordRoom]
		} else {
			w.b = make([]byte, recordRoom, n)
		}
	}
	w.b = append(w.b, p...)
	return len(p), nil
}

// caseRecordBufs holds the buffers of submitted cases' records (a few
// KB each): a record is garbage once its write has been committed, the
// store having compressed or copied it (issue 9: bytes allocated per
// submit).
var caseRecordBufs sync.Pool // *[]byte

// maxPooledRecord: larger buffers are left to the collector.
const maxPooledRecord = 64 << 10

// release gives r's buffer back for another submit's record. Call it
// only when nothing uses r or what withReference made of it any more:
// after the write that put it has ended for good (a write may be run
// again, with the same record), committed or not.
func (r caseRecord) release() {
	if cap(r) == 0 || cap(r) > maxPooledRecord {
		return
	}
	b := []byte(r)[:0]
	caseRecordBufs.Put(&b)
}

// withReference is the record with the reference ref (withReference's
// bytes), written into r's room in place of the record's opening brace.
// It may be called again with another reference (a write run again),
// the record before each time being no longer in use.
func (r caseRecord) withReference(ref string) ([]byte, error) {
	body := r[recordRoom:]
	value, err := json.Marshal(ref)
	if err != nil {
		return nil, err
	}
	head := len(`{"reference":`) + len(value)
	if len(body) > 2 {
		head++ // the comma
	}
	if head > recordRoom+1 {
		return withReference(append([]byte{'{'}, body[1:]...), ref)
	}
	out := r[recordRoom+1-head:]
	n := copy(out, `{"reference":`)
	n += copy(out[n:], value)
	if len(body) > 2 {
		out[n] = ','
	}
	return out, nil
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// usedAttachments keeps the attachments the clean answers refer to.
func usedAttachments(def *forms.Definition, clean map[string]any, byID map[string]Attachment) []Attachment {
	var out []Attachment
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if a, ok := byID[x]; ok && !seen[x] {
				seen[x] = true
				out = append(out, a)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, f := range def.DataFields() {
		if f.Type == forms.TypeFile || f.Type == forms.TypeGroup {
			walk(clean[f.ID])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// knownConcepts maps each top-level answered concept to its value, for
// prefilling later forms (files and groups are not reused).
func knownConcepts(def *forms.Definition, clean map[string]any) map[string]any {
	n := 0 // room for every one answered: the map does not grow
	for si := range def.Steps {
		for fi := range def.Steps[si].Fields {
			if f := &def.Steps[si].Fields[fi]; knownField(f) {
				if _, ok := clean[f.ID]; ok {
					n++
				}
			}
		}
	}
	out := make(map[string]any, n)
	for si := range def.Steps {
		for fi := range def.Steps[si].Fields {
			f := &def.Steps[si].Fields[fi]
			if !knownField(f) {
				continue
			}
			if v, ok := clean[f.ID]; ok {
				out[f.Concept] = v
			}
		}
	}
	return out
}

// knownField: the answer to f is kept by concept (Known).
func knownField(f *forms.Field) bool {
	return f.IsData() && f.Concept != "" && f.Type != forms.TypeFile && f.Type != forms.TypeGroup
}

func (s *Service) caseByID(id string) (*Case, error) {
	var c Case
	err := s.Store.View(func(tx *store.Tx) error { return tx.Get(store.Cases, id, &c) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	s.withKnown(&c)
	return &c, err
}

// withKnown fills in a case's Known from its answers and form: cases
// submitted since Known was no longer stored (it repeated the answers)
// have none in their record.
func (s *Service) withKnown(c *Case) {
	if c.Known != nil || c.Answers == nil {
		return
	}
	if def, ok := s.Forms.Version(c.Service, c.FormVersion); ok {
		if k := knownConcepts(def, c.Answers); len(k) > 0 {
			c.Known = k
		}
	}
}

// Case returns a case the user may see (access). Anyone else gets
// ErrNotFound.
func (s *Service) Case(id, user string) (*Case, []Event, error) {
	c, evs, _, err := s.CaseWithAccess(id, user)
	return c, evs, err
}

// CaseWithAccess is Case with the user's access to it (ResidentAccess or
// ResidentRead). Opening someone else's case is recorded in the access
// log (readsOf), in the same transaction.
func (s *Service) CaseWithAccess(id, user string) (*Case, []Event, Access, error) {
	now := s.Now()
	v, err := s.viewerOf(Ref{ID: user, Kind: identity.Resident}, now)
	if err != nil {
		return nil, nil, NoAccess, err
	}
	var c *Case
	var evs []Event
	var a Access
	read := func(tx *store.Tx) error {
		var err error
		if c, a, err = s.caseFor(tx, v, id); err != nil {
			return err
		}
		evs, err = store.Values[Event](tx, store.Events, id+"/")
		return err
	}
	err = s.Store.View(read)
	if err == nil && len(readsOf(c, v, audit.KindCase, now)) > 0 {
		// Someone else's data: read again in a write, with its log entries.
		err = s.Store.Update(func(tx *store.Tx) error {
			if err := read(tx); err != nil {
				return err
			}
			reads := readsOf(c, v, audit.KindCase, now)
			if reads[0].Purpose == audit.PurposeProxy { // opened in the person's name: in their "done in my name" too
				if err := logDoneFor(tx, DoneFor{Principal: reads[0].Subject, At: now, Actor: Ref{ID: v.ID, Name: v.Name, Kind: v.Kind},
					Action: ActionViewed, Service: c.Service, Case: c.ID, Reference: c.Reference}); err != nil {
					return err
				}
			}
			return audit.RecordAccess(tx, now, reads...)
		})
	}
	if errors.Is(err, store.ErrNotFound) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, nil, NoAccess, err
	}
	s.withKnown(c)
	return c, evs, a, nil
}
