package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"asiointi/server/catalog"
	"asiointi/server/identity"
	"asiointi/server/mandates"
)

// ErrOnBehalf is the family of refusals of a service's on-behalf
// requirement (DESIGN.md, "The three ways of transacting"): every one of
// the errors below matches it with errors.Is.
var ErrOnBehalf = errors.New("cases: on-behalf requirement not met")

// Refusals of the on-behalf requirement. CreateDraft, Save and Submit
// return them; MayApply tells in advance.
var (
	// ErrResidentsOnly: only a resident applies (not staff).
	ErrResidentsOnly = fmt.Errorf("%w: only a resident applies", ErrOnBehalf)
	// ErrNeedChild: the service is applied for on behalf of a child.
	ErrNeedChild = fmt.Errorf("%w: the service is applied for on behalf of a child", ErrOnBehalf)
	// ErrNeedOrganization: the service is applied for on behalf of an organisation.
	ErrNeedOrganization = fmt.Errorf("%w: the service is applied for on behalf of an organisation", ErrOnBehalf)
	// ErrNeedPrincipal: the service is applied for on behalf of another person, with a mandate.
	ErrNeedPrincipal = fmt.Errorf("%w: the service is applied for on behalf of another person", ErrOnBehalf)
	// ErrNoRelation: the person has no acting-for relation with the
	// principal (any more: a mandate revoked or expired, a child come of
	// age, a role ended).
	ErrNoRelation = fmt.Errorf("%w: no acting-for relation with the principal", ErrOnBehalf)
	// ErrNotForPrincipal: the relation does not cover this service (a
	// child for a mandate service, a mandate on another issue, an
	// organisation for a personal service).
	ErrNotForPrincipal = fmt.Errorf("%w: the relation does not cover this service", ErrOnBehalf)
	// ErrMandatesUnavailable: the right to act comes from Suomi.fi
	// Mandates, which did not answer; acting for oneself still works.
	ErrMandatesUnavailable = fmt.Errorf("%w: Suomi.fi Mandates is unavailable", ErrOnBehalf)
)

// MandatesCheck asks Suomi.fi Mandates whether a person may act for a
// principal (henkilötunnus) on issues now (mandates.Link): the errors
// mandates.ErrUnavailable and mandates.ErrNoSession are refusals.
// OrganizationRoles lists the roles the person holds now in the
// organisation (business id) they chose there, by the same errors.
type MandatesCheck interface {
	Allowed(ctx context.Context, user, principal string, issues []string) (bool, error)
	OrganizationRoles(ctx context.Context, user, businessID string) ([]string, error)
}

// MayApply tells whether owner may apply for the service for principal
// (nil: for themself) now: nil, ErrNotFound for an unknown service, one
// of the on-behalf refusals, or an *EligibilityError when the one it is
// for is not whom the service is for. It does not look at the service's
// application period.
func (s *Service) MayApply(serviceID string, owner Ref, principal *Ref) error {
	svc, ok := s.Catalog.Service(serviceID)
	if !ok {
		return ErrNotFound
	}
	now := s.Now()
	if err := s.mayAct("check", svc, owner, principal, "", now); err != nil {
		return err
	}
	return s.eligible(svc, owner, principal, now)
}

// RightError is a refusal of the on-behalf requirement together with the
// right the service asks for, so that the resident can be told which
// right is missing and how to get it. It matches its refusal (and
// ErrOnBehalf) with errors.Is. It names no one: what it says may be
// shown to whoever asked.
type RightError struct {
	Err      error  // one of the ErrOnBehalf refusals
	Service  string // the service's id
	OnBehalf string // the service's on-behalf requirement (catalog.OnBehalf*)
	// Issue is the mandate issue (URI) that would let the person act,
	// Role the organisation role; either may be empty.
	Issue, Role string
}

func (e *RightError) Error() string { return e.Err.Error() }
func (e *RightError) Unwrap() error { return e.Err }

