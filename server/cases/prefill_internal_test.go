package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"math"
	"reflect"
	"testing"

	"asiointi/server/forms"
	"asiointi/server/forms/definitions"
)

// TestReadEarlier: what prefill reads of an earlier case member by member
// (readEarlier) is what decoding the whole case tells (decodeEarlier, the
// Case and withKnown): whether it is the owner's own application for the
// subject, its id and reference, and its answer to each concept; records
// the member-by-member reading does not take are decoded whole.
func TestReadEarlier(t *testing.T) {
	fs := &Forms{defs: map[string]map[int]*forms.Definition{}, latest: map[string]int{}}
	raw, err := fsReadSports()
	if err != nil {
		t.Fatal(err)
	}
	def, err := forms.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	fs.add(def)
	// Version 2 asks for the phone twice: the later field's answer is
	// the concept's (knownConcepts keeps the last in form order).
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["version"] = 2.0
	step := m["steps"].([]any)[0].(map[string]any)
	phone := map[string]any{}
	for k, v := range step["fields"].([]any)[3].(map[string]any) {
		phone[k] = v
	}
	phone["id"], phone["required"] = "phone2", false
	step["fields"] = append(step["fields"].([]any), phone)
	raw2, _ := json.Marshal(m)
	def2, err := forms.Parse(raw2)
	if err != nil {
		t.Fatal(err)
	}
	fs.add(def2)
	s := &Service{Forms: fs}

	concepts := []string{"contact.phone", "contact.email", "group.name", "booking.attachment", "person.name.first", "nothing.here"}
	const head = `{"reference":"ESI-2027-000007","id":"01CASE","service":"sports-shift","formVersion":1,"status":"submitted"`
	tests := []struct {
		name   string
		record string
		owner  string // default aino
		ok     bool
		whole  bool           // decoded whole (not member by member)
		want   map[string]any // concept → answer (nil value: answered null)
	}{
		{name: "own case", ok: true,
			record: head + `,"actor":{"id":"aino","name":"Aino V","kind":"resident"},"answers":{"contactPhone":"040 1","groupName":"Sähly","attachment":"01FILE","contactEmail":null},"parties":null,"draftId":"01D"}`,
			want:   map[string]any{"contact.phone": "040 1", "group.name": "Sähly", "contact.email": nil}},
		{name: "for someone else", ok: false,
			record: head + `,"actor":{"id":"aino","name":"Aino V","kind":"resident"},"principal":{"id":"eetu","kind":"guardian"},"answers":{"contactPhone":"040 1"}}`},
		{name: "by someone else for the owner", ok: false,
			record: head + `,"actor":{"id":"juhani","kind":"resident"},"principal":{"id":"aino","kind":"mandate"},"answers":{"contactPhone":"040 1"}}`},
		{name: "principal null", ok: true,
			record: head + `,"actor":{"id":"aino"},"principal":null,"answers":{"contactPhone":"040 2"}}`,
			want:   map[string]any{"contact.phone": "040 2"}},
		{name: "older record keeps Known", ok: true,
			record: head + `,"actor":{"id":"aino"},"answers":{"contactPhone":"040 3"},"known":{"contact.phone":"040 old"}}`,
			want:   map[string]any{"contact.phone": "040 old"}},
		{name: "known null: from the answers", ok: true,
			record: head + `,"actor":{"id":"aino"},"answers":{"contactPhone":"040 4"},"known":null}`,
			want:   map[string]any{"contact.phone": "040 4"}},
		{name: "no answers", ok: true, record: head + `,"actor":{"id":"aino"}}`},
		{name: "answers null", ok: true, record: head + `,"actor":{"id":"aino"},"answers":null}`},
		{name: "a form version not known", ok: true,
			record: `{"id":"01CASE","service":"sports-shift","formVersion":9,"actor":{"id":"aino"},"answers":{"contactPhone":"040 5"}}`},
		{name: "a key twice in the answers: the last", ok: true,
			record: head + `,"actor":{"id":"aino"},"answers":{"contactPhone":"040 6","contactPhone":"040 7"}}`,
			want:   map[string]any{"contact.phone": "040 7"}},
		{name: "two fields of a concept: the last answered", ok: true,
			record: `{"id":"01CASE","service":"sports-shift","formVersion":2,"actor":{"id":"aino"},"answers":{"phone2":"050 8","contactPhone":"040 8","contactFirstName":"Aino"}}`,
			want:   map[string]any{"contact.phone": "050 8", "person.name.first": "Aino"}},
		{name: "two fields of a concept, the last unanswered", ok: true,
			record: `{"id":"01CASE","service":"sports-shift","formVersion":2,"actor":{"id":"aino"},"answers":{"contactPhone":"040 9"}}`,
			want:   map[string]any{"contact.phone": "040 9"}},
		{name: "numbers, lists and objects as they decode", ok: true,
			record: head + `,"actor":{"id":"aino"},"answers":{"participants":14,"groupName":["a",{"b":1.5}],"contactPhone":{"x":[1,2]}}}`,
			want:   map[string]any{"group.name": []any{"a", map[string]any{"b": 1.5}}, "contact.phone": map[string]any{"x": []any{1.0, 2.0}}}},
		{name: "white space", ok: true,
			record: " { \"id\" : \"01CASE\" ,\n\"service\":\"sports-shift\",\t\"formVersion\" : 1 , \"actor\" : { \"id\" : \"aino\" } , \"answers\" : { \"contactPhone\" : \"040 10\" } } \n",
			want:   map[string]any{"contact.phone": "040 10"}},
		{name: "an escaped key: decoded whole", ok: true, whole: true,
			record: head + `,"actor":{"id":"aino"},"answers":{"contact\u0050hone":"040 11"}}`,
			want:   map[string]any{"contact.phone": "040 11"}},
		{name: "an escaped id: decoded whole", ok: true, whole: true,
			record: head + `,"actor":{"id":"ai\u006eo"},"answers":{"contactPhone":"040 12"}}`,
			want:   map[string]any{"contact.phone": "040 12"}},
		{name: "an escaped reference: decoded whole", ok: true, whole: true,
			record: `{"id":"01CASE","reference":"ESI\/1","service":"sports-shift","formVersion":1,"actor":{"id":"aino"},"answers":{"contactPhone":"040 13"}}`,
			want:   map[string]any{"contact.phone": "040 13"}},
		{name: "a member twice: decoded whole", ok: false, whole: true,
			record: head + `,"actor":{"id":"aino"},"actor":{"id":"mikko"},"answers":{"contactPhone":"040 14"}}`},
		{name: "a version that is no integer: decoded whole (and refused)", ok: false,
			record: `{"id":"01CASE","service":"sports-shift","formVersion":"1","actor":{"id":"aino"},"answers":{"contactPhone":"040 15"}}`},
		{name: "an id that is no string: refused", ok: false,
			record: head + `,"actor":{"id":5},"answers":{"contactPhone":"040 16"}}`},
		{name: "answers not an object: refused", ok: false,
			record: head + `,"actor":{"id":"aino"},"answers":["contactPhone"]}`},
		{name: "known not an object: refused", ok: false,
			record: head + `,"actor":{"id":"aino"},"answers":{"contactPhone":"040 17"},"known":[1]}`},
		{name: "malformed: refused", ok: false,
			record: head + `,"actor":{"id":"aino"},"answers":{"contactPhone":"040 18",}}`},
		{name: "not an object: refused", ok: false, record: `["aino"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			owner := tc.owner
			if owner == "" {
				owner = "aino"
			}
			raw := []byte(tc.record)
			c, ok := s.readEarlier(raw, owner, owner)
			oc, ook := s.decodeEarlier(raw, owner, owner)
			if ok != tc.ok || ook != tc.ok {
				t.Fatalf("ok = %v (decoded whole: %v), want %v", ok, ook, tc.ok)
			}
			if !ok {
				return
			}
			if whole := c.whole != nil; whole != tc.whole {
				t.Errorf("decoded whole = %v, want %v", whole, tc.whole)
			}
			if c.id() != oc.id() || c.reference() != oc.reference() || c.id() != "01CASE" {
				t.Errorf("id %q reference %q, decoded whole %q %q", c.id(), c.reference(), oc.id(), oc.reference())
			}
			for _, k := range concepts {
				v, ok := c.known(k)
				ov, ook := oc.known(k)
				want, wantOK := tc.want[k]
				if ok != wantOK || !reflect.DeepEqual(v, want) || ok != ook || !reflect.DeepEqual(v, ov) {
					t.Errorf("%s: %#v %v, decoded whole %#v %v, want %#v %v", k, v, ok, ov, ook, want, wantOK)
				}
			}
		})
	}
}

func fsReadSports() ([]byte, error) { return fs.ReadFile(definitions.FS, "sports-shift.json") }

// TestPrefillHash: the digest of a prefilled value is the first half of
// the SHA-256 of its encoding/json encoding, in hex (what stored sources
// hold), for every kind of value and in turn; a value that does not
// encode has none, and SourceOf then takes the answer as the person's.
func TestPrefillHash(t *testing.T) {
	for round := range 2 {
		for _, v := range []any{"Aino", "<b>&</b> \u2028", 14.0, 1e21, true, nil, []any{"a", 1.0}, map[string]any{"x": []any{}}, ""} {
			b, _ := json.Marshal(v)
			sum := sha256.Sum256(b)
			if got, want := prefillHash(v), hex.EncodeToString(sum[:16]); got != want {
				t.Errorf("round %d, %#v: %s, want %s", round, v, got, want)
			}
		}
	}
	if h := prefillHash(math.NaN()); h != "" {
		t.Errorf("NaN: %q", h)
	}
	pre := map[string]PrefillSource{"a": {Source: SourcePopulation, Hash: prefillHash("Aino")}}
	if _, ok := SourceOf(pre, "a", "Aino"); !ok {
		t.Error("the prefilled value is not the register's")
	}
	for _, v := range []any{"Aina", math.NaN(), nil} {
		if _, ok := SourceOf(pre, "a", v); ok {
			t.Errorf("%#v taken for the prefilled value", v)
		}
	}
}
