package cases

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// edits builds answerEdits from id → value (nil: remove), as check does.
func testEdits(t *testing.T, changes map[string]any) *answerEdits {
	t.Helper()
	e := &answerEdits{plain: true}
	for id := range changes {
		e.ids = append(e.ids, id)
	}
	slices.Sort(e.ids)
	for _, id := range e.ids {
		var raw []byte
		if v := changes[id]; v != nil {
			var err error
			if raw, err = encodeValue(v); err != nil {
				t.Fatal(err)
			}
		}
		e.vals = append(e.vals, raw)
	}
	return e
}

func answersOf(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return m
}

// TestSpliceAnswers: the splice of stored answers is the stored answers
// decoded, changed and encoded, for every place an edited member can be
// and every kind of value around it; what it cannot read it leaves to the
// whole decode (ok false), which gives the same answers.
func TestSpliceAnswers(t *testing.T) {
	tests := []struct {
		name    string
		stored  string
		changes map[string]any
	}{
		{"no answers yet", "", map[string]any{"a": "x", "b": nil}},
		{"empty object", "{}", map[string]any{"a": "x"}},
		{"empty object with space", " { } ", map[string]any{"a": 1.5}},
		{"set in place, first", `{"a":"1","b":"2","c":"3"}`, map[string]any{"a": "x"}},
		{"set in place, middle", `{"a":"1","b":"2","c":"3"}`, map[string]any{"b": []any{"p", "q"}}},
		{"set in place, last", `{"a":"1","b":"2","c":"3"}`, map[string]any{"c": true}},
		{"remove first", `{"a":"1","b":"2","c":"3"}`, map[string]any{"a": nil}},
		{"remove middle", `{"a":"1","b":"2","c":"3"}`, map[string]any{"b": nil}},
		{"remove last", `{"a":"1","b":"2","c":"3"}`, map[string]any{"c": nil}},
		{"remove the only one", `{"a":"1"}`, map[string]any{"a": nil}},
		{"remove all", `{"a":"1","b":2}`, map[string]any{"a": nil, "b": nil}},
		{"remove absent", `{"a":"1"}`, map[string]any{"z": nil}},
		{"remove and add", `{"a":"1","b":"2"}`, map[string]any{"b": nil, "c": "3", "a": nil}},
		{"add after", `{"a":"1"}`, map[string]any{"b": "2", "c": map[string]any{"x": 1.0}}},
		{"spaces everywhere", " {\n \"a\" : \"1\" ,\n\t\"b\" :[ 1 , 2 ] , \"c\" : null \n} \n", map[string]any{"b": nil, "c": "x", "d": 4.0}},
		{"spaces, remove last", `{ "a" : 1 , "b" : 2 }`, map[string]any{"b": nil}},
		{"keys inside values are not members", `{"g":[{"a":"in a group","b":{"a":1}}],"t":"\"a\":\"x\"","a":"top"}`,
			map[string]any{"a": "new"}},
		{"escaped quotes and backslashes in values", `{"a":"x\\\"y\\\\","b":"\\\\","c":"\"}{]["}`, map[string]any{"b": "z", "d": "\"q\""}},
		{"nested lists and objects", `{"budget":[{"item":"Bussi","cost":"1200.00"},{"item":"[}{]","cost":null}],"n":-1.5e3,"t":true,"f":false,"z":null}`,
			map[string]any{"budget": []any{map[string]any{"item": "Sali"}}, "t": false, "z": nil}},
		{"unicode", `{"a":"Åke Ääpelä 😀","b":"\u00e4"}`, map[string]any{"b": "Öljy"}},
		{"many ids", `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10}`,
			map[string]any{"a": nil, "c": "3", "e": nil, "g": "7", "i": nil, "j": "10", "k": "11", "l": nil, "m": "13", "n": 14.0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]any{}
			if tc.stored != "" {
				want = answersOf(t, []byte(tc.stored))
			}
			for id, v := range tc.changes {
				if v == nil {
					delete(want, id)
				} else {
					want[id] = v
				}
			}
			// Through JSON, so that numbers compare as decoded.
			raw, _ := json.Marshal(want)
			want = answersOf(t, raw)

			e := testEdits(t, tc.changes)
			out, ok := spliceAnswers([]byte(tc.stored), e)
			if !ok {
				t.Fatalf("splice refused %s", tc.stored)
			}
			if !json.Valid(out) {
				t.Fatalf("not JSON: %s", out)
			}
			if got := answersOf(t, out); !reflect.DeepEqual(got, want) {
				t.Errorf("splice of %s\n got %s\nwant %s", tc.stored, out, raw)
			}
			c := &changedAnswers{edits: *e}
			whole, err := c.apply([]byte(tc.stored))
			if err != nil {
				t.Fatal(err)
			}
			if got := answersOf(t, whole); !reflect.DeepEqual(got, want) {
				t.Errorf("apply of %s: %s", tc.stored, whole)
			}
		})
	}
}

