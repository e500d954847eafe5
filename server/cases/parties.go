package cases

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"asiointi/server/catalog"
	"asiointi/server/datefmt"
	"asiointi/server/fincode"
	"asiointi/server/forms"
	"asiointi/server/population"
	"asiointi/server/store"
)

// Co-applicants (DVV situation B, "all parties sign"): the applicant of an
// all-parties service names the other parties on the draft; submitting it
// invites each of them (invitations.go), and the case goes to handling
// only when every one of them has approved.

// DraftParty is another person the applicant names on a draft.
type DraftParty struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Hetu string `json:"hetu"`
	// Person is the register id of the party when the register knows the
	// henkilötunnus (they get the invitation in the app too).
	Person string `json:"person,omitempty"`
	Email  string `json:"email,omitempty"`
	Phone  string `json:"phone,omitempty"`
	Source string `json:"source"` // property | guardian | added
	// Guardian answers for a party who is a minor: the invitation goes to
	// them (acting for the party), as the national model says.
	Guardian *Ref      `json:"guardian,omitempty"`
	AddedAt  time.Time `json:"addedAt"`
}

// Sources of a party.
const (
	PartyFromProperty = "property" // a co-owner of the property in the register
	PartyFromGuardian = "guardian" // the child's other guardian
	PartyAdded        = "added"    // named by the applicant
)

// PartyInput is a party as the applicant gives it: by name and
// henkilötunnus, or by picking a suggestion (Suggested: its Person id,
// so that the page never shows the register's henkilötunnus).
type PartyInput struct {
	Name, Hetu, Email, Phone string
	Suggested                string
}

// Suggestion is a party known from data, not yet added. Person is the
// register id; Hetu stays on the server.
type Suggestion struct {
	Person, Name, Hetu, Source string
}

// MaxParties bounds the parties of one draft.
const MaxParties = 20

// ErrNoParties refuses parties on a service that is not "all parties sign".
var ErrNoParties = errors.New("cases: the service has no co-applicants")

// partyKey is the key of a party in DraftParties.
func partyKey(draft, id string) string { return draft + "/" + id }

// draftParties lists a draft's parties in the order they were added.
func draftParties(tx *store.Tx, draft string) ([]DraftParty, error) {
	return store.Values[DraftParty](tx, store.DraftParties, draft+"/")
}

// partyDraft loads the owner's unsubmitted draft of an all-parties service.
func (s *Service) partyDraft(tx *store.Tx, id, owner string) (*Draft, *catalog.Service, error) {
	d, err := s.ownDraft(tx, id, owner, false)
	if err != nil {
		return nil, nil, err
	}
	if d.CaseID != "" {
		return nil, nil, ErrSubmitted
	}
	svc, ok := s.Catalog.Service(d.Service)
	if !ok {
		return nil, nil, ErrNotFound
	}
	if svc.OnBehalf != catalog.OnBehalfAllParties {
		return nil, nil, ErrNoParties
	}
	return d, svc, nil
}

// Parties lists the parties named on the owner's draft.
func (s *Service) Parties(draftID, owner string) ([]DraftParty, error) {
	var out []DraftParty
	err := s.Store.View(func(tx *store.Tx) error {
		if _, err := s.ownDraft(tx, draftID, owner, false); err != nil {
			return err
		}
		var err error
		out, err = draftParties(tx, draftID)
		return err
	})
	return out, err
}

// SuggestedParties are the parties known from data that the owner has not
// added yet: the other owners of the property the draft names (or the
// subject's property in the register), and a child's other guardians.
func (s *Service) SuggestedParties(draftID, owner string) ([]Suggestion, error) {
	var d *Draft
	var added []DraftParty
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		if d, _, err = s.partyDraft(tx, draftID, owner); err != nil {
			return err
		}
		if err = loadData(tx, d); err != nil {
			return err
		}
		added, err = draftParties(tx, draftID)
		return err
	})
	if err != nil {
		return nil, err
	}
	skip := map[string]bool{d.Owner.ID: true}
	if d.Principal != nil {
		skip[d.Principal.ID] = true
	}
	var hetus []string
	for _, p := range added {
		hetus = append(hetus, p.Hetu)
	}
	var out []Suggestion
	add := func(p population.Person, source string) {
		if skip[p.ID] || slices.Contains(hetus, p.Hetu) {
			return
		}
		skip[p.ID] = true
		out = append(out, Suggestion{Person: p.ID, Name: p.Name(), Hetu: p.Hetu, Source: source})
	}
	subject, err := s.Register.Person(d.Subject().ID)
	if err != nil { // an organisation or a subject the register does not know
		return out, nil
	}
	propID, _ := d.Data["propertyId"].(string)
	if propID == "" && len(subject.Properties) > 0 {
		propID = subject.Properties[0]
	}
	if propID != "" {
		if prop, err := s.Register.Property(strings.TrimSpace(propID)); err == nil {
			for _, id := range prop.Owners {
				if p, err := s.Register.Person(id); err == nil {
					add(p, PartyFromProperty)
				}
			}
		}
	}
	if d.Principal != nil { // a child: the other guardians
		for _, id := range subject.Guardians {
			if p, err := s.Register.Person(id); err == nil {
				add(p, PartyFromGuardian)
			}
		}
	}
	return out, nil
}

