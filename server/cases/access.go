package cases

import (
	"context"
	"errors"
	"slices"
	"time"

	"asiointi/server/audit"
	"asiointi/server/identity"
	"asiointi/server/store"
)

// Access is what a person may do with a case.
type Access int

const (
	// NoAccess: the case does not exist for the person (ErrNotFound).
	NoAccess Access = iota
	// ResidentAccess: the person sent it, it was made in their name, they
	// are its co-applicant, or (an organisation's case) they sent it and
	// still hold the role.
	ResidentAccess
	// ResidentRead: the person may open the case but not act on it: the
	// other guardian of the minor it is for, a notified other party of a
	// joint matter, an organisation's other current role holders.
	ResidentRead
	// SharedRead: a resident the application was shared with reads it,
	// read-only, through an active share (SharedCase) and only there: the
	// share gives no access anywhere else.
	SharedRead
	// StaffRead: a staff member with a role in the service that does not
	// handle cases (an admin) sees it.
	StaffRead
	// StaffHandle: a handler or manager of the service sees and handles it.
	StaffHandle
)

// ErrForbidden: a person may see the case but not act on it.
var ErrForbidden = errors.New("cases: not allowed")

// Groups of "my applications" (CasesPage).
const (
	GroupMine          = "mine"          // the person's own
	GroupChildren      = "children"      // their minor children's
	GroupMandates      = "mandates"      // for people who gave them a mandate
	GroupOrganizations = "organizations" // for organisations
	GroupOthers        = "others"        // others' matters they are a party of
)

// GroupOrder is the order groups are shown in.
var GroupOrder = []string{GroupMine, GroupChildren, GroupMandates, GroupOrganizations, GroupOthers}

// viewer is a person looking at cases with their acting-for relations on
// the day, read before the transaction (once per request, not per case;
// the register's reads are transactions of their own). Staff have none.
type viewer struct {
	Ref
	rels []identity.Principal
	// viaShare is the time a resident reads a case through a share
	// (SharedCase): then only an active share of the case with them
	// gives access (SharedRead). Zero everywhere else.
	viaShare time.Time
}

// viewerOf is who with, for a resident, their relations on the day of now.
func (s *Service) viewerOf(who Ref, now time.Time) (viewer, error) {
	v := viewer{Ref: who}
	if who.Kind != identity.Resident {
		return v, nil
	}
	p, err := s.Register.Person(who.ID)
	if errors.Is(err, identity.ErrUnknown) || errors.Is(err, store.ErrNotFound) {
		return v, nil // no longer in the register: no relations
	}
	if err != nil {
		return v, err
	}
	if v.Name == "" {
		v.Name = p.Name()
	}
	if v.rels, err = s.Register.Principals(p, now); err != nil {
		return v, err
	}
	v.rels = s.currentRemoteRoles(who.ID, v.rels)
	return v, nil
}

// currentRemoteRoles replaces the roles in an organisation chosen in
// Suomi.fi Mandates, as read at the choice, with the roles the service
// gives now, so that the organisation's cases are not shown once the
// role has ended; when the service does not answer, the organisation's
// cases are not shown either (the person's own still are).
func (s *Service) currentRemoteRoles(user string, rels []identity.Principal) []identity.Principal {
	i := slices.IndexFunc(rels, func(r identity.Principal) bool { return r.Remote && r.Kind == identity.PrincipalOrganization })
	if i < 0 || s.Mandates == nil {
		return rels
	}
	org := rels[i]
	roles, err := s.Mandates.OrganizationRoles(context.Background(), user, org.ID)
	if err != nil {
		roles = nil
		if s.Log != nil {
			s.Log.Warn("organisation roles not confirmed", "user", user, "organization", org.ID, "err", err)
		}
	}
	out := slices.DeleteFunc(slices.Clone(rels), func(r identity.Principal) bool {
		return r.Remote && r.Kind == identity.PrincipalOrganization
	})
	for _, role := range roles {
		org.Role = role
		out = append(out, org)
	}
	return out
}

// resident is a resident viewer by id.
func (s *Service) resident(user string) (viewer, error) {
	return s.viewerOf(Ref{ID: user, Kind: identity.Resident}, s.Now())
}

