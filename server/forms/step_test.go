package forms

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// conditional is a two-step form whose second step has fields that
// depend on the first step (c, and f through b) and on its own step (e).
func conditional() *Definition {
	text := func(id string, showIf *Condition) Field { return Field{ID: id, Type: TypeText, ShowIf: showIf} }
	return &Definition{Steps: []Step{
		{ID: "one", Fields: []Field{
			{ID: "a", Type: TypeRadio, Options: []Option{{Value: "yes"}, {Value: "no"}}},
			text("b", &Condition{Field: "a", Equals: "yes"}),
			{ID: "guide", Type: TypeInfo},
		}},
		{ID: "two", Fields: []Field{
			text("c", &Condition{Field: "a", Equals: "yes"}),
			{ID: "d", Type: TypeCheckbox},
			text("e", &Condition{Field: "d", Equals: true}),
			text("f", &Condition{Field: "b", NotEmpty: true}),
		}},
	}}
}

func ids(fields []*Field) string {
	var out []string
	for _, f := range fields {
		out = append(out, f.ID)
	}
	return strings.Join(out, " ")
}

func TestStepFields(t *testing.T) {
	d := conditional()
	tests := []struct {
		name   string
		step   int
		values map[string]any
		want   string
	}{
		{"conditions on the same step are the browser's: always part", 0, map[string]any{}, "a b guide"},
		{"the same step, whatever the answers", 0, map[string]any{"a": "no"}, "a b guide"},
		{"an earlier answer missing hides", 1, map[string]any{}, "d e"},
		{"an earlier answer shows", 1, map[string]any{"a": "yes"}, "c d e"},
		{"a chain through an earlier step", 1, map[string]any{"a": "yes", "b": "x"}, "c d e f"},
		{"a hidden field's answer shows nothing", 1, map[string]any{"a": "no", "b": "x"}, "d e"},
		{"an answer of the same step does not hide", 1, map[string]any{"a": "yes", "d": false}, "c d e"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(d.StepFields(tc.step, tc.values)); got != tc.want {
				t.Errorf("StepFields(%d, %v) = %q, want %q", tc.step, tc.values, got, tc.want)
			}
		})
	}
}

func TestStepHash(t *testing.T) {
	d := conditional()
	step := d.StepFields(1, map[string]any{"a": "yes", "b": "x"})
	base := map[string]any{"a": "yes", "b": "x", "c": "1", "d": true, "e": "2"}
	h := StepHash(base, step)
	if len(h) != 16 {
		t.Fatalf("hash %q is not 16 hex digits", h)
	}
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for x, y := range base {
			out[x] = y
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name string
		data map[string]any
		same bool
	}{
		{"the same answers", with("c", "1"), true},
		{"another step's answer changed", with("a", "no"), true},
		{"an answer outside the step added", with("zz", "new"), true},
		{"an answer of the step changed", with("c", "3"), false},
		{"an answer of the step removed", with("e", nil), false},
		{"an answer of the step added", with("f", "new"), false},
		{"a value's type changed", with("d", "true"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := StepHash(tc.data, step); (got == h) != tc.same {
				t.Errorf("hash %s vs %s, want same = %v", got, h, tc.same)
			}
		})
	}
}

func TestSortErrors(t *testing.T) {
	d := loadAllTypes(t)
	errs := []FieldError{
		{Field: "members.1.hetu"}, {Field: "doc"}, {Field: "members.0.firstName"}, {Field: "zip"},
		{Field: "name", Code: "second"}, {Field: "members"}, {Field: "name", Code: "first"}, {Field: "agree"},
	}
	// Stable: the two problems of name keep their order.
	errs[4], errs[6] = errs[6], errs[4]
	d.SortErrors(errs)
	var got []string
	for _, e := range errs {
		got = append(got, strings.TrimSpace(e.Field+" "+e.Code))
	}
	want := "name first|name second|zip|agree|doc|members|members.0.firstName|members.1.hetu"
	if strings.Join(got, "|") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
}

