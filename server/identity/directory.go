package identity

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"asiointi/server/population"
	"asiointi/server/store"
)

// Directory reads people, staff and organisations from the store.
type Directory struct {
	Store *store.Store
	// Population tells the relations of a person unknown to the store at
	// their first national login (Identify); nil: none are filled.
	Population population.Register
	// Mandates, when set (ASIOINTI_MANDATES=suomifi), is Suomi.fi
	// Mandates: the person mandates come from there — the principal the
	// person chose in the service (Principal.Remote) — instead of the
	// embedded register's; paper powers of attorney, guardianship and
	// organisation roles stay the register's.
	Mandates MandatesChoice
}

// MandatesChoice is whom a person chose in Suomi.fi Mandates in their
// current session, if anyone: a person (henkilötunnus) or an
// organisation (business id, with the person's roles in it).
type MandatesChoice interface {
	ChosenHetu(user string) (string, bool)
	ChosenOrganization(user string) (string, []string, bool)
}

// ErrUnknown means no such person or staff member.
var ErrUnknown = errors.New("identity: unknown user")

// Person loads a person by id.
func (d *Directory) Person(id string) (population.Person, error) {
	var p population.Person
	err := d.Store.View(func(tx *store.Tx) error { return getPerson(tx, id, &p) })
	if errors.Is(err, store.ErrNotFound) {
		return p, ErrUnknown
	}
	return p, err
}

// Reach loads what a message to a person needs and nothing else: their
// id, henkilötunnus, language, e-mail address and phone number (the
// rest of the returned Person is empty). Sending a notification outside
// the app reads it for every message; decoding the whole person (address,
// roles, mandates) cost most of that read.
func (d *Directory) Reach(id string) (population.Person, error) {
	var r struct {
		ID       string `json:"id"`
		Hetu     string `json:"hetu"`
		Language string `json:"language"`
		Email    string `json:"email"`
		Phone    string `json:"phone"`
	}
	err := d.Store.View(func(tx *store.Tx) error {
		raw, err := tx.GetRaw(store.People, id)
		if err != nil {
			return err
		}
		return jsonUnmarshal(raw, &r)
	})
	if errors.Is(err, store.ErrNotFound) {
		return population.Person{}, ErrUnknown
	}
	return population.Person{ID: r.ID, Hetu: r.Hetu, Language: r.Language, Email: r.Email, Phone: r.Phone}, err
}

// PersonByHetu loads a person by henkilötunnus.
func (d *Directory) PersonByHetu(hetu string) (population.Person, error) {
	var p population.Person
	err := d.Store.View(func(tx *store.Tx) error {
		raw, err := tx.GetRaw(store.PeopleByHetu, hetu)
		if err != nil {
			return err
		}
		return getPerson(tx, string(raw), &p)
	})
	if errors.Is(err, store.ErrNotFound) {
		return p, ErrUnknown
	}
	return p, err
}

