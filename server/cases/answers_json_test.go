package cases

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// TestDecodeAnswersAsEncodingJSON: the stored answers decode as
// encoding/json (which read them before) decoded them, for what saves
// write and for what an older version may have left.
func TestDecodeAnswersAsEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, `null`,
		`{"contactEmail":"aino@example.fi","participants":12,"equipmentNeeded":true,"startDate":null}`,
		`{"budget":[{"item":"Salivuokra","amount":1200.5},{"item":"Pallot","amount":1e2}],"count":-0.25}`,
		`{"notes":"rivi\nrivi \"lainaus\" \\ \u00e4\u20ac \ud83d\ude00 <b>&</b>","x":["a",1,false,null,{"y":"z"}]}`,
		`{"a":"1","a":"2"}`,
		"{\"bad\":\"\xff\xfe utf-8\"}",
		`{"big":12345678901234567890,"small":1e-300}`,
		`{"a":[1],"a":null,"b":{}}`, ` { "a" : 1 , "b" : [ ] } `, `{"a\u0062":"escaped key","c":1}`,
	} {
		var want, got map[string]any
		werr := json.Unmarshal([]byte(in), &want)
		gerr := decodeAnswers([]byte(in), &got)
		if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %#v (%v)\nwant %#v (%v)", in, got, gerr, want, werr)
		}
	}
}

// TestDecodeAnswersIntoRoom: decodeAnswers makes the map with room first
// (MemberCount); the decoder fills it exactly as it fills the map it
// makes itself from nil, which the answers were decoded into before:
// the same answers and the same error, for malformed input too.
func TestDecodeAnswersIntoRoom(t *testing.T) {
	for _, in := range []string{
		`{}`, `null`, `{"a":1,"b":"x","c":[1,{"d":null}],"e":{"f":true}}`,
		`{"a":{"x":1},"a":{"y":2}}`, `{"a":"1","a":"2","b":3}`, `{"a":[1],"a":null,"b":{}}`,
		` { "a" : 1 , "b" : [ ] } `, `{"a\u0062":"escaped key","c":1}`, "{\"bad\":\"\xff\"}",
		`{"a":1`, `{"a":1,}`, `{"a":1} x`, `[1,2]`, `"x"`, ``, `{"a":1,"b":}`,
		// Repeated names below the top, after a value, with an error after
		// them; names that are one after invalid UTF-8 is replaced; a
		// number out of range.
		`{"a":{"x":1,"x":{"y":2}},"b":"c"}`, `{"a":[{"b":1,"b":[2]}],"c":true}`, `{"x":[1,2],"a":{"b":1},"a":{"c":2},"x":[3]}`,
		`{"a":1,"b":2,"a":3,"c":}`, `{"a":"1","a":{"b":2}}`, `{"a":{"b":1},"a":"x"}`,
		"{\"a\xff\":{\"x\":1},\"a\xfe\":{\"y\":2}}", "{\"a\":{\"\xff\":1,\"\xfe\":2}}",
		`{"a":1e400}`, `{"a":1,"b":[1e400],"a":2}`, `{"a":"\ud800"}`,
	} {
		var want, got map[string]any
		werr := jsonv2.Unmarshal([]byte(in), &want, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
		gerr := decodeAnswers([]byte(in), &got)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %#v (%v)\nwant %#v (%v)", in, got, gerr, want, werr)
		}
		// Into an empty map made by the caller: the same.
		wantMade, made := map[string]any{}, map[string]any{}
		werr = jsonv2.Unmarshal([]byte(in), &wantMade, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
		if gerr := decodeAnswers([]byte(in), &made); fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(made, wantMade) {
			t.Errorf("%q into a map made:\n got %#v (%v)\nwant %#v (%v)", in, made, gerr, wantMade, werr)
		}
	}
}

// TestMemberCount: the room made for decoding an object is its number of
// top-level members, as far as they can be read without unescaping.
func TestMemberCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`{}`, 0}, {`null`, 0}, {``, 0}, {`[1,2,3]`, 0}, {`"a,b"`, 0},
		{`{"a":1}`, 1},
		{` { "a" : 1 , "b" : "x,y" , "c" : {"d":[1,{"e":2}]} } `, 3},
		{`{"a":"q\"uote}","b":[{"c":"]"}]}`, 2},
		{`{"a":1,"a":2}`, 2},
		{`{"a":1,"b\u0063":2,"d":3}`, 1}, // stops at an escaped key
		{`{"a":1,"b":`, 1},               // cut short
	} {
		if got := MemberCount([]byte(tc.in)); got != tc.want {
			t.Errorf("MemberCount(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestNewAnswersFor: a request's answers get a map made with room when
// the body has a member of that exact name holding an object with
// members; nil otherwise, so that the decoder decides as before.
func TestNewAnswersFor(t *testing.T) {
	for _, tc := range []struct {
		body, key string
		made      bool
	}{
		{`{"version":2,"data":{"a":1,"b":2}}`, "data", true},
		{`{"data":{"a":1},"version":2}`, "data", true},
		{`{"version":2,"data":{"a":1}}`, "changes", false},
		{`{"version":2,"data":{}}`, "data", false},
		{`{"version":2,"data":null}`, "data", false},
		{`{"version":2,"data":[{"a":1}]}`, "data", false},
		{`{"version":2,"Data":{"a":1}}`, "data", false},
		{`{"version":2,"x":{"data":{"a":1}}}`, "data", false}, // not top-level
		{`{"version":2,"data":{"a":1}`, "data", true},         // cut short: a size only, the decoder refuses it
		{`not json`, "data", false},
	} {
		m := NewAnswersFor([]byte(tc.body), tc.key)
		if (m != nil) != tc.made || len(m) != 0 {
			t.Errorf("NewAnswersFor(%q, %q) = %v (nil %v), want made %v and empty", tc.body, tc.key, m, m == nil, tc.made)
		}
	}
}
