package cases

import "asiointi/server/notify"

// submittedAction is what notify needs to know of a new case.
func submittedAction(c *Case, ref string) notify.Action {
	a := notify.Action{Case: c.ID, Reference: ref, Service: c.Service, At: c.SubmittedAt,
		Actor: notify.Person{ID: c.Actor.ID, Name: c.Actor.Name}}
	// An organisation's notices wait for a way to reach its people.
	if c.Principal != nil && c.Principal.Kind != "organization" {
		a.Principal = &notify.Person{ID: c.Principal.ID, Name: c.Principal.Name}
	}
	for _, p := range c.Parties {
		a.Parties = append(a.Parties, notify.Person{ID: p.ID, Name: p.Name})
	}
	return a
}
