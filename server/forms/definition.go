// Package forms holds the declarative form definitions of the e-services:
// their schema (one JSON file per service, versioned), the checks that
// refuse a bad definition, the checks of a resident's answers (lenient for
// autosaved drafts, authoritative on submit) and the "check your answers"
// summary in fi, sv and en.
//
// The package is pure: apart from Parse, which reads bytes it is given, it
// does no I/O. SCHEMA.md beside this file documents the definition format.
package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"asiointi/i18n"
)

// Field types.
const (
	TypeText       = "text"
	TypeTextarea   = "textarea"
	TypeNumber     = "number"
	TypeMoney      = "money"
	TypeDate       = "date"
	TypeTime       = "time"
	TypeEmail      = "email"
	TypePhone      = "phone"
	TypeHetu       = "hetu"
	TypeBusinessID = "businessId"
	TypeIBAN       = "iban"
	TypePostalCode = "postalCode"
	TypeSelect     = "select"
	TypeRadio      = "radio"
	TypeCheckboxes = "checkboxes"
	TypeCheckbox   = "checkbox"
	TypeFile       = "file"
	TypeGroup      = "group"
	TypeInfo       = "info"
)

// Limits that apply whatever a definition says.
const (
	// MaxTextLength caps every string value, in characters.
	MaxTextLength = 10000
	// MaxGroupItems caps the items of a group without its own maxItems.
	MaxGroupItems = 50
	// DefaultMaxBytes is the size limit of a file field without maxBytes.
	DefaultMaxBytes int64 = 10 << 20
	// MaxFileBytes is the server's largest file: a field's maxBytes may be
	// at most this (Validate). It is the one source of every upload
	// limit: the field's own limit is checked against the file, and the
	// request body limit and the proxy examples in deploy/ derive from
	// MaxStepFileBytes.
	MaxFileBytes int64 = 20 << 20
	// MaxStepFileBytes caps the limits of one step's files together: a
	// page without JavaScript posts every file chosen on a step at once.
	MaxStepFileBytes = 2 * MaxFileBytes
)

// DefaultAccept are the MIME types a file field without accept allows, and
// the only ones a definition may list.
var DefaultAccept = []string{"application/pdf", "image/jpeg", "image/png"}

// Definition is one version of a service's form.
type Definition struct {
	Service string `json:"service"`
	Version int    `json:"version"`
	Steps   []Step `json:"steps"`
}

// Step is one page of the form.
type Step struct {
	ID     string    `json:"id"`
	Title  i18n.Text `json:"title"`
	Fields []Field   `json:"fields"`
}

// Option is one choice of a select, radio or checkboxes field.
type Option struct {
	Value string    `json:"value"`
	Label i18n.Text `json:"label"`
}

// Condition makes a field visible only when another field's value matches.
// Exactly one of Equals, In and NotEmpty is set. When the other field is a
// checkboxes field, Equals means "is among the ticked values" and In means
// "any of these is ticked".
type Condition struct {
	Field    string `json:"field"`
	Equals   any    `json:"equals,omitempty"`
	In       []any  `json:"in,omitempty"`
	NotEmpty bool   `json:"notEmpty,omitempty"`
}

// Field is one question (or, for type info, a piece of guidance) of a form.
// SCHEMA.md explains each key.
type Field struct {
	ID    string    `json:"id"`
	Type  string    `json:"type"`
	Label i18n.Text `json:"label"`
	Help  i18n.Text `json:"help,omitempty"`
	// Subject is what the question asks for, as its error messages name
	// it: "the group's name" makes "Enter the group's name." (SCHEMA.md).
	Subject  i18n.Text  `json:"subject,omitempty"`
	Required bool       `json:"required"`
	Options  []Option   `json:"options,omitempty"`
	ShowIf   *Condition `json:"showIf,omitempty"`

	MinLength   int       `json:"minLength,omitempty"`
	MaxLength   int       `json:"maxLength,omitempty"`
	Min         *float64  `json:"min,omitempty"`
	Max         *float64  `json:"max,omitempty"`
	Pattern     string    `json:"pattern,omitempty"`
	PatternHelp i18n.Text `json:"patternHelp,omitempty"`
	DateMin     string    `json:"dateMin,omitempty"`
	DateMax     string    `json:"dateMax,omitempty"`
	MaxBytes    int64     `json:"maxBytes,omitempty"`
	Accept      []string  `json:"accept,omitempty"`

	Fields   []Field `json:"fields,omitempty"`
	MinItems int     `json:"minItems,omitempty"`
	MaxItems int     `json:"maxItems,omitempty"`

	Concept      string    `json:"concept,omitempty"`
	Purpose      i18n.Text `json:"purpose,omitempty"`
	LegalBasis   string    `json:"legalBasis,omitempty"`
	Retention    string    `json:"retention,omitempty"`
	Prefill      bool      `json:"prefill,omitempty"`
	Locked       bool      `json:"locked,omitempty"`
	Autocomplete string    `json:"autocomplete,omitempty"`

	re *regexp.Regexp // Pattern anchored and compiled by Validate
}

