// Package catalog is the municipality's service catalogue: the services a
// resident can apply for, the categories and life events they are grouped
// by, and for each service its on-behalf requirement, application window,
// processing target, retention and contact details, in Finnish, Swedish
// and English.
//
// The catalogue is content, not code: it lives in content/services.json,
// embedded in the binary, so another municipality can replace it without
// touching Go. Load parses and validates it; a catalogue that is missing a
// translation or refers to an unknown category does not load.
//
// A catalogue is one municipality's: services.json names the municipality
// by its id, and every service records it. An installation shared by
// several municipalities holds one catalogue each in a Set, and looks a
// service up through its municipality's catalogue, so that one
// municipality's services never show in another's listings or search.
//
// A *Catalog and the values it returns are read-only after loading and
// safe for concurrent use; callers must not modify them.
package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"asiointi/i18n"
	"asiointi/server/datefmt"
)

// On-behalf requirements (DESIGN.md, "The three ways of transacting").
const (
	// OnBehalfAlone: a person transacts alone, even in a joint matter.
	OnBehalfAlone = "alone"
	// OnBehalfGuardian: a guardian may act for their minor child, as known
	// from population data; the other guardians are notified.
	OnBehalfGuardian = "guardian"
	// OnBehalfMandate: acting for another person needs a mandate on the
	// service's MandateIssue.
	OnBehalfMandate = "mandate"
	// OnBehalfOrganization: acting for an organisation needs the service's
	// Role in it (e.g. "PJ", chair) or a mandate on MandateIssue.
	OnBehalfOrganization = "organization"
	// OnBehalfAllParties: the applicant names the other parties, and every
	// one of them must approve before the case goes to handling.
	OnBehalfAllParties = "all-parties"
)

// Kinds of service: what a resident does with it, which decides the words
// the pages use for it (a building notification is not an "application").
const (
	// KindApplication: the resident applies for something and gets a
	// decision (the default).
	KindApplication = "application"
	// KindNotification: the resident tells the municipality about
	// something they do (a building notification).
	KindNotification = "notification"
	// KindRequest: the resident asks the municipality to do something.
	KindRequest = "request"
	// KindRegistration: the resident signs up for something.
	KindRegistration = "registration"
)

// Kinds lists the kinds of service, KindApplication first.
var Kinds = []string{KindApplication, KindNotification, KindRequest, KindRegistration}

// Eligibility is who a service is for, as rules the domain enforces when
// a draft is started and when it is sent. The rules are about the
// subject: the person the application is for (the principal when acting
// for someone).
type Eligibility struct {
	// MinAge and MaxAge bound the subject's age in whole years on the
	// day, both inclusive; nil is no bound.
	MinAge *int `json:"minAge,omitempty"`
	MaxAge *int `json:"maxAge,omitempty"`
	// AgeOn is when the age is counted: AgeOnDay (the default: on the day
	// of starting or sending) or AgeOnYearEnd (the age reached during the
	// calendar year, as "for those born 2010–2012" says in 2027).
	AgeOn string `json:"ageOn,omitempty"`
	// Reason says whom the service is for, as the first sentence of the
	// refusal ("Early education is for children under school age.").
	Reason i18n.Text `json:"reason"`
}

// When an eligibility age is counted.
const (
	AgeOnDay     = "day"
	AgeOnYearEnd = "year-end"
)

// AgeDay is the day on which the subject's age is counted, for a start or
// a send at now.
func (e *Eligibility) AgeDay(now time.Time) time.Time {
	now = now.In(datefmt.Helsinki())
	if e != nil && e.AgeOn == AgeOnYearEnd {
		return time.Date(now.Year(), time.December, 31, 12, 0, 0, 0, now.Location())
	}
	return now
}

// AgeAllows tells whether a subject of the given age may use the service.
func (e *Eligibility) AgeAllows(age int) bool {
	if e == nil {
		return true
	}
	return (e.MinAge == nil || age >= *e.MinAge) && (e.MaxAge == nil || age <= *e.MaxAge)
}

// Category groups services by subject, e.g. "Housing and building".
type Category struct {
	ID      string    `json:"id"`
	Name    i18n.Text `json:"name"`
	Summary i18n.Text `json:"summary"`
}

