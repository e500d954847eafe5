package cases

import (
	"asiointi/server/forms"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// TestKeysAsFmt: the keys and references written without fmt are the
// strings fmt.Sprintf made before (stored bytes: index keys, counters,
// references).
func TestKeysAsFmt(t *testing.T) {
	for _, n := range []uint64{0, 1, 42, 99999, 999999, 1000000, 123456789, math.MaxUint32, math.MaxInt64, math.MaxUint64} {
		for _, w := range []int{0, 1, 6, 10, 25} {
			if got, want := string(appendZeroPadded([]byte("x"), n, w)), fmt.Sprintf("x%0*d", w, n); got != want {
				t.Errorf("appendZeroPadded(%d, %d) = %q, want %q", n, w, got, want)
			}
		}
	}
	for _, tc := range []struct {
		prefix string
		year   int
		n      uint64
	}{
		{"ESI", 2027, 42}, {"ESI", 2027, 1000000}, {"", 0, 0}, {"LONGPREFIXLONGPREFIXLONGPREFIXLONGPREFIXLONGPREFIXLONGPREFIX", 12345, math.MaxUint64}, {"Ä", -1, 7},
	} {
		if got, want := caseReference(tc.prefix, tc.year, tc.n), fmt.Sprintf("%s-%d-%06d", tc.prefix, tc.year, tc.n); got != want {
			t.Errorf("caseReference%v = %q, want %q", tc, got, want)
		}
		if got, want := refCounter(tc.prefix, tc.year), fmt.Sprintf("ref/%s/%d", tc.prefix, tc.year); got != want {
			t.Errorf("refCounter(%q, %d) = %q, want %q", tc.prefix, tc.year, got, want)
		}
	}
	for _, at := range []time.Time{time.Unix(0, 0), time.Unix(-5, 0), time.Unix(1795000000, 0), time.Unix(99999999999, 0), {}} {
		if got, want := inboxDueKey(at), fmt.Sprintf("%010d", max(at.Unix(), 0)); got != want {
			t.Errorf("inboxDueKey(%v) = %q, want %q", at, got, want)
		}
	}
}

// TestAnswerPairSameAs: two reportable answers are the same when they
// join to the same "concept=value", as the joined strings were compared
// before they were joined once at the end.
func TestAnswerPairSameAs(t *testing.T) {
	pairs := []answerPair{{"a", "b"}, {"a", "bc"}, {"ab", "c"}, {"a=b", "c"}, {"a", "b=c"}, {"", "a=b=c"}, {"a=b=c", ""}, {"", ""}, {"ä", "€"}, {"b", "a"}}
	for _, p := range pairs {
		for _, q := range pairs {
			want := p.concept+"="+p.value == q.concept+"="+q.value
			if got := p.sameAs(q); got != want {
				t.Errorf("%q.sameAs(%q) = %v, want %v", p, q, got, want)
			}
		}
	}
}

// TestAnswerValues: the reportable answers of a case, "concept=value"
// each once and sorted, cut from one string.
func TestAnswerValues(t *testing.T) {
	def := &forms.Definition{Steps: []forms.Step{{Fields: []forms.Field{
		{ID: "hall", Type: forms.TypeSelect, Concept: "booking.facility"},
		{ID: "days", Type: forms.TypeCheckboxes, Concept: "booking.weekday"},
		{ID: "eq", Type: forms.TypeCheckbox, Concept: "booking.equipment"},
		{ID: "start", Type: forms.TypeDate, Concept: "booking.start"},
		{ID: "hetu", Type: forms.TypeHetu, Concept: "person.hetu"},
		{ID: "zip", Type: forms.TypePostalCode, Concept: "address.postalCode"},
		{ID: "name", Type: forms.TypeText, Concept: "person.name"},            // not reportable
		{ID: "hall2", Type: forms.TypeRadio, Concept: "booking.facility"},     // the same answer again
		{ID: "x", Type: forms.TypeSelect, Concept: "a=b"},                     // joins as "a=b=c"
		{ID: "y", Type: forms.TypeSelect, Concept: "a"},                       // joins as "a=b=c" too
		{ID: "empty", Type: forms.TypeSelect, Concept: "e"},                   // "" is no answer
		{ID: "info", Type: forms.TypeInfo, Concept: "i"},                      // no data
		{ID: "noConcept", Type: forms.TypeSelect},                             // not counted
		{ID: "wrongType", Type: forms.TypeCheckbox, Concept: "booking.wrong"}, // not a bool
	}}}}
	at := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		answers map[string]any
		want    []string
	}{
		{"none", map[string]any{}, nil},
		{"not reportable only", map[string]any{"name": "Aino", "noConcept": "x", "empty": ""}, nil},
		{"every kind", map[string]any{
			"hall": "main", "days": []any{"tue", "thu", "tue", 3.0}, "eq": false, "start": "2027-08-15",
			"hetu": "030392-974H", "zip": "00100", "name": "Aino", "hall2": "main", "x": "c", "y": "b=c",
			"empty": "", "info": "i", "noConcept": "n", "wrongType": "yes",
		}, []string{
			"a=b=c", "address.postalCode=00100", "booking.equipment=no", "booking.facility=main", "booking.start=2027-08",
			"booking.weekday=thu", "booking.weekday=tue", "person.hetu=30-64",
		}},
	} {
		got := answerValues(def, tc.answers, at)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if answerValues(nil, map[string]any{"hall": "main"}, at) != nil {
		t.Error("no form: answers")
	}
}
