package identity

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"asiointi/server/audit"
	"asiointi/server/fincode"
	"asiointi/server/population"
	"asiointi/server/store"
)

// Identified is a person as strong national identification (Suomi.fi
// e-Identification) tells them at login.
type Identified struct {
	Hetu             string
	FirstName        string // the given name in use (kutsumanimi) when told
	LastName         string
	Email            string
	HomeMunicipality string // municipality number
	// AddressProtected is the non-disclosure flag: Address is then empty
	// and any stored address of the person is removed.
	AddressProtected bool
	Address          population.Address
}

// ErrNoHetu means the identification carried no valid henkilötunnus: no
// resident can be logged in from it.
var ErrNoHetu = errors.New("identity: identification without a henkilötunnus")

// Identify finds the resident a national identification names, creating
// them at their first login, and brings what the identification tells up
// to date: the names, and the non-disclosure of address (a protected
// person's stored address is removed). At the first login the population
// data adapter (Population), when there is one, fills the person's
// relations: the minors in their guardianship, mandates received from
// other people (each created as a person when unknown) and organisation
// roles. Later logins leave relations as they are.
func (d *Directory) Identify(in Identified, now time.Time) (population.Person, error) {
	hetu := strings.ToUpper(strings.TrimSpace(in.Hetu))
	born, ok := fincode.HetuBirthDate(hetu)
	if !ok {
		return population.Person{}, ErrNoHetu
	}
	// The register is asked outside the transaction (a real one is a
	// network call), only for someone the store does not know.
	var rel *population.Relations
	if d.Population != nil {
		if _, err := d.PersonByHetu(hetu); errors.Is(err, ErrUnknown) {
			r, found, err := d.Population.Relations(hetu)
			if err != nil {
				return population.Person{}, fmt.Errorf("identity: population data: %w", err)
			}
			if found {
				rel = &r
			}
		}
	}
	var p population.Person
	err := d.Store.Update(func(tx *store.Tx) error {
		p = population.Person{}
		raw, err := tx.GetRaw(store.PeopleByHetu, hetu)
		created := false
		switch {
		case errors.Is(err, store.ErrNotFound):
			p = population.Person{ID: store.NewID(now), Hetu: hetu, Language: "fi", BirthDate: born.Format("2006-01-02")}
			created = true
		case err != nil:
			return err
		default:
			if err := tx.Get(store.People, string(raw), &p); err != nil {
				return err
			}
		}
		if in.FirstName != "" {
			p.FirstName = in.FirstName
		}
		if in.LastName != "" {
			p.LastName = in.LastName
		}
		if p.Email == "" && in.Email != "" {
			p.Email = in.Email
		}
		if in.HomeMunicipality != "" {
			p.HomeMunicipality = in.HomeMunicipality
		}
		p.AddressProtected = in.AddressProtected
		switch {
		case in.AddressProtected:
			p.Address = population.Address{}
		case in.Address.PostalCode != "" || len(in.Address.Street) > 0:
			p.Address = in.Address
		}
		if created && rel != nil {
			if err := fillRelations(tx, &p, *rel, now); err != nil {
				return err
			}
		}
		return PutPerson(tx, p)
	})
	return p, err
}

// fillRelations writes what the register tells of p's relations, inside
// the caller's transaction: each ward and principal is found by
// henkilötunnus or created, a ward names p as guardian, p holds the
// mandates (by the principals' ids here) and roles, and organisations not
// yet stored are.
func fillRelations(tx *store.Tx, p *population.Person, rel population.Relations, now time.Time) error {
	for _, w := range rel.Wards {
		ward, err := registerPerson(tx, w, now)
		if err != nil {
			return err
		}
		if !slices.Contains(ward.Guardians, p.ID) {
			ward.Guardians = append(ward.Guardians, p.ID)
		}
		if err := PutPerson(tx, ward); err != nil {
			return err
		}
	}
	for _, m := range rel.Mandates {
		principal, err := registerPerson(tx, m.Principal, now)
		if err != nil {
			return err
		}
		if err := PutPerson(tx, principal); err != nil {
			return err
		}
		p.Mandates = append(p.Mandates, population.Mandate{Principal: principal.ID, Issues: m.Issues, ValidFrom: m.ValidFrom, ValidTo: m.ValidTo})
	}
	for _, o := range rel.Organizations {
		if !tx.Has(store.Settings, "org:"+o.BusinessID) {
			if err := tx.Put(store.Settings, "org:"+o.BusinessID, o); err != nil {
				return err
			}
		}
	}
	p.Roles = append(p.Roles, rel.Roles...)
	return nil
}

