package cases

import (
	"errors"
	"fmt"
	"time"

	"asiointi/i18n"
	"asiointi/server/catalog"
)

// ErrNotEligible: the person the application is for is not someone the
// service is for (the catalogue's eligibility rules). The refusal is an
// *EligibilityError, which matches it with errors.Is.
var ErrNotEligible = errors.New("cases: not eligible for the service")

// EligibilityError says why the subject is not eligible: the catalogue's
// reason, and the subject's first name and age as counted.
type EligibilityError struct {
	Reason i18n.Text
	Name   string
	Age    int
	// ThisYear: the age is the one reached this calendar year
	// (catalog.AgeOnYearEnd), not today's.
	ThisYear bool
}

func (e *EligibilityError) Error() string {
	return fmt.Sprintf("%v: age %d", ErrNotEligible, e.Age)
}

func (e *EligibilityError) Unwrap() error { return ErrNotEligible }

// eligible applies the service's eligibility rules to whom the draft is
// for: principal, or owner when nil. Services without rules admit anyone.
func (s *Service) eligible(svc *catalog.Service, owner Ref, principal *Ref, now time.Time) error {
	e := svc.Eligibility
	if e == nil {
		return nil
	}
	subject := owner.ID
	if principal != nil {
		subject = principal.ID
	}
	if s.Register == nil {
		return errors.New("cases: eligibility rules need the register")
	}
	p, err := s.Register.Person(subject)
	if err != nil {
		return fmt.Errorf("cases: eligibility: %w", err)
	}
	age := p.Age(e.AgeDay(now))
	if e.AgeAllows(age) {
		return nil
	}
	return &EligibilityError{Reason: e.Reason, Name: p.FirstName, Age: age, ThisYear: e.AgeOn == catalog.AgeOnYearEnd}
}