// TestClientRulesSayWhatCheckSubmitSays: for every rule the browser
// checks, the problem announced is exactly the one CheckSubmit reports
// for an answer that breaks the rule.
func TestClientRulesSayWhatCheckSubmitSays(t *testing.T) {
	d := loadAllTypes(t)
	tests := []struct {
		field, rule string
		value       any
	}{
		{"name", "required", ""},
		{"name", "tooShort", "A"},
		{"name", "tooLong", "ABCDEFGHIJK"},
		{"code", "pattern", "abc12"},
		{"bio", "tooLong", strings.Repeat("x", 21)},
		{"age", "tooSmall", -1.0},
		{"age", "tooLarge", 121.0},
		{"fee", "money", "12,345"},
		{"fee", "tooSmall", "4.99"},
		{"fee", "tooLarge", "1000.01"},
		{"refund", "tooSmall", "-50.01"},
		{"start", "date", "2027-02-30"},
		{"start", "tooEarly", "2027-03-21"},
		{"start", "tooLate", "2031-01-01"},
		{"born", "tooLate", "2010-01-01"},
		{"email", "email", "aino@"},
		{"phone", "phone", "soita"},
		{"hetu", "hetu", "140386-902S"},
		{"ytunnus", "businessId", "2345678-1"},
		{"iban", "iban", "FI00 1234"},
		{"zip", "postalCode", "1234"},
		{"extras", "tooMany", []any{"x", "y", "z"}},
		{"agree", "required", false},
		{"doc", "tooBig", "att-big"},
		{"doc", "type", "att-png"},
		{"members", "required", []any{}},
		{"members", "tooMany", []any{map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}}},
	}
	for _, tc := range tests {
		t.Run(tc.field+" "+tc.rule, func(t *testing.T) {
			f, _, ok := d.Lookup(tc.field)
			if !ok {
				t.Fatalf("no field %s", tc.field)
			}
			announced, ok := f.ClientRules(now).Errors[tc.rule]
			if !ok {
				t.Fatalf("ClientRules(%s) has no %s rule: %v", tc.field, tc.rule, f.ClientRules(now).Errors)
			}
			data := validData()
			data[tc.field] = tc.value
			_, errs := d.CheckSubmit(data, opts)
			var reported []FieldError
			for _, e := range errs {
				if e.Field == tc.field {
					reported = append(reported, e)
				}
			}
			if len(reported) != 1 {
				t.Fatalf("CheckSubmit reported %v for %s = %v", reported, tc.field, tc.value)
			}
			announced.Field = tc.field
			if !reflect.DeepEqual(announced, reported[0]) {
				t.Errorf("announced %+v, CheckSubmit says %+v", announced, reported[0])
			}
			for _, lang := range []string{"fi", "sv", "en"} {
				if a, r := announced.TemplateData(lang), reported[0].TemplateData(lang); !reflect.DeepEqual(a, r) {
					t.Errorf("%s: announced %v, reported %v", lang, a, r)
				}
			}
		})
	}
}

// TestClientRulesJSON: the limits as the browser reads them (data-rules).
func TestClientRulesJSON(t *testing.T) {
	d := loadAllTypes(t)
	tests := []struct {
		field, want string
	}{
		{"name", `{"t":"text","r":true,"minL":2,"maxL":10}`},
		{"code", `{"t":"text","re":"[A-Z]{3}[0-9]{2}"}`},
		{"age", `{"t":"number","min":0,"max":120}`},
		{"fee", `{"t":"money","min":5,"max":1000}`},
		{"refund", `{"t":"money","min":-50}`},
		{"start", `{"t":"date","dMin":"2027-04-04","dMax":"2030-12-31"}`},
		{"extras", `{"t":"checkboxes","min":1,"max":2}`},
		{"doc", `{"t":"file","maxB":1000,"acc":["application/pdf"]}`},
		{"members", `{"t":"group","r":true,"minI":1,"maxI":3}`},
		{"hetu", `{"t":"hetu"}`},
	}
	for _, tc := range tests {
		f, _, _ := d.Lookup(tc.field)
		got, err := json.Marshal(f.ClientRules(now))
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.field, got, err, tc.want)
		}
	}
	if r := (&Field{ID: "x", Type: TypeInfo}).ClientRules(now); r != nil {
		t.Errorf("an info field has rules %+v", r)
	}
}

// TestStepHashAsMarshal: StepHash hashes the bytes json.Marshal writes for
// the map of the step's answers (what it did before; a page's _base is
// compared with the hash of the answers when its post comes back).
func TestStepHashAsMarshal(t *testing.T) {
	old := func(data map[string]any, fields []*Field) string {
		m := map[string]any{}
		for _, f := range fields {
			if v, ok := data[f.ID]; ok {
				m[f.ID] = v
			}
		}
		raw, _ := json.Marshal(m)
		sum := sha256.Sum256(raw)
		return hex.EncodeToString(sum[:8])
	}
	fields := []*Field{{ID: "b"}, {ID: "a"}, {ID: "<z&>"}, {ID: "ä"}, {ID: "a"}, {ID: "n"}, {ID: "g"}, {ID: "missing"}, {ID: "Z"}}
	for i, data := range []map[string]any{
		{},
		{"a": "x"},
		{"b": "<script>&amp;\u2028\u2029\"\\", "a": 1.5, "<z&>": true, "ä": nil, "n": 1e21, "Z": math.Copysign(0, -1)},
		{"g": []any{map[string]any{"y": "1", "x": 2.0, "<": ">"}, map[string]any{}}, "n": 12345678.9, "a": "ääkköset €"},
		{"n": 0.000001, "b": false, "a": []any{}, "other": "not in the step"},
		{"n": float64(1 << 53), "a": map[string]any{"k": []any{nil, true, "s"}}},
		{"b": "bad \xff utf-8 \x01\n\t 'x' +1", "a": "", "Z": true, "g": []string(nil)},
	} {
		if got, want := StepHash(data, fields), old(data, fields); got != want {
			t.Errorf("%d: %s, want %s", i, got, want)
		}
	}
}
