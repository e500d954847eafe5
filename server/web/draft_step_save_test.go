package web

import (
	"net/url"
	"reflect"
	"testing"

	"asiointi/server/forms"
)

// TestReadStep reads posted answers as pwa/js/formlogic.js readStep does
// (the same case as its "readStep reads values as the server does").
func TestReadStep(t *testing.T) {
	fields := []*forms.Field{
		{ID: "name", Type: forms.TypeText},
		{ID: "count", Type: forms.TypeNumber},
		{ID: "ok", Type: forms.TypeCheckbox},
		{ID: "days", Type: forms.TypeCheckboxes},
		{ID: "when", Type: forms.TypeDate},
		{ID: "doc", Type: forms.TypeFile},
		{ID: "rows", Type: forms.TypeGroup, Fields: []forms.Field{{ID: "item", Type: forms.TypeText}, {ID: "sum", Type: forms.TypeMoney}}},
	}
	vals := url.Values{"_csrf": {"x"}, "name": {"Maija "}, "count": {"12,5"}, "days": {"mon", "tue", "mon"},
		"when": {"3.4.2027"}, "doc": {"att1"}, "rows.count": {"3"}, "rows.0.item": {"Rent"}, "rows.0.sum": {"100"},
		"rows.1.item": {""}, "rows.1.sum": {" "}, "rows.2.item": {"Travel"}}
	p := readStep(fields, vals, nil, nil)
	want := map[string]any{"name": "Maija ", "count": 12.5, "ok": false, "days": []any{"mon", "tue"}, "when": "2027-04-03",
		"doc": "att1", "rows": []any{map[string]any{"item": "Rent", "sum": "100"}, map[string]any{"item": "Travel"}}}
	if !reflect.DeepEqual(p.values, want) || len(p.raw) != 0 || p.action != "next" {
		t.Errorf("got %#v raw %v action %q", p.values, p.raw, p.action)
	}

	p = readStep(fields, url.Values{"count": {"12a"}, "ok": {"true"}, "action": {"remove:rows:0"}, "rows.count": {"2"},
		"rows.0.item": {"gone"}, "rows.1.item": {"kept"}, "rows.1.sum": {"x"}}, nil, nil)
	if !reflect.DeepEqual(p.values, map[string]any{"ok": true, "rows": []any{map[string]any{"item": "kept", "sum": "x"}}}) ||
		p.raw["count"] != "12a" || len(p.errs) != 1 || p.errs[0].Code != "field.notNumber" {
		t.Errorf("got %#v raw %v errs %v", p.values, p.raw, p.errs)
	}
	p = readStep(fields, url.Values{"action": {"add:rows"}, "rows.count": {"1"}}, nil, nil)
	if !reflect.DeepEqual(p.values["rows"], []any{map[string]any{}, map[string]any{}}) {
		t.Errorf("add: %#v", p.values["rows"])
	}
	for in, want := range map[string]float64{"12": 12, "1 200,5": 1200.5, "-3": -3, ".5": 0.5} {
		if n, ok := parseNumber(in); !ok || n != want {
			t.Errorf("parseNumber(%q) = %v %v", in, n, ok)
		}
	}
	for _, bad := range []string{"1e3", "abc", "+1", "0x10", "1,2,3", "inf", "NaN", "", "-"} {
		if _, ok := parseNumber(bad); ok {
			t.Errorf("parseNumber(%q) accepted", bad)
		}
	}
}
