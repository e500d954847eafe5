package publish

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"asiointi/server/forms"
	"asiointi/server/store"
)

// ResponseTime is how soon the law (306/2019 16 §) asks the municipality
// to answer accessibility feedback.
const ResponseTime = 14 * 24 * time.Hour

// DueSoon is how close to its due time feedback is highlighted.
const DueSoon = 3 * 24 * time.Hour

// Limits of the feedback form.
const (
	MaxMessage = 4000 // characters
	MaxName    = 200
	MaxContact = 200
	MaxAnswer  = 4000
	// MinFillTime is the least time between showing the form and sending
	// it: people take longer, scripts often do not.
	MinFillTime = 3 * time.Second
	// MaxFormAge is how long a shown form can be sent.
	MaxFormAge = 24 * time.Hour
)

// Statuses of feedback.
const (
	StatusNew        = "new"
	StatusInProgress = "in-progress"
	StatusAnswered   = "answered"
)

// FeedbackStatuses in the order staff pages show them.
var FeedbackStatuses = []string{StatusNew, StatusInProgress, StatusAnswered}

// Feedback is one message about the accessibility of the service.
type Feedback struct {
	ID           string    `json:"id"`
	Municipality string    `json:"municipality"`
	At           time.Time `json:"at"`
	Due          time.Time `json:"due"`
	Lang         string    `json:"lang"`
	Page         string    `json:"page,omitempty"` // the path it is about
	Message      string    `json:"message"`
	Name         string    `json:"name,omitempty"`
	Contact      string    `json:"contact,omitempty"` // e-mail or phone, optional
	Status       string    `json:"status"`
	Answer       string    `json:"answer,omitempty"`
	AnsweredAt   time.Time `json:"answeredAt,omitzero"`
	AnsweredBy   string    `json:"answeredBy,omitempty"` // staff id
}

// Overdue reports whether the feedback waits for an answer past its due.
func (f Feedback) Overdue(now time.Time) bool { return f.Status != StatusAnswered && now.After(f.Due) }

// DueSoon reports whether its due time is near and it is not answered.
func (f Feedback) DueSoon(now time.Time) bool {
	return f.Status != StatusAnswered && !f.Overdue(now) && f.Due.Sub(now) <= DueSoon
}

// FeedbackInput is what a person sent.
type FeedbackInput struct {
	Lang, Page, Message, Name, Contact string
	// Trap is the field people do not see; Token is the form's signed
	// time of showing (FormToken).
	Trap, Token string
}

// FieldError is a problem with one field of the form: the message id
// to show next to it.
type FieldError struct{ Field, Msg string }

// InputError lists the problems with what a person sent.
type InputError struct{ Fields []FieldError }

func (e *InputError) Error() string { return fmt.Sprintf("feedback: %d problems", len(e.Fields)) }

// ErrRefused is input that looks automated (the trap field filled in, a
// form sent too fast, too late or not shown by us): nothing is stored,
// and the person is asked to send again.
var ErrRefused = errors.New("feedback: refused as automated")

// ErrNotFound is feedback that does not exist in the municipality.
var ErrNotFound = errors.New("feedback: not found")

// Feedbacks stores feedback and its answers.
type Feedbacks struct {
	Store  *store.Store
	Secret []byte
	Now    func() time.Time
}

func (s *Feedbacks) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// FormToken is the value the feedback form carries: when it was shown,
// signed, so a sender cannot skip showing it or claim it was shown long
// ago.
func (s *Feedbacks) FormToken() string {
	t := strconv.FormatInt(s.now().Unix(), 10)
	return t + "." + s.sign(t)
}

func (s *Feedbacks) sign(t string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("accessibility-feedback\x00" + t))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (s *Feedbacks) tokenOK(tok string) bool {
	t, sig, ok := strings.Cut(tok, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(t))) {
		return false
	}
	sec, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return false
	}
	age := s.now().Sub(time.Unix(sec, 0))
	return age >= MinFillTime && age <= MaxFormAge
}

func key(muni, id string) string { return muni + "/" + id }

// clean is a piece of text as stored: NFC, no invisible characters,
// trimmed.
func clean(s string) string { return strings.TrimSpace(forms.StripInvisible(s)) }

// looksLikeMarkup reports text that carries HTML or script: feedback is
// plain text, and a message that tries more is refused with a clear word
// rather than stored for a staff member to open.
func looksLikeMarkup(s string) bool {
	l := strings.ToLower(s)
	if strings.Contains(l, "javascript:") || strings.Contains(l, "data:text/html") {
		return true
	}
	for i := 0; i+1 < len(l); i++ {
		if l[i] != '<' {
			continue
		}
		c := l[i+1]
		if c >= 'a' && c <= 'z' || c == '/' || c == '!' || c == '?' {
			return true
		}
	}
	return false
}

