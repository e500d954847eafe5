package population

import (
	"slices"
	"strings"
)

// Register is the population data adapter: what the population register
// (DVV) tells of a person by their henkilötunnus, at their first national
// login. The demo register answers from the embedded demo data; a real
// one would ask DVV's services.
type Register interface {
	// Relations of the person with hetu; false when the register does not
	// know them.
	Relations(hetu string) (Relations, bool, error)
}

// Relations are a person's relations as the register tells them. People
// in them carry their own data (henkilötunnus, names, birth date,
// language, address); ids are the register's and mean nothing outside it.
type Relations struct {
	// Wards are the minors in the person's guardianship.
	Wards []Person
	// Mandates are those the person has received from other people.
	Mandates []MandateFrom
	// Roles are the person's positions in organisations, and
	// Organizations those organisations (business register data).
	Roles         []Role
	Organizations []Organization
}

// MandateFrom is a mandate received from Principal.
type MandateFrom struct {
	Principal Person
	Issues    []string
	ValidFrom string
	ValidTo   string
}

// DemoRegister is the embedded demo register as a Register.
type DemoRegister struct{ Data *Data }

// Relations implements Register.
func (r DemoRegister) Relations(hetu string) (Relations, bool, error) {
	byID := map[string]Person{}
	var me Person
	found := false
	for _, p := range r.Data.People {
		byID[p.ID] = p
		if strings.EqualFold(p.Hetu, hetu) {
			me, found = p, true
		}
	}
	if !found {
		return Relations{}, false, nil
	}
	rel := Relations{Roles: slices.Clone(me.Roles)}
	for _, role := range me.Roles {
		for _, o := range r.Data.Organizations {
			if o.BusinessID == role.Organization {
				rel.Organizations = append(rel.Organizations, o)
			}
		}
	}
	for _, p := range r.Data.People {
		if slices.Contains(p.Guardians, me.ID) {
			p.Guardians, p.Mandates, p.Roles, p.Properties = nil, nil, nil, nil
			rel.Wards = append(rel.Wards, p)
		}
	}
	for _, m := range me.Mandates {
		principal, ok := byID[m.Principal]
		if !ok {
			continue // an organisation's mandate: not a person of the register
		}
		principal.Guardians, principal.Mandates, principal.Roles, principal.Properties = nil, nil, nil, nil
		rel.Mandates = append(rel.Mandates, MandateFrom{Principal: principal, Issues: slices.Clone(m.Issues),
			ValidFrom: m.ValidFrom, ValidTo: m.ValidTo})
	}
	return rel, true, nil
}
