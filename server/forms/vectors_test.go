package forms

import (
	"encoding/json"
	"os"
	"testing"
)

// The vectors in testdata/vectors are shared with the browser's twins of
// these checks (pwa/js/formlogic.js, run by pwa/js/formlogic.vectors.test.mjs),
// so both sides provably apply the same rules. readstep.json is run by
// server/web, where readStep lives.

// loadVectors decodes a vector file into v.
func loadVectors(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("testdata/vectors/%s: %v", name, err)
	}
}

type validity struct {
	In   string `json:"in"`
	OK   bool   `json:"ok"`
	Note string `json:"note"`
}

// enough fails unless a list has at least min vectors, some passing and
// some not.
func enough(t *testing.T, name string, n, ok, min int) {
	t.Helper()
	if n < min || ok == 0 || ok == n {
		t.Errorf("%s: %d vectors (%d valid); want at least %d, both valid and invalid", name, n, ok, min)
	}
}

func TestValueVectors(t *testing.T) {
	var v struct {
		Email []validity `json:"email"`
		Phone []validity `json:"phone"`
		Money []struct {
			In    string `json:"in"`
			Cents *int64 `json:"cents"`
			Note  string `json:"note"`
		} `json:"money"`
		Time []struct {
			In    string  `json:"in"`
			Value *string `json:"value"`
			Note  string  `json:"note"`
		} `json:"time"`
		Fields []struct {
			Type      string `json:"type"`
			MaxLength int    `json:"maxLength"`
			Pattern   string `json:"pattern"`
			In        string `json:"in"`
			Code      string `json:"code"`
			Note      string `json:"note"`
		} `json:"fields"`
	}
	loadVectors(t, "values.json", &v)
	for _, s := range []struct {
		name string
		fn   func(string) bool
		vecs []validity
	}{{"email", validEmail, v.Email}, {"phone", validPhone, v.Phone}} {
		ok := 0
		for _, c := range s.vecs {
			if c.OK {
				ok++
			}
			if got := s.fn(c.In); got != c.OK {
				t.Errorf("%s(%q) = %v, want %v (%s)", s.name, c.In, got, c.OK, c.Note)
			}
		}
		enough(t, s.name, len(s.vecs), ok, 15)
	}

	ok := 0
	for _, c := range v.Money {
		cents, read := parseMoney(c.In)
		switch {
		case c.Cents == nil && read:
			t.Errorf("parseMoney(%q) = %d, want no amount (%s)", c.In, cents, c.Note)
		case c.Cents != nil && (!read || cents != *c.Cents):
			t.Errorf("parseMoney(%q) = %d, %v; want %d (%s)", c.In, cents, read, *c.Cents, c.Note)
		}
		if c.Cents != nil {
			ok++
		}
	}
	enough(t, "money", len(v.Money), ok, 15)

	ok = 0
	for _, c := range v.Time {
		got, read := ParseTime(c.In)
		switch {
		case c.Value == nil && read:
			t.Errorf("ParseTime(%q) = %q, want no time (%s)", c.In, got, c.Note)
		case c.Value != nil && (!read || got != *c.Value):
			t.Errorf("ParseTime(%q) = %q, %v; want %q (%s)", c.In, got, read, *c.Value, c.Note)
		}
		if c.Value != nil {
			ok++
		}
	}
	enough(t, "time", len(v.Time), ok, 15)

	// fields: the check of one answer, as CheckSubmit makes it; code is
	// the browser's name of the first problem.
	codes := map[string]string{"": "", "email": ErrEmail, "phone": ErrPhone, "money": ErrMoney, "tooSmall": ErrMoneyTooSmall,
		"time": ErrTime, "pattern": ErrPattern, "tooLong": ErrTooLong}
	for _, c := range v.Fields {
		want, known := codes[c.Code]
		if !known {
			t.Fatalf("fields: code %q has no server twin in this test", c.Code)
		}
		def := &Definition{Steps: []Step{{ID: "s", Fields: []Field{{ID: "x", Type: c.Type, MaxLength: c.MaxLength, Pattern: c.Pattern}}}}}
		_, errs := def.CheckSubmit(map[string]any{"x": c.In}, CheckOptions{})
		got := ""
		if len(errs) > 0 {
			got = errs[0].Code
		}
		if got != want {
			t.Errorf("a %s field answered %q: %q, want %q (%s)", c.Type, c.In, got, want, c.Note)
		}
	}
}

func TestConditionVectors(t *testing.T) {
	var v struct {
		Matches []struct {
			If      Condition       `json:"if"`
			Value   json.RawMessage `json:"value"`
			Matches bool            `json:"matches"`
			Note    string          `json:"note"`
		} `json:"matches"`
	}
	loadVectors(t, "conditions.json", &v)
	ok := 0
	for _, c := range v.Matches {
		var val any // absent: unanswered
		if c.Value != nil {
			if err := json.Unmarshal(c.Value, &val); err != nil {
				t.Fatal(err)
			}
		}
		if got := c.If.Matches(val); got != c.Matches {
			t.Errorf("%+v.Matches(%s) = %v, want %v (%s)", c.If, c.Value, got, c.Matches, c.Note)
		}
		// The same through Visible: the value in the field's own scope,
		// or at the top level.
		f := &Field{ID: "y", ShowIf: &c.If}
		m := map[string]any{}
		if c.Value != nil {
			m[c.If.Field] = val
		}
		if Visible(f, m, nil) != c.Matches || Visible(f, map[string]any{}, m) != c.Matches {
			t.Errorf("Visible with %+v and %s disagrees with Matches", c.If, c.Value)
		}
		if c.Matches {
			ok++
		}
	}
	enough(t, "matches", len(v.Matches), ok, 30)
}
