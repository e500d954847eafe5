package identity

import (
	"errors"
	"fmt"
	"time"

	"asiointi/server/population"
	"asiointi/server/store"
)

// guardianshipIndexed, rolesIndexed and mandatesIndexed mark a store
// whose guardianship, organisation role and mandate indexes are complete
// (stores seeded before an index existed get it built once).
const (
	guardianshipIndexed = "guardianship-indexed"
	rolesIndexed        = "org-roles-indexed"
	mandatesIndexed     = "mandates-indexed"
)

// Seed writes the demo register into an empty store once. Person ids in
// the embedded data are replaced by opaque ids. It reports whether it
// seeded (false when the store already had data).
func Seed(s *store.Store, d *population.Data, now time.Time) (bool, error) {
	seeded := false
	err := s.UpdateAlone(func(tx *store.Tx) error {
		if tx.Has(store.Settings, "seeded") {
			if err := indexPeople(tx); err != nil {
				return err
			}
			if err := seedLogo(tx, d.Municipality); err != nil {
				return err
			}
			return seedStaff(tx, d, now)
		}
		ids := map[string]string{}
		for _, p := range d.People {
			ids[p.ID] = store.NewID(now)
		}
		remap := func(id string) string {
			if n, ok := ids[id]; ok {
				return n
			}
			return id
		}
		for _, p := range d.People {
			p.ID = ids[p.ID]
			for i, g := range p.Guardians {
				p.Guardians[i] = remap(g)
			}
			for i := range p.Mandates {
				p.Mandates[i].Principal = remap(p.Mandates[i].Principal)
			}
			if err := PutPerson(tx, p); err != nil {
				return err
			}
		}
		if err := markIndexed(tx); err != nil {
			return err
		}
		for _, o := range d.Organizations {
			if err := tx.Put(store.Settings, "org:"+o.BusinessID, o); err != nil {
				return err
			}
		}
		for _, pr := range d.Properties {
			for i, o := range pr.Owners {
				pr.Owners[i] = remap(o)
			}
			if err := tx.Put(store.Settings, "property:"+pr.ID, pr); err != nil {
				return err
			}
		}
		// The register has one municipality: its staff work for it.
		if err := seedStaff(tx, d, now); err != nil {
			return err
		}
		if err := putMunicipality(tx, d.Municipality); err != nil {
			return err
		}
		if err := tx.Put(store.Settings, defaultMunicipalityKey, d.Municipality.ID); err != nil {
			return err
		}
		seeded = true
		return tx.Put(store.Settings, "seeded", now.UTC().Format(time.RFC3339))
	})
	if err != nil {
		return false, fmt.Errorf("seed demo data: %w", err)
	}
	return seeded, nil
}

// putStaff writes a demo staff member of the register's one municipality.
func putStaff(tx *store.Tx, st population.Staff, municipality string) error {
	if st.Municipality == "" {
		st.Municipality = municipality
	}
	if st.Municipality != municipality {
		return fmt.Errorf("staff %s: unknown municipality %q", st.Username, st.Municipality)
	}
	st.Roles = nil // the store's roles are the truth (StaffRoles)
	return tx.Put(store.Staff, st.Username, st)
}

// PutPerson is the one write of a person: the record and its indexes (by
// henkilötunnus, guardianship by guardian, so that finding whom a
// person may act for reads their own relations, not the whole register,
// roles by organisation, so that finding who holds a role in one does
// not either, and mandates by principal, so that finding who holds one
// from an organisation does not either).
func PutPerson(tx *store.Tx, p population.Person) error {
	if err := tx.Put(store.People, p.ID, p); err != nil {
		return err
	}
	if err := tx.PutRaw(store.PeopleByHetu, p.Hetu, []byte(p.ID)); err != nil {
		return err
	}
	for _, g := range p.Guardians {
		if err := tx.PutRaw(store.Guardianship, g+"/"+p.ID, []byte{}); err != nil {
			return err
		}
	}
	for _, r := range p.Roles {
		if err := tx.PutRaw(store.OrgRoles, r.Organization+"/"+p.ID, []byte(r.Role)); err != nil {
			return err
		}
	}
	for _, m := range p.Mandates {
		if err := tx.PutRaw(store.MandatesByPrincipal, m.Principal+"/"+p.ID, []byte{}); err != nil {
			return err
		}
	}
	return nil
}

// indexPeople builds the guardianship and role indexes of a store seeded
// before they existed, once.
func indexPeople(tx *store.Tx) error {
	if tx.Has(store.Settings, guardianshipIndexed) && tx.Has(store.Settings, rolesIndexed) && tx.Has(store.Settings, mandatesIndexed) {
		return nil
	}
	people, err := store.Values[population.Person](tx, store.People, "")
	if err != nil {
		return err
	}
	for _, p := range people {
		if err := PutPerson(tx, p); err != nil {
			return err
		}
	}
	return markIndexed(tx)
}

func markIndexed(tx *store.Tx) error {
	if err := tx.Put(store.Settings, guardianshipIndexed, true); err != nil {
		return err
	}
	if err := tx.Put(store.Settings, rolesIndexed, true); err != nil {
		return err
	}
	return tx.Put(store.Settings, mandatesIndexed, true)
}

// seedLogo gives the demo municipality of a data file seeded before
// municipalities had logos the demo data's logo.
func seedLogo(tx *store.Tx, demo population.Municipality) error {
	var m population.Municipality
	err := tx.Get(store.Settings, municipalityPrefix+demo.ID, &m)
	if errors.Is(err, store.ErrNotFound) || err == nil && (m.Logo != nil || demo.Logo == nil) {
		return nil
	}
	if err != nil {
		return err
	}
	m.Logo = demo.Logo
	return tx.Put(store.Settings, municipalityPrefix+m.ID, m)
}
