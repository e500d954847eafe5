package cases

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"asiointi/server/audit"
	"asiointi/server/identity"
	"asiointi/server/store"
)

// Access is what a person may do with a case.
type Access int

// Levels of access.
const (
	// NoAccess: the case does not exist for the person (ErrNotFound).
	NoAccess Access = iota
	// ReadOnly: the person may open the case but not act on it (the other
	// guardian of a child, a notified party, an organisation's other role
	// holders).
	ReadOnly
	// Full: the person sent the case or it is theirs.
	Full
)

// Groups of "my applications" (MyCases).
const (
	GroupMine          = "mine"          // the person's own
	GroupChildren      = "children"      // their minor children's
	GroupMandates      = "mandates"      // for people who gave them a mandate
	GroupOrganizations = "organizations" // for organisations
	GroupOthers        = "others"        // other matters they were told of
)

// viewer is a person looking at cases, with their acting-for relations
// on the day: read once per request, not per case.
type viewer struct {
	id, name string
	rels     []identity.Principal
}

// viewerOf reads the person's relations on the day of now.
func (s *Service) viewerOf(user string, now time.Time) (viewer, error) {
	v := viewer{id: user}
	p, err := s.Register.Person(user)
	if errors.Is(err, identity.ErrUnknown) {
		return v, nil // staff, or a person no longer in the register: no relations
	}
	if err != nil {
		return v, err
	}
	v.name = p.Name()
	v.rels, err = s.Register.Principals(p, now)
	return v, err
}

// readsOf are the access-log entries of v opening case c (kind
// audit.KindCase or KindAttachment): one per other person whose data it
// shows — the person it is for, read by whoever acts for them (proxy) or
// by the other guardian (guardian) or a party (party); and the sender's
// details, read by the other guardian or a party. Reading one's own, or
// an organisation's, logs nothing here.
func readsOf(c *Case, v viewer, a Access, kind string) []audit.Access {
	if v.name == "" || a == NoAccess || (c.Principal != nil && c.Principal.Kind == identity.PrincipalOrganization) {
		return nil
	}
	subject := c.Subject()
	if subject.ID == v.id {
		return nil
	}
	entry := func(whose, purpose string) audit.Access {
		return audit.Access{Actor: audit.Actor{ID: v.id, Name: v.name, Role: "resident"}, Subject: whose,
			Kind: kind, Purpose: purpose, Case: c.ID, Reference: c.Reference}
	}
	if c.Actor.ID == v.id { // the sender, acting for the person
		e := entry(subject.ID, audit.PurposeProxy)
		e.ActingFor = subject.ID
		return []audit.Access{e}
	}
	purpose := audit.PurposeParty
	for _, r := range v.rels {
		if r.ID == subject.ID && r.Kind == identity.PrincipalGuardian {
			purpose = audit.PurposeGuardian
		}
	}
	return []audit.Access{entry(subject.ID, purpose), entry(c.Actor.ID, purpose)}
}

// logReads records the reads in the access log, in a write of its own.
func (s *Service) logReads(reads []audit.Access) error {
	if len(reads) == 0 {
		return nil
	}
	now := s.Now()
	return s.Store.Update(func(tx *store.Tx) error { return audit.RecordAccess(tx, now, reads...) })
}

// access is the one decision of who may open a case and how, and under
// which group it is listed:
//
//   - an organisation's case: whoever currently holds a relation with the
//     organisation that covers the service (its sender too: nobody once
//     the role or mandate ends); full for the sender, read-only for others;
//   - the sender, and the person the case is for: full;
//   - a current guardian of the minor the case is for: read-only;
//   - a party the case names (e.g. the notified other guardian): read-only.
//
// Everyone else: NoAccess.
func (s *Service) access(c *Case, v viewer) (Access, string) {
	subject := c.Subject()
	if c.Principal != nil && c.Principal.Kind == identity.PrincipalOrganization {
		svc, ok := s.Catalog.Service(c.Service)
		for _, r := range v.rels {
			if ok && r.ID == c.Principal.ID && covers(svc, r) {
				if c.Actor.ID == v.id {
					return Full, GroupOrganizations
				}
				return ReadOnly, GroupOrganizations
			}
		}
		return NoAccess, ""
	}
	switch {
	case subject.ID == v.id:
		return Full, GroupMine
	case c.Actor.ID == v.id && c.Principal != nil && c.Principal.Kind == identity.PrincipalGuardian:
		return Full, GroupChildren
	case c.Actor.ID == v.id:
		return Full, GroupMandates
	}
	for _, r := range v.rels {
		if r.ID == subject.ID && r.Kind == identity.PrincipalGuardian {
			return ReadOnly, GroupChildren
		}
	}
	for _, p := range c.Parties {
		if p.ID == v.id {
			return ReadOnly, GroupOthers
		}
	}
	return NoAccess, ""
}

// MyCase is a case in a person's "my applications", with their access.
type MyCase struct {
	*Case
	Access Access
	Group  string
}

// casesIndexed reads the cases a key prefix of the by-user index lists.
func casesIndexed(tx *store.Tx, owner string, seen map[string]bool, out *[]*Case) error {
	return tx.ScanReverse(store.CasesByUser, owner+"/", func(k string, _ []byte) error {
		id := strings.TrimPrefix(k, owner+"/")
		if seen[id] {
			return nil
		}
		seen[id] = true
		var c Case
		if err := tx.Get(store.Cases, id, &c); err != nil {
			return nil // index ahead of a removed case
		}
		*out = append(*out, &c)
		return nil
	})
}

// MyCases lists the cases a person may open now, newest first, each with
// its access and group: their own and those sent in their name, those
// they sent for others, their minor children's, their organisations'
// (while they hold the role), and those they were told of.
func (s *Service) MyCases(user string) ([]MyCase, error) {
	v, err := s.viewerOf(user, s.Now())
	if err != nil {
		return nil, err
	}
	var found []*Case
	err = s.Store.View(func(tx *store.Tx) error {
		seen := map[string]bool{}
		if err := casesIndexed(tx, user, seen, &found); err != nil {
			return err
		}
		for _, r := range v.rels {
			if r.Kind == identity.PrincipalGuardian || r.Kind == identity.PrincipalOrganization {
				if err := casesIndexed(tx, r.ID, seen, &found); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []MyCase
	for _, c := range found {
		if a, g := s.access(c, v); a != NoAccess {
			out = append(out, MyCase{Case: c, Access: a, Group: g})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SubmittedAt.After(out[j].SubmittedAt) })
	return out, nil
}

// Groups orders "my applications" by group, keeping the order within.
func Groups(list []MyCase) map[string][]MyCase {
	out := map[string][]MyCase{}
	for _, c := range list {
		out[c.Group] = append(out[c.Group], c)
	}
	return out
}

// GroupOrder is the order groups are shown in.
var GroupOrder = []string{GroupMine, GroupChildren, GroupMandates, GroupOrganizations, GroupOthers}

// otherParties are the people a joint matter concerns besides the
// applicant (catalog NotifyOtherParties): the other guardians of the
// child it is for.
func (s *Service) otherParties(actor Ref, principal *Ref) ([]Party, error) {
	if principal == nil || principal.Kind != identity.PrincipalGuardian {
		return []Party{}, nil
	}
	child, err := s.Register.Person(principal.ID)
	if err != nil {
		return nil, err
	}
	out := []Party{}
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
