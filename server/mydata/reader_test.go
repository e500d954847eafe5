package mydata_test

import (
	"errors"
	"testing"
	"time"

	"asiointi/server/audit"
	"asiointi/server/identity"
	"asiointi/server/mydata"
)

// TestReaderRefusals: a guardian reads a child's data only while the
// child is a minor (checked on the day, not when acting-for was chosen);
// staff read no one's; a proxy for an adult and anyone else read their
// own; the guardian's reading is in the child's access log, the person's
// own is not logged.
func TestReaderRefusals(t *testing.T) {
	w := newWorld(t)
	r := &mydata.Reader{Collector: w.col, Directory: w.parts.Directory}
	aino, ella, helmi, juhani := w.person("140386-902R"), w.person("090111A936M"), w.person("050840-948K"), w.person("300468-951T")
	asGuardian := identity.Session{UserID: aino.ID, Kind: identity.Resident, Name: aino.Name(), ActingFor: ella.ID,
		ActingAs: identity.PrincipalGuardian, ActingName: ella.Name()}
	cases := []struct {
		name    string
		sess    identity.Session
		at      time.Time
		subject string
		err     error
	}{
		{"own", identity.Session{UserID: aino.ID, Kind: identity.Resident, Name: aino.Name()}, w.clk.t, aino.ID, nil},
		{"guardian of a minor", asGuardian, w.clk.t, ella.ID, nil},
		{"the child has turned 18", asGuardian, time.Date(2029, 1, 10, 12, 0, 0, 0, time.UTC), "", mydata.ErrRefused},
		{"guardian of someone not her child", identity.Session{UserID: aino.ID, Kind: identity.Resident, Name: aino.Name(), ActingFor: helmi.ID,
			ActingAs: identity.PrincipalGuardian}, w.clk.t, "", mydata.ErrRefused},
		{"a proxy for an adult reads their own", identity.Session{UserID: juhani.ID, Kind: identity.Resident, Name: juhani.Name(), ActingFor: helmi.ID,
			ActingAs: identity.PrincipalMandate}, w.clk.t, juhani.ID, nil},
		{"staff", identity.Session{UserID: "kaisa", Kind: identity.Staff, Name: "Kaisa"}, w.clk.t, "", mydata.ErrRefused},
		{"staff claiming a resident's id", identity.Session{UserID: aino.ID, Kind: identity.Staff}, w.clk.t, "", mydata.ErrRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w.clk.t = c.at
			d, err := r.Read(c.sess, "en", audit.KindMyData)
			if !errors.Is(err, c.err) || (err == nil && d.Person.ID != c.subject) {
				t.Fatalf("%v %+v", err, d)
			}
		})
	}
	w.clk.t = time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	list, _, err := audit.Of(w.st, ella.ID, audit.Filter{})
	if err != nil || len(list) != 1 || list[0].Actor.ID != aino.ID || list[0].Purpose != audit.PurposeGuardian {
		t.Errorf("Ella's access log: %+v %v", list, err)
	}
	if mine, _, _ := audit.Of(w.st, aino.ID, audit.Filter{}); len(mine) != 0 {
		t.Errorf("Aino's own reading logged: %+v", mine)
	}
	if _, err := w.col.Collect("nobody", "en", nil); !errors.Is(err, mydata.ErrNoPerson) {
		t.Errorf("unknown subject: %v", err)
	}
}
