package notify

import (
	"strings"
	"time"

	"asiointi/server/store"
)

// CaseChange is something that happened to a case that its people must
// hear of: a handler's action (status, supplement request, decision) or
// a resident's (a message, a supplement, a withdrawal).
type CaseChange struct {
	Kind                     string
	Case, Reference, Service string
	Status                   string
	At                       time.Time
	By                       Person  // who acted
	Actor                    Person  // who sent the application
	Principal                *Person // in whose name, if not the actor's
	// Organisation: the organisation in whose name, with the people who
	// may now act for it in the service.
	Organisation *Organisation
	Parties      []Person
	Handler      *Person   // the case's handler, if any
	Due          time.Time // a supplement reminder: its due time
}

// ResidentsOf lists the people of a case on the resident side: the
// sender, the principal (for an organisation, who may now act for it)
// and the parties, each once, except who acted.
func (u CaseChange) ResidentsOf() []string {
	var out []string
	seen := map[string]bool{u.By.ID: true}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	add(u.Actor.ID)
	if u.Principal != nil {
		add(u.Principal.ID)
	}
	if u.Organisation != nil {
		for _, m := range u.Organisation.Members {
			add(m.ID)
		}
	}
	for _, p := range u.Parties {
		add(p.ID)
	}
	return out
}

// ProxyActed tells the principal of a case that someone acting for them
// finished an action in their name (kind KindProxySupplemented or
// KindProxyWithdrew), in tx, the transaction of the action.
func ProxyActed(tx *store.Tx, kind string, u CaseChange) error {
	if u.Principal == nil || u.Principal.ID == u.By.ID {
		return nil
	}
	return Record(tx, Notification{User: u.Principal.ID, Kind: kind, At: u.At, Link: "/cases/" + u.Case,
		Params: map[string]string{"service": u.Service, "reference": u.Reference, "actor": u.By.Name}})
}

// PartyStatus tells the other parties of a joint matter (told of the
// application when it was sent, cases.Case.Notified) that its status
// changed (kind KindPartyStatus), in tx, the transaction of the change:
// who sent it and its new status. The one who acted, the sender and the
// principal hear of it otherwise and are skipped.
func PartyStatus(tx *store.Tx, u CaseChange, parties []Person) error {
	params := map[string]string{"service": u.Service, "reference": u.Reference, "status": u.Status, "actor": u.Actor.Name}
	for _, p := range parties {
		if p.ID == "" || p.ID == u.By.ID || p.ID == u.Actor.ID || (u.Principal != nil && p.ID == u.Principal.ID) {
			continue
		}
		if err := Record(tx, Notification{User: p.ID, Kind: KindPartyStatus, At: u.At, Link: "/cases/" + u.Case, Params: params}); err != nil {
			return err
		}
	}
	return nil
}

// OrgActed tells the members of an organisation (those who hold a role
// in it that lets them act for it in the case's service now) that
// another member finished an action in its name (kind KindOrgSupplemented
// or KindOrgWithdrew), in tx, the transaction of the action.
func OrgActed(tx *store.Tx, kind string, u CaseChange, org Organisation) error {
	params := map[string]string{"service": u.Service, "reference": u.Reference, "actor": u.By.Name, "principal": org.Name}
	for _, m := range org.Members {
		if m.ID == u.By.ID {
			continue
		}
		if err := Record(tx, Notification{User: m.ID, Kind: kind, At: u.At, Link: "/cases/" + u.Case, Params: params}); err != nil {
			return err
		}
	}
	return nil
}

// CaseUpdate records the notifications of a handler's action in tx, the
// transaction of the action: each resident of the case is told, with a
// link to their application.
func CaseUpdate(tx *store.Tx, u CaseChange) error {
	params := map[string]string{"service": u.Service, "reference": u.Reference, "status": u.Status, "actor": u.By.Name}
	if !u.Due.IsZero() {
		params["expiresAt"] = u.Due.Format(time.RFC3339Nano)
	}
	for _, id := range u.ResidentsOf() {
		if err := Record(tx, Notification{User: id, Kind: u.Kind, At: u.At, Link: "/cases/" + u.Case, Params: params}); err != nil {
			return err
		}
	}
	return nil
}

// statusMessage is the message id of a case status, as residents read it.
func statusMessage(status string) string {
	parts := strings.Split(status, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return "caseStatus." + strings.Join(parts, "")
}