// access decides, in one place, who may see a case and how.
//
// A resident: an organisation's case only while they hold a relation
// with the organisation that covers the service (its sender too: nobody
// once the role or mandate ends) — full for its sender, read-only for the
// others; a notified other party of a joint matter read-only; whoever the
// by-user index names (the sender, the person it is for, co-applicants)
// full; a current guardian of the minor it is for read-only.
//
// A staff member by their role in the case's service (identity.StaffRole),
// read inside tx so that a role taken away ends access at once, and only
// once the case has gone to handling (not while it waits for its parties'
// approvals).
//
// A resident reading through a share (viewer.viaShare) by an active
// share of the case with them, and by nothing else.
//
// Anyone else gets NoAccess; so does a staff member as a resident, and a
// resident as staff.
func (s *Service) access(tx *store.Tx, v viewer, c *Case) Access {
	if !v.viaShare.IsZero() {
		if v.Kind == identity.Resident && activeShare(tx, v.ID, c.ID, v.viaShare) {
			return SharedRead
		}
		return NoAccess
	}
	switch v.Kind {
	case identity.Resident:
		if c.Principal != nil && c.Principal.Kind == identity.PrincipalOrganization {
			svc, ok := s.Catalog.Service(c.Service)
			for _, r := range v.rels {
				if ok && r.ID == c.Principal.ID && covers(svc, r) {
					if c.Actor.ID == v.ID {
						return ResidentAccess
					}
					return ResidentRead
				}
			}
			return NoAccess
		}
		if c.Actor.ID != v.ID && slices.ContainsFunc(c.Notified, func(p Party) bool { return p.ID == v.ID }) {
			return ResidentRead
		}
		if tx.Has(store.CasesByUser, userKey(v.ID, c.ID)) {
			return ResidentAccess
		}
		if v.guardianOf(c.Subject().ID) {
			return ResidentRead
		}
	case identity.Staff:
		if c.Status == StatusAwaitingSignatures { // not sent to handling yet
			return NoAccess
		}
		switch identity.StaffRole(tx, v.ID, c.Service) {
		case identity.RoleHandler, identity.RoleManager:
			return StaffHandle
		case identity.RoleAdmin:
			return StaffRead
		}
	}
	return NoAccess
}

// guardianOf: the viewer is now a guardian of the minor id.
func (v viewer) guardianOf(id string) bool {
	return slices.ContainsFunc(v.rels, func(r identity.Principal) bool {
		return r.ID == id && r.Kind == identity.PrincipalGuardian
	})
}

// groupOf is the group of "my applications" a case the viewer may open
// is listed under.
func (v viewer) groupOf(c *Case) string {
	switch {
	case c.Principal != nil && c.Principal.Kind == identity.PrincipalOrganization:
		return GroupOrganizations
	case c.Subject().ID == v.ID:
		return GroupMine
	case v.guardianOf(c.Subject().ID) || (c.Actor.ID == v.ID && c.Principal != nil && c.Principal.Kind == identity.PrincipalGuardian):
		return GroupChildren
	case c.Actor.ID == v.ID:
		return GroupMandates
	}
	return GroupOthers
}

// caseFor loads a case for v in tx with what they may do with it; a
// case they may not see is ErrNotFound, so ids reveal nothing.
func (s *Service) caseFor(tx *store.Tx, v viewer, id string) (*Case, Access, error) {
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
	a := s.access(tx, v, &c)
	if a == NoAccess {
		return nil, NoAccess, ErrNotFound
	}
	return &c, a, nil
}

// readsOf are the access-log entries of a resident v opening case c
// (kind audit.KindCase or KindAttachment): one per other person whose
// data it shows. The person it is for, read by whoever acted for them
// (purpose proxy), by a guardian (guardian) or by a party (party); the
// sender's details, read by the other guardian or a party. Reading one's
// own, or an organisation's, logs nothing here.
func readsOf(c *Case, v viewer, kind string, now time.Time) []audit.Access {
	if v.Kind != identity.Resident || (c.Principal != nil && c.Principal.Kind == identity.PrincipalOrganization) {
		return nil
	}
	subject := c.Subject()
	if subject.ID == v.ID {
		return nil
	}
	entry := func(whose, purpose string) audit.Access {
		return audit.Access{At: now, Actor: audit.Actor{ID: v.ID, Name: v.Name, Role: "resident"}, Subject: whose,
			Kind: kind, Purpose: purpose, Case: c.ID, Reference: c.Reference}
	}
	if c.Actor.ID == v.ID { // the sender, acting for the person
		e := entry(subject.ID, audit.PurposeProxy)
		e.ActingFor = subject.ID
		return []audit.Access{e}
	}
	purpose := audit.PurposeParty
	if v.guardianOf(subject.ID) {
		purpose = audit.PurposeGuardian
	}
	out := []audit.Access{entry(subject.ID, purpose)}
	if c.Actor.ID != subject.ID {
		out = append(out, entry(c.Actor.ID, purpose))
	}
	return out
}

// otherParties are the people a joint matter concerns besides the
// applicant (catalog NotifyOtherParties): the other guardians of the
// child it is for. They are told of the case and see it read-only
// (Case.Notified).
func (s *Service) otherParties(actor Ref, principal *Ref) ([]Party, error) {
	if principal == nil || principal.Kind != identity.PrincipalGuardian {
		return nil, nil
	}
	child, err := s.Register.Person(principal.ID)
	if err != nil {
		return nil, err
	}
	var out []Party
	for _, g := range child.Guardians {
		if g == actor.ID || slices.ContainsFunc(out, func(p Party) bool { return p.ID == g }) {
			continue
		}
		gp, err := s.Register.Person(g)
		if err != nil {
			continue // a guardian no longer in the register
		}
		out = append(out, Party{ID: gp.ID, Name: gp.Name(), Status: PartyNotified})
	}
	return out, nil
}

// PartyNotified is the status of a party who was told of the case and
// need not act.
const PartyNotified = "notified"