// mayAct applies the service's on-behalf requirement to owner acting for
// principal (nil: for themself) on the day of now, for op ("create",
// "save", "upload", "submit", "check") on draft (may be empty). A refusal
// is a *RightError, and an attempt to use a draft is logged (ids only).
func (s *Service) mayAct(op string, svc *catalog.Service, owner Ref, principal *Ref, draft string, now time.Time) error {
	err := s.requirement(svc, owner, principal, now)
	if err == nil || !errors.Is(err, ErrOnBehalf) {
		return err
	}
	if s.Log != nil && op != "check" {
		p := ""
		if principal != nil {
			p = principal.ID
		}
		s.Log.Warn("on-behalf refused", "op", op, "user", owner.ID, "principal", p, "draft", draft,
			"service", svc.ID, "reason", refusalCode(err))
	}
	return &RightError{Err: err, Service: svc.ID, OnBehalf: svc.OnBehalf, Issue: svc.MandateIssue, Role: svc.Role}
}

// refusalCode names a refusal in logs.
func refusalCode(err error) string {
	for code, e := range map[string]error{"residents-only": ErrResidentsOnly, "need-child": ErrNeedChild,
		"need-organization": ErrNeedOrganization, "need-principal": ErrNeedPrincipal,
		"no-relation": ErrNoRelation, "not-for-principal": ErrNotForPrincipal, "mandates-unavailable": ErrMandatesUnavailable} {
		if errors.Is(err, e) {
			return code
		}
	}
	return "other"
}

// requirement applies the service's on-behalf requirement to owner acting for
// principal (nil: for themself) on the day of now. The relation is looked
// up in the register every time, so that one that ended is refused at
// once, also for a draft started while it held.
func (s *Service) requirement(svc *catalog.Service, owner Ref, principal *Ref, now time.Time) error {
	if owner.Kind != identity.Resident {
		return ErrResidentsOnly
	}
	if principal == nil {
		if svc.ForSelf || svc.OnBehalf == catalog.OnBehalfAlone || svc.OnBehalf == catalog.OnBehalfAllParties {
			return nil
		}
		switch svc.OnBehalf {
		case catalog.OnBehalfGuardian:
			return ErrNeedChild
		case catalog.OnBehalfOrganization:
			return ErrNeedOrganization
		default:
			return ErrNeedPrincipal
		}
	}
	rels, err := s.relations(owner.ID, principal.ID, now)
	if err != nil {
		return err
	}
	if len(rels) == 0 {
		return ErrNoRelation
	}
	for _, p := range rels {
		if covers(svc, p) && !p.Remote {
			return nil
		}
	}
	for _, p := range rels {
		switch {
		case !p.Remote || s.Mandates == nil:
		case p.Kind == identity.PrincipalOrganization && covers(svc, p):
			return s.remoteOrgRight(owner, p, svc)
		case svc.OnBehalf == catalog.OnBehalfMandate:
			return s.remoteRight(owner, p, svc)
		}
	}
	return ErrNotForPrincipal
}

// remoteOrgRight asks Suomi.fi Mandates, at the moment of the check,
// whether owner still holds a role in the organisation p they chose
// there that covers the service: the roles read at the choice are not
// trusted for the rest of the session, so a role that ended or a mandate
// revoked in between is refused.
func (s *Service) remoteOrgRight(owner Ref, p identity.Principal, svc *catalog.Service) error {
	roles, err := s.Mandates.OrganizationRoles(context.Background(), owner.ID, p.ID)
	if err != nil {
		return mandatesFail(err)
	}
	for _, r := range roles {
		if covers(svc, identity.Principal{ID: p.ID, Kind: identity.PrincipalOrganization, Role: r}) {
			return nil
		}
	}
	return ErrNoRelation // the role ended or the mandate was revoked
}

// mandatesFail is the domain's answer to a failed Suomi.fi Mandates
// call: the service unreachable, or no mandates session (no right).
func mandatesFail(err error) error {
	switch {
	case errors.Is(err, mandates.ErrUnavailable):
		return ErrMandatesUnavailable
	case errors.Is(err, mandates.ErrNoSession):
		return ErrNoRelation
	}
	return err
}

