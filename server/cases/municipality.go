package cases

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"asiointi/server/store"
)

// The store keys of what belongs to one municipality start with its id:
//
//	forms     "<municipality>/<service>/<version, 6 digits>"  an imported form
//	counters  "ref/<municipality>/<year>"                     the case reference sequence
//
// Drafts, cases and their indexes are keyed by record id and by person
// (a person's drafts and cases may be with several municipalities); the
// records name their municipality. A draft or case written before records
// named their municipality has none: it belongs to the default
// municipality, the one the catalogue of this Service is.

// formPrefix starts the keys of a municipality's imported forms.
func formPrefix(municipality string) string { return municipality + "/" }

// formKey is where an imported form is stored.
func formKey(municipality, service string, version int) string {
	return fmt.Sprintf("%s%s/%06d", formPrefix(municipality), service, version)
}

// refCounter names the sequence of a municipality's case references in a
// year.
func refCounter(municipality string, year int) string {
	var buf [64]byte
	b := append(append(append(buf[:0], "ref/"...), municipality...), '/')
	return string(strconv.AppendInt(b, int64(year), 10))
}

// municipality is the id of the municipality a draft or case belongs to:
// the one it records, else (written before records named it) the default.
func (s *Service) municipality(recorded string) string {
	if recorded != "" {
		return recorded
	}
	return s.Catalog.Municipality()
}

// UpgradeKeys moves keys written before keys named their municipality
// into the municipality's place, inside the caller's transaction: imported
// forms ("<service>/<version>") and the yearly reference counters
// ("ref/<year>"), which belonged to the one municipality of the
// installation, given here as the default one. Keys already in today's
// layout stay; running it again changes nothing.
func UpgradeKeys(tx *store.Tx, municipality string) error {
	err := rekey(tx, store.Forms, "", func(k string) (string, bool) {
		return formPrefix(municipality) + k, strings.Count(k, "/") == 1
	})
	if err != nil {
		return err
	}
	return rekey(tx, store.Counters, "ref/", func(k string) (string, bool) {
		year := strings.TrimPrefix(k, "ref/")
		return "ref/" + municipality + "/" + year, !strings.Contains(year, "/")
	})
}

// rekey renames the keys of bucket with the prefix that to picks. It
// refuses to overwrite: a key in both layouts is a puzzle for a person.
func rekey(tx *store.Tx, bucket, prefix string, to func(key string) (string, bool)) error {
	type move struct {
		from, to string
		raw      []byte
	}
	var moves []move
	err := tx.Scan(bucket, prefix, func(k string, raw []byte) error {
		if n, ok := to(k); ok {
			moves = append(moves, move{k, n, bytes.Clone(raw)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range moves { // written after the scan: no writes under a cursor
		if tx.Has(bucket, m.to) {
			return fmt.Errorf("cases: upgrade: %s has both %q and %q", bucket, m.from, m.to)
		}
		if err := tx.PutRaw(bucket, m.to, m.raw); err != nil {
			return err
		}
		if err := tx.Delete(bucket, m.from); err != nil {
			return err
		}
	}
	return nil
}