// IsData reports whether the field holds a value (every type but info).
func (f *Field) IsData() bool { return f.Type != TypeInfo }

// ItemLimit is the largest number of items a group field accepts.
func (f *Field) ItemLimit() int {
	if f.MaxItems > 0 {
		return f.MaxItems
	}
	return MaxGroupItems
}

// FileLimit is the largest attachment a file field accepts, in bytes.
func (f *Field) FileLimit() int64 {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return DefaultMaxBytes
}

// StepFileBytes is the most the files of a step can hold together: each
// file field's limit, a group's file fields once per item it may have.
func StepFileBytes(s *Step) int64 {
	var n int64
	for i := range s.Fields {
		f := &s.Fields[i]
		if f.Type == TypeFile {
			n += f.FileLimit()
		}
		for j := range f.Fields {
			if f.Fields[j].Type == TypeFile {
				n += int64(f.ItemLimit()) * f.Fields[j].FileLimit()
			}
		}
	}
	return n
}

// DetectMIME tells a file's type from its content, never its name (the
// type DefaultAccept and a field's accept are checked against).
func DetectMIME(b []byte) string {
	t := http.DetectContentType(b)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
}

// Accepted are the MIME types a file field accepts.
func (f *Field) Accepted() []string {
	if len(f.Accept) > 0 {
		return f.Accept
	}
	return DefaultAccept
}

// Option returns the option with the given value.
func (f *Field) Option(value string) (Option, bool) {
	for _, o := range f.Options {
		if o.Value == value {
			return o, true
		}
	}
	return Option{}, false
}

// Sub returns the sub-field id of a group field.
func (f *Field) Sub(id string) (*Field, bool) {
	for i := range f.Fields {
		if f.Fields[i].ID == id {
			return &f.Fields[i], true
		}
	}
	return nil, false
}

// regexp returns the anchored pattern: the one Validate compiled, or a
// freshly compiled one for a Definition that was never validated.
func (f *Field) regexp() *regexp.Regexp {
	if f.re != nil {
		return f.re
	}
	re, err := compilePattern(f.Pattern)
	if err != nil {
		return nil
	}
	return re
}

func compilePattern(p string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(p); err != nil {
		return nil, err
	}
	return regexp.Compile(`^(?:` + p + `)$`)
}

// Parse decodes a definition strictly (unknown keys, a second JSON value
// or a wrongly typed value are refused) and then validates it.
func Parse(data []byte) (*Definition, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Definition
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("form definition: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("form definition: unexpected data after the definition")
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// Lookup finds a field by id. id is a top-level field id, or the path of a
// group's sub-field as used in FieldError ("members.0.hetu") or without the
// index ("members.hetu"). It returns the field and the index of its step.
func (d *Definition) Lookup(id string) (*Field, int, bool) {
	if !strings.Contains(id, ".") { // a top-level field
		for si := range d.Steps {
			for fi := range d.Steps[si].Fields {
				if f := &d.Steps[si].Fields[fi]; f.ID == id {
					return f, si, true
				}
			}
		}
		return nil, 0, false
	}
	parts := strings.Split(id, ".")
	for si := range d.Steps {
		for fi := range d.Steps[si].Fields {
			f := &d.Steps[si].Fields[fi]
			if f.ID != parts[0] {
				continue
			}
			switch {
			case len(parts) == 1:
				return f, si, true
			case f.Type != TypeGroup || len(parts) > 3:
				return nil, 0, false
			case len(parts) == 3:
				if n, err := strconv.Atoi(parts[1]); err != nil || n < 0 || strconv.Itoa(n) != parts[1] {
					return nil, 0, false
				}
			}
			if sub, ok := f.Sub(parts[len(parts)-1]); ok {
				return sub, si, true
			}
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// DataFields returns every top-level field that holds a value, in form
// order (info fields left out; a group is one field, its sub-fields are in
// its Fields).
func (d *Definition) DataFields() []*Field {
	n := 0
	for si := range d.Steps {
		for fi := range d.Steps[si].Fields {
			if d.Steps[si].Fields[fi].IsData() {
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]*Field, 0, n) // one allocation, not one per doubling
	for si := range d.Steps {
		for fi := range d.Steps[si].Fields {
			if f := &d.Steps[si].Fields[fi]; f.IsData() {
				out = append(out, f)
			}
		}
	}
	return out
}
