package staffsso

import (
	"slices"
	"strings"
)

// Staff roles, weakest first.
const (
	RoleHandler = "handler" // handles cases of their units' services
	RoleManager = "manager" // and manages those services, reports
	RoleAdmin   = "admin"   // and administers the installation
)

// Grant is what a staff member may do: the strongest role they hold and
// the units (service areas) it applies to; no units means all of them.
type Grant struct {
	Role  string
	Units []string
}

// RoleMapper maps the values of the roles claim to a grant; false: no
// staff role at all (the login is refused). The officials' role model
// may bring its own; PrefixRoles is the default.
type RoleMapper interface {
	Map(values []string) (Grant, bool)
}

// PrefixRoles reads values "<prefix>:<role>" (every unit) and
// "<prefix>:<role>:<unit>" with role handler, manager or admin, as a
// group or app role is named in the provider; Prefix defaults to
// "asiointi". Other values are ignored. The strongest role wins, for the
// units named with it (every unit when one value of it names none, and
// always for admin).
type PrefixRoles struct{ Prefix string }

var rank = map[string]int{RoleHandler: 1, RoleManager: 2, RoleAdmin: 3}

// Map implements RoleMapper.
func (p PrefixRoles) Map(values []string) (Grant, bool) {
	prefix := p.Prefix
	if prefix == "" {
		prefix = "asiointi"
	}
	type held struct {
		all   bool
		units []string
	}
	roles := map[string]*held{}
	for _, v := range values {
		parts := strings.Split(strings.TrimSpace(v), ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] != prefix || rank[parts[1]] == 0 {
			continue
		}
		h := roles[parts[1]]
		if h == nil {
			h = &held{}
			roles[parts[1]] = h
		}
		if len(parts) == 2 || parts[2] == "" {
			h.all = true
		} else if !slices.Contains(h.units, parts[2]) {
			h.units = append(h.units, parts[2])
		}
	}
	var g Grant
	for r := range roles {
		if rank[r] > rank[g.Role] {
			g.Role = r
		}
	}
	if g.Role == "" {
		return Grant{}, false
	}
	all := false
	for r, h := range roles {
		if rank[r] < rank[g.Role] {
			continue
		}
		all = all || h.all
		for _, u := range h.units {
			if !slices.Contains(g.Units, u) {
				g.Units = append(g.Units, u)
			}
		}
	}
	if all || g.Role == RoleAdmin {
		g.Units = nil
	}
	slices.Sort(g.Units)
	return g, true
}