// AddParty names another party on the owner's draft. Field errors (name,
// hetu, email, phone) come back without an error; the party is not added.
func (s *Service) AddParty(draftID string, owner Ref, in PartyInput) (*DraftParty, []forms.FieldError, error) {
	if in.Suggested != "" {
		sugg, err := s.SuggestedParties(draftID, owner.ID)
		if err != nil {
			return nil, nil, err
		}
		i := slices.IndexFunc(sugg, func(x Suggestion) bool { return x.Person == in.Suggested })
		if i < 0 { // added already, or never suggested
			return nil, []forms.FieldError{{Field: "hetu", Code: "parties.error.duplicate"}}, nil
		}
		in.Name, in.Hetu = sugg[i].Name, sugg[i].Hetu
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Hetu = strings.ToUpper(strings.TrimSpace(in.Hetu))
	in.Email = strings.TrimSpace(in.Email)
	in.Phone = strings.TrimSpace(in.Phone)
	var errs []forms.FieldError
	bad := func(field, code string) { errs = append(errs, forms.FieldError{Field: field, Code: code}) }
	switch {
	case in.Name == "":
		bad("name", "parties.error.nameRequired")
	case utf8.RuneCountInString(in.Name) > 200:
		bad("name", "parties.error.nameTooLong")
	}
	if !fincode.ValidHetu(in.Hetu) {
		bad("hetu", "parties.error.hetu")
	}
	if in.Email != "" && !forms.ValidEmail(in.Email) {
		bad("email", "parties.error.email")
	}
	if in.Phone != "" && !forms.ValidPhone(in.Phone) {
		bad("phone", "parties.error.phone")
	}
	now := s.Now()
	p := &DraftParty{ID: store.NewID(now), Name: in.Name, Hetu: in.Hetu, Email: in.Email, Phone: in.Phone,
		Source: PartyAdded, AddedAt: now}
	var suggested []Suggestion
	if len(errs) == 0 {
		// Known from data: the register's person, their guardian if a
		// minor, and whether the applicant was offered them.
		var err error
		if suggested, err = s.SuggestedParties(draftID, owner.ID); err != nil {
			return nil, nil, err
		}
		if code := s.resolveParty(p, owner.ID, now); code != "" {
			bad(partyField(code), code)
		}
	}
	for _, sg := range suggested {
		if sg.Hetu == p.Hetu {
			p.Source = sg.Source
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	err := s.Store.Update(func(tx *store.Tx) error {
		errs = nil
		d, _, err := s.partyDraft(tx, draftID, owner.ID)
		if err != nil {
			return err
		}
		list, err := draftParties(tx, d.ID)
		if err != nil {
			return err
		}
		switch {
		case slices.ContainsFunc(list, func(x DraftParty) bool { return x.Hetu == p.Hetu }):
			errs = append(errs, forms.FieldError{Field: "hetu", Code: "parties.error.duplicate"})
			return nil
		case len(list) >= MaxParties:
			errs = append(errs, forms.FieldError{Field: "name", Code: "parties.error.tooMany",
				Params: map[string]any{"Count": MaxParties}})
			return nil
		case d.Principal != nil && p.Person == d.Principal.ID:
			errs = append(errs, forms.FieldError{Field: "hetu", Code: "parties.error.self"})
			return nil
		}
		return tx.Put(store.DraftParties, partyKey(d.ID, p.ID), p)
	})
	if err != nil || len(errs) > 0 {
		return nil, errs, err
	}
	return p, nil, nil
}

func partyField(code string) string {
	if code == "parties.error.contactRequired" {
		return "email"
	}
	return "hetu"
}

// resolveParty fills in what the register knows of p (its person id, and
// the guardian who answers for a minor) and returns an error code when p
// cannot be a party of the owner's application.
func (s *Service) resolveParty(p *DraftParty, owner string, now time.Time) string {
	person, err := s.Register.PersonByHetu(p.Hetu)
	known := err == nil
	if known {
		if person.ID == owner {
			return "parties.error.self"
		}
		p.Person = person.ID
	}
	if age, ok := fincode.HetuAge(p.Hetu, now.In(datefmt.Helsinki())); ok && age < 18 {
		if !known {
			return "parties.error.minorUnknown"
		}
		for _, g := range person.Guardians {
			if g == owner {
				continue
			}
			if gp, err := s.Register.Person(g); err == nil {
				p.Guardian = &Ref{ID: gp.ID, Name: gp.Name(), Kind: "guardian"}
				return ""
			}
		}
		return "parties.error.ownWard"
	}
	if !known && p.Email == "" && p.Phone == "" {
		return "parties.error.contactRequired"
	}
	return ""
}

// RemoveParty takes a party off the owner's draft before it is sent.
func (s *Service) RemoveParty(draftID, owner, partyID string) error {
	if !store.ValidID(partyID) {
		return ErrNotFound
	}
	return s.Store.Update(func(tx *store.Tx) error {
		d, _, err := s.partyDraft(tx, draftID, owner)
		if err != nil {
			return err
		}
		if !tx.Has(store.DraftParties, partyKey(d.ID, partyID)) {
			return ErrNotFound
		}
		return tx.Delete(store.DraftParties, partyKey(d.ID, partyID))
	})
}

// PartiesField names, in a submit's field errors, the draft's parties
// rather than an answer: pages link such an error to the parties step.
const PartiesField = "parties"

// PropertyConcept is the concept of the answer that names the property
// an all-parties service is about.
const PropertyConcept = "property.id"

// propertyField is the id of the definition's field with the property's
// id ("" when the form names no property).
func propertyField(def *forms.Definition) string {
	for _, f := range def.DataFields() {
		if f.Concept == PropertyConcept {
			return f.ID
		}
	}
	return ""
}

// PartyProblems tells what keeps the owner's draft of an all-parties
// service from being sent because of its parties: every owner of the
// property it names, as the property register has them, must be a party
// (the applicant and the one they act for are parties by sending it). A
// property the register does not know is refused at its answer, so that
// no property id lets an applicant leave its owners out. Other services
// have none.
func (s *Service) PartyProblems(d *Draft) ([]forms.FieldError, error) {
	svc, ok := s.Catalog.Service(d.Service)
	if !ok || svc.OnBehalf != catalog.OnBehalfAllParties {
		return nil, nil
	}
	def, err := s.Definition(d)
	if err != nil {
		return nil, err
	}
	parties, err := s.Parties(d.ID, d.Owner.ID)
	if err != nil {
		return nil, err
	}
	data := d.Data
	if data == nil {
		if err := s.Store.View(func(tx *store.Tx) error { return loadData(tx, d) }); err != nil {
			return nil, err
		}
		data = d.Data
	}
	return s.partyProblems(d, def, data, parties)
}

// partyProblems is PartyProblems for the given answers and parties.
func (s *Service) partyProblems(d *Draft, def *forms.Definition, answers map[string]any, parties []DraftParty) ([]forms.FieldError, error) {
	field := propertyField(def)
	if field == "" {
		return nil, nil
	}
	id, _ := answers[field].(string)
	if id = strings.TrimSpace(id); id == "" {
		return nil, nil // the form's own check asks for it
	}
	prop, err := s.Register.Property(id)
	if err != nil {
		return []forms.FieldError{{Field: field, Code: "parties.error.propertyUnknown"}}, nil
	}
	var errs []forms.FieldError
	for _, owner := range prop.Owners {
		if owner == d.Owner.ID || (d.Principal != nil && owner == d.Principal.ID) {
			continue
		}
		p, err := s.Register.Person(owner)
		if err != nil {
			return nil, fmt.Errorf("cases: owner %s of property %s: %w", owner, prop.ID, err)
		}
		named := slices.ContainsFunc(parties, func(x DraftParty) bool { return x.Person == p.ID || x.Hetu == p.Hetu })
		if !named {
			errs = append(errs, forms.FieldError{Field: PartiesField, Code: "parties.error.ownerMissing",
				Params: map[string]any{"Name": p.Name()}})
		}
	}
	return errs, nil
}
