package cases

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	jsonv2 "github.com/go-json-experiment/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"asiointi/server/catalog"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
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

	// records remembers the last decoded record of each draft being
	// autosaved, keyed by id with the bytes it was decoded from: a save
	// whose record bytes are unchanged skips decoding them again.
	records sync.Map // id → decodedRecord
}

type decodedRecord struct {
	raw []byte
	d   Draft
}

// draftKey and friends build the index keys.
func userKey(user, id string) string    { return user + "/" + id }
func eventKey(caseID, id string) string { return caseID + "/" + id }

// getDraft loads a draft's record; withData also loads its answers.
func (s *Service) getDraft(tx *store.Tx, id string, withData bool) (*Draft, error) {
	var d Draft
	if err := tx.Get(store.Drafts, id, &d); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if withData {
		if err := tx.Get(store.DraftData, id, &d.Data); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if d.Data == nil {
			d.Data = map[string]any{}
		}
	}
	return &d, nil
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

// putDraft writes a draft's record and, when raw is not nil, its answers.
func putDraft(tx *store.Tx, d *Draft, raw []byte) error {
	if err := tx.Put(store.Drafts, d.ID, d); err != nil {
		return err
	}
	if raw == nil {
		return nil
	}
	return tx.PutRaw(store.DraftData, d.ID, raw)
}

// CreateDraft starts a draft of the service's newest form for owner, acting
// for principal (nil: for themself), with known data prefilled.
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
		d.Data[id] = src.Value
		if f, _, ok := def.Lookup(id); ok && f.Locked {
			if d.Locked == nil {
				d.Locked = map[string]any{}
			}
			d.Locked[id] = src.Value
		}
	}
	raw, err := json.Marshal(d.Data)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(func(tx *store.Tx) error {
		if err := putDraft(tx, d, raw); err != nil {
			return err
		}
		return tx.PutRaw(store.DraftsByUser, userKey(owner.ID, d.ID), nil)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
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

// Save stores new answers if version is the draft's current version. The
// values are shape-checked leniently (a draft may be incomplete); locked
// prefilled answers keep their register value. step < 0 keeps the step.
// Saving keeps the draft for the service's draft retention from now on.
// A stale version gets a *ConflictError holding the current draft.
func (s *Service) Save(id, owner string, version int, data map[string]any, step int) (*Draft, []forms.FieldError, error) {
	// Everything that can run in parallel runs before the write: reading
	// the record, the lenient check and encoding both the answers and the
	// next record. Inside the batched (serial) write, the record is only
	// compared byte for byte with what was read; it is decoded there only
	// if something changed it meanwhile.
	// The id may live in the HTTP server's reused buffers (Fiber): keep a
	// copy, since the record cache outlives the request.
	id = strings.Clone(id)
	var seen []byte
	var pre *Draft
	err := s.Store.View(func(tx *store.Tx) error {
		if !store.ValidID(id) {
			return ErrNotFound
		}
		raw, err := tx.GetRaw(store.Drafts, id)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if c, ok := s.records.Load(id); ok && bytes.Equal(c.(decodedRecord).raw, raw) {
			d := c.(decodedRecord).d
			pre = &d
		} else {
			var d Draft
			if err := jsonv2.Unmarshal(raw, &d); err != nil {
				return err
			}
			pre = &d
		}
		seen = append([]byte(nil), raw...)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if pre.Owner.ID != owner {
		return nil, nil, ErrNotFound
	}
	if pre.CaseID != "" {
		return nil, nil, ErrSubmitted
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
	svc, ok := s.Catalog.Service(pre.Service)
	if !ok {
		return nil, nil, ErrNotFound
	}
	clean, shapeErrs := def.CheckDraft(data)
	applyLocked(pre.Locked, clean)
	raw, err := jsonv2.Marshal(clean)
	if err != nil {
		return nil, nil, err
	}
	if step > len(def.Steps) {
		step = len(def.Steps)
	}
	now := s.Now()
	next := func(d *Draft) {
		d.Version++
		d.UpdatedAt = now
		d.ExpiresAt = now.AddDate(0, 0, retentionDays(svc))
		d.Reminded = false
		if step >= 0 {
			d.Step = step
		}
	}
	out := *pre
	next(&out)
	record, err := nextRecord(seen, pre, &out)
	if err != nil {
		return nil, nil, err
	}
	var refusal error
	fresh := true
	err = s.Store.Update(func(tx *store.Tx) error {
		// Refusals are passed out, not returned, so that they do not roll
		// back the other saves batched into the same commit.
		refusal, fresh = nil, true
		cur, err := tx.GetRaw(store.Drafts, id)
		if errors.Is(err, store.ErrNotFound) {
			refusal = ErrNotFound
			return nil
		}
		if err != nil {
			return err
		}
		if bytes.Equal(cur, seen) { // the usual case: unchanged since read
			if err := tx.PutRaw(store.Drafts, id, record); err != nil {
				return err
			}
			return tx.PutRaw(store.DraftData, id, raw)
		}
		fresh = false
		d, err := s.ownDraft(tx, id, owner, false)
		if err != nil {
			return err
		}
		switch {
		case d.CaseID != "":
			refusal = ErrSubmitted
		case d.Version != version:
			full, err := s.getDraft(tx, id, true)
			if err != nil {
				return err
			}
			refusal = &ConflictError{Current: full}
		default: // same version, other bookkeeping changed (a reminder)
			next(d)
			out = *d
			return putDraft(tx, d, raw)
		}
		return nil
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		s.records.Delete(id)
		return nil, nil, err
	}
	if fresh { // the stored record is exactly what was encoded here
		s.records.Store(id, decodedRecord{raw: record, d: out})
	} else {
		s.records.Delete(id)
	}
	out.Data = clean
	return &out, shapeErrs, nil
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
		return s.deleteDraft(tx, d)
	})
}

// deleteDraft removes a draft, its answers and its attachments, and the
// file contents no other attachment shares.
func (s *Service) deleteDraft(tx *store.Tx, d *Draft) error {
	s.records.Delete(d.ID)
	atts := map[string]string{}
	if err := tx.Scan(store.Attachments, d.ID+"/", func(k string, raw []byte) error {
		var a Attachment
		if err := unmarshal(raw, &a); err != nil {
			return err
		}
		atts[k] = a.SHA256
		return nil
	}); err != nil {
		return err
	}
	for k, sum := range atts {
		if err := tx.Delete(store.Attachments, k); err != nil {
			return err
		}
		if err := releaseBlob(tx, sum); err != nil {
			return err
		}
	}
	if err := tx.Delete(store.DraftData, d.ID); err != nil {
		return err
	}
	if err := tx.Delete(store.DraftsByUser, userKey(d.Owner.ID, d.ID)); err != nil {
		return err
	}
	return tx.Delete(store.Drafts, d.ID)
}

// Drafts lists the owner's unsubmitted drafts, most recently saved first.
func (s *Service) Drafts(owner string) ([]*Draft, error) {
	var out []*Draft
	now := s.Now()
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.DraftsByUser, owner+"/", func(k string, _ []byte) error {
			d, err := s.getDraft(tx, strings.TrimPrefix(k, owner+"/"), false)
			if err != nil {
				return nil // index ahead of a deleted draft: skip
			}
			if d.CaseID == "" && now.Before(d.ExpiresAt) {
				out = append(out, d)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out, err
}

// SubmitResult is the outcome of Submit.
type SubmitResult struct {
	Case   *Case
	Errors []forms.FieldError
	// Again is true when the draft had already been submitted: the same
	// case is returned (a double click or a retry).
	Again bool
}

// Submit validates the draft and turns it into a case, in one transaction
// with its first event and index entries. Repeating it returns the same
// case. Validation errors leave the draft untouched.
func (s *Service) Submit(id string, actor Ref) (*SubmitResult, error) {
	// The record's bytes are read first: if they are unchanged at write
	// time, nothing happened to the draft after it was validated below.
	var seen []byte
	if store.ValidID(id) {
		_ = s.Store.View(func(tx *store.Tx) error {
			raw, err := tx.GetRaw(store.Drafts, id)
			seen = append([]byte(nil), raw...)
			return err
		})
	}
	d, err := s.Draft(id, actor.ID)
	if err != nil {
		return nil, err
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
	if !svc.AvailabilityAt(now).Open {
		return nil, ErrClosed
	}
	def, err := s.Definition(d)
	if err != nil {
		return nil, err
	}
	atts, err := s.Attachments(d.ID, actor.ID)
	if err != nil {
		return nil, err
	}
	byID := map[string]Attachment{}
	for _, a := range atts {
		byID[a.ID] = a
	}
	data := copyMap(d.Data)
	applyLocked(d.Locked, data)
	clean, errs := def.CheckSubmit(data, forms.CheckOptions{Now: now, Attachment: func(id string) (forms.Attachment, bool) {
		a, ok := byID[id]
		return a.Form(), ok
	}})
	if len(errs) > 0 {
		return &SubmitResult{Errors: errs}, nil
	}
	used := usedAttachments(def, clean, byID)
	known := knownConcepts(def, clean)
	// Everything but the reference number is made and encoded before the
	// serial write.
	year := now.In(datefmt.Helsinki()).Year()
	c := &Case{
		ID: store.NewID(now), Service: d.Service, Municipality: s.municipality(d.Municipality),
		FormVersion: d.FormVersion, Status: StatusSubmitted,
		Actor: actor, Principal: d.Principal, Answers: clean, Known: known,
		Attachments: used, Parties: []Party{}, DraftID: d.ID,
		SubmittedAt: now, UpdatedAt: now,
		DueAt:       now.AddDate(0, 0, svc.ProcessingDays),
		RetainUntil: svc.CaseRetentionUntil(now),
	}
	caseJSON, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	ev := Event{ID: store.NewID(now), Case: c.ID, Type: "submitted", At: now, Actor: actor, Principal: d.Principal, To: c.Status}
	evJSON, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	done := *d
	done.Data = nil
	done.CaseID, done.UpdatedAt = c.ID, now
	doneJSON, err := json.Marshal(&done)
	if err != nil {
		return nil, err
	}
	var res SubmitResult
	var refusal error
	err = s.Store.Update(func(tx *store.Tx) error {
		res, refusal = SubmitResult{}, nil
		cur, err := tx.GetRaw(store.Drafts, id)
		if errors.Is(err, store.ErrNotFound) {
			refusal = ErrNotFound
			return nil
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(cur, seen) {
			latest, err := s.ownDraft(tx, id, actor.ID, false)
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
			if latest.Version != d.Version { // saved meanwhile: validate again
				full, err := s.getDraft(tx, id, true)
				if err != nil {
					return err
				}
				refusal = &ConflictError{Current: full}
				return nil
			}
			// Same answers, other bookkeeping changed: go on.
		}
		n, err := tx.NextSeq(refCounter(c.Municipality, year))
		if err != nil {
			return err
		}
		ref := fmt.Sprintf("%s-%d-%06d", s.RefPrefix, year, n)
		// The struct's own reference is the first "reference" key.
		withRef := bytes.Replace(caseJSON, []byte(`"reference":""`), []byte(`"reference":"`+ref+`"`), 1)
		if err := tx.PutRaw(store.Cases, c.ID, withRef); err != nil {
			return err
		}
		if err := tx.PutRaw(store.CasesByRef, ref, []byte(c.ID)); err != nil {
			return err
		}
		if err := tx.PutRaw(store.CasesByUser, userKey(actor.ID, c.ID), nil); err != nil {
			return err
		}
		if d.Principal != nil && d.Principal.ID != actor.ID {
			if err := tx.PutRaw(store.CasesByUser, userKey(d.Principal.ID, c.ID), nil); err != nil {
				return err
			}
		}
		if err := tx.PutRaw(store.Events, eventKey(c.ID, ev.ID), evJSON); err != nil {
			return err
		}
		if err := tx.PutRaw(store.Drafts, id, doneJSON); err != nil {
			return err
		}
		if err := tx.Delete(store.DraftsByUser, userKey(actor.ID, id)); err != nil {
			return err
		}
		s.records.Delete(id)
		made := *c
		made.Reference = ref
		res = SubmitResult{Case: &made}
		return nil
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return nil, err
	}
	return &res, nil
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
	out := map[string]any{}
	for _, f := range def.DataFields() {
		if f.Concept == "" || f.Type == forms.TypeFile || f.Type == forms.TypeGroup {
			continue
		}
		if v, ok := clean[f.ID]; ok {
			out[f.Concept] = v
		}
	}
	return out
}

func (s *Service) caseByID(id string) (*Case, error) {
	var c Case
	err := s.Store.View(func(tx *store.Tx) error { return tx.Get(store.Cases, id, &c) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	return &c, err
}

// Case returns a case the user may see: they submitted it or it was made
// in their name. Anyone else gets ErrNotFound.
func (s *Service) Case(id, user string) (*Case, []Event, error) {
	if !store.ValidID(id) {
		return nil, nil, ErrNotFound
	}
	var c Case
	var evs []Event
	err := s.Store.View(func(tx *store.Tx) error {
		if !tx.Has(store.CasesByUser, userKey(user, id)) {
			return ErrNotFound
		}
		if err := tx.Get(store.Cases, id, &c); err != nil {
			return err
		}
		var err error
		evs, err = store.Values[Event](tx, store.Events, id+"/")
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	return &c, evs, nil
}

// Cases lists the cases a user submitted or that were made in their name,
// newest first.
func (s *Service) Cases(user string) ([]*Case, error) {
	var out []*Case
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.ScanReverse(store.CasesByUser, user+"/", func(k string, _ []byte) error {
			var c Case
			if err := tx.Get(store.Cases, strings.TrimPrefix(k, user+"/"), &c); err != nil {
				return nil
			}
			out = append(out, &c)
			return nil
		})
	})
	return out, err
}

// versionKey starts the tail of a draft record (the fields a save changes).
var versionKey = []byte(`,"version":`)

// nextRecord encodes d, which differs from the record prev (decoded as
// old) only in its tail fields, by keeping prev's bytes up to the tail and
// appending the new tail. When prev does not end in exactly old's tail (a
// record written in another layout) it encodes d in full.
func nextRecord(prev []byte, old, d *Draft) ([]byte, error) {
	i := bytes.LastIndex(prev, versionKey)
	if i < 0 || d.CaseID != "" {
		return json.Marshal(d)
	}
	if tail, err := recordTail(nil, old); err != nil || !bytes.Equal(prev[i:], tail) {
		return json.Marshal(d)
	}
	out := make([]byte, 0, len(prev)+16)
	out = append(out, prev[:i]...)
	return recordTail(out, d)
}

// recordTail appends the tail of a draft record exactly as encoding/json
// writes it (a test compares the two).
func recordTail(b []byte, d *Draft) ([]byte, error) {
	if y := d.UpdatedAt.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("cases: time out of range")
	}
	if y := d.ExpiresAt.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("cases: time out of range")
	}
	b = append(b, versionKey...)
	b = strconv.AppendInt(b, int64(d.Version), 10)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, int64(d.Step), 10)
	b = append(b, `,"updatedAt":"`...)
	b = d.UpdatedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","expiresAt":"`...)
	b = d.ExpiresAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if d.Reminded {
		b = append(b, `,"reminded":true`...)
	}
	return append(b, '}'), nil
}