// LifeEvent groups services by what is happening in a resident's life,
// e.g. "A child is born or starts daycare".
type LifeEvent struct {
	ID      string    `json:"id"`
	Name    i18n.Text `json:"name"`
	Summary i18n.Text `json:"summary"`
}

// Unit is an organisational unit of the municipality that handles
// applications; Service.Unit routes a service's cases to one.
type Unit struct {
	ID   string    `json:"id"`
	Name i18n.Text `json:"name"`
}

// MandateIssue is a Suomi.fi mandate issue (valtuusasia) that services
// of the catalogue ask for, named in plain language: a resident without
// the right is told which mandate to ask for by this name.
type MandateIssue struct {
	ID   string    `json:"id"` // the issue's URI in the mandate register
	Name i18n.Text `json:"name"`
}

// Service is one service in the catalogue.
type Service struct {
	ID string `json:"id"`
	// Municipality is the id of the municipality that offers the service:
	// the catalogue's. services.json says it once for all its services; a
	// service may repeat it, but not name another.
	Municipality string   `json:"municipality,omitempty"`
	Category     string   `json:"category"`
	LifeEvents   []string `json:"lifeEvents"`

	Name           i18n.Text   `json:"name"`
	Summary        i18n.Text   `json:"summary"`     // one line, for lists and cards
	Description    i18n.Text   `json:"description"` // paragraphs separated by a blank line
	WhoFor         i18n.Text   `json:"whoFor"`
	Needs          []i18n.Text `json:"needs"` // what to have at hand before starting
	ProcessingTime i18n.Text   `json:"processingTime"`
	Price          i18n.Text   `json:"price"`
	LegalBasis     i18n.Text   `json:"legalBasis"`
	Contact        i18n.Text   `json:"contact"`
	// Keywords are extra search words per language, comma-separated:
	// synonyms and the everyday words residents use ("päiväkoti" for
	// early childhood education). Optional; not shown to residents.
	Keywords i18n.Text `json:"keywords,omitempty"`

	// Kind is one of the Kind* constants: what the resident does with the
	// service. Empty in the file means KindApplication.
	Kind string `json:"kind,omitempty"`
	// Eligibility, if any, limits whom the service is for.
	Eligibility *Eligibility `json:"eligibility,omitempty"`

	// OnBehalf is one of the OnBehalf* constants.
	OnBehalf string `json:"onBehalf"`
	// ForSelf tells whether a person may apply for themself (for guardian,
	// mandate and organization services; always true for alone and
	// all-parties services).
	ForSelf bool `json:"forSelf"`
	// MandateIssue is the Suomi.fi mandate issue (a URI) that lets a person
	// act for another (mandate) or for an organisation (organization).
	MandateIssue string `json:"mandateIssue,omitempty"`
	// Role is the role in an organisation that lets a person act for it
	// without a mandate, e.g. "PJ" (chair of an association).
	Role string `json:"role,omitempty"`
	// NotifyOtherParties: the matter concerns other people than the
	// applicant (situation C of the national model, e.g. both guardians
	// of a child): the applicant confirms they know of it, and on submit
	// they are notified and may open the case read-only.
	NotifyOtherParties bool `json:"notifyOtherParties,omitempty"`

	// OpensAt and ClosesAt bound the application window, if any: the
	// service is open from OpensAt (inclusive) until ClosesAt (exclusive).
	OpensAt  *time.Time `json:"opensAt,omitempty"`
	ClosesAt *time.Time `json:"closesAt,omitempty"`
	// OfficeHoursOnly services accept applications only during office
	// hours (see InOfficeHours).
	OfficeHoursOnly bool `json:"officeHoursOnly"`

	// ProcessingDays is the target processing time in calendar days, for
	// deadlines in the handler's inbox and in reports.
	ProcessingDays int `json:"processingDays"`
	// ProcessingWorkingDays counts ProcessingDays as working days
	// (Monday to Friday) instead of calendar days.
	ProcessingWorkingDays bool `json:"processingWorkingDays,omitempty"`
	// DraftRetentionDays is how long an untouched draft is kept.
	DraftRetentionDays int `json:"draftRetentionDays"`
	// InvitationDays is how long a co-applicant's invitation stays valid
	// (all-parties services; 14 when unset).
	InvitationDays int `json:"invitationDays,omitempty"`
	// CaseRetention is how long a closed case is kept, as an ISO 8601
	// duration of years, months and days, e.g. "P10Y".
	CaseRetention string `json:"caseRetention"`
	// Unit is the id of the unit that handles the service's cases.
	Unit string `json:"unit"`
	// FeeCents is the fee in euro cents; 0 when the service is free.
	FeeCents int `json:"feeCents"`
}

