// Package publish holds what the law asks a public e-service to publish
// and to answer: the accessibility statement (Act 306/2019) with its
// feedback channel, and the privacy notices (GDPR articles 13–14) built
// from the form definitions. Help pages live in the templates; their
// contacts are municipality data.
package publish

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"asiointi/i18n"
	"asiointi/server/store"
)

// Conformance levels of an accessibility statement (the law's three).
const (
	ConformanceFull    = "full"
	ConformancePartial = "partial"
	ConformanceNone    = "none"
)

// Statement is a municipality's accessibility statement. Its text is
// data: the project's own findings are the default (statement.json), and
// a municipality replaces them with `asiointi import-statement FILE`
// without touching code.
type Statement struct {
	Conformance string    `json:"conformance"`
	Standard    string    `json:"standard"`   // "WCAG 2.1 AA"
	AssessedOn  string    `json:"assessedOn"` // YYYY-MM-DD
	UpdatedOn   string    `json:"updatedOn"`  // YYYY-MM-DD
	Method      i18n.Text `json:"method"`     // how it was assessed
	Problems    []Problem `json:"problems"`   // what is not yet accessible, and why
	// Supervisor is the authority a person may turn to when the answer to
	// their feedback does not satisfy them.
	Supervisor Supervisor `json:"supervisor"`
}

// Problem is one thing that is not accessible yet.
type Problem struct {
	What i18n.Text `json:"what"`
	Why  i18n.Text `json:"why"`
	// Criteria are the WCAG success criteria it fails ("1.1.1").
	Criteria []string `json:"criteria,omitempty"`
}

// Supervisor is the accessibility supervision authority's contact.
type Supervisor struct {
	Name    i18n.Text `json:"name"`
	Website string    `json:"website"`
	Email   string    `json:"email"`
	Phone   string    `json:"phone"`
}

//go:embed statement.json
var defaultStatement []byte

// ParseStatement reads and checks a statement.
func ParseStatement(raw []byte) (Statement, error) {
	var st Statement
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return st, fmt.Errorf("statement: %w", err)
	}
	return st, st.check()
}

func (st Statement) check() error {
	var errs []error
	switch st.Conformance {
	case ConformanceFull, ConformancePartial, ConformanceNone:
	default:
		errs = append(errs, fmt.Errorf("conformance must be full, partial or none, not %q", st.Conformance))
	}
	for name, d := range map[string]string{"assessedOn": st.AssessedOn, "updatedOn": st.UpdatedOn} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			errs = append(errs, fmt.Errorf("%s must be a date YYYY-MM-DD, not %q", name, d))
		}
	}
	texts := map[string]i18n.Text{"method": st.Method, "supervisor.name": st.Supervisor.Name}
	for i, p := range st.Problems {
		texts[fmt.Sprintf("problems[%d].what", i)] = p.What
		texts[fmt.Sprintf("problems[%d].why", i)] = p.Why
	}
	for name, t := range texts {
		if missing, unknown := t.Check(); len(missing) > 0 || len(unknown) > 0 {
			errs = append(errs, fmt.Errorf("%s: needs fi, sv and en (missing %v, unknown %v)", name, missing, unknown))
		}
	}
	if st.Conformance != ConformanceFull && len(st.Problems) == 0 {
		errs = append(errs, errors.New("a statement that is not full conformance lists what is not accessible"))
	}
	if !strings.HasPrefix(st.Supervisor.Website, "https://") {
		errs = append(errs, errors.New("supervisor.website must be an https URL"))
	}
	return errors.Join(errs...)
}

// Statements reads and replaces municipalities' statements.
type Statements struct{ Store *store.Store }

func statementKey(muni string) string { return "statement:" + muni }

// Get is the municipality's statement, or the default when it has none.
func (s *Statements) Get(muni string) (Statement, error) {
	var raw []byte
	err := s.Store.View(func(tx *store.Tx) error {
		b, err := tx.GetRaw(store.Settings, statementKey(muni))
		raw = append([]byte(nil), b...) // b is valid only inside the transaction
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return ParseStatement(defaultStatement)
	}
	if err != nil {
		return Statement{}, err
	}
	return ParseStatement(raw)
}

// Import checks raw and makes it the municipality's statement.
func (s *Statements) Import(muni string, raw []byte) error {
	st, err := ParseStatement(raw)
	if err != nil {
		return err
	}
	clean, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.Store.Update(func(tx *store.Tx) error { return tx.PutRaw(store.Settings, statementKey(muni), clean) })
}
