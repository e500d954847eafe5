package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"asiointi/server/audit"
	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/store"
)

// Upload errors.
var (
	ErrTooLarge   = errors.New("cases: file too large")
	ErrBadType    = errors.New("cases: file type not allowed")
	ErrNotFileFld = errors.New("cases: not a file field")
	// ErrQuota: the person's files waiting in drafts would go over the
	// upload quota (Service.UploadQuota).
	ErrQuota = errors.New("cases: upload quota reached")
)

// LimitError is ErrTooLarge (over the field's limit) or ErrQuota (over the
// person's quota) with the limit that was reached, for the message.
type LimitError struct {
	Err   error
	Limit int64
}

func (e *LimitError) Error() string { return e.Err.Error() }
func (e *LimitError) Unwrap() error { return e.Err }

// OrphanGrace is how long an attachment that no answer refers to is kept
// (and counts against the uploader's quota): an API client uploads a file
// first and saves the answer that refers to it next.
const OrphanGrace = time.Hour

// Upload is a file to attach: the name the browser gave it, its size in
// bytes and its content, exactly Size bytes.
type Upload struct {
	Name    string
	Size    int64
	Content io.Reader
}

// fileField finds the file field for an upload: "id" or, inside a group,
// "group.<index>.sub".
func fileField(def *forms.Definition, path string) (*forms.Field, bool) {
	parts := strings.Split(path, ".")
	f, _, ok := def.Lookup(parts[0])
	if !ok {
		return nil, false
	}
	if len(parts) == 3 && f.Type == forms.TypeGroup {
		sub, ok := f.Sub(parts[2])
		if !ok {
			return nil, false
		}
		f = sub
	} else if len(parts) != 1 {
		return nil, false
	}
	return f, f.Type == forms.TypeFile
}

// blobKey is where the content of an owner's file is stored: files are
// shared only among one person's attachments, so that storing bytes that
// someone else has stored takes the same path as any other bytes (no
// timing tells whether a document exists).
func blobKey(owner, sum string) string { return owner + "/" + sum }

// blob is the key of the attachment's content; attachments stored before
// per-owner keys have none and use the bare hash.
func (a *Attachment) blob() string {
	if a.Blob != "" {
		return a.Blob
	}
	return a.SHA256
}

