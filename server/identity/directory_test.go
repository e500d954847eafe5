package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/population"
	"asiointi/server/store"
)

// demoDir is a directory over the seeded demo register.
func demoDir(t testing.TB) *Directory {
	t.Helper()
	st := openStore(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	d, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(st, d, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return &Directory{Store: st}
}

func mustPerson(t testing.TB, d *Directory, hetu string) population.Person {
	t.Helper()
	p, err := d.PersonByHetu(hetu)
	if err != nil {
		t.Fatalf("person %s: %v", hetu, err)
	}
	return p
}

// TestDirectory: people, staff and organisations by their keys; unknown
// ones are ErrUnknown.
func TestDirectory(t *testing.T) {
	d := demoDir(t)
	aino := mustPerson(t, d, "140386-902R")
	if aino.Name() != "Aino Virtanen" || !store.ValidID(aino.ID) {
		t.Errorf("Aino: %q id %q (the demo id must be replaced by an opaque one)", aino.Name(), aino.ID)
	}
	if p, err := d.Person(aino.ID); err != nil || p.Hetu != aino.Hetu {
		t.Errorf("Person(id): %v %v", p.Hetu, err)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"unknown id", func() error { _, err := d.Person("nobody"); return err }()},
		{"unknown id (reach)", func() error { _, err := d.Reach("nobody"); return err }()},
		{"unknown hetu", func() error { _, err := d.PersonByHetu("010101-0101"); return err }()},
		{"unknown staff", func() error { _, err := d.StaffMember("nobody"); return err }()},
		{"unknown organisation", func() error { _, err := d.Organization("0000000-0"); return err }()},
	} {
		if !errors.Is(tc.err, ErrUnknown) {
			t.Errorf("%s: %v, want ErrUnknown", tc.name, tc.err)
		}
	}
	people, err := d.People()
	if err != nil || len(people) != 8 {
		t.Fatalf("People: %d %v", len(people), err)
	}
	for _, p := range people { // Reach: what a message needs, as Person reads it
		r, err := d.Reach(p.ID)
		want := population.Person{ID: p.ID, Hetu: p.Hetu, Language: p.Language, Email: p.Email, Phone: p.Phone}
		if err != nil || !reflect.DeepEqual(r, want) {
			t.Errorf("Reach(%s): %+v %v, want %+v", p.FirstName, r, err, want)
		}
	}
	if !slices.IsSortedFunc(people, func(a, b population.Person) int {
		if a.Name() < b.Name() {
			return -1
		}
		if a.Name() > b.Name() {
			return 1
		}
		return 0
	}) {
		t.Error("People not sorted by name")
	}
	if s, err := d.StaffMember("kaisa"); err != nil || s.Role != "handler" {
		t.Errorf("kaisa: %+v %v", s, err)
	}
	if all, err := d.AllStaff(); err != nil || len(all) != 4 { // kaisa, pertti, sara (sv), aaro (admin)
		t.Errorf("AllStaff: %d %v", len(all), err)
	}
	if o, err := d.Organization("2345678-0"); err != nil || o.Name != "Esimerkkilän Urheiluseura ry" {
		t.Errorf("organisation: %+v %v", o, err)
	}
}

// TestPrincipals: whom each demo person may act for, by day.
func TestPrincipals(t *testing.T) {
	d := demoDir(t)
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	for _, tc := range []struct {
		hetu string
		on   time.Time
		want []string // "kind:name"
	}{
		{"140386-902R", day("2026-11-23"), []string{"guardian:Eetu Virtanen", "guardian:Ella Virtanen", "organization:Esimerkkilän Urheiluseura ry"}},
		{"021184-9139", day("2026-11-23"), []string{"guardian:Eetu Virtanen", "guardian:Ella Virtanen"}},
		// Ella (born 2011-01-09) comes of age on 2029-01-09.
		{"021184-9139", day("2029-01-08"), []string{"guardian:Eetu Virtanen", "guardian:Ella Virtanen"}},
		{"021184-9139", day("2029-01-09"), []string{"guardian:Eetu Virtanen"}},
		{"300468-951T", day("2026-11-23"), []string{"mandate:Helmi Korhonen"}},
		// The mandate is valid from 2024-01-01.
		{"300468-951T", day("2023-12-31"), nil},
		{"030392-974H", day("2026-11-23"), nil},
		{"090111A936M", day("2026-11-23"), nil},
		{"050840-948K", day("2026-11-23"), nil},
	} {
		t.Run(tc.hetu+"@"+tc.on.Format("2006-01-02"), func(t *testing.T) {
			list, err := d.Principals(mustPerson(t, d, tc.hetu), tc.on)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range list {
				got = append(got, p.Kind+":"+p.Name)
			}
			slices.Sort(got)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// syntheticRegister is a population of n people: person 0 is the parent
// of two minors; otherwise every third person is a minor whose guardian is
// the adult before them.
func syntheticRegister(n int) *population.Data {
	d := &population.Data{Municipality: population.Municipality{ID: "synteettinen", RefPrefix: "SYN"},
		Organizations: []population.Organization{{BusinessID: "2345678-0", Name: "Seura"}}}
	for i := 0; i < n; i++ {
		p := population.Person{ID: fmt.Sprintf("p%d", i), Hetu: fmt.Sprintf("H%08d", i), FirstName: "Person", LastName: fmt.Sprint(i),
			BirthDate: "1980-05-05", Language: "fi",
			Address: population.Address{Street: i18n.Text{"fi": "Katu 1"}, PostalCode: "99100", City: i18n.Text{"fi": "Esimerkkilä"}}}
		switch {
		case i == 1 || i == 2:
			p.BirthDate, p.Guardians = "2015-05-05", []string{"p0"}
		case i > 3 && i%3 == 0:
			p.BirthDate, p.Guardians = "2012-05-05", []string{fmt.Sprintf("p%d", i-1)}
		}
		d.People = append(d.People, p)
	}
	return d
}

func seededDir(tb testing.TB, n int) *Directory {
	tb.Helper()
	st := openStore(tb, tb.TempDir())
	tb.Cleanup(func() { st.Close() })
	if _, err := Seed(st, syntheticRegister(n), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		tb.Fatal(err)
	}
	return &Directory{Store: st}
}

// BenchmarkPrincipals finds whom a parent may act for in registers of
// growing size: the time per lookup must not grow with the population.
func BenchmarkPrincipals(b *testing.B) {
	on := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			d := seededDir(b, n)
			p := mustPerson(b, d, "H00000000")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				list, err := d.Principals(p, on)
				if err != nil || len(list) != 2 {
					b.Fatalf("%d principals, %v", len(list), err)
				}
			}
		})
	}
}

// TestPrincipalsReadOwnRelations: finding whom a person may act for reads
// that person's relations, not the register: the work (counted in
// allocations, which do not depend on the machine) is the same for a
// register ten times the size.
func TestPrincipalsReadOwnRelations(t *testing.T) {
	on := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	allocs := map[int]float64{}
	for _, n := range []int{300, 3000} {
		d := seededDir(t, n)
		p := mustPerson(t, d, "H00000000")
		allocs[n] = testing.AllocsPerRun(5, func() {
			if list, err := d.Principals(p, on); err != nil || len(list) != 2 {
				t.Fatalf("%d principals, %v", len(list), err)
			}
		})
	}
	if allocs[3000] > allocs[300]+10 {
		t.Errorf("lookup grows with the register: %.0f allocations for 300 people, %.0f for 3000", allocs[300], allocs[3000])
	}
}

// TestGuardianshipIndexBackfill: a store seeded before the index existed
// gets it built once, at the next start.
func TestGuardianshipIndexBackfill(t *testing.T) {
	d := demoDir(t)
	mikko := mustPerson(t, d, "021184-9139")
	// Make it an old store: no index, no marker.
	err := d.Store.UpdateAlone(func(tx *store.Tx) error {
		var keys []string
		tx.Scan(store.Guardianship, "", func(k string, _ []byte) error { keys = append(keys, k); return nil })
		for _, k := range keys {
			if err := tx.Delete(store.Guardianship, k); err != nil {
				return err
			}
		}
		return tx.Delete(store.Settings, guardianshipIndexed)
	})
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := d.Principals(mikko, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)); len(list) != 0 {
		t.Fatalf("without the index: %v", list)
	}
	demo, _ := population.Demo()
	seeded, err := Seed(d.Store, demo, time.Now())
	if err != nil || seeded {
		t.Fatalf("second Seed: %v %v (must not seed again)", seeded, err)
	}
	if list, _ := d.Principals(mikko, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)); len(list) != 2 {
		t.Errorf("after the backfill Mikko may act for %v, want his two children", list)
	}
	if people, _ := d.People(); len(people) != 8 {
		t.Errorf("backfill changed the register: %d people", len(people))
	}
}

