// Package cases is the resident's transaction with the municipality: a
// draft that is saved and resumed anywhere, its attachments, and the case
// that submitting it creates, with its events. Every change goes through
// store.Update in one transaction with its indexes and events.
package cases

import (
	"errors"
	"time"

	"asiointi/server/forms"
)

// Ref names a person or organisation in an event or record.
type Ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"` // resident | staff | organization | guardian | mandate
}

// PrefillSource tells where a prefilled value came from.
type PrefillSource struct {
	Source string `json:"source"` // population | contact-details | land-register | organization | earlier-case
	// About is whom the value is about: AboutSubject (the one the form is
	// for) or AboutActor (the one filling it in).
	About     string `json:"about,omitempty"`
	Case      string `json:"case,omitempty"`      // case id of an earlier answer
	Reference string `json:"reference,omitempty"` // its human reference
	// Locked: the form locked the value, so it is the register's (set on
	// a case's sources; a draft keeps its locked values in Locked).
	Locked bool `json:"locked,omitempty"`
	// Hash is a digest of the value as it was prefilled (prefillHash),
	// kept so that a value the person has changed since is shown as
	// theirs (SourceOf) without storing the register's value twice.
	Hash  string `json:"hash,omitempty"`
	Value any    `json:"-"`
}

// Draft is an unfinished application. The fields that every save changes
// come last, in this order: Save builds a record by keeping the bytes
// before "version" and writing only the tail (see recordTail).
type Draft struct {
	ID          string `json:"id"`
	Service     string `json:"service"`
	FormVersion int    `json:"formVersion"`
	Owner       Ref    `json:"owner"`
	Principal   *Ref   `json:"principal,omitempty"`
	// Municipality is the id of the municipality whose service it is;
	// empty in drafts written before drafts named it (see municipality.go).
	Municipality string `json:"municipality,omitempty"`
	// Data is stored apart from the rest (bucket draft_data), so version
	// checks and lists never decode the answers.
	Data map[string]any `json:"-"`
	// Locked holds the register values of locked prefilled fields; they
	// are put back on every save and submit.
	Locked    map[string]any           `json:"locked,omitempty"`
	Prefill   map[string]PrefillSource `json:"prefill,omitempty"`
	CreatedAt time.Time                `json:"createdAt"`
	CaseID    string                   `json:"caseId,omitempty"` // set once submitted
	// Reopens is the case this draft was taken back from to be changed
	// and sent for approval again (a party declined, see Reopen).
	Reopens string `json:"reopens,omitempty"`
	// Due is the time (Unix ms) of the draft's entry in housekeeping's
	// list (due.go); 0 when it has none.
	Due int64 `json:"due,omitempty"`

	Version   int       `json:"version"`
	Step      int       `json:"step"`
	UpdatedAt time.Time `json:"updatedAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	Reminded  bool      `json:"reminded,omitempty"`
}

// Subject is whom the draft is for: the principal, or the owner.
func (d *Draft) Subject() Ref {
	if d.Principal != nil {
		return *d.Principal
	}
	return d.Owner
}

// Party is another person in a case (co-applicant, co-owner, notified guardian).
type Party struct {
	ID     string `json:"id"` // the draft party's id (DraftParty.ID)
	Name   string `json:"name"`
	Status string `json:"status"`
	// Person is the party's register id ("" when the register does not
	// know them); Invitee is who answers for them and hears of the case
	// (their guardian for a minor, else Person).
	Person  string `json:"person,omitempty"`
	Invitee string `json:"invitee,omitempty"`
}

// Approvals tells where a case's approvals stand: how many of its
// parties (those asked in the current round) approved it, of how many,
// and the names of those who have not answered yet.
func (c *Case) Approvals() (approved, total int, waiting []string) {
	for _, p := range c.Parties {
		switch p.Status {
		case InvitationRevoked:
			continue
		case InvitationApproved:
			approved++
		case InvitationWaiting, InvitationOpened:
			waiting = append(waiting, p.Name)
		}
		total++
	}
	return approved, total, waiting
}

// Case statuses (CONTRACT.md).
const (
	StatusAwaitingSignatures  = "awaiting-signatures"
	StatusSubmitted           = "submitted"
	StatusInProgress          = "in-progress"
	StatusSupplementRequested = "supplement-requested"
	StatusDecided             = "decided"
	StatusClosed              = "closed"
	StatusCancelled           = "cancelled"
	StatusWithdrawn           = "withdrawn" // by the resident
)

// Case is a submitted application.
type Case struct {
	ID          string         `json:"id"`
	Reference   string         `json:"reference,omitempty"` // set by Submit, always stored
	Service     string         `json:"service"`
	FormVersion int            `json:"formVersion"`
	Status      string         `json:"status"`
	Actor       Ref            `json:"actor"`
	Principal   *Ref           `json:"principal,omitempty"`
	Answers     map[string]any `json:"answers"`
	// Municipality is the id of the municipality the case is with; empty
	// in cases written before cases named it (see municipality.go).
	Municipality string `json:"municipality,omitempty"`
	// Known maps data concepts to the answers given (for prefill).
	Known       map[string]any `json:"known,omitempty"`
	Attachments []Attachment   `json:"attachments,omitempty"`
	Parties     []Party        `json:"parties"`
	// Notified are the other parties of a joint matter (catalog
	// NotifyOtherParties: the other guardian of the child), told of the
	// case on submit and able to open it read-only; not co-applicants.
	Notified []Party `json:"notified,omitempty"`
	// Round counts the versions sent to the parties for approval.
	Round       int       `json:"round,omitempty"`
	DraftID     string    `json:"draftId"`
	SubmittedAt time.Time `json:"submittedAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	DueAt       time.Time `json:"dueAt"`
	RetainUntil time.Time `json:"retainUntil"`
	// RetentionDue is the time (Unix ms) of the case's retention entry in
	// housekeeping's due index (retention.go); 0 when it has none.
	RetentionDue int64 `json:"retentionDue,omitempty"`
	// Sources are the prefilled answers' sources, as the draft had them
	// when it was sent (my data shows where each answer came from).
	Sources map[string]PrefillSource `json:"sources,omitempty"`
	// ConsentsWithdrawn are the consent fields whose consent the person
	// withdrew, and when (WithdrawConsent).
	ConsentsWithdrawn map[string]*time.Time `json:"consentsWithdrawn,omitempty"`

	// Version grows with every handler's or resident's action on the
	// case (handling.go): an action that names an older version is a
	// conflict. Cases written before handling have 0.
	Version int `json:"version,omitempty"`
	// Handler is the staff member the case is assigned to, if anyone.
	Handler *Ref `json:"handler,omitempty"`
	// Supplement is the open or last request for a supplement.
	Supplement *Supplement `json:"supplement,omitempty"`
	// Decision is set once the case is decided.
	Decision *Decision `json:"decision,omitempty"`
}

