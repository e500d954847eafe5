package cases_test

import (
	"reflect"
	"slices"
	"testing"

	"asiointi/server/cases"
	"asiointi/server/forms"
)

// TestMergeStep uses the vectors of mergeStep's test in
// pwa/js/formlogic.test.mjs, its twin.
func TestMergeStep(t *testing.T) {
	step := []string{"name", "count", "ok", "days", "when", "doc", "rows"}
	tests := []struct {
		name   string
		base   map[string]any
		values map[string]any
		unread map[string]string
		want   map[string]any
	}{
		{"replaces the step, keeps the rest and unread numbers (formlogic.test.mjs)",
			map[string]any{"name": "Old", "count": 3.0, "other": "kept", "when": "2027-01-01"},
			map[string]any{"name": "New", "ok": true}, map[string]string{"count": "x"},
			map[string]any{"name": "New", "count": 3.0, "other": "kept", "ok": true}},
		{"an empty post clears the step only",
			map[string]any{"name": "Old", "rows": []any{map[string]any{"item": "a"}}, "other": "kept"},
			map[string]any{}, nil,
			map[string]any{"other": "kept"}},
		{"values of fields outside the step are ignored",
			map[string]any{"other": "kept"},
			map[string]any{"other": "posted", "name": "New"}, nil,
			map[string]any{"other": "kept", "name": "New"}},
		{"from no answers", nil, map[string]any{"days": []any{"mon"}}, nil, map[string]any{"days": []any{"mon"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := copyAnswers(tc.base)
			got := cases.MergeStep(tc.base, step, tc.values, tc.unread)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if !reflect.DeepEqual(tc.base, before) {
				t.Errorf("base changed to %v", tc.base)
			}
		})
	}
}

// TestLocks: only a locked field that was prefilled and holds a value is
// kept out of a post.
func TestLocks(t *testing.T) {
	e := newEnv(t)
	d := e.create("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"))
	def, err := e.svc.Definition(d)
	if err != nil {
		t.Fatal(err)
	}
	field := func(id string) *forms.Field {
		f, _, ok := def.Lookup(id)
		if !ok {
			t.Fatalf("no field %s", id)
		}
		return f
	}
	if !field("childFirstName").Locked || field("specialNeeds").Locked {
		t.Fatal("the form's locked fields changed: update the test")
	}
	tests := []struct {
		name   string
		field  string
		values map[string]any
		want   bool
	}{
		{"locked, prefilled, with its value", "childFirstName", d.Data, true},
		{"locked and prefilled, with another value", "childFirstName", map[string]any{"childFirstName": "X"}, true},
		{"locked and prefilled, no value", "childFirstName", map[string]any{}, false},
		{"locked and prefilled, null", "childFirstName", map[string]any{"childFirstName": nil}, false},
		{"not locked", "specialNeeds", map[string]any{"specialNeeds": "x"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Locks(field(tc.field), tc.values); got != tc.want {
				t.Errorf("Locks = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("locked but not prefilled", func(t *testing.T) {
		bare := *d
		bare.Prefill = nil
		if bare.Locks(field("childFirstName"), d.Data) {
			t.Error("a field the register did not fill is locked")
		}
	})
	t.Run("Editable leaves out locked and info fields", func(t *testing.T) {
		step := def.StepFields(0, d.Data)
		got := d.Editable(step, d.Data)
		if slices.Contains(got, "childFirstName") || !slices.Contains(got, "specialNeeds") {
			t.Errorf("Editable = %v", got)
		}
		for _, f := range step {
			if !f.IsData() && slices.Contains(got, f.ID) {
				t.Errorf("info field %s is editable", f.ID)
			}
		}
	})
}

func copyAnswers(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}
