package cases_test

import (
	"testing"

	"asiointi/server/cases"
)

// TestSourceOfChangedPrefill: the one rule for where an answer came from.
// A prefilled value the person kept (or that was locked) is the
// register's; one they changed is theirs, in the draft and in the case
// that was sent.
func TestSourceOfChangedPrefill(t *testing.T) {
	e := newEnv(t)
	d := e.create("home-help", e.ref(hetuJuhani), nil)
	d = e.save(d, map[string]any{"phone": "+358 40 999 0000", "livesAlone": "yes", "helpWith": []any{"washing"},
		"situation": "Kaaduin.", "hasContactPerson": "no", "confirmCorrect": true})
	c := e.submit(d)
	tests := []struct {
		field string
		want  bool
	}{
		{"phone", false},     // changed: the person's own
		{"firstName", true},  // locked: the register's
		{"street", true},     // kept as prefilled
		{"situation", false}, // never prefilled
	}
	for _, tc := range tests {
		if _, ok := cases.SourceOf(d.Prefill, tc.field, d.Data[tc.field]); ok != tc.want {
			t.Errorf("draft %s: prefilled = %v, want %v", tc.field, ok, tc.want)
		}
		if _, ok := cases.SourceOf(c.Sources, tc.field, c.Answers[tc.field]); ok != tc.want {
			t.Errorf("case %s: prefilled = %v, want %v", tc.field, ok, tc.want)
		}
	}
	if _, ok := c.Sources["phone"]; ok {
		t.Error("the case keeps a prefill source for the changed phone")
	}
	// A source recorded before sources kept a hash holds.
	if _, ok := cases.SourceOf(map[string]cases.PrefillSource{"x": {Source: cases.SourcePopulation}}, "x", "y"); !ok {
		t.Error("a source without a hash does not hold")
	}
}
