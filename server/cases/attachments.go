package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"asiointi/server/forms"
	"asiointi/server/store"
)

// Upload errors.
var (
	ErrTooLarge   = errors.New("cases: file too large")
	ErrBadType    = errors.New("cases: file type not allowed")
	ErrNotFileFld = errors.New("cases: not a file field")
)

// DetectMIME tells a file's type from its content, never its name.
func DetectMIME(b []byte) string {
	t := http.DetectContentType(b)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
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

func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' {
			return -1
		}
		return r
	}, name)
	if len([]rune(name)) > 120 {
		name = string([]rune(name)[:120])
	}
	if name == "" || name == "." {
		name = "file"
	}
	return name
}

// AddAttachment stores an uploaded file for a draft's file field after
// checking its size and its content type against the field.
func (s *Service) AddAttachment(draftID, owner, field, name string, content []byte) (*Attachment, error) {
	d, err := s.Draft(draftID, owner)
	if err != nil {
		return nil, err
	}
	if d.CaseID != "" {
		return nil, ErrSubmitted
	}
	def, err := s.Definition(d)
	if err != nil {
		return nil, err
	}
	f, ok := fileField(def, field)
	if !ok {
		return nil, ErrNotFileFld
	}
	if int64(len(content)) > f.FileLimit() {
		return nil, ErrTooLarge
	}
	mime := DetectMIME(content)
	if !slices.Contains(f.Accepted(), mime) {
		return nil, ErrBadType
	}
	sum := sha256.Sum256(content)
	now := s.Now()
	a := &Attachment{
		ID: store.NewID(now), Draft: d.ID, Field: field, Name: cleanName(name), MIME: mime,
		Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), Owner: owner, CreatedAt: now,
	}
	err = s.Store.Update(func(tx *store.Tx) error {
		if !tx.Has(store.Blobs, a.SHA256) {
			if err := tx.PutRaw(store.Blobs, a.SHA256, content); err != nil {
				return err
			}
		}
		if _, err := tx.AddCount("blobref/"+a.SHA256, 1); err != nil {
			return err
		}
		return tx.Put(store.Attachments, d.ID+"/"+a.ID, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Attachments lists a draft's uploads (owner only).
func (s *Service) Attachments(draftID, owner string) ([]Attachment, error) {
	var out []Attachment
	err := s.Store.View(func(tx *store.Tx) error {
		if _, err := s.ownDraft(tx, draftID, owner, false); err != nil {
			return err
		}
		var err error
		out, err = store.Values[Attachment](tx, store.Attachments, draftID+"/")
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
	var a Attachment
	var body []byte
	err := s.Store.View(func(tx *store.Tx) error {
		d, err := s.getDraft(tx, draftID, false)
		if err != nil {
			return err
		}
		if err := tx.Get(store.Attachments, draftID+"/"+attID, &a); err != nil {
			return err
		}
		if d.Owner.ID != user {
			// Others who may see the case see only the files it uses.
			if d.CaseID == "" || !tx.Has(store.CasesByUser, userKey(user, d.CaseID)) {
				return ErrNotFound
			}
			var c Case
			if err := tx.Get(store.Cases, d.CaseID, &c); err != nil {
				return err
			}
			used := false
			for _, u := range c.Attachments {
				used = used || u.ID == attID
			}
			if !used {
				return ErrNotFound
			}
		}
		raw, err := tx.GetRaw(store.Blobs, a.SHA256)
		if err != nil {
			return err
		}
		body = append([]byte(nil), raw...)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		err = ErrNotFound
	}
	return &a, body, err
}

// releaseBlob drops one reference to stored file content and deletes the
// content when nothing refers to it any more.
func releaseBlob(tx *store.Tx, sum string) error {
	n, err := tx.AddCount("blobref/"+sum, -1)
	if err != nil || n > 0 {
		return err
	}
	return tx.Delete(store.Blobs, sum)
}