// Send checks and stores feedback.
func (s *Feedbacks) Send(muni string, in FeedbackInput) (Feedback, error) {
	if strings.TrimSpace(in.Trap) != "" || !s.tokenOK(in.Token) {
		return Feedback{}, ErrRefused
	}
	f := Feedback{Municipality: muni, Lang: in.Lang, Message: clean(in.Message), Name: clean(in.Name),
		Contact: clean(in.Contact), Status: StatusNew}
	if p := strings.TrimSpace(in.Page); strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && utf8.RuneCountInString(p) <= 300 {
		f.Page = p
	}
	var errs []FieldError
	switch {
	case !forms.HasVisible(f.Message):
		errs = append(errs, FieldError{"message", "feedback.error.messageRequired"})
	case utf8.RuneCountInString(f.Message) > MaxMessage:
		errs = append(errs, FieldError{"message", "feedback.error.messageTooLong"})
	case looksLikeMarkup(f.Message):
		errs = append(errs, FieldError{"message", "feedback.error.markup"})
	}
	for _, c := range []struct {
		field, v, tooLong string
		max               int
	}{{"name", f.Name, "feedback.error.nameTooLong", MaxName}, {"contact", f.Contact, "feedback.error.contactTooLong", MaxContact}} {
		switch {
		case utf8.RuneCountInString(c.v) > c.max:
			errs = append(errs, FieldError{c.field, c.tooLong})
		case looksLikeMarkup(c.v):
			errs = append(errs, FieldError{c.field, "feedback.error.markup"})
		}
	}
	if len(errs) > 0 {
		return Feedback{}, &InputError{Fields: errs}
	}
	now := s.now()
	f.ID, f.At, f.Due = store.NewID(now), now, now.Add(ResponseTime)
	err := s.Store.Update(func(tx *store.Tx) error { return tx.Put(store.Feedback, key(muni, f.ID), f) })
	return f, err
}

// List is the municipality's feedback, newest first; status filters
// when not empty.
func (s *Feedbacks) List(muni, status string) ([]Feedback, error) {
	var out []Feedback
	err := s.Store.View(func(tx *store.Tx) error {
		all, err := store.ValuesReverse[Feedback](tx, store.Feedback, muni+"/")
		for _, f := range all {
			if status == "" || f.Status == status {
				out = append(out, f)
			}
		}
		return err
	})
	return out, err
}

// Get is one piece of feedback of the municipality.
func (s *Feedbacks) Get(muni, id string) (Feedback, error) {
	var f Feedback
	if !store.ValidID(id) {
		return f, ErrNotFound
	}
	err := s.Store.View(func(tx *store.Tx) error { return tx.Get(store.Feedback, key(muni, id), &f) })
	if errors.Is(err, store.ErrNotFound) {
		return f, ErrNotFound
	}
	return f, err
}

// Answer records a staff member's answer and the feedback's status. An
// answered status needs the answer's text.
func (s *Feedbacks) Answer(muni, id, staff, status, answer string) (Feedback, error) {
	answer = clean(answer)
	var errs []FieldError
	switch status {
	case StatusNew, StatusInProgress, StatusAnswered:
	default:
		errs = append(errs, FieldError{"status", "feedback.error.status"})
	}
	if status == StatusAnswered && !forms.HasVisible(answer) {
		errs = append(errs, FieldError{"answer", "feedback.error.answerRequired"})
	}
	if utf8.RuneCountInString(answer) > MaxAnswer {
		errs = append(errs, FieldError{"answer", "feedback.error.answerTooLong"})
	}
	if len(errs) > 0 {
		return Feedback{}, &InputError{Fields: errs}
	}
	if !store.ValidID(id) {
		return Feedback{}, ErrNotFound
	}
	var f Feedback
	err := s.Store.Update(func(tx *store.Tx) error {
		if err := tx.Get(store.Feedback, key(muni, id), &f); err != nil {
			return err
		}
		f.Status, f.Answer = status, answer
		if status == StatusAnswered {
			f.AnsweredAt, f.AnsweredBy = s.now(), staff
		}
		return tx.Put(store.Feedback, key(muni, id), f)
	})
	if errors.Is(err, store.ErrNotFound) {
		return Feedback{}, ErrNotFound
	}
	return f, err
}