// TestSpliceAnswersRefuses: stored bytes the splice does not read are left
// to the whole decode, which changes them as well.
func TestSpliceAnswersRefuses(t *testing.T) {
	for _, stored := range []string{
		`{"a":"1","a":"2"}`, // the edited key twice
		`{"\u0061":"1"}`,    // an escaped key
		`{"a":"1"`, `{"a":"1",}`, `{"a" "1"}`, `{"a":}`, `{"a":"1"}x`, `["a"]`, `"a"`, `{"a":"1""b":"2"}`, `{"a":"unterminated}`,
	} {
		e := testEdits(t, map[string]any{"a": "x"})
		if out, ok := spliceAnswers([]byte(stored), e); ok {
			t.Errorf("splice of %s = %s, want refused", stored, out)
		}
	}
	// The whole decode of an escaped key and of a repeated one.
	c := &changedAnswers{edits: *testEdits(t, map[string]any{"a": "x", "b": nil})}
	for _, stored := range []string{`{"\u0061":"1","b":"2"}`, `{"a":"1","a":"2","b":"3"}`} {
		out, err := c.apply([]byte(stored))
		if err != nil {
			t.Fatal(err)
		}
		if got := answersOf(t, out); !reflect.DeepEqual(got, map[string]any{"a": "x"}) {
			t.Errorf("apply of %s = %s", stored, out)
		}
	}
	// An id JSON would escape is never spliced in as it is.
	if plainID(`a"b`) || plainID(`a\b`) || plainID("") || !plainID("members.0-x_Y9") {
		t.Error("plainID")
	}
}

// TestEncodeValue: an answer (and the answers) encoded as an any are the
// bytes marshalling them by their own type gives, and what cannot be
// encoded either way is refused by both.
func TestEncodeValue(t *testing.T) {
	for _, v := range []any{
		nil, true, false, "", "Tämä <b>&</b> \"lainaus\" \\ \u2028 \x01 \U0001F600", 0.0, -1.5, 1e21, 123456789.0, 1.0 / 3,
		[]any{}, []any{"a", 1.0, nil, true, []any{map[string]any{"x": "y"}}},
		map[string]any{}, map[string]any{"k": map[string]any{"n": []any{"\t", 2.5}}},
		map[string]any{"<&>": "\u00e4"}, []string{"a", "b"}, 7, map[string]any{"x": 7}, map[string]any{"x": []string{"ä"}},
	} {
		want, wantErr := jsonv2.Marshal(v)
		got, err := encodeValue(v)
		if string(got) != string(want) || (err == nil) != (wantErr == nil) {
			t.Errorf("%#v: %s (%v), by its type %s (%v)", v, got, err, want, wantErr)
		}
	}
	for _, v := range []any{math.NaN(), math.Inf(1), "\xff", map[string]any{"\xfe": 1.0}, []any{make(chan int)}} {
		if got, err := encodeValue(v); err == nil {
			t.Errorf("%#v encoded: %s", v, got)
		}
	}
	// Answers of several members: each member as by its type.
	answers := map[string]any{"a": "x", "b": 2.0, "c": []any{"y"}, "d": map[string]any{"e": nil}, "f": false}
	raw, err := encodeAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if objectMembers(raw, func(m member) {
		n++
		want, _ := jsonv2.Marshal(answers[string(m.key(raw))])
		if string(m.value(raw)) != string(want) {
			t.Errorf("%s: %s, by its type %s", m.key(raw), m.value(raw), want)
		}
	}) < 0 || n != len(answers) {
		t.Errorf("answers %s", raw)
	}
}
