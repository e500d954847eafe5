package identity

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"asiointi/server/audit"
	"asiointi/server/population"
	"asiointi/server/store"
)

// PaperMandate is a paper power of attorney an official records: the
// principal (a person or an organisation) authorises the holder on the
// issues for the period. Document is the reference of the scanned
// document in the municipality's records (no file content here).
type PaperMandate struct {
	// Holder is a person (id or henkilötunnus); Principal a person (id or
	// henkilötunnus) or an organisation (business id).
	Holder, Principal string
	Issues            []string // mandate issue URIs
	ValidFrom         string   // YYYY-MM-DD
	ValidTo           string   // YYYY-MM-DD, "" open-ended
	Document          string
}

// ErrNotOfficial: only an official records a paper power of attorney.
var ErrNotOfficial = &Refusal{Code: "not-official"}

// ErrBadMandate refuses a paper mandate that is incomplete or inconsistent.
var ErrBadMandate = errors.New("identity: invalid paper mandate")

// RecordPaperMandate records a paper power of attorney for the holder, on
// the word of the official, and audit-logs it (audit.Record, action
// audit.ActionPaperMandate) in the same transaction. The official must
// hold a role in one of services — the services whose mandate issues
// cover the mandate's (the caller finds them in the catalogue) — read in
// the transaction, so a role taken away refuses at once. From then on it
// is a right to act like a mandate from Suomi.fi Mandates (Principals
// lists it, with source SourcePaper), and the same checks apply to it
// (validity, issue).
func (d *Directory) RecordPaperMandate(official audit.Who, services []string, m PaperMandate, now time.Time) error {
	if official.Kind != Staff {
		return ErrNotOfficial
	}
	if err := m.check(); err != nil {
		return err
	}
	return d.Store.UpdateAlone(func(tx *store.Tx) error {
		m := m
		m.Holder, m.Principal = personID(tx, m.Holder), personID(tx, m.Principal)
		if !slices.ContainsFunc(services, func(svc string) bool { return StaffRole(tx, official.ID, svc) != "" }) {
			return ErrNotOfficial
		}
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
			RecordedBy: official.ID, RecordedAt: now.UTC().Format(time.RFC3339)})
		if err := tx.Put(store.People, holder.ID, holder); err != nil {
			return err
		}
		return audit.Record(tx, audit.Entry{At: now, Actor: official, Action: audit.ActionPaperMandate, Target: m.Holder,
			Detail: map[string]string{"principal": m.Principal, "issues": strings.Join(m.Issues, " "),
				"validFrom": m.ValidFrom, "validTo": m.ValidTo, "document": m.Document}})
	})
}

// personID is the id of the person whose henkilötunnus s is, or s.
func personID(tx *store.Tx, s string) string {
	if id, err := tx.GetRaw(store.PeopleByHetu, s); err == nil {
		return string(id)
	}
	return s
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