// Catalog is a validated service catalogue of one municipality.
type Catalog struct {
	municipality string
	embedded     bool
	categories   []Category
	lifeEvents   []LifeEvent
	units        []Unit
	issues       map[string]MandateIssue
	issueOrder   []MandateIssue
	services     []*Service
	byID         map[string]*Service
	// index holds, per content language, the searchable texts of each
	// service, parallel to services.
	index map[string][][]searchField
}

// file is the shape of services.json.
type file struct {
	// Municipality is the id of the municipality whose catalogue this is
	// (population.Municipality.ID).
	Municipality string      `json:"municipality"`
	Categories   []Category  `json:"categories"`
	LifeEvents   []LifeEvent `json:"lifeEvents"`
	Units        []Unit      `json:"units"`
	// MandateIssues name every mandate issue the services ask for.
	MandateIssues []MandateIssue `json:"mandateIssues,omitempty"`
	Services      []*Service     `json:"services"`
}

//go:embed content/services.json
var embedded []byte

// Load parses and validates the embedded catalogue (content/services.json).
func Load() (*Catalog, error) {
	c, err := Parse(embedded)
	if err != nil {
		return nil, err
	}
	c.embedded = true
	return c, nil
}

// Parse parses and validates a catalogue in the services.json format. Unknown
// JSON fields are errors, so that a misspelt field name does not silently
// drop content.
func Parse(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("catalog: unexpected data after the catalogue")
	}
	if err := checkDuplicateKeys(data); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := validate(&f); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return build(&f), nil
}

// build makes the catalogue of a validated file.
func build(f *file) *Catalog {
	c := &Catalog{
		municipality: f.Municipality,
		categories:   f.Categories,
		lifeEvents:   f.LifeEvents,
		units:        f.Units,
		issues:       make(map[string]MandateIssue, len(f.MandateIssues)),
		issueOrder:   f.MandateIssues,
		services:     f.Services,
		byID:         make(map[string]*Service, len(f.Services)),
	}
	for _, mi := range f.MandateIssues {
		c.issues[mi.ID] = mi
	}
	for _, s := range f.Services {
		s.Municipality = f.Municipality
		if s.Kind == "" {
			s.Kind = KindApplication
		}
		c.byID[s.ID] = s
	}
	c.index = make(map[string][][]searchField, len(i18n.Languages))
	for _, lang := range i18n.Languages {
		for _, s := range c.services {
			c.index[lang] = append(c.index[lang], c.searchFields(s, lang))
		}
	}
	return c
}

// Adopt is this catalogue taken up by another municipality: the services
// named (all when none is), in catalogue order, offered by municipality,
// with only the categories, life events and units they use. The shipped
// catalogue is the product's: an installation whose municipality loaded
// its own details (asiointi import-municipality) serves its enabled
// services from it. An unknown service id is refused.
func (c *Catalog) Adopt(municipality string, services []string) (*Catalog, error) {
	if !idPattern.MatchString(municipality) {
		return nil, fmt.Errorf("catalog: the municipality id %q must be lower-case words joined by hyphens", municipality)
	}
	enabled := map[string]bool{}
	for _, id := range services {
		if _, ok := c.byID[id]; !ok {
			return nil, fmt.Errorf("catalog: no service %q", id)
		}
		enabled[id] = true
	}
	f := &file{Municipality: municipality}
	cats, events, units := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range c.services {
		if len(enabled) > 0 && !enabled[s.ID] {
			continue
		}
		cp := *s
		f.Services = append(f.Services, &cp)
		cats[s.Category], units[s.Unit] = true, true
		for _, le := range s.LifeEvents {
			events[le] = true
		}
	}
	for _, x := range c.categories {
		if cats[x.ID] {
			f.Categories = append(f.Categories, x)
		}
	}
	for _, x := range c.lifeEvents {
		if events[x.ID] {
			f.LifeEvents = append(f.LifeEvents, x)
		}
	}
	for _, x := range c.units {
		if units[x.ID] {
			f.Units = append(f.Units, x)
		}
	}
	out := build(f)
	out.embedded = c.embedded
	return out, nil
}

