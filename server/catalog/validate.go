package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"asiointi/i18n"
	"asiointi/server/datefmt"
)

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	rolePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,15}$`)
)

// caseRetention parses a service's caseRetention: an ISO-8601 period of
// whole years, months and days ("P10Y", "P6M", "P1Y6M", "P90D") that is not
// empty. Retention is counted in calendar terms: no weeks or times.
func caseRetention(s string) (datefmt.Period, error) {
	p, err := datefmt.ParsePeriod(s)
	if err == nil && p.IsZero() {
		err = fmt.Errorf("%q is an empty duration", s)
	}
	return p, err
}

// problems collects validation errors so that one run reports them all.
type problems []error

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Errorf(format, args...))
}

// text checks that t has a non-blank text in every content language and no
// other keys.
func (p *problems) text(where string, t i18n.Text) {
	missing, unknown := t.Check()
	for _, l := range missing {
		p.addf("%s: missing %q text", where, l)
	}
	for _, l := range unknown {
		p.addf("%s: unknown language %q", where, l)
	}
}

// id checks an id's format and uniqueness within seen.
func (p *problems) id(where, id string, seen map[string]bool) {
	switch {
	case !idPattern.MatchString(id):
		p.addf("%s: id %q must be lower-case words joined by hyphens", where, id)
	case seen[id]:
		p.addf("%s: duplicate id %q", where, id)
	}
	seen[id] = true
}

// helsinkiOffset checks that a window bound is written with the offset
// Europe/Helsinki has at that instant (+02:00 in winter, +03:00 in summer),
// which catches a bound copied across a daylight-saving change.
func (p *problems) helsinkiOffset(where string, t *time.Time) {
	if t == nil {
		return
	}
	_, got := t.Zone()
	_, want := t.In(datefmt.Helsinki()).Zone()
	if got != want {
		p.addf("%s: %s has offset %+03d:00 but Helsinki is then at %+03d:00",
			where, t.Format(time.RFC3339), got/3600, want/3600)
	}
}

func validate(f *file) error {
	var p problems

	if !idPattern.MatchString(f.Municipality) {
		p.addf("municipality: the id %q of the catalogue's municipality must be lower-case words joined by hyphens", f.Municipality)
	}
	cats := map[string]bool{}
	for i, c := range f.Categories {
		where := fmt.Sprintf("categories[%d]", i)
		p.id(where, c.ID, cats)
		p.text(where+".name", c.Name)
		p.text(where+".summary", c.Summary)
	}
	events := map[string]bool{}
	for i, le := range f.LifeEvents {
		where := fmt.Sprintf("lifeEvents[%d]", i)
		p.id(where, le.ID, events)
		p.text(where+".name", le.Name)
		p.text(where+".summary", le.Summary)
	}
	units := map[string]bool{}
	for i, u := range f.Units {
		where := fmt.Sprintf("units[%d]", i)
		p.id(where, u.ID, units)
		p.text(where+".name", u.Name)
	}

	issues := map[string]bool{}
	for i, mi := range f.MandateIssues {
		where := fmt.Sprintf("mandateIssues[%d]", i)
		if u, err := url.Parse(mi.ID); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.addf("%s: id %q must be an absolute http(s) URI", where, mi.ID)
		}
		if issues[mi.ID] {
			p.addf("%s: duplicate id %q", where, mi.ID)
		}
		issues[mi.ID] = true
		p.text(where+".name", mi.Name)
	}

	if len(f.Services) == 0 {
		p.addf("no services")
	}
	ids := map[string]bool{}
	for i, s := range f.Services {
		if s == nil {
			p.addf("services[%d]: null", i)
			continue
		}
		where := fmt.Sprintf("services[%d]", i)
		p.id(where, s.ID, ids)
		where = fmt.Sprintf("services[%s]", s.ID)
		if s.Municipality != "" && s.Municipality != f.Municipality {
			p.addf("%s: municipality %q is not the catalogue's (%q)", where, s.Municipality, f.Municipality)
		}
		validateService(&p, where, s, cats, events, units)
		if s.MandateIssue != "" && !issues[s.MandateIssue] {
			p.addf("%s: mandateIssue %q is not named in mandateIssues (residents are told its name)", where, s.MandateIssue)
		}
	}
	return errors.Join(p...)
}

func validateService(p *problems, where string, s *Service, cats, events, units map[string]bool) {
	if !cats[s.Category] {
		p.addf("%s: unknown category %q", where, s.Category)
	}
	seen := map[string]bool{}
	for _, le := range s.LifeEvents {
		if !events[le] {
			p.addf("%s: unknown life event %q", where, le)
		}
		if seen[le] {
			p.addf("%s: life event %q listed twice", where, le)
		}
		seen[le] = true
	}
	if !units[s.Unit] {
		p.addf("%s: unknown unit %q", where, s.Unit)
	}

	for _, f := range []struct {
		name string
		t    i18n.Text
	}{
		{"name", s.Name}, {"summary", s.Summary}, {"description", s.Description},
		{"whoFor", s.WhoFor}, {"processingTime", s.ProcessingTime}, {"price", s.Price},
		{"legalBasis", s.LegalBasis}, {"contact", s.Contact},
	} {
		p.text(where+"."+f.name, f.t)
	}
	if len(s.Keywords) > 0 {
		p.text(where+".keywords", s.Keywords)
	}
	for _, l := range i18n.Languages {
		if strings.Contains(s.Name[l]+s.Summary[l], "\n") {
			p.addf("%s: the %q name and summary must be one line each", where, l)
		}
	}
	if len(s.Needs) == 0 {
		p.addf("%s.needs: say what the resident needs before starting", where)
	}
	for i, t := range s.Needs {
		p.text(fmt.Sprintf("%s.needs[%d]", where, i), t)
	}

	if s.Kind != "" && !slices.Contains(Kinds, s.Kind) {
		p.addf("%s: kind %q is not one of %s", where, s.Kind, strings.Join(Kinds, ", "))
	}
	if e := s.Eligibility; e != nil {
		switch {
		case e.MinAge == nil && e.MaxAge == nil:
			p.addf("%s.eligibility: give minAge, maxAge or both", where)
		case e.MinAge != nil && (*e.MinAge < 0 || *e.MinAge > 150), e.MaxAge != nil && (*e.MaxAge < 0 || *e.MaxAge > 150):
			p.addf("%s.eligibility: ages must be 0–150", where)
		case e.MinAge != nil && e.MaxAge != nil && *e.MaxAge < *e.MinAge:
			p.addf("%s.eligibility: maxAge must not be below minAge", where)
		}
		if e.AgeOn != "" && e.AgeOn != AgeOnDay && e.AgeOn != AgeOnYearEnd {
			p.addf("%s.eligibility: ageOn %q is not %q or %q", where, e.AgeOn, AgeOnDay, AgeOnYearEnd)
		}
		if s.OnBehalf == OnBehalfOrganization {
			p.addf("%s.eligibility: an organisation has no age: no eligibility rules for an organization service", where)
		}
		p.text(where+".eligibility.reason", e.Reason)
	}

	switch s.OnBehalf {
	case OnBehalfAlone, OnBehalfAllParties:
		if !s.ForSelf {
			p.addf("%s: an %q service is always applied for oneself: set forSelf", where, s.OnBehalf)
		}
		if s.MandateIssue != "" || s.Role != "" {
			p.addf("%s: an %q service takes no mandateIssue or role", where, s.OnBehalf)
		}
		if s.NotifyOtherParties && s.OnBehalf == OnBehalfAllParties {
			p.addf("%s: the parties of an all-parties service approve it: notifyOtherParties is for services applied for alone", where)
		}
	case OnBehalfGuardian:
		if s.MandateIssue != "" || s.Role != "" {
			p.addf("%s: guardianship comes from population data: no mandateIssue or role", where)
		}
	case OnBehalfMandate:
		if s.MandateIssue == "" {
			p.addf("%s: a mandate service needs a mandateIssue", where)
		}
		if s.Role != "" {
			p.addf("%s: a mandate service takes no role", where)
		}
	case OnBehalfOrganization:
		if s.MandateIssue == "" && s.Role == "" {
			p.addf("%s: an organization service needs a role, a mandateIssue or both", where)
		}
	default:
		p.addf("%s: onBehalf %q is not one of alone, guardian, mandate, organization, all-parties", where, s.OnBehalf)
	}
	if s.MandateIssue != "" {
		u, err := url.Parse(s.MandateIssue)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.addf("%s: mandateIssue %q must be an absolute http(s) URI", where, s.MandateIssue)
		}
	}
	if s.Role != "" && !rolePattern.MatchString(s.Role) {
		p.addf("%s: role %q must be a register role code such as PJ", where, s.Role)
	}

	p.helsinkiOffset(where+".opensAt", s.OpensAt)
	p.helsinkiOffset(where+".closesAt", s.ClosesAt)
	if s.OpensAt != nil && s.ClosesAt != nil && !s.ClosesAt.After(*s.OpensAt) {
		p.addf("%s: closesAt must be after opensAt", where)
	}

	if s.ProcessingDays < 1 || s.ProcessingDays > 3650 {
		p.addf("%s: processingDays %d must be 1–3650", where, s.ProcessingDays)
	}
	if s.DraftRetentionDays < 1 || s.DraftRetentionDays > 365 {
		p.addf("%s: draftRetentionDays %d must be 1–365", where, s.DraftRetentionDays)
	}
	if _, err := caseRetention(s.CaseRetention); err != nil {
		p.addf("%s: caseRetention: %v", where, err)
	}
	if s.FeeCents < 0 {
		p.addf("%s: feeCents must not be negative", where)
	}
}
