package cases

import (
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

func unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// The autosave path decodes records and encodes answers (and web decodes
// the autosave request) with github.com/go-json-experiment/json: measured
// against encoding/json (issue 6), it takes a third of the CPU per call
// for these values, and autosaves over HTTP ran faster with it in every
// A/B round on the same machine.

// decodeRecord decodes a draft record on the autosave path.
func decodeRecord(raw []byte, d *Draft) error { return jsonv2.Unmarshal(raw, d) }

// decodeAnswers decodes a draft's stored answers (every read of a draft
// with its answers: a step page, a save, a submit). It is as lenient as
// encoding/json, which decoded them before: answers written by an older
// version are read as they were.
// A nil *data is made with room for the stored answers first: decoding
// into a map that grows from empty allocated it about twice over (issue
// 9). The decoder fills an empty map as it fills the one it makes.
func decodeAnswers(raw []byte, data *map[string]any) error {
	if *data == nil {
		if n := MemberCount(raw); n > 0 {
			*data = make(map[string]any, n)
		}
	}
	return jsonv2.Unmarshal(raw, data, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}

// maxMemberHint bounds the room MemberCount's callers make: a map
// grows past it as it would from empty.
const maxMemberHint = 1 << 12

// MemberCount is how many top-level members the JSON object obj has, as
// far as objectMembers reads it (a key with escapes stops the count),
// at most maxMemberHint: the room to make for decoding it into a map. It
// is only a size: the decoder still checks every byte.
func MemberCount(obj []byte) int {
	n := 0
	objectMembers(obj, func(member) { n++ })
	return min(n, maxMemberHint)
}

// NewAnswersFor is a map with room for the members of the object that is
// the value of the top-level member key of the JSON object body (a
// request), nil when there is none to make room for. Unmarshalled into,
// it is filled as a nil map would have been made and filled: a null
// value still makes it nil.
func NewAnswersFor(body []byte, key string) map[string]any {
	n := 0
	objectMembers(body, func(m member) {
		if v := m.value(body); string(m.key(body)) == key && len(v) > 0 && v[0] == '{' {
			n = MemberCount(v)
		}
	})
	if n == 0 {
		return nil
	}
	return make(map[string]any, n)
}

// encodeAnswers encodes a draft's answers on the autosave path.
func encodeAnswers(data map[string]any) ([]byte, error) { return encodeValue(data) }

// encodeValue encodes one answer (or an answer's id, or the answers) as
// encodeAnswers encodes it inside the answers. It is marshalled as an
// any: then the encoder takes its path for the values JSON decodes to
// (a map[string]any, []any, string, float64, bool), writing them as
// marshalling them by their own types does (TestEncodeValue) without
// boxing a copy of every member and item (a map[string]any marshalled by
// its type allocated once per answer).
func encodeValue(v any) ([]byte, error) { return jsonv2.Marshal(&v) }