// registerPerson is the stored person with r's henkilötunnus, or r as a
// new person (with a new id, no relations, and no address when it is
// protected).
func registerPerson(tx *store.Tx, r population.Person, now time.Time) (population.Person, error) {
	hetu := strings.ToUpper(strings.TrimSpace(r.Hetu))
	if _, ok := fincode.HetuBirthDate(hetu); !ok {
		return population.Person{}, ErrNoHetu
	}
	raw, err := tx.GetRaw(store.PeopleByHetu, hetu)
	if err == nil {
		var p population.Person
		return p, tx.Get(store.People, string(raw), &p)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return population.Person{}, err
	}
	p := population.Person{ID: store.NewID(now), Hetu: hetu, FirstName: r.FirstName, LastName: r.LastName, BirthDate: r.BirthDate,
		Language: r.Language, Address: r.Address, AddressProtected: r.AddressProtected, HomeMunicipality: r.HomeMunicipality}
	if p.AddressProtected {
		p.Address = population.Address{}
	}
	if p.Language == "" {
		p.Language = "fi"
	}
	return p, nil
}

// Federated is what an outside identity provider said about a login that
// logging out needs: for SAML the NameID (with its qualifiers) and the
// session index; for OIDC the ID token (the hint of RP-initiated logout).
type Federated struct {
	Method          string `json:"method"` // suomifi-saml | oidc
	NameID          string `json:"nameId,omitempty"`
	NameIDFormat    string `json:"nameIdFormat,omitempty"`
	NameQualifier   string `json:"nameQualifier,omitempty"`
	SPNameQualifier string `json:"spNameQualifier,omitempty"`
	SessionIndex    string `json:"sessionIndex,omitempty"`
	IDToken         string `json:"idToken,omitempty"`
}

// StaffSignedIn records a login through the municipality's identity
// provider, which is the truth of the person's roles: the staff member is
// created or updated (their title kept), and their role in each service
// becomes exactly what roles says (service id → role; a service not named
// loses its role), each change audit-logged as the provider's. Roles that
// are not handler, manager or admin are refused (ErrBadRole).
func (d *Directory) StaffSignedIn(s population.Staff, roles map[string]string, now time.Time) error {
	for _, r := range roles {
		if !ValidRole(r) {
			return ErrBadRole
		}
	}
	if strings.Contains(s.Username, "/") {
		return ErrUnknown
	}
	return d.Store.Update(func(tx *store.Tx) error {
		var old population.Staff
		if err := tx.Get(store.Staff, s.Username, &old); err == nil {
			s.Title = old.Title
		}
		if err := tx.Put(store.Staff, s.Username, s); err != nil {
			return err
		}
		before := map[string]string{}
		if err := rolesIn(tx, s.Username, before); err != nil {
			return err
		}
		who := audit.Who{ID: s.Username, Name: s.Name, Kind: "staff"}
		change := func(service, from, to string) error {
			return audit.Record(tx, audit.Entry{At: now, Actor: who, Action: audit.ActionRoleSet, Target: s.Username,
				Detail: map[string]string{"service": service, "from": from, "to": to, "source": "identity-provider"}})
		}
		for service, from := range before { // written after the scan: no writes under a cursor
			if _, kept := roles[service]; kept {
				continue
			}
			if err := tx.Delete(store.StaffRoles, roleKey(s.Username, service)); err != nil {
				return err
			}
			if err := change(service, from, ""); err != nil {
				return err
			}
		}
		for service, to := range roles {
			if before[service] == to {
				continue
			}
			if err := tx.Put(store.StaffRoles, roleKey(s.Username, service), roleRecord{Role: to, At: now, By: "identity-provider"}); err != nil {
				return err
			}
			if err := change(service, before[service], to); err != nil {
				return err
			}
		}
		return nil
	})
}
