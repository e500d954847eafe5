package cases

import (
	"time"

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
		org, err := s.organisation(tx, c, c.SubmittedAt)
		if err != nil {
			return a, err
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

// organisation is the organisation in whose name c was sent, with the
// people who may act for it in c's service at (Register.ActorsFor: its
// role's holders and valid mandates that name the service's issue).
func (s *Service) organisation(tx *store.Tx, c *Case, at time.Time) (*notify.Organisation, error) {
	org := &notify.Organisation{ID: c.Principal.ID, Name: c.Principal.Name}
	svc, ok := s.Catalog.Service(c.Service)
	if !ok {
		return org, nil
	}
	holders, err := s.Register.ActorsFor(tx, c.Principal.ID, svc.Role, svc.MandateIssue, at)
	if err != nil {
		return nil, err
	}
	for _, p := range holders {
		org.Members = append(org.Members, notify.Person{ID: p.ID, Name: p.Name()})
	}
	return org, nil
}
