package web

import (
	"errors"

	"asiointi/server/cases"
	"asiointi/server/catalog"
)

// rightHelp tells a resident who lacks the right to act which right the
// service asks for, in plain language from the catalogue, and where to get
// it (the Suomi.fi Mandates service). It names the right only, never the
// person or organisation acted for.
type rightHelp struct {
	Text      string `json:"text"`
	Issue     string `json:"issue,omitempty"`     // the mandate issue's URI
	IssueName string `json:"issueName,omitempty"` // its name in the language asked
	URL       string `json:"url"`                 // the Suomi.fi Mandates service
	LinkText  string `json:"linkText"`
}

// roleNames name the organisation roles the catalogue uses.
var roleNames = map[string]string{"PJ": "right.role.PJ"}

// rightHelpOf explains the right an on-behalf refusal lacks; nil when err
// is no such refusal or the service asks for no mandate (a child's
// service: guardianship comes from the population register).
func (s *Server) rightHelpOf(lang string, err error) *rightHelp {
	var re *cases.RightError
	if !errors.As(err, &re) || errors.Is(err, cases.ErrResidentsOnly) {
		return nil
	}
	return s.rightHelpFor(lang, re.OnBehalf, re.Issue, re.Role)
}

// rightHelpFor explains the right a service with the given requirement,
// mandate issue and role asks of someone acting for another.
func (s *Server) rightHelpFor(lang, onBehalf, issue, role string) *rightHelp {
	h := &rightHelp{URL: s.msg.T(lang, "right.mandatesUrl"), LinkText: s.msg.T(lang, "right.mandatesLink")}
	if onBehalf == catalog.OnBehalfGuardian {
		h.Text = s.msg.T(lang, "right.guardian")
		return h
	}
	if issue == "" && role == "" {
		return nil
	}
	if issue != "" {
		h.Issue, h.IssueName = issue, issue
		if mi, ok := s.catalog.MandateIssue(issue); ok {
			h.IssueName = mi.Name.In(lang)
		}
	}
	roleName := role
	if id, ok := roleNames[role]; ok {
		roleName = s.msg.T(lang, id)
	}
	switch {
	case role != "" && issue != "":
		h.Text = s.msg.T(lang, "right.roleOrIssue", map[string]any{"Role": roleName, "Issue": h.IssueName})
	case role != "":
		h.Text = s.msg.T(lang, "right.role", map[string]any{"Role": roleName})
	default:
		h.Text = s.msg.T(lang, "right.issue", map[string]any{"Issue": h.IssueName})
	}
	return h
}
