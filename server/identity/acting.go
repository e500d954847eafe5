package identity

import "time"

// Refusal is why a person may not act for someone: a typed error, so the
// API and the pages answer it the same way.
type Refusal struct {
	Code string // stable, for the API's error code
}

func (r *Refusal) Error() string { return "identity: refused: " + r.Code }

// Refusals.
var (
	// ErrNotResident: only residents act for others (staff never do).
	ErrNotResident = &Refusal{Code: "not-resident"}
	// ErrNoRelation: no guardianship of a minor, valid mandate or role in
	// an organisation links the person to that principal on that day.
	ErrNoRelation = &Refusal{Code: "no-relation"}
)

// PrincipalsOf lists whom the session's person may act for on the day.
func (d *Directory) PrincipalsOf(s Session, on time.Time) ([]Principal, error) {
	if s.Kind != Resident {
		return nil, ErrNotResident
	}
	p, err := d.Person(s.UserID)
	if err != nil {
		return nil, err
	}
	return d.Principals(p, on)
}

// MayActFor is the check of an acting-for relation: the principal the
// session's person may act for on the day, or a *Refusal.
func (d *Directory) MayActFor(s Session, principal string, on time.Time) (Principal, error) {
	list, err := d.PrincipalsOf(s, on)
	if err != nil {
		return Principal{}, err
	}
	for _, p := range list {
		if p.ID == principal {
			return p, nil
		}
	}
	return Principal{}, ErrNoRelation
}

// SwitchActingFor makes the session act for principal ("" = oneself) after
// checking the relation, and rotates the session id (the old token ends).
// Refusals are *Refusal errors; ErrNoSession means s ended meanwhile.
func (m *Sessions) SwitchActingFor(d *Directory, s Session, principal string) (string, Session, error) {
	next := s
	next.ActingFor, next.ActingAs, next.ActingName = "", "", ""
	if s.Kind != Resident {
		return "", Session{}, ErrNotResident
	}
	if principal != "" {
		p, err := d.MayActFor(s, principal, m.Now())
		if err != nil {
			return "", Session{}, err
		}
		next.ActingFor, next.ActingAs, next.ActingName = p.ID, p.Kind, p.Name
	}
	return m.Rotate(next)
}
