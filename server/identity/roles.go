package identity

import (
	"bytes"
	"errors"
	"sort"
	"strings"
	"time"

	"asiointi/server/audit"
	"asiointi/server/population"
	"asiointi/server/store"
)

// Staff roles in a service. A person may hold one role per service; what
// they may do with its cases follows from it (cases.Service's access).
const (
	// RoleHandler handles the service's cases.
	RoleHandler = "handler"
	// RoleManager sees and handles the service's cases and gets the
	// daily digest of its deadlines.
	RoleManager = "manager"
	// RoleAdmin assigns the roles of the service.
	RoleAdmin = "admin"
)

// Roles lists the roles in the order pages show them.
var Roles = []string{RoleHandler, RoleManager, RoleAdmin}

// ValidRole reports whether r is a role ("" is none).
func ValidRole(r string) bool { return r == RoleHandler || r == RoleManager || r == RoleAdmin }

// Refusals of role changes.
var (
	// ErrNotAdmin: the person is not an admin of the service.
	ErrNotAdmin = errors.New("identity: not an admin of the service")
	// ErrBadRole: no such role.
	ErrBadRole = errors.New("identity: no such role")
)

// roleRecord is a stored role.
type roleRecord struct {
	Role string    `json:"role"`
	At   time.Time `json:"at"`
	By   string    `json:"by,omitempty"`
}

func roleKey(user, service string) string { return user + "/" + service }

// StaffRole is the role of a staff member in a service, read in tx; ""
// when they hold none. Every decision on what staff may see and do reads
// it, so that a role taken away ends access at once.
func StaffRole(tx *store.Tx, user, service string) string {
	if user == "" || strings.Contains(user, "/") {
		return ""
	}
	var r roleRecord
	if err := tx.Get(store.StaffRoles, roleKey(user, service), &r); err != nil {
		return ""
	}
	return r.Role
}

// RolesOf maps the services a staff member holds a role in to the role.
func (d *Directory) RolesOf(user string) (map[string]string, error) {
	out := map[string]string{}
	if user == "" || strings.Contains(user, "/") {
		return out, nil
	}
	err := d.Store.View(func(tx *store.Tx) error { return rolesIn(tx, user, out) })
	return out, err
}

func rolesIn(tx *store.Tx, user string, out map[string]string) error {
	return tx.Scan(store.StaffRoles, user+"/", func(k string, raw []byte) error {
		var r roleRecord
		if err := jsonUnmarshal(raw, &r); err != nil {
			return err
		}
		out[k[len(user)+1:]] = r.Role
		return nil
	})
}

// RoleHolder is a staff member's role in one service.
type RoleHolder struct {
	Username, Name, Service, Role string
}

// RoleHolders lists every role of every staff member, by username then
// service (a short list: the staff of one municipality).
func (d *Directory) RoleHolders() ([]RoleHolder, error) {
	var out []RoleHolder
	err := d.Store.View(func(tx *store.Tx) error {
		return tx.Scan(store.StaffRoles, "", func(k string, raw []byte) error {
			var r roleRecord
			if err := jsonUnmarshal(raw, &r); err != nil {
				return err
			}
			user, service, _ := strings.Cut(k, "/")
			var m population.Staff
			name := user
			if err := tx.Get(store.Staff, user, &m); err == nil {
				name = m.Name
			}
			out = append(out, RoleHolder{Username: user, Name: name, Service: service, Role: r.Role})
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out, err
}

// ServiceStaff lists the usernames of the staff who hold a role in the
// service, read from the roles' keys alone (no record decoded, no staff
// member read): a case arriving or changing tells their open pages
// (web.publishCase, on every submit).
func (d *Directory) ServiceStaff(service string) ([]string, error) {
	var out []string
	err := d.Store.View(func(tx *store.Tx) error {
		it, err := tx.Iter(store.StaffRoles, "", "", false)
		if err != nil {
			return err
		}
		for it.Next() {
			k := it.Key() // "user/service"
			if i := bytes.IndexByte(k, '/'); i >= 0 && string(k[i+1:]) == service {
				out = append(out, string(k[:i]))
			}
		}
		return it.Err()
	})
	return out, err
}

// SetRole gives user the role in the service ("" takes their role away),
// if admin is an admin of the service; the change is audit-logged in the
// same transaction. ErrNotAdmin, ErrBadRole or ErrUnknown (no such staff
// member) refuse it.
func (d *Directory) SetRole(admin audit.Who, user, service, role string, now time.Time) error {
	if role != "" && !ValidRole(role) {
		return ErrBadRole
	}
	return d.Store.Update(func(tx *store.Tx) error {
		if StaffRole(tx, admin.ID, service) != RoleAdmin {
			return ErrNotAdmin
		}
		if strings.Contains(user, "/") || !tx.Has(store.Staff, user) {
			return ErrUnknown
		}
		before := StaffRole(tx, user, service)
		if before == role {
			return nil
		}
		if role == "" {
			if err := tx.Delete(store.StaffRoles, roleKey(user, service)); err != nil {
				return err
			}
		} else if err := tx.Put(store.StaffRoles, roleKey(user, service), roleRecord{Role: role, At: now, By: admin.ID}); err != nil {
			return err
		}
		return audit.Record(tx, audit.Entry{At: now, Actor: admin, Action: audit.ActionRoleSet, Target: user,
			Detail: map[string]string{"service": service, "from": before, "to": role}})
	})
}

// staffRolesSeeded marks a store whose demo staff have their roles.
const staffRolesSeeded = "staff-roles-seeded"

// seedStaff writes the demo staff members a store does not have yet and,
// once, their first roles (stores seeded before roles existed get them on
// their next start).
func seedStaff(tx *store.Tx, d *population.Data, now time.Time) error {
	if tx.Has(store.Settings, staffRolesSeeded) {
		return nil
	}
	for _, st := range d.Staff {
		if !tx.Has(store.Staff, st.Username) {
			if err := putStaff(tx, st, d.Municipality.ID); err != nil {
				return err
			}
		}
		for service, role := range st.Roles {
			if !ValidRole(role) {
				return ErrBadRole
			}
			if err := tx.Put(store.StaffRoles, roleKey(st.Username, service), roleRecord{Role: role, At: now}); err != nil {
				return err
			}
		}
	}
	return tx.Put(store.Settings, staffRolesSeeded, true)
}