// People lists every person (test-login picker), sorted by name.
func (d *Directory) People() ([]population.Person, error) {
	var out []population.Person
	err := d.Store.View(func(tx *store.Tx) (err error) {
		out, err = store.Values[population.Person](tx, store.People, "")
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, err
}

// StaffMember loads a staff member by username.
func (d *Directory) StaffMember(username string) (population.Staff, error) {
	var s population.Staff
	err := d.Store.View(func(tx *store.Tx) error { return tx.Get(store.Staff, username, &s) })
	if errors.Is(err, store.ErrNotFound) {
		return s, ErrUnknown
	}
	return s, err
}

// AllStaff lists staff members by username.
func (d *Directory) AllStaff() ([]population.Staff, error) {
	var out []population.Staff
	err := d.Store.View(func(tx *store.Tx) (err error) {
		out, err = store.Values[population.Staff](tx, store.Staff, "")
		return err
	})
	return out, err
}

// Organization loads an organisation by business id.
func (d *Directory) Organization(businessID string) (population.Organization, error) {
	var o population.Organization
	err := d.Store.View(func(tx *store.Tx) error { return tx.Get(store.Settings, "org:"+businessID, &o) })
	if errors.Is(err, store.ErrNotFound) {
		return o, ErrUnknown
	}
	return o, err
}

// Principal is someone a person may act for.
type Principal struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Kind   string   `json:"kind"` // PrincipalGuardian, PrincipalMandate or PrincipalOrganization
	Issues []string `json:"issues,omitempty"`
	Role   string   `json:"role,omitempty"`
	// ValidTo is the last day (YYYY-MM-DD) the relation holds, if known:
	// a mandate's end, the day before a child turns 18.
	ValidTo string `json:"validTo,omitempty"`
	// Source is where the right comes from: SourcePopulation,
	// SourceMandates, SourcePaper or SourceTradeRegister.
	Source string `json:"source,omitempty"`
	// Remote: a mandate chosen in Suomi.fi Mandates, whose issues are not
	// known here: the service is asked on each use (cases.requirement).
	Remote bool `json:"-"`
}

// Sources of a right to act for someone.
const (
	SourcePopulation    = "population"     // guardianship, population register
	SourceMandates      = "mandates"       // Suomi.fi Mandates
	SourcePaper         = "paper"          // a paper power of attorney recorded by an official
	SourceTradeRegister = "trade-register" // a role in an organisation
)

// Kinds of principal: why the user may act for them.
const (
	// PrincipalGuardian: the principal is the user's minor child.
	PrincipalGuardian = "guardian"
	// PrincipalMandate: the principal, a person, gave the user a mandate.
	PrincipalMandate = "mandate"
	// PrincipalOrganization: the user holds a role in the organisation or
	// a mandate from it.
	PrincipalOrganization = "organization"
)

// Principals lists whom p may act for on the given day: their minor
// children (guardianship, from population data), people who gave them a
// valid mandate, and organisations where they hold a role or mandate.
func (d *Directory) Principals(p population.Person, on time.Time) ([]Principal, error) {
	var out []Principal
	chosen, remote := "", d.Mandates != nil
	var org string
	var orgRoles []string
	if remote {
		chosen, _ = d.Mandates.ChosenHetu(p.ID)
		org, orgRoles, _ = d.Mandates.ChosenOrganization(p.ID)
	}
	err := d.Store.View(func(tx *store.Tx) error {
		// Children: the guardianship index lists p's wards; those still
		// minors on the day count.
		if err := tx.Scan(store.Guardianship, p.ID+"/", func(k string, _ []byte) error {
			var c principalRecord
			if err := tx.Get(store.People, k[len(p.ID)+1:], &c); err != nil {
				return fmt.Errorf("guardianship of %s: %w", k[len(p.ID)+1:], err)
			}
			if c.person().Age(on) < 18 && slices.Contains(c.Guardians, p.ID) {
				out = append(out, Principal{ID: c.ID, Name: c.person().Name(), Kind: PrincipalGuardian,
					ValidTo: lastDayAsMinor(c.BirthDate), Source: SourcePopulation})
			}
			return nil
		}); err != nil {
			return err
		}
		day := on.Format("2006-01-02")
		for _, m := range p.Mandates {
			if m.ValidFrom > day || (m.ValidTo != "" && m.ValidTo < day) {
				continue
			}
			src := SourceMandates
			if m.Document != "" {
				src = SourcePaper
			} else if remote {
				continue // person mandates are Suomi.fi Mandates' (below)
			}
			var pp principalRecord
			if err := tx.Get(store.People, m.Principal, &pp); err == nil {
				out = append(out, Principal{ID: pp.ID, Name: pp.person().Name(), Kind: PrincipalMandate, Issues: m.Issues,
					ValidTo: m.ValidTo, Source: src})
				continue
			}
			var o population.Organization
			if err := tx.Get(store.Settings, "org:"+m.Principal, &o); err == nil {
				out = append(out, Principal{ID: o.BusinessID, Name: o.Name, Kind: PrincipalOrganization, Issues: m.Issues,
					ValidTo: m.ValidTo, Source: src})
			}
		}
		if chosen != "" {
			if id, err := tx.GetRaw(store.PeopleByHetu, chosen); err == nil {
				var pp principalRecord
				if err := tx.Get(store.People, string(id), &pp); err == nil && pp.ID != p.ID {
					out = append(out, Principal{ID: pp.ID, Name: pp.person().Name(), Kind: PrincipalMandate, Source: SourceMandates, Remote: true})
				}
			}
		}
		if org != "" { // an organisation the municipality's register knows, with the roles Suomi.fi Mandates gave
			var o population.Organization
			if err := tx.Get(store.Settings, "org:"+org, &o); err == nil {
				for _, role := range orgRoles {
					out = append(out, Principal{ID: o.BusinessID, Name: o.Name, Kind: PrincipalOrganization, Role: role,
						Source: SourceMandates, Remote: true})
				}
			}
		}
		for _, r := range p.Roles {
			var o population.Organization
			if err := tx.Get(store.Settings, "org:"+r.Organization, &o); err != nil {
				return fmt.Errorf("role in unknown organisation: %w", err)
			}
			out = append(out, Principal{ID: o.BusinessID, Name: o.Name, Kind: PrincipalOrganization, Role: r.Role,
				Source: SourceTradeRegister})
		}
		return nil
	})
	return out, err
}

// principalRecord is what Principals reads of a principal's person
// record: the id, name, birth date and guardians, not the address (a
// map of each of its words by language) and the rest; every create, save
// and submit for someone else lists the relations (issue 9).
type principalRecord struct {
	ID        string   `json:"id"`
	FirstName string   `json:"firstName"`
	LastName  string   `json:"lastName"`
	BirthDate string   `json:"birthDate"`
	Guardians []string `json:"guardians"`
}

func (r *principalRecord) person() population.Person {
	return population.Person{ID: r.ID, FirstName: r.FirstName, LastName: r.LastName, BirthDate: r.BirthDate, Guardians: r.Guardians}
}

// Property loads a property (real estate unit) and its owners' person ids.
func (d *Directory) Property(id string) (population.Property, error) {
	var p population.Property
	err := d.Store.View(func(tx *store.Tx) error { return tx.Get(store.Settings, "property:"+id, &p) })
	if errors.Is(err, store.ErrNotFound) {
		return p, ErrUnknown
	}
	return p, err
}

// RoleHolders lists, in tx, the people who hold a role in the organisation
// (businessID): role when given, any role when "" (in the order of their
// ids).
func RoleHolders(tx *store.Tx, businessID, role string) ([]population.Person, error) {
	var out []population.Person
	err := tx.Scan(store.OrgRoles, businessID+"/", func(k string, v []byte) error {
		if role != "" && string(v) != role {
			return nil
		}
		var p population.Person
		if err := tx.Get(store.People, k[len(businessID)+1:], &p); err != nil {
			return fmt.Errorf("role holder %s: %w", k[len(businessID)+1:], err)
		}
		// The index may name a role the person no longer holds.
		if slices.ContainsFunc(p.Roles, func(r population.Role) bool {
			return r.Organization == businessID && (role == "" || r.Role == role)
		}) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// ActorsFor lists, in tx, the people who may now (on the day of on) act
// for the organisation (businessID) in a service: those who hold role in
// it (when role is not "") and those who hold a mandate from it, valid on
// the day, that names issue (when issue is not ""), each once, role
// holders first. These are whom an organisation's application concerns
// on the resident side (cases.covers is the same rule for one person,
// over Principals). With Suomi.fi Mandates configured only paper mandates
// count, as in Principals, and the roles that service gives are not
// listed: it answers per login, not per organisation.
func (d *Directory) ActorsFor(tx *store.Tx, businessID, role, issue string, on time.Time) ([]population.Person, error) {
	var out []population.Person
	if role != "" {
		holders, err := RoleHolders(tx, businessID, role)
		if err != nil {
			return nil, err
		}
		out = holders
	}
	if issue == "" {
		return out, nil
	}
	day := on.Format(time.DateOnly) // as Principals reads validity
	err := tx.Scan(store.MandatesByPrincipal, businessID+"/", func(k string, _ []byte) error {
		id := k[len(businessID)+1:]
		if slices.ContainsFunc(out, func(p population.Person) bool { return p.ID == id }) {
			return nil
		}
		var p population.Person
		if err := tx.Get(store.People, id, &p); err != nil {
			return fmt.Errorf("mandate holder %s: %w", id, err)
		}
		// The index may name a mandate the person no longer holds.
		if slices.ContainsFunc(p.Mandates, func(m population.Mandate) bool {
			return m.Principal == businessID && slices.Contains(m.Issues, issue) && (d.Mandates == nil || m.Document != "") &&
				m.ValidFrom <= day && (m.ValidTo == "" || m.ValidTo >= day)
		}) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// lastDayAsMinor is the day before the 18th birthday of someone born on
// birth (YYYY-MM-DD); "" when the date does not parse.
func lastDayAsMinor(birth string) string {
	b, err := time.Parse("2006-01-02", birth)
	if err != nil {
		return ""
	}
	return b.AddDate(18, 0, -1).Format("2006-01-02")
}
