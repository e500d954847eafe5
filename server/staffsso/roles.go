package staffsso

import (
	"slices"
	"strings"
)

// Staff roles in a service, weakest first (identity.RoleHandler, …).
const (
	RoleHandler = "handler" // handles the service's cases
	RoleManager = "manager" // and sees all of them, gets the daily digest
	RoleAdmin   = "admin"   // and assigns the service's roles
)

// Grant is what a staff member may do: their role in each service, as
// the staff_roles of issue 13 hold them (identity.StaffRole).
type Grant struct {
	Roles map[string]string // service id → handler | manager | admin
}

// Role is the strongest role of the grant ("" when none).
func (g Grant) Role() string {
	best := ""
	for _, r := range g.Roles {
		if rank[r] > rank[best] {
			best = r
		}
	}
	return best
}

// RoleMapper maps the values of the roles claim to a grant; false: no
// staff role at all (the login is refused).
type RoleMapper interface {
	Map(values []string) (Grant, bool)
}

// PrefixRoles reads values "<prefix>:<role>" (that role in every service
// of Services) and "<prefix>:<role>:<service>" (in that service) with role
// handler, manager or admin, as a group or app role is named in the
// provider; Prefix defaults to "asiointi". Other values, and services not
// in Services, are ignored. A person named in several roles for one
// service holds the strongest.
type PrefixRoles struct {
	Prefix string
	// Services are the ids of the served municipality's services.
	Services []string
}

var rank = map[string]int{RoleHandler: 1, RoleManager: 2, RoleAdmin: 3}

// Map implements RoleMapper.
func (p PrefixRoles) Map(values []string) (Grant, bool) {
	prefix := p.Prefix
	if prefix == "" {
		prefix = "asiointi"
	}
	g := Grant{Roles: map[string]string{}}
	give := func(service, role string) {
		if rank[role] > rank[g.Roles[service]] {
			g.Roles[service] = role
		}
	}
	for _, v := range values {
		parts := strings.Split(strings.TrimSpace(v), ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] != prefix || rank[parts[1]] == 0 {
			continue
		}
		switch {
		case len(parts) == 2 || parts[2] == "":
			for _, s := range p.Services {
				give(s, parts[1])
			}
		case slices.Contains(p.Services, parts[2]):
			give(parts[2], parts[1])
		}
	}
	if len(g.Roles) == 0 {
		return Grant{}, false
	}
	return g, true
}
