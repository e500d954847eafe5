package identity

import (
	"errors"
	"fmt"

	"asiointi/server/population"
	"asiointi/server/store"
)

// The municipalities of the installation live in the settings bucket:
//
//	"municipality:<id>"  one municipality (population.Municipality)
//	"municipality"       the id of the default municipality, as a JSON string
//
// The default municipality is the one the server serves, and the owner of
// every record written before records named their municipality (drafts
// and cases without one belong to it). Data files written before
// municipalities had ids held the whole record at "municipality":
// UpgradeMunicipality moves it.
const (
	defaultMunicipalityKey = "municipality"
	municipalityPrefix     = "municipality:"
)

// Municipality loads the default municipality: the one this installation
// serves.
func Municipality(s *store.Store) (population.Municipality, error) {
	var m population.Municipality
	err := s.View(func(tx *store.Tx) error {
		var id string
		if err := tx.Get(store.Settings, defaultMunicipalityKey, &id); err != nil {
			return err
		}
		return tx.Get(store.Settings, municipalityPrefix+id, &m)
	})
	return m, err
}

// MunicipalityByID loads a municipality of the installation by its id;
// ErrUnknown when there is none.
func MunicipalityByID(s *store.Store, id string) (population.Municipality, error) {
	var m population.Municipality
	err := s.View(func(tx *store.Tx) error { return tx.Get(store.Settings, municipalityPrefix+id, &m) })
	if errors.Is(err, store.ErrNotFound) {
		return m, ErrUnknown
	}
	return m, err
}

// AddMunicipality stores another municipality of the installation (the
// default one comes with the seed). It refuses a municipality without an
// id or reference prefix, an id already stored, and a reference prefix
// another municipality uses: a case reference names one case of the
// installation.
func AddMunicipality(s *store.Store, m population.Municipality) error {
	return s.UpdateAlone(func(tx *store.Tx) error { return putMunicipality(tx, m) })
}

func putMunicipality(tx *store.Tx, m population.Municipality) error {
	if m.ID == "" || m.RefPrefix == "" {
		return errors.New("identity: a municipality needs an id and a reference prefix")
	}
	if tx.Has(store.Settings, municipalityPrefix+m.ID) {
		return fmt.Errorf("identity: municipality %q exists already", m.ID)
	}
	others, err := store.Values[population.Municipality](tx, store.Settings, municipalityPrefix)
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.RefPrefix == m.RefPrefix {
			return fmt.Errorf("identity: municipality %q uses the reference prefix %q already", o.ID, m.RefPrefix)
		}
	}
	return tx.Put(store.Settings, municipalityPrefix+m.ID, m)
}

// UpgradeMunicipality brings a data file written before municipalities had
// ids to today's layout, inside the caller's transaction: the record held
// at "municipality" gets the id legacyID (unless it has one) and is stored
// under it, "municipality" names it as the default, and staff records
// without a municipality get it. It returns the default municipality's
// id, "" when the store has none yet (a new store before seeding). On a
// store in today's layout it changes nothing.
func UpgradeMunicipality(tx *store.Tx, legacyID string) (string, error) {
	raw, err := tx.GetRaw(store.Settings, defaultMunicipalityKey)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var id string
	if jsonUnmarshal(raw, &id) == nil {
		return id, nil // today's layout
	}
	var m population.Municipality
	if err := jsonUnmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("identity: settings %q: %w", defaultMunicipalityKey, err)
	}
	if m.ID == "" {
		m.ID = legacyID
	}
	if err := putMunicipality(tx, m); err != nil {
		return "", err
	}
	if err := tx.Put(store.Settings, defaultMunicipalityKey, m.ID); err != nil {
		return "", err
	}
	staff, err := store.Values[population.Staff](tx, store.Staff, "")
	if err != nil {
		return "", err
	}
	for _, st := range staff { // written after the scan: no writes under a cursor
		if st.Municipality != "" {
			continue
		}
		st.Municipality = m.ID
		if err := tx.Put(store.Staff, st.Username, st); err != nil {
			return "", err
		}
	}
	return m.ID, nil
}
