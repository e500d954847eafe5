package app

import (
	"fmt"
	"time"

	"asiointi/server/cases"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
)

// upgrade brings a data file written by an earlier version to today's
// layout, in one transaction, before anything reads it: the municipality
// settings and staff records (identity.UpgradeMunicipality) and the keys
// of what belongs to the municipality (cases.UpgradeKeys),
// housekeeping's due index (cases.UpgradeDue) and the records of sent
// drafts in their own bucket (cases.UpgradeSent). A file in
// today's layout is left as it is.
//
// Before municipalities had ids, the only writer of the municipality
// settings was the demo seed, so the municipality of such a file is the
// demo municipality: it gets the demo data's id.
func upgrade(st *store.Store, now time.Time) error {
	demo, err := population.Demo()
	if err != nil {
		return err
	}
	run := func(tx *store.Tx) error {
		if err := cases.UpgradeDue(tx, now); err != nil {
			return err
		}
		if err := cases.UpgradeSent(tx); err != nil {
			return err
		}
		id, err := identity.UpgradeMunicipality(tx, demo.Municipality.ID)
		if err != nil {
			return err
		}
		if id != "" {
			if err := cases.UpgradeKeys(tx, id); err != nil {
				return err
			}
		}
		return cases.IndexExisting(tx)
	}
	// Most starts find today's layout and have nothing to write: a
	// read-only pass succeeds only then (a write in it fails), so that such
	// a start does not write (on a full disk, say).
	if st.View(run) == nil {
		return nil
	}
	if err := st.UpdateAlone(run); err != nil {
		return fmt.Errorf("upgrade the data file: %w", err)
	}
	return nil
}
