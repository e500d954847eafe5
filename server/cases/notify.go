package cases

import (
	"asiointi/server/catalog"
	"asiointi/server/identity"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// submittedAction is what notify needs to know of a new case, read in tx:
// for an organisation, the people who may now act for it in the service:
// those who hold its role, or a valid mandate from the organisation that
// names its mandate issue (Register.ActorsFor; the same people may open
// the case, access.go).
func (s *Service) submittedAction(tx *store.Tx, svc *catalog.Service, c *Case, ref string) (notify.Action, error) {
	a := notify.Action{Case: c.ID, Reference: ref, Service: c.Service, At: c.SubmittedAt,
		Actor: notify.Person{ID: c.Actor.ID, Name: c.Actor.Name}}
	switch {
	case c.Principal == nil:
	case c.Principal.Kind == identity.PrincipalOrganization:
		holders, err := s.Register.ActorsFor(tx, c.Principal.ID, svc.Role, svc.MandateIssue, c.SubmittedAt)
		if err != nil {
			return a, err
		}
		org := &notify.Organisation{ID: c.Principal.ID, Name: c.Principal.Name}
		for _, p := range holders {
			org.Members = append(org.Members, notify.Person{ID: p.ID, Name: p.Name()})
		}
		a.Organisation = org
	default:
		a.Principal = &notify.Person{ID: c.Principal.ID, Name: c.Principal.Name}
	}
	// Co-applicants hear through their invitations (invitations.go);
	// the other parties of a joint matter are told here.
	for _, p := range c.Notified {
		a.Parties = append(a.Parties, notify.Person{ID: p.ID, Name: p.Name})
	}
	return a, nil
}
