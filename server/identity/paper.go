package identity

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"asiointi/server/population"
	"asiointi/server/store"
)

// PaperMandate is a paper power of attorney an official records: the
// principal (a person or an organisation) authorises the holder on the
// issues for the period. Document is the reference of the scanned
// document in the municipality's records (no file content here).
type PaperMandate struct {
	Holder, Principal string   // person ids; Principal may be a business id
	Issues            []string // mandate issue URIs
	ValidFrom         string   // YYYY-MM-DD
	ValidTo           string   // YYYY-MM-DD, "" open-ended
	Document          string
}

// MandateAudit is the audit record of a recorded paper mandate (bucket
// mandate_audit, key by time-ordered id): who recorded what, when.
type MandateAudit struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Official  string    `json:"official"` // staff username
	Action    string    `json:"action"`   // "paper-mandate-recorded"
	Holder    string    `json:"holder"`
	Principal string    `json:"principal"`
	Issues    []string  `json:"issues"`
	ValidFrom string    `json:"validFrom"`
	ValidTo   string    `json:"validTo,omitempty"`
	Document  string    `json:"document"`
}

// ErrNotOfficial: only an official records a paper power of attorney.
var ErrNotOfficial = &Refusal{Code: "not-official"}

// ErrBadMandate refuses a paper mandate that is incomplete or inconsistent.
var ErrBadMandate = errors.New("identity: invalid paper mandate")

// RecordPaperMandate records a paper power of attorney for the holder, on
// the word of the official (a staff member), and audit-logs it in the
// same transaction. From then on it is a right to act like a mandate from
// Suomi.fi Mandates (Principals lists it, with source SourcePaper), and
// the same checks apply to it (validity, issue).
func (d *Directory) RecordPaperMandate(official Session, m PaperMandate, now time.Time) error {
	if official.Kind != Staff {
		return ErrNotOfficial
	}
	if err := m.check(); err != nil {
		return err
	}
	return d.Store.UpdateAlone(func(tx *store.Tx) error {
		var holder population.Person
		if err := tx.Get(store.People, m.Holder, &holder); err != nil {
			return fmt.Errorf("%w: unknown holder", ErrBadMandate)
		}
		if !tx.Has(store.People, m.Principal) && !tx.Has(store.Settings, "org:"+m.Principal) {
			return fmt.Errorf("%w: unknown principal", ErrBadMandate)
		}
		if m.Principal == m.Holder {
			return fmt.Errorf("%w: a person does not authorise themself", ErrBadMandate)
		}
		holder.Mandates = append(holder.Mandates, population.Mandate{Principal: m.Principal, Issues: slices.Clone(m.Issues),
			ValidFrom: m.ValidFrom, ValidTo: m.ValidTo, Document: m.Document,
			RecordedBy: official.UserID, RecordedAt: now.UTC().Format(time.RFC3339)})
		if err := tx.Put(store.People, holder.ID, holder); err != nil {
			return err
		}
		a := MandateAudit{ID: store.NewID(now), At: now, Official: official.UserID, Action: "paper-mandate-recorded",
			Holder: m.Holder, Principal: m.Principal, Issues: m.Issues, ValidFrom: m.ValidFrom, ValidTo: m.ValidTo, Document: m.Document}
		return tx.Put(store.MandateAudit, a.ID, a)
	})
}

// MandateAuditLog lists the audit records of recorded paper mandates,
// newest first.
func (d *Directory) MandateAuditLog() ([]MandateAudit, error) {
	var out []MandateAudit
	err := d.Store.View(func(tx *store.Tx) (err error) {
		out, err = store.ValuesReverse[MandateAudit](tx, store.MandateAudit, "")
		return err
	})
	return out, err
}

func (m PaperMandate) check() error {
	from, err := time.Parse("2006-01-02", m.ValidFrom)
	if err != nil {
		return fmt.Errorf("%w: validFrom %q", ErrBadMandate, m.ValidFrom)
	}
	if m.ValidTo != "" {
		to, err := time.Parse("2006-01-02", m.ValidTo)
		if err != nil || to.Before(from) {
			return fmt.Errorf("%w: validTo %q", ErrBadMandate, m.ValidTo)
		}
	}
	if len(m.Issues) == 0 {
		return fmt.Errorf("%w: no issue", ErrBadMandate)
	}
	for _, is := range m.Issues {
		if u, err := url.Parse(is); err != nil || u.Host == "" {
			return fmt.Errorf("%w: issue %q", ErrBadMandate, is)
		}
	}
	if m.Document == "" {
		return fmt.Errorf("%w: the scanned document's reference is missing", ErrBadMandate)
	}
	if m.Holder == "" || m.Principal == "" {
		return fmt.Errorf("%w: holder and principal are needed", ErrBadMandate)
	}
	return nil
}
