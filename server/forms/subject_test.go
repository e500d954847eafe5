package forms

import (
	"io/fs"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/forms/definitions"
)

// TestSubjectNamesTheMissingAnswer: a definition's subject makes a missing
// answer's message name it ("Enter the group's name."); without one the
// message stays general.
func TestSubjectNamesTheMissingAnswer(t *testing.T) {
	subject := i18n.Text{"fi": "ryhmän nimi", "sv": "gruppens namn", "en": "the group's name"}
	for _, tc := range []struct {
		typ, in string
		subject i18n.Text
		want    string
	}{
		{TypeText, "", subject, ErrRequiredSubject},
		{TypeText, "   ", subject, ErrRequiredSubject},
		{TypeTime, "", subject, ErrRequiredSubject},
		{TypeRadio, "", subject, ErrRequiredChoiceSubject},
		{TypeSelect, "", subject, ErrRequiredChoiceSubject},
		{TypeFile, "", subject, ErrRequiredFileSubject},
		{TypeText, "", nil, ErrRequired},
		{TypeRadio, "", nil, ErrRequiredChoice},
	} {
		f := Field{ID: "x", Type: tc.typ, Required: true, Subject: tc.subject}
		if tc.typ == TypeRadio || tc.typ == TypeSelect {
			f.Options = []Option{{Value: "a", Label: subject}}
		}
		def := &Definition{Steps: []Step{{ID: "s", Fields: []Field{f}}}}
		_, errs := def.CheckSubmit(map[string]any{"x": tc.in}, CheckOptions{})
		if len(errs) != 1 || errs[0].Code != tc.want {
			t.Errorf("%s %q with subject %v: %+v, want %s", tc.typ, tc.in, tc.subject, errs, tc.want)
			continue
		}
		if tc.subject != nil {
			if got := errs[0].TemplateData("en")["Subject"]; got != "the group's name" {
				t.Errorf("%s: Subject in English is %v", tc.typ, got)
			}
		}
		// The browser gets the same problem for a missing answer.
		if r := f.ClientRules(time.Now()); r.Errors["required"].Code != tc.want {
			t.Errorf("%s: the browser's required message is %s, want %s", tc.typ, r.Errors["required"].Code, tc.want)
		}
	}
}

// TestShippedFormsNameTheirSubjects: in every shipped form, a required
// question whose missing answer would otherwise get a general message
// ("Fill in this field.") names its subject; yes/no and other radio
// questions, whose options answer them, may stay general.
func TestShippedFormsNameTheirSubjects(t *testing.T) {
	names, err := fs.Glob(definitions.FS, "*.json")
	if err != nil || len(names) == 0 {
		t.Fatal(names, err)
	}
	for _, n := range names {
		raw, err := fs.ReadFile(definitions.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		var walk func(fields []Field)
		walk = func(fields []Field) {
			for _, f := range fields {
				switch f.Type {
				case TypeInfo, TypeCheckbox, TypeCheckboxes, TypeGroup, TypeRadio:
				default:
					if f.Required && len(f.Subject) == 0 {
						t.Errorf("%s: the required question %q names no subject", n, f.ID)
					}
				}
				walk(f.Fields)
			}
		}
		for _, st := range d.Steps {
			walk(st.Fields)
		}
	}
}