// remoteCovers: p is a principal chosen in Suomi.fi Mandates and the
// service answers that owner may act for them on the service's issue.
func (s *Service) remoteCovers(owner Ref, p identity.Principal, svc *catalog.Service) bool {
	return p.Remote && svc.OnBehalf == catalog.OnBehalfMandate && s.Mandates != nil && s.remoteRight(owner, p, svc) == nil
}

// remoteRight asks Suomi.fi Mandates, at the moment of the check, whether
// owner may act for the principal p chose there on the service's issue.
func (s *Service) remoteRight(owner Ref, p identity.Principal, svc *catalog.Service) error {
	person, err := s.Register.Person(p.ID)
	if err != nil {
		return err
	}
	ok, err := s.Mandates.Allowed(context.Background(), owner.ID, person.Hetu, []string{svc.MandateIssue})
	switch {
	case err != nil:
		return mandatesFail(err)
	case !ok:
		return ErrNoRelation // revoked, expired, or not on this issue
	}
	return nil
}

// relations are the owner's acting-for relations with the principal on
// the day of now (a person may hold a role and a mandate in the same
// organisation).
func (s *Service) relations(owner, principal string, now time.Time) ([]identity.Principal, error) {
	p, err := s.Register.Person(owner)
	if err != nil {
		return nil, err
	}
	all, err := s.Register.Principals(p, now)
	if err != nil {
		return nil, err
	}
	var out []identity.Principal
	for _, x := range all {
		if x.ID == principal {
			out = append(out, x)
		}
	}
	return out, nil
}

// covers: the relation p lets its holder apply for the service.
func covers(svc *catalog.Service, p identity.Principal) bool {
	switch svc.OnBehalf {
	case catalog.OnBehalfGuardian:
		return p.Kind == identity.PrincipalGuardian
	case catalog.OnBehalfMandate:
		return p.Kind == identity.PrincipalMandate && slices.Contains(p.Issues, svc.MandateIssue)
	case catalog.OnBehalfOrganization:
		return p.Kind == identity.PrincipalOrganization && ((svc.Role != "" && p.Role == svc.Role) || slices.Contains(p.Issues, svc.MandateIssue))
	}
	return false
}

// Choices is whom a person may apply for a service for now: themself,
// and the principals whose relation covers the service and who are
// whom the service is for (see Service.Choices).
type Choices struct {
	Self       bool
	Principals []Ref // in the register's order, each once
}

// Choices tells whom owner may apply for the service for now, by the same
// rules as MayApply (the on-behalf requirement and the eligibility rules),
// so that a page can ask "Who are you applying for?" with only the
// choices that will be accepted. Staff get ErrResidentsOnly.
func (s *Service) Choices(serviceID string, owner Ref) (*Choices, error) {
	svc, ok := s.Catalog.Service(serviceID)
	if !ok {
		return nil, ErrNotFound
	}
	if owner.Kind != identity.Resident {
		return nil, ErrResidentsOnly
	}
	now := s.Now()
	out := &Choices{}
	if s.mayAct("check", svc, owner, nil, "", now) == nil {
		err := s.eligible(svc, owner, nil, now)
		if err != nil && !errors.Is(err, ErrNotEligible) {
			return nil, err
		}
		out.Self = err == nil
	}
	p, err := s.Register.Person(owner.ID)
	if err != nil {
		return nil, err
	}
	all, err := s.Register.Principals(p, now)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, x := range all {
		if seen[x.ID] || !(covers(svc, x) || s.remoteCovers(owner, x, svc)) {
			continue
		}
		ref := Ref{ID: x.ID, Name: x.Name, Kind: x.Kind}
		err := s.eligible(svc, owner, &ref, now)
		if errors.Is(err, ErrNotEligible) {
			continue
		}
		if err != nil {
			return nil, err
		}
		seen[x.ID] = true
		out.Principals = append(out.Principals, ref)
	}
	return out, nil
}

// ServicesFor lists the services the relation p lets its holder apply
// for in the principal's name, in catalogue order.
func (s *Service) ServicesFor(p identity.Principal) []*catalog.Service {
	var out []*catalog.Service
	for _, svc := range s.Catalog.Services() {
		if covers(svc, p) {
			out = append(out, svc)
		}
	}
	return out
}
