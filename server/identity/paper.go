package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"asiointi/server/audit"
	"asiointi/server/forms"
	"asiointi/server/population"
	"asiointi/server/store"
)

// PaperMandate is a paper power of attorney an official records: the
// principal (a person or an organisation) authorises the holder on the
// issues for the period. Document is the reference of the paper
// document in the municipality's records, Scan the scanned document.
type PaperMandate struct {
	// Holder is a person (id or henkilötunnus); Principal a person (id or
	// henkilötunnus) or an organisation (business id).
	Holder, Principal string
	Issues            []string // mandate issue URIs
	ValidFrom         string   // YYYY-MM-DD
	ValidTo           string   // YYYY-MM-DD, "" open-ended
	Document          string
	Scan              *ScanFile
}

// ScanFile is an uploaded scan: the name it came with and its content.
// It is held to the limits of a form's file field without its own
// (forms.DefaultMaxBytes, forms.DefaultAccept: PDF, JPEG, PNG), its type
// told from its content.
type ScanFile struct {
	Name    string
	Content []byte
}

// Refusals of a scan.
var (
	// ErrScanTooLarge: over forms.DefaultMaxBytes.
	ErrScanTooLarge = errors.New("identity: the scanned document is too large")
	// ErrScanType: not a type forms.DefaultAccept allows.
	ErrScanType = errors.New("identity: the scanned document is not PDF, JPEG or PNG")
)

// ScanLimit is the largest scanned document accepted.
const ScanLimit = forms.DefaultMaxBytes

// ScanBlob is where the content of a paper mandate's scan is stored
// (bucket store.Blobs).
func ScanBlob(holder, scanID string) string { return "mandate/" + holder + "/" + scanID }

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
	scan, err := m.Scan.check(now)
	if err != nil {
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
			RecordedBy: official.ID, RecordedAt: now.UTC().Format(time.RFC3339), Scan: &scan})
		if err := tx.PutRaw(store.Blobs, ScanBlob(holder.ID, scan.ID), m.Scan.Content); err != nil {
			return err
		}
		if err := PutPerson(tx, holder); err != nil {
			return err
		}
		return audit.Record(tx, audit.Entry{At: now, Actor: official, Action: audit.ActionPaperMandate, Target: m.Holder,
			Detail: map[string]string{"principal": m.Principal, "issues": strings.Join(m.Issues, " "),
				"validFrom": m.ValidFrom, "validTo": m.ValidTo, "document": m.Document,
				"scan": scan.ID, "scanSha256": scan.SHA256}})
	})
}

// check checks a scan against the limits and makes its record.
func (f *ScanFile) check(now time.Time) (population.Scan, error) {
	if f == nil || len(f.Content) == 0 {
		return population.Scan{}, fmt.Errorf("%w: the scanned document is missing", ErrBadMandate)
	}
	if int64(len(f.Content)) > ScanLimit {
		return population.Scan{}, ErrScanTooLarge
	}
	mime := forms.DetectMIME(f.Content)
	if !slices.Contains(forms.DefaultAccept, mime) {
		return population.Scan{}, ErrScanType
	}
	sum := sha256.Sum256(f.Content)
	return population.Scan{ID: store.NewID(now), Name: forms.CleanFileName(f.Name), MIME: mime, Size: int64(len(f.Content)),
		SHA256: hex.EncodeToString(sum[:])}, nil
}

// ErrNoScan: there is no such scanned document, or it is not the
// asker's to see (the two are not told apart).
var ErrNoScan = errors.New("identity: no such scanned document")

// PaperMandateScan gives the scanned document of a paper power of
// attorney the holder holds (scan id) to who may see it: the holder, the
// principal (a person), or an official with a role in one of the
// services on the mandate's issues (servicesOn names them: the same
// officials who may record one). An official's reading is recorded in the
// access log of the holder and of the principal, in the same
// transaction. Anyone else gets ErrNoScan, as for a scan that does not
// exist.
func (d *Directory) PaperMandateScan(who audit.Who, holder, scanID string, servicesOn func(issue string) []string, now time.Time) (population.Mandate, []byte, error) {
	var m population.Mandate
	var body []byte
	if !store.ValidID(scanID) || holder == "" {
		return m, nil, ErrNoScan
	}
	read := func(tx *store.Tx, log bool) error {
		var h population.Person
		if err := tx.Get(store.People, holder, &h); errors.Is(err, store.ErrNotFound) {
			return ErrNoScan
		} else if err != nil {
			return err
		}
		i := slices.IndexFunc(h.Mandates, func(x population.Mandate) bool { return x.Scan != nil && x.Scan.ID == scanID })
		if i < 0 {
			return ErrNoScan
		}
		m = h.Mandates[i]
		role := ""
		switch who.Kind {
		case Resident:
			if who.ID != h.ID && who.ID != m.Principal {
				return ErrNoScan
			}
		case Staff:
			for _, is := range m.Issues {
				for _, svc := range servicesOn(is) {
					if r := StaffRole(tx, who.ID, svc); r != "" && role == "" {
						role = r
					}
				}
			}
			if role == "" {
				return ErrNoScan
			}
		default:
			return ErrNoScan
		}
		raw, err := tx.GetRaw(store.Blobs, ScanBlob(h.ID, scanID))
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoScan
		} else if err != nil {
			return err
		}
		body = append([]byte(nil), raw...)
		if !log || who.Kind != Staff {
			return nil
		}
		entry := func(subject string) audit.Access {
			return audit.Access{At: now, Actor: audit.Actor{ID: who.ID, Name: who.Name, Role: role}, Subject: subject,
				Kind: audit.KindMandateScan, Purpose: audit.PurposeMandate}
		}
		entries := []audit.Access{entry(h.ID)}
		if tx.Has(store.People, m.Principal) {
			entries = append(entries, entry(m.Principal))
		}
		return audit.RecordAccess(tx, now, entries...)
	}
	var err error
	if who.Kind == Staff {
		err = d.Store.Update(func(tx *store.Tx) error { return read(tx, true) })
	} else {
		err = d.Store.View(func(tx *store.Tx) error { return read(tx, false) })
	}
	return m, body, err
}

// PaperMandateOf is the paper power of attorney, valid on the day of on,
// by which holder may act for principal on issue, if the register has
// one (the one recorded last when there are several).
func (d *Directory) PaperMandateOf(holder, principal, issue string, on time.Time) (population.Mandate, bool) {
	h, err := d.Person(holder)
	if err != nil {
		return population.Mandate{}, false
	}
	day := on.Format("2006-01-02")
	for i := len(h.Mandates) - 1; i >= 0; i-- {
		m := h.Mandates[i]
		if m.Document != "" && m.Principal == principal && slices.Contains(m.Issues, issue) &&
			m.ValidFrom <= day && (m.ValidTo == "" || m.ValidTo >= day) {
			return m, true
		}
	}
	return population.Mandate{}, false
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
