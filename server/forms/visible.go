package forms

import (
	"encoding/json"
	"math"
)

// Visible reports whether f is shown given the answers of its own scope
// (the item of its group, or the top level) and of the top level. A field
// without showIf is always visible. The condition's field is looked up in
// scope first, then in top.
//
// Visible looks at the values only. CheckSubmit and Summary also hide a
// field whose condition's field is itself hidden, by evaluating the form
// in order against the answers of visible fields only; pass such cleaned
// answers to get the same result.
func Visible(f *Field, scope map[string]any, top map[string]any) bool {
	if f.ShowIf == nil {
		return true
	}
	v, ok := scope[f.ShowIf.Field]
	if !ok {
		v = top[f.ShowIf.Field]
	}
	return f.ShowIf.Matches(v)
}

// Matches reports whether the condition holds for the value v of its
// field (nil when unanswered).
func (c *Condition) Matches(v any) bool {
	switch {
	case c.NotEmpty:
		return !isEmpty(v)
	case c.Equals != nil:
		return matchValue(v, c.Equals)
	default:
		for _, want := range c.In {
			if matchValue(v, want) {
				return true
			}
		}
		return false
	}
}

// matchValue: v equals want, or v is a list (checkboxes) holding want.
func matchValue(v, want any) bool {
	if list, ok := asList(v); ok {
		for _, x := range list {
			if sameValue(x, want) {
				return true
			}
		}
		return false
	}
	return sameValue(v, want)
}

func sameValue(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	switch a := a.(type) {
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	}
	return false
}

// isEmpty: no answer, text with nothing visible (white space, zero-width
// and other invisible characters only), empty list, or an unticked checkbox.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return !HasVisible(v)
	case bool:
		return !v
	}
	if list, ok := asList(v); ok {
		return len(list) == 0
	}
	return false
}

// asList returns the elements of a JSON array value.
func asList(v any) ([]any, bool) {
	switch v := v.(type) {
	case []any:
		return v, true
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(v))
		for i, m := range v {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// toFloat returns the number a JSON number value holds, however decoded.
func toFloat(v any) (float64, bool) {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case float32:
		f = float64(v)
	case int:
		f = float64(v)
	case int64:
		f = float64(v)
	case int32:
		f = float64(v)
	case json.Number:
		x, err := v.Float64()
		if err != nil {
			return 0, false
		}
		f = x
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
