package identity_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

var now = time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := storetest.Open(t, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func seeded(t *testing.T) *store.Store {
	t.Helper()
	st := openStore(t)
	d, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity.Seed(st, d, now); err != nil {
		t.Fatal(err)
	}
	return st
}

var naapurila = population.Municipality{ID: "naapurila", RefPrefix: "NAA",
	Name: i18n.Text{"fi": "Naapurilan kunta", "sv": "Naapurila kommun", "en": "Municipality of Naapurila"}}

func TestSeedStoresTheMunicipalityByID(t *testing.T) {
	st := seeded(t)
	m, err := identity.Municipality(st)
	if err != nil || m.ID != "esimerkkila" || m.RefPrefix != "ESI" || m.ShortName.In("fi") != "Esimerkkilä" {
		t.Fatalf("default municipality = %+v, %v", m, err)
	}
	if byID, err := identity.MunicipalityByID(st, "esimerkkila"); err != nil || byID.Name.In("sv") != "Exempelby kommun" {
		t.Errorf("MunicipalityByID = %+v, %v", byID, err)
	}
	dir := &identity.Directory{Store: st}
	for _, u := range []string{"kaisa", "pertti"} {
		if s, err := dir.StaffMember(u); err != nil || s.Municipality != "esimerkkila" {
			t.Errorf("staff %s = %+v, %v", u, s, err)
		}
	}
}

// TestSeedGivesTheDemoMunicipalityItsLogo: the demo municipality has its
// own logo; a data file seeded before municipalities had logos gets it at
// the next start, and an imported logo is never overwritten.
func TestSeedGivesTheDemoMunicipalityItsLogo(t *testing.T) {
	st := openStore(t)
	d, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	want := d.Municipality.Logo
	if want == nil || want.Type != "image/svg+xml" || !bytes.Contains(want.Data, []byte("<svg")) {
		t.Fatalf("the demo municipality's logo: %+v", want)
	}
	d.Municipality.Logo = nil // seeded by a version without logos
	if _, err := identity.Seed(st, d, now); err != nil {
		t.Fatal(err)
	}
	d.Municipality.Logo = want
	if _, err := identity.Seed(st, d, now); err != nil {
		t.Fatal(err)
	}
	m, err := identity.Municipality(st)
	if err != nil || m.Logo == nil || !bytes.Equal(m.Logo.Data, want.Data) {
		t.Fatalf("after the next start: %+v, %v", m.Logo, err)
	}
	d.Municipality.Logo = &population.Logo{Type: "image/png", Data: []byte("other")}
	if _, err := identity.Seed(st, d, now); err != nil {
		t.Fatal(err)
	}
	if m, _ := identity.Municipality(st); !bytes.Equal(m.Logo.Data, want.Data) {
		t.Errorf("a stored logo was replaced")
	}
}

func TestAddMunicipality(t *testing.T) {
	st := seeded(t)
	if err := identity.AddMunicipality(st, naapurila); err != nil {
		t.Fatal(err)
	}
	if m, err := identity.MunicipalityByID(st, "naapurila"); err != nil || m.Name.In("fi") != "Naapurilan kunta" {
		t.Errorf("MunicipalityByID(naapurila) = %+v, %v", m, err)
	}
	// The default stays the seeded one.
	if m, err := identity.Municipality(st); err != nil || m.ID != "esimerkkila" {
		t.Errorf("default municipality = %+v, %v", m, err)
	}
	if _, err := identity.MunicipalityByID(st, "kolmas"); !errors.Is(err, identity.ErrUnknown) {
		t.Errorf("MunicipalityByID(kolmas): %v", err)
	}
	for _, tc := range []struct {
		name string
		m    population.Municipality
		want string
	}{
		{"no id", population.Municipality{RefPrefix: "KOL"}, "needs an id"},
		{"no prefix", population.Municipality{ID: "kolmas"}, "needs an id and a reference prefix"},
		{"id in use", population.Municipality{ID: "naapurila", RefPrefix: "KOL"}, `"naapurila" exists already`},
		{"prefix in use", population.Municipality{ID: "kolmas", RefPrefix: "ESI"}, `"esimerkkila" uses the reference prefix "ESI"`},
	} {
		if err := identity.AddMunicipality(st, tc.m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// legacyMunicipality is the settings record as versions before municipality
// ids wrote it: the whole record at "municipality", with no id.
const legacyMunicipality = `{"name":{"en":"Municipality of Vanhala","fi":"Vanhalan kunta","sv":"Vanhala kommun"},` +
	`"shortName":{"en":"Vanhala","fi":"Vanhala","sv":"Vanhala"},"slogan":{},"address":{},"phone":"+358 9 1",` +
	`"email":"","website":"","primaryColor":"#0b4f8a","openingHours":{},"refPrefix":"VAN"}`

func TestUpgradeMunicipality(t *testing.T) {
	st := openStore(t)
	err := st.UpdateAlone(func(tx *store.Tx) error {
		if err := tx.PutRaw(store.Settings, "municipality", []byte(legacyMunicipality)); err != nil {
			return err
		}
		return tx.PutRaw(store.Staff, "kaisa", []byte(`{"username":"kaisa","name":"Kaisa Käsittelijä","role":"handler","units":["building"],"title":{}}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	upgrade := func() string {
		t.Helper()
		var id string
		if err := st.UpdateAlone(func(tx *store.Tx) error {
			var err error
			id, err = identity.UpgradeMunicipality(tx, "vanhala")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	if id := upgrade(); id != "vanhala" {
		t.Fatalf("upgrade gave id %q", id)
	}
	m, err := identity.Municipality(st)
	if err != nil || m.ID != "vanhala" || m.Name.In("fi") != "Vanhalan kunta" || m.RefPrefix != "VAN" || m.Phone != "+358 9 1" {
		t.Errorf("upgraded municipality = %+v, %v", m, err)
	}
	dir := &identity.Directory{Store: st}
	if s, err := dir.StaffMember("kaisa"); err != nil || s.Municipality != "vanhala" || s.Role != "handler" {
		t.Errorf("upgraded staff = %+v, %v", s, err)
	}
	// Again: nothing changes, the id stays.
	if id := upgrade(); id != "vanhala" {
		t.Errorf("second upgrade gave id %q", id)
	}
	if m2, err := identity.Municipality(st); err != nil || m2.ID != m.ID || m2.RefPrefix != m.RefPrefix {
		t.Errorf("after a second upgrade: %+v, %v", m2, err)
	}
}

func TestUpgradeMunicipalityLeavesNewStoresAlone(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   *store.Store
		want string
	}{
		{"empty", openStore(t), ""},
		{"seeded today", seeded(t), "esimerkkila"},
	} {
		var id string
		err := tc.st.UpdateAlone(func(tx *store.Tx) error {
			var err error
			id, err = identity.UpgradeMunicipality(tx, "vanhala")
			return err
		})
		if err != nil || id != tc.want {
			t.Errorf("%s: id %q, %v; want %q", tc.name, id, err, tc.want)
		}
	}
}