// Supplement is a handler's request that the resident correct some
// answers by a due date.
type Supplement struct {
	Message     string    `json:"message"`
	Fields      []string  `json:"fields"`
	Due         time.Time `json:"due"`
	RequestedAt time.Time `json:"requestedAt"`
	By          Ref       `json:"by"`
	// SentAt is set when the resident sent the supplement.
	SentAt   *time.Time `json:"sentAt,omitempty"`
	Reminded bool       `json:"reminded,omitempty"`
}

// Decision outcomes.
const (
	OutcomeApproved = "approved"
	OutcomePartly   = "partly"
	OutcomeRejected = "rejected"
)

// Decision is the municipality's answer to the application.
type Decision struct {
	Outcome string    `json:"outcome"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
	By      Ref       `json:"by"`
	// Attachment is a file the handler attached (the decision letter as
	// a PDF, an appendix); see Service.DecisionFile.
	Attachment *Attachment `json:"attachment,omitempty"`
}

// Subject is whom the case is for.
func (c *Case) Subject() Ref {
	if c.Principal != nil {
		return *c.Principal
	}
	return c.Actor
}

// Event is one immutable step in a case's life.
type Event struct {
	ID        string    `json:"id"`
	Case      string    `json:"case"`
	Type      string    `json:"type"` // submitted | status-changed | ...
	At        time.Time `json:"at"`
	Actor     Ref       `json:"actor"`
	Principal *Ref      `json:"principal,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Note      string    `json:"note,omitempty"`
	// Changes lists the answers a supplement changed: field id → the
	// value before and after.
	Changes []Change `json:"changes,omitempty"`
}

// Change is one answer a supplement changed.
type Change struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// Attachment is an uploaded file's metadata; the bytes are stored by hash.
type Attachment struct {
	ID     string `json:"id"`
	Draft  string `json:"draft"`
	Field  string `json:"field"`
	Name   string `json:"name"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Blob is the key of the content in the blobs bucket (per owner, see
	// blobKey); empty for files stored before, whose key is SHA256.
	Blob      string    `json:"blob,omitempty"`
	Owner     string    `json:"owner"`
	CreatedAt time.Time `json:"createdAt"`
}

// Form is what form checks and summaries know of the file.
func (a Attachment) Form() forms.Attachment {
	return forms.Attachment{ID: a.ID, Field: a.Field, Name: a.Name, MIME: a.MIME, Size: a.Size}
}

// AttachmentLookup finds a file of atts by id, as forms.CheckOptions and
// forms.Definition.Summary ask for it.
func AttachmentLookup(atts []Attachment) func(id string) (forms.Attachment, bool) {
	return func(id string) (forms.Attachment, bool) {
		for _, a := range atts {
			if a.ID == id {
				return a.Form(), true
			}
		}
		return forms.Attachment{}, false
	}
}

// Errors that handlers map to HTTP statuses.
var (
	ErrNotFound  = errors.New("cases: not found")
	ErrConflict  = errors.New("cases: stale version")
	ErrSubmitted = errors.New("cases: draft already submitted")
	ErrClosed    = errors.New("cases: service not open")
)

// ClosedError is ErrClosed for one service: starting (Draft "") or
// sending the draft Draft while the service is not open.
type ClosedError struct{ Service, Draft string }

func (e *ClosedError) Error() string { return ErrClosed.Error() + ": " + e.Service }
func (e *ClosedError) Unwrap() error { return ErrClosed }

// ConflictError carries the current draft when a save was stale.
type ConflictError struct{ Current *Draft }

func (e *ConflictError) Error() string { return ErrConflict.Error() }
func (e *ConflictError) Unwrap() error { return ErrConflict }
