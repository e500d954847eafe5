package cases

import (
	"errors"

	"asiointi/server/identity"
	"asiointi/server/store"
)

// Access is what a person may do with a case.
type Access int

const (
	// NoAccess: the case does not exist for the person (ErrNotFound).
	NoAccess Access = iota
	// ResidentAccess: the person sent it or it was made in their name.
	ResidentAccess
	// StaffRead: a staff member with a role in the service that does not
	// handle cases (an admin) sees it.
	StaffRead
	// StaffHandle: a handler or manager of the service sees and handles it.
	StaffHandle
)

// ErrForbidden: a staff member may see the case but not act on it.
var ErrForbidden = errors.New("cases: not allowed")

// access decides, in one place, who may see a case and how: a resident
// who sent it or in whose name it was made; a staff member by their role
// in the case's service (identity.StaffRole), read inside tx so that a
// role taken away ends access at once, and only once the case has gone
// to handling (not while it waits for its parties' approvals). Anyone
// else gets NoAccess; so does a staff member as a resident, and a
// resident as staff.
func access(tx *store.Tx, who Ref, c *Case) Access {
	switch who.Kind {
	case identity.Resident:
		if tx.Has(store.CasesByUser, userKey(who.ID, c.ID)) {
			return ResidentAccess
		}
	case identity.Staff:
		if c.Status == StatusAwaitingSignatures { // not sent to handling yet
			return NoAccess
		}
		switch identity.StaffRole(tx, who.ID, c.Service) {
		case identity.RoleHandler, identity.RoleManager:
			return StaffHandle
		case identity.RoleAdmin:
			return StaffRead
		}
	}
	return NoAccess
}

// caseFor loads a case for who in tx with what they may do with it; a
// case they may not see is ErrNotFound, so ids reveal nothing.
func caseFor(tx *store.Tx, who Ref, id string) (*Case, Access, error) {
	if !store.ValidID(id) {
		return nil, NoAccess, ErrNotFound
	}
	var c Case
	if err := tx.Get(store.Cases, id, &c); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, NoAccess, ErrNotFound
		}
		return nil, NoAccess, err
	}
	a := access(tx, who, &c)
	if a == NoAccess {
		return nil, NoAccess, ErrNotFound
	}
	return &c, a, nil
}