// AddAttachment stores an uploaded file for a draft's file field after
// checking its size against the field's limit and the owner's quota and
// its content type against the field. A file is stored whole or not at
// all: one that is longer than up.Size says is refused as too large.
func (s *Service) AddAttachment(draftID, owner, field string, up Upload) (*Attachment, error) {
	d, err := s.Draft(draftID, owner)
	if err != nil {
		return nil, err
	}
	if d.CaseID != "" {
		return nil, ErrSubmitted
	}
	// The right to act for the principal is checked again, as at save and
	// submit: a revoked mandate uploads nothing more.
	svc, ok := s.Catalog.Service(d.Service)
	if !ok {
		return nil, ErrNotFound
	}
	if err := s.mayAct("upload", svc, d.Owner, d.Principal, d.ID, s.Now()); err != nil {
		return nil, err
	}
	def, err := s.Definition(d)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	a, content, err := fieldFile(def, d.ID, field, owner, up, now)
	if err != nil {
		return nil, err
	}
	var refusal error
	err = s.Store.Update(func(tx *store.Tx) error {
		refusal = nil
		if s.UploadQuota > 0 {
			held, err := s.heldBytes(tx, owner, now)
			if err != nil {
				return err
			}
			if held+a.Size > s.UploadQuota {
				refusal = &LimitError{Err: ErrQuota, Limit: s.UploadQuota}
				return nil
			}
		}
		if err := putBlob(tx, a.Blob, content); err != nil {
			return err
		}
		if err := fileFilesDue(tx, d.ID, now.Add(OrphanGrace)); err != nil {
			return err
		}
		return tx.Put(store.Attachments, d.ID+"/"+a.ID, a)
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

// readExactly reads n bytes from r and makes sure nothing follows them:
// ErrTooLarge if more comes, io.ErrUnexpectedEOF if less.
func readExactly(r io.Reader, n int64) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	var one [1]byte
	if k, _ := io.ReadFull(r, one[:]); k > 0 {
		return nil, ErrTooLarge
	}
	return b, nil
}

// heldBytes is what counts against the owner's quota: the files of their
// unsubmitted drafts that an answer refers to, and those that none does
// yet (or any more) for OrphanGrace after they were uploaded.
func (s *Service) heldBytes(tx *store.Tx, owner string, now time.Time) (int64, error) {
	var ids []string
	err := tx.Scan(store.DraftsByUser, owner+"/", func(k string, _ []byte) error {
		ids = append(ids, strings.TrimPrefix(k, owner+"/"))
		return nil
	})
	if err != nil {
		return 0, err
	}
	var held int64
	for _, id := range ids {
		d, err := s.getDraft(tx, id, true)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		atts, err := draftAttachments(tx, id)
		if err != nil {
			return 0, err
		}
		unused, err := s.unusedAttachments(tx, d, atts)
		if err != nil {
			return 0, err
		}
		for _, a := range atts {
			if !unused[a.ID] || now.Sub(a.CreatedAt) < OrphanGrace {
				held += a.Size
			}
		}
	}
	return held, nil
}

// draftAttachments reads a draft's attachments.
func draftAttachments(tx *store.Tx, draftID string) ([]Attachment, error) {
	return store.Values[Attachment](tx, store.Attachments, draftID+"/")
}

// unusedAttachments are the ids of the attachments that nothing refers
// to: for a draft, no answer; for a submitted draft, not its case. d must
// hold its answers.
func (s *Service) unusedAttachments(tx *store.Tx, d *Draft, atts []Attachment) (map[string]bool, error) {
	used := map[string]bool{}
	if d.CaseID != "" {
		var c Case
		if err := tx.Get(store.Cases, d.CaseID, &c); err != nil {
			return nil, err
		}
		for _, a := range c.Attachments {
			used[a.ID] = true
		}
	} else {
		def, err := s.Definition(d)
		if err != nil {
			return nil, err
		}
		byID := make(map[string]Attachment, len(atts))
		for _, a := range atts {
			byID[a.ID] = a
		}
		for _, a := range usedAttachments(def, d.Data, byID) {
			used[a.ID] = true
		}
	}
	unused := map[string]bool{}
	for _, a := range atts {
		if !used[a.ID] {
			unused[a.ID] = true
		}
	}
	return unused, nil
}

// Attachments lists a draft's uploads (owner only).
func (s *Service) Attachments(draftID, owner string) ([]Attachment, error) {
	var out []Attachment
	err := s.Store.View(func(tx *store.Tx) error {
		if _, err := s.ownDraft(tx, draftID, owner, false); err != nil {
			return err
		}
		var err error
		out, err = draftAttachments(tx, draftID)
		return err
	})
	return out, err
}

// AttachmentContent returns an attachment's bytes to someone who may see
// it: the draft's owner, or a person who may see the case it belongs to.
func (s *Service) AttachmentContent(draftID, attID, user string) (*Attachment, []byte, error) {
	if !store.ValidID(draftID) || !store.ValidID(attID) {
		return nil, nil, ErrNotFound
	}
	now := s.Now()
	v, err := s.viewerOf(Ref{ID: user, Kind: identity.Resident}, now)
	if err != nil {
		return nil, nil, err
	}
	var a Attachment
	var body []byte
	var reads []audit.Access
	read := func(tx *store.Tx) error {
		reads = nil
		d, err := s.getDraft(tx, draftID, false)
		if err != nil {
			return err
		}
		if err := tx.Get(store.Attachments, draftID+"/"+attID, &a); err != nil {
			return err
		}
		if d.Owner.ID != user {
			// Others who may see the case see only the files it uses.
			if d.CaseID == "" {
				return ErrNotFound
			}
			c, _, err := s.caseFor(tx, v, d.CaseID)
			if err != nil {
				return err
			}
			used := false
			for _, u := range c.Attachments {
				used = used || u.ID == attID
			}
			if !used {
				return ErrNotFound
			}
			reads = readsOf(c, v, audit.KindAttachment, now)
		}
		raw, err := tx.GetRaw(store.Blobs, a.blob())
		if err != nil {
			return err
		}
		body = append([]byte(nil), raw...)
		return nil
	}
	err = s.Store.View(read)
	if err == nil && len(reads) > 0 {
		// Someone else's file: read again in a write, with its log entries.
		err = s.Store.Update(func(tx *store.Tx) error {
			if err := read(tx); err != nil {
				return err
			}
			return audit.RecordAccess(tx, now, reads...)
		})
	}
	if errors.Is(err, store.ErrNotFound) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	return &a, body, nil
}

// fieldFile checks an upload for a file field of a draft's form (its
// size against the field's limit, its type by content against the
// field's) and makes its record, stored as owner's: the record and the
// content.
func fieldFile(def *forms.Definition, draftID, field, owner string, up Upload, now time.Time) (*Attachment, []byte, error) {
	f, ok := fileField(def, field)
	if !ok {
		return nil, nil, ErrNotFileFld
	}
	if up.Size < 0 || up.Size > f.FileLimit() {
		return nil, nil, &LimitError{Err: ErrTooLarge, Limit: f.FileLimit()}
	}
	content, err := readExactly(up.Content, up.Size)
	if errors.Is(err, ErrTooLarge) {
		return nil, nil, &LimitError{Err: ErrTooLarge, Limit: f.FileLimit()}
	}
	if err != nil {
		return nil, nil, err
	}
	mime := forms.DetectMIME(content)
	if !slices.Contains(f.Accepted(), mime) {
		return nil, nil, ErrBadType
	}
	sum := sha256.Sum256(content)
	a := &Attachment{
		ID: store.NewID(now), Draft: draftID, Field: field, Name: forms.CleanFileName(up.Name), MIME: mime,
		Size: up.Size, SHA256: hex.EncodeToString(sum[:]), Owner: owner, CreatedAt: now,
	}
	a.Blob = blobKey(owner, a.SHA256)
	return a, content, nil
}

// putBlob stores a file's content under key, once, and counts the
// reference to it (deleteAttachment drops it).
func putBlob(tx *store.Tx, key string, content []byte) error {
	if !tx.Has(store.Blobs, key) {
		if err := tx.PutRaw(store.Blobs, key, content); err != nil {
			return err
		}
	}
	_, err := tx.AddCount("blobref/"+key, 1)
	return err
}

// deleteAttachment removes an attachment and drops its reference to the
// stored content, which goes when nothing refers to it any more.
func deleteAttachment(tx *store.Tx, a *Attachment) error {
	if err := tx.Delete(store.Attachments, a.Draft+"/"+a.ID); err != nil {
		return err
	}
	key := a.blob()
	n, err := tx.AddCount("blobref/"+key, -1)
	if err != nil || n > 0 {
		return err
	}
	return tx.Delete(store.Blobs, key)
}
