package identity

import (
	"fmt"
	"time"

	"asiointi/server/population"
	"asiointi/server/store"
)

// Seed writes the demo register into an empty store once. Person ids in
// the embedded data are replaced by opaque ids. It reports whether it
// seeded (false when the store already had data).
func Seed(s *store.Store, d *population.Data, now time.Time) (bool, error) {
	seeded := false
	err := s.UpdateAlone(func(tx *store.Tx) error {
		if tx.Has(store.Settings, "seeded") {
			return nil
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
			if err := tx.Put(store.People, p.ID, p); err != nil {
				return err
			}
			if err := tx.PutRaw(store.PeopleByHetu, p.Hetu, []byte(p.ID)); err != nil {
				return err
			}
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
		for _, st := range d.Staff {
			if err := tx.Put(store.Staff, st.Username, st); err != nil {
				return err
			}
		}
		if err := tx.Put(store.Settings, "municipality", d.Municipality); err != nil {
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

// Municipality loads the municipality's brand and contact details.
func Municipality(s *store.Store) (population.Municipality, error) {
	var m population.Municipality
	err := s.View(func(tx *store.Tx) error { return tx.Get(store.Settings, "municipality", &m) })
	return m, err
}
