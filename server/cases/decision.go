package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"asiointi/server/audit"
	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/store"
)

// A decision may carry a file (the signed decision letter, an appendix):
// the handler attaches it when deciding, and everyone who may see the
// case downloads it; a download of someone else's decision is in the
// access log.

// DecisionFileLimit bounds a decision's file.
const DecisionFileLimit = 10 << 20

// DecisionFileTypes are the types a decision's file may have (by its
// content).
var DecisionFileTypes = []string{"application/pdf", "image/png", "image/jpeg"}

// decisionFile checks and reads a decision's file: its record without
// the storage key (the case names it) and its content.
func decisionFile(up Upload, who Ref, now time.Time) (*Attachment, []byte, error) {
	if up.Size <= 0 || up.Size > DecisionFileLimit {
		return nil, nil, &LimitError{Err: ErrTooLarge, Limit: DecisionFileLimit}
	}
	content, err := readExactly(up.Content, up.Size)
	if errors.Is(err, ErrTooLarge) {
		return nil, nil, &LimitError{Err: ErrTooLarge, Limit: DecisionFileLimit}
	}
	if err != nil {
		return nil, nil, err
	}
	mime := forms.DetectMIME(content)
	if !slices.Contains(DecisionFileTypes, mime) {
		return nil, nil, ErrBadType
	}
	sum := sha256.Sum256(content)
	return &Attachment{ID: store.NewID(now), Field: "decision", Name: forms.CleanFileName(up.Name), MIME: mime,
		Size: up.Size, SHA256: hex.EncodeToString(sum[:]), Owner: who.ID, CreatedAt: now}, content, nil
}

// DecisionFile is the file of a case's decision for someone who may see
// the case (resident or staff). A read of someone else's decision is
// recorded in the access log first: a handler's (handling), or a
// resident's who is not whom the case is for (a co-applicant, the one
// who applied for them).
func (s *Service) DecisionFile(caseID string, who Ref) (*Attachment, []byte, error) {
	now := s.Now()
	v, err := s.viewerOf(who, now)
	if err != nil {
		return nil, nil, err
	}
	var a Attachment
	var body []byte
	err = s.Store.Update(func(tx *store.Tx) error {
		c, _, err := s.caseFor(tx, v, caseID)
		if err != nil {
			return err
		}
		if c.Decision == nil || c.Decision.Attachment == nil {
			return ErrNotFound
		}
		a = *c.Decision.Attachment
		if who.Kind == identity.Staff {
			return recordAccess(tx, s.staffActor(tx, who, c), c, audit.KindAttachment, now)
		}
		if reads := readsOf(c, v, audit.KindAttachment, now); len(reads) > 0 {
			return audit.RecordAccess(tx, now, reads...)
		}
		return nil
	})
	if err == nil { // the content read apart: the write stays short
		err = s.Store.View(func(tx *store.Tx) error {
			raw, err := tx.GetRaw(store.Blobs, a.Blob)
			body = append([]byte(nil), raw...)
			return err
		})
	}
	if errors.Is(err, store.ErrNotFound) {
		err = ErrNotFound
	}
	return &a, body, err
}
