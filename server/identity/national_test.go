package identity_test

import (
	"errors"
	"slices"
	"testing"

	"asiointi/server/identity"
	"asiointi/server/population"
)

// register is a population data adapter that answers as told.
type register struct {
	rel   population.Relations
	found bool
	err   error
	asked int
}

func (r *register) Relations(string) (population.Relations, bool, error) {
	r.asked++
	return r.rel, r.found, r.err
}

// TestIdentifyRelations: the population data adapter is asked at a
// person's first login only; what it tells is stored in the same write as
// the person, and a failing or wrong answer stores nothing.
func TestIdentifyRelations(t *testing.T) {
	demo, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	ainoRel, found, err := population.DemoRegister{Data: demo}.Relations("140386-902r")
	if err != nil || !found || len(ainoRel.Wards) != 2 || len(ainoRel.Roles) != 1 || len(ainoRel.Organizations) != 1 {
		t.Fatalf("the demo register on Aino: %+v %v %v", ainoRel, found, err)
	}
	aino := identity.Identified{Hetu: "140386-902R", FirstName: "Aino", LastName: "Virtanen"}
	for _, tc := range []struct {
		name string
		reg  *register
		want error // nil: logged in
	}{
		{"the register fails", &register{err: errors.New("DVV unreachable")}, errors.New("")},
		{"a ward without a henkilötunnus", &register{found: true, rel: population.Relations{Wards: []population.Person{{Hetu: "x"}}}}, identity.ErrNoHetu},
		{"unknown to the register", &register{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &identity.Directory{Store: openStore(t), Population: tc.reg}
			_, err := d.Identify(aino, now)
			if (err == nil) != (tc.want == nil) || (tc.want == identity.ErrNoHetu && !errors.Is(err, identity.ErrNoHetu)) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			_, err = d.PersonByHetu("140386-902R")
			if stored := err == nil; stored != (tc.want == nil) {
				t.Errorf("stored %v after %v", stored, tc.want)
			}
		})
	}
	reg := &register{rel: ainoRel, found: true}
	d := &identity.Directory{Store: openStore(t), Population: reg}
	p, err := d.Identify(aino, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Identify(aino, now); err != nil || reg.asked != 1 {
		t.Errorf("second login: %v, the register asked %d times, want once", err, reg.asked)
	}
	list, err := d.Principals(p, now)
	var names []string
	for _, x := range list {
		names = append(names, x.Name)
	}
	slices.Sort(names)
	if err != nil || !slices.Equal(names, []string{"Eetu Virtanen", "Ella Virtanen", "Esimerkkilän Urheiluseura ry"}) {
		t.Errorf("principals %v, %v", names, err)
	}
}