// Municipality is the id of the municipality whose catalogue this is.
func (c *Catalog) Municipality() string { return c.municipality }

// Embedded tells whether this is the catalogue shipped in the binary (Load),
// whose forms are the shipped form definitions.
func (c *Catalog) Embedded() bool { return c.embedded }

// Services returns every service in catalogue order.
func (c *Catalog) Services() []*Service {
	return append([]*Service(nil), c.services...)
}

// Service returns the service with the given id.
func (c *Catalog) Service(id string) (*Service, bool) {
	s, ok := c.byID[id]
	return s, ok
}

// MandateIssue names a mandate issue the catalogue's services ask for.
func (c *Catalog) MandateIssue(id string) (MandateIssue, bool) {
	mi, ok := c.issues[id]
	return mi, ok
}

// MandateIssues returns the mandate issues in catalogue order.
func (c *Catalog) MandateIssues() []MandateIssue {
	return append([]MandateIssue(nil), c.issueOrder...)
}

// ServicesOnIssue lists the ids of the services whose mandate issue is
// issue (whose officials may record a paper power of attorney on it).
func (c *Catalog) ServicesOnIssue(issue string) []string {
	var out []string
	for _, s := range c.services {
		if s.MandateIssue == issue {
			out = append(out, s.ID)
		}
	}
	return out
}

// Categories returns the categories in catalogue order.
func (c *Catalog) Categories() []Category {
	return append([]Category(nil), c.categories...)
}

// Category returns the category with the given id.
func (c *Catalog) Category(id string) (Category, bool) {
	for _, cat := range c.categories {
		if cat.ID == id {
			return cat, true
		}
	}
	return Category{}, false
}

// LifeEvents returns the life events in catalogue order.
func (c *Catalog) LifeEvents() []LifeEvent {
	return append([]LifeEvent(nil), c.lifeEvents...)
}

// LifeEvent returns the life event with the given id.
func (c *Catalog) LifeEvent(id string) (LifeEvent, bool) {
	for _, le := range c.lifeEvents {
		if le.ID == id {
			return le, true
		}
	}
	return LifeEvent{}, false
}

// Units returns the handling units in catalogue order.
func (c *Catalog) Units() []Unit {
	return append([]Unit(nil), c.units...)
}

// Unit returns the handling unit with the given id.
func (c *Catalog) Unit(id string) (Unit, bool) {
	for _, u := range c.units {
		if u.ID == id {
			return u, true
		}
	}
	return Unit{}, false
}

// ByCategory returns the services in the category, in catalogue order.
func (c *Catalog) ByCategory(id string) []*Service {
	var out []*Service
	for _, s := range c.services {
		if s.Category == id {
			out = append(out, s)
		}
	}
	return out
}

// ByLifeEvent returns the services linked to the life event, in catalogue
// order.
func (c *Catalog) ByLifeEvent(id string) []*Service {
	var out []*Service
	for _, s := range c.services {
		for _, le := range s.LifeEvents {
			if le == id {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// ByUnit returns the services handled by the unit, in catalogue order.
func (c *Catalog) ByUnit(id string) []*Service {
	var out []*Service
	for _, s := range c.services {
		if s.Unit == id {
			out = append(out, s)
		}
	}
	return out
}

// IsFree tells whether the service costs nothing.
func (s *Service) IsFree() bool { return s.FeeCents == 0 }

// CaseRetentionUntil returns the time until which a case of this service
// is kept when its retention period starts at from (usually when the case
// closes). The duration was validated when the catalogue was loaded.
func (s *Service) CaseRetentionUntil(from time.Time) time.Time {
	p, _ := caseRetention(s.CaseRetention)
	return from.AddDate(p.Years, p.Months, p.Days)
}