// TestRoleHolders: who holds a (given) role in an organisation, from the
// role index, which a store seeded before it existed gets built once.
func TestRoleHolders(t *testing.T) {
	d := demoDir(t)
	aino := mustPerson(t, d, "140386-902R")
	holders := func(org, role string) []string {
		t.Helper()
		var ids []string
		err := d.Store.View(func(tx *store.Tx) error {
			ps, err := RoleHolders(tx, org, role)
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for _, tc := range []struct {
		name, org, role string
		want            []string
	}{
		{"the role", "2345678-0", "PJ", []string{aino.ID}},
		{"any role", "2345678-0", "", []string{aino.ID}},
		{"another role", "2345678-0", "TJ", nil},
		{"another organisation", "2345678", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := holders(tc.org, tc.role); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	// Make it an old store: no role index, no marker.
	err := d.Store.UpdateAlone(func(tx *store.Tx) error {
		if err := tx.Delete(store.OrgRoles, "2345678-0/"+aino.ID); err != nil {
			return err
		}
		return tx.Delete(store.Settings, rolesIndexed)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := holders("2345678-0", "PJ"); got != nil {
		t.Fatalf("without the index: %v", got)
	}
	demo, _ := population.Demo()
	if _, err := Seed(d.Store, demo, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := holders("2345678-0", "PJ"); !slices.Equal(got, []string{aino.ID}) {
		t.Errorf("after the backfill: %v", got)
	}
}

// noChoice is Suomi.fi Mandates configured, with nobody chosen there.
type noChoice struct{}

func (noChoice) ChosenHetu(string) (string, bool)                   { return "", false }
func (noChoice) ChosenOrganization(string) (string, []string, bool) { return "", nil, false }

// TestActorsFor: who may now act for an organisation in a service — its
// role's holders and the holders of a mandate from it valid on the day
// that names the issue — from the mandate index, which a store seeded
// before it existed gets built once; with Suomi.fi Mandates configured,
// only paper mandates count (as in Principals).
func TestActorsFor(t *testing.T) {
	d := demoDir(t)
	const org, grant, other = "2345678-0", "urn:issue:grant", "urn:issue:other"
	on := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	aino := mustPerson(t, d, "140386-902R") // PJ in the demo data
	edit := func(hetu string, ms ...population.Mandate) population.Person {
		t.Helper()
		p := mustPerson(t, d, hetu)
		p.Mandates = ms
		if err := d.Store.UpdateAlone(func(tx *store.Tx) error { return PutPerson(tx, p) }); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mikko := edit("021184-9139", population.Mandate{Principal: org, Issues: []string{grant}, ValidFrom: "2026-01-01", ValidTo: "2026-11-23"})
	maria := edit("030392-974H", population.Mandate{Principal: org, Issues: []string{grant}, ValidFrom: "2026-01-01", Document: "PAPER-1"})
	edit("300468-951T", population.Mandate{Principal: org, Issues: []string{grant}, ValidFrom: "2026-01-01", ValidTo: "2026-11-22"}) // expired
	edit("171279-9677", population.Mandate{Principal: org, Issues: []string{other}, ValidFrom: "2026-01-01"})                        // another issue
	edit("050840-948K", population.Mandate{Principal: org, Issues: []string{grant}, ValidFrom: "2026-11-24"})                        // not yet
	actors := func(role, issue string) []string {
		t.Helper()
		var ids []string
		err := d.Store.View(func(tx *store.Tx) error {
			ps, err := d.ActorsFor(tx, org, role, issue, on)
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for _, tc := range []struct {
		name, role, issue string
		want              []string
	}{
		{"role and mandates", "PJ", grant, []string{aino.ID, mikko.ID, maria.ID}},
		{"role alone", "PJ", "", []string{aino.ID}},
		{"mandates alone", "", grant, []string{mikko.ID, maria.ID}},
		{"another role", "TJ", grant, []string{mikko.ID, maria.ID}},
		{"neither", "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := actors(tc.role, tc.issue), slices.Clone(tc.want)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	t.Run("Suomi.fi Mandates: paper mandates only", func(t *testing.T) {
		d.Mandates = noChoice{}
		defer func() { d.Mandates = nil }()
		if got := actors("", grant); !slices.Equal(got, []string{maria.ID}) {
			t.Errorf("got %v, want Maria's paper mandate alone", got)
		}
	})
	t.Run("backfill", func(t *testing.T) {
		err := d.Store.UpdateAlone(func(tx *store.Tx) error {
			for _, k := range []string{org + "/" + mikko.ID, org + "/" + maria.ID} {
				if err := tx.Delete(store.MandatesByPrincipal, k); err != nil {
					return err
				}
			}
			return tx.Delete(store.Settings, mandatesIndexed)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := actors("", grant); got != nil {
			t.Fatalf("without the index: %v", got)
		}
		demo, _ := population.Demo()
		if _, err := Seed(d.Store, demo, time.Now()); err != nil {
			t.Fatal(err)
		}
		got := actors("", grant)
		slices.Sort(got)
		want := []string{mikko.ID, maria.ID}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("after the backfill: %v, want %v", got, want)
		}
	})
}

// BenchmarkPerson reads a person of the demo register (what a create and
// a save read for their checks and prefill). Run:
//
//	go test -run xxx -bench Person -benchmem ./server/identity/
func BenchmarkPerson(b *testing.B) {
	d := demoDir(b)
	id := mustPerson(b, d, "140386-902R").ID
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := d.Person(id); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGetPersonDecodesAsEncodingJSON: a person is read by the faster
// decoder under encoding/json's rules, so every stored person decodes to
// what encoding/json made of it: the demo people, and records written by
// hand or another version (names in another case, a name twice, invalid
// UTF-8, nulls, unknown members).
func TestGetPersonDecodesAsEncodingJSON(t *testing.T) {
	d := demoDir(t)
	records := map[string]string{
		"case":    `{"ID":"x1","Hetu":"010101-123N","FIRSTNAME":"Aino","address":{"Street":{"fi":"K 1"},"CITY":{"fi":"E"}}}`,
		"twice":   `{"id":"x2","firstName":"A","firstName":"B","roles":[{"organization":"1","role":"PJ"}],"roles":[{"organization":"2"}]}`,
		"utf8":    "{\"id\":\"x3\",\"firstName\":\"\xff\xfeA\",\"lastName\":\"\\ud800\"}",
		"nulls":   `{"id":"x4","firstName":null,"address":null,"guardians":null,"addressProtected":null,"mandates":[null]}`,
		"unknown": `{"id":"x5","shoeSize":44,"lastName":"V","properties":["p1","p2"],"mandates":[{"principal":"a","issues":["x"],"until":"2030-01-01"}]}`,
	}
	err := d.Store.UpdateAlone(func(tx *store.Tx) error {
		for id, rec := range records {
			if err := tx.PutRaw(store.People, "hand-"+id, []byte(rec)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = d.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.People, "", func(id string, raw []byte) error {
			var want, got population.Person
			if err := json.Unmarshal(raw, &want); err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			if err := getPerson(tx, id, &got); err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n got %+v\nwant %+v", id, got, want)
			}
			n++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < len(records)+8 {
		t.Errorf("compared %d people", n)
	}
}
