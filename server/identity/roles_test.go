package identity

import (
	"errors"
	"slices"
	"testing"
	"time"

	"asiointi/server/audit"
	"asiointi/server/population"
	"asiointi/server/store"
)

// TestDemoRoles: the demo staff hold their roles per service; Kaisa
// handles early education but nothing of the sports services.
func TestDemoRoles(t *testing.T) {
	d := demoDir(t)
	for _, tc := range []struct{ user, service, want string }{
		{"kaisa", "early-education", RoleHandler},
		{"kaisa", "sports-shift", ""},
		{"pertti", "sports-shift", RoleManager},
		{"sara", "early-education", RoleHandler},
		{"sara", "home-help", ""},
		{"aaro", "home-help", RoleAdmin},
		{"140386-902R", "early-education", ""},
		{"kaisa/x", "early-education", ""},
	} {
		roles, err := d.RolesOf(tc.user)
		if err != nil {
			t.Fatal(err)
		}
		if got := roles[tc.service]; got != tc.want {
			t.Errorf("%s in %s: %q, want %q", tc.user, tc.service, got, tc.want)
		}
	}
	sara, err := d.StaffMember("sara")
	if err != nil || sara.Language != "sv" {
		t.Errorf("sara: %+v %v", sara, err)
	}
}

// TestSetRole: only an admin of the service changes its roles, every
// change is in the audit log, and a refusal changes nothing.
func TestSetRole(t *testing.T) {
	d := demoDir(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	aaro := audit.Who{ID: "aaro", Name: "Aaro Ylläpitäjä", Kind: Staff}
	kaisa := audit.Who{ID: "kaisa", Name: "Kaisa Käsittelijä", Kind: Staff}
	for _, tc := range []struct {
		name                string
		by                  audit.Who
		user, service, role string
		want                error
	}{
		{"admin gives a role", aaro, "kaisa", "sports-shift", RoleHandler, nil},
		{"admin takes one away", aaro, "kaisa", "home-help", "", nil},
		{"a handler is no admin", kaisa, "sara", "home-help", RoleHandler, ErrNotAdmin},
		{"no such role", aaro, "kaisa", "sports-shift", "boss", ErrBadRole},
		{"no such staff member", aaro, "nobody", "sports-shift", RoleHandler, ErrUnknown},
		{"a resident is no staff member", aaro, "140386-902R", "sports-shift", RoleHandler, ErrUnknown},
		{"not an admin of an unknown service", aaro, "kaisa", "no-such-service", RoleHandler, ErrNotAdmin},
	} {
		now = now.Add(time.Minute) // entries are ordered by time
		t.Run(tc.name, func(t *testing.T) {
			before, _ := d.RolesOf(tc.user)
			err := d.SetRole(tc.by, tc.user, tc.service, tc.role, now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			after, _ := d.RolesOf(tc.user)
			if tc.want != nil {
				if after[tc.service] != before[tc.service] {
					t.Errorf("refused, yet the role changed: %q → %q", before[tc.service], after[tc.service])
				}
				return
			}
			if after[tc.service] != tc.role {
				t.Errorf("role %q, want %q", after[tc.service], tc.role)
			}
		})
	}
	entries, err := audit.Entries(d.Store, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("%d audit entries, want the 2 changes: %+v", len(entries), entries)
	}
	if e := entries[0]; e.Actor.ID != "aaro" || e.Target != "kaisa" || e.Detail["service"] != "home-help" || e.Detail["from"] != RoleHandler || e.Detail["to"] != "" {
		t.Errorf("newest entry: %+v", e)
	}
}

// TestServiceStaff: the staff who hold a role in a service are those
// RoleHolders lists for it, also after a role is given and taken away;
// a service with none (or a prefix of a service's id) has nobody.
func TestServiceStaff(t *testing.T) {
	d := demoDir(t)
	aaro := audit.Who{ID: "aaro", Name: "Aaro Ylläpitäjä", Kind: Staff}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	check := func(t *testing.T) {
		t.Helper()
		holders, err := d.RoleHolders()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{}
		for _, h := range holders {
			want[h.Service] = append(want[h.Service], h.Username)
		}
		for _, service := range []string{"early-education", "home-help", "sports-shift", "sports", "no-such-service"} {
			got, err := d.ServiceStaff(service)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want[service]) {
				t.Errorf("%s: %v, want %v", service, got, want[service])
			}
		}
	}
	check(t)
	if got, _ := d.ServiceStaff("home-help"); !slices.Contains(got, "kaisa") {
		t.Fatalf("home-help's staff %v: the demo's Kaisa handles it", got)
	}
	for _, c := range []struct{ service, role string }{{"sports-shift", RoleHandler}, {"home-help", ""}} {
		if err := d.SetRole(aaro, "kaisa", c.service, c.role, now); err != nil {
			t.Fatal(err)
		}
	}
	check(t)
	if got, _ := d.ServiceStaff("home-help"); slices.Contains(got, "kaisa") {
		t.Errorf("home-help's staff %v: Kaisa's role was taken away", got)
	}
}

// TestStaffSeededIntoOlderStore: a store seeded before roles existed gets
// the new staff members and their roles on its next start, once.
func TestStaffSeededIntoOlderStore(t *testing.T) {
	d := demoDir(t)
	err := d.Store.Update(func(tx *store.Tx) error {
		if err := tx.Delete(store.Settings, staffRolesSeeded); err != nil {
			return err
		}
		if err := tx.Delete(store.Staff, "sara"); err != nil {
			return err
		}
		return tx.Delete(store.StaffRoles, roleKey("sara", "early-education"))
	})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := population.Demo()
	if _, err := Seed(d.Store, data, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.StaffMember("sara"); err != nil {
		t.Errorf("sara not seeded: %v", err)
	}
	if r, _ := d.RolesOf("sara"); r["early-education"] != RoleHandler {
		t.Errorf("sara's roles: %v", r)
	}
}

// TestStaffSignedIn: the identity provider's roles replace the person's
// roles per service, each change audit-logged; a role that is none of
// ours is refused and changes nothing.
func TestStaffSignedIn(t *testing.T) {
	d := demoDir(t)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m := population.Staff{Username: "sso:u-1", Name: "Maija", Municipality: "esimerkkila", Role: RoleManager}
	if err := d.StaffSignedIn(m, map[string]string{"home-help": RoleManager, "early-education": RoleHandler}, t0); err != nil {
		t.Fatal(err)
	}
	if err := d.StaffSignedIn(m, map[string]string{"home-help": RoleHandler, "sports-shift": RoleAdmin}, t0); err != nil {
		t.Fatal(err)
	}
	roles, err := d.RolesOf("sso:u-1")
	if err != nil || len(roles) != 2 || roles["home-help"] != RoleHandler || roles["sports-shift"] != RoleAdmin {
		t.Errorf("roles = %v, %v", roles, err)
	}
	entries, err := audit.Entries(d.Store, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Target == "sso:u-1" && e.Action == audit.ActionRoleSet && e.Detail["source"] == "identity-provider" {
			n++
		}
	}
	if n != 5 { // two given, then one changed, one taken away, one given
		t.Errorf("%d audit entries of the provider's role changes, want 5", n)
	}
	for _, bad := range []map[string]string{{"home-help": "superuser"}, {"home-help": ""}} {
		if err := d.StaffSignedIn(m, bad, t0); !errors.Is(err, ErrBadRole) {
			t.Errorf("%v: %v, want ErrBadRole", bad, err)
		}
	}
	if err := d.StaffSignedIn(population.Staff{Username: "a/b"}, nil, t0); !errors.Is(err, ErrUnknown) {
		t.Errorf("a username with a slash: %v", err)
	}
	if roles, _ := d.RolesOf("sso:u-1"); len(roles) != 2 {
		t.Errorf("a refused login changed the roles: %v", roles)
	}
}
