package cases

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
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
//
// Answers without a repeated name (every save writes them so) are
// decoded first without allowing one: then the decoder takes its own path
// for values of type any, which gives the same values with two
// allocations fewer per answer (a temporary value and a copy into the
// any). Anything it refuses — a repeated name, which the lenient decoder
// merges, or malformed input — is decoded again, leniently, from the map
// as it was, so that the answers and the error are exactly the lenient
// decoder's (TestDecodeAnswersIntoRoom).
func decodeAnswers(raw []byte, data *map[string]any) error {
	if *data == nil {
		if n := MemberCount(raw); n > 0 {
			*data = make(map[string]any, n)
		}
	}
	if m := *data; len(m) == 0 {
		if jsonv2.Unmarshal(raw, data, jsontext.AllowInvalidUTF8(true)) == nil {
			return nil
		}
		clear(m)
		*data = m
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

// encodeAnswers encodes a draft's answers on the autosave path, as
// encodeValue does, into a buffer from answersBufs: a caller whose write
// of them has ended for good may give it back (putAnswers).
func encodeAnswers(data map[string]any) ([]byte, error) {
	w := appendWriter{b: answersBuf(0)}
	var v any = data // encodeValue's path for the values JSON decodes to
	if err := jsonv2.MarshalWrite(&w, &v); err != nil {
		return nil, err
	}
	return w.b, nil
}

// appendWriter appends what is written to b.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// encodeValue encodes one answer (or an answer's id, or the answers) as
// encodeAnswers encodes it inside the answers. It is marshalled as an
// any: then the encoder takes its path for the values JSON decodes to
// (a map[string]any, []any, string, float64, bool), writing them as
// marshalling them by their own types does (TestEncodeValue) without
// boxing a copy of every member and item (a map[string]any marshalled by
// its type allocated once per answer).
func encodeValue(v any) ([]byte, error) { return jsonv2.Marshal(&v) }

// v1Bytes are the options under which go-json-experiment encodes as
// encoding/json does, byte for byte (the v1 package is encoding/json
// implemented on it: sorted map keys, HTML and U+2028/9 escaped, invalid
// UTF-8 replaced, the same numbers, times and omitempty).
//
// And a map[string]any (the answers, nested groups) is written by
// writeObject rather than by reflection, which allocated two or three
// copies per member; a draft's Prefill and a case's Sources by
// writeSources, where reflection copied every member (112 bytes) out of
// the map.
var v1Bytes = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv2.WithMarshalers(jsonv2.JoinMarshalers(
	jsonv2.MarshalToFunc(writeObject), jsonv2.MarshalToFunc(writeSources))))

// writeSources writes m as encoding/json does: null when nil, members in
// key order, each value marshalled under enc's options from one variable
// of writeSources' own.
func writeSources(enc *jsontext.Encoder, m map[string]PrefillSource) error {
	if m == nil {
		return enc.WriteToken(jsontext.Null)
	}
	kp := sortedKeysOf(m)
	defer putKeys(kp)
	keys := *kp
	if err := enc.WriteToken(jsontext.BeginObject); err != nil {
		return err
	}
	var src PrefillSource
	for _, k := range keys {
		if err := enc.WriteToken(jsontext.String(k)); err != nil {
			return err
		}
		src = m[k]
		if err := jsonv2.MarshalEncode(enc, &src); err != nil {
			return err
		}
	}
	return enc.WriteToken(jsontext.EndObject)
}

// sortedKeysOf is m's keys in order, in a pooled slice: give it back
// with putKeys once done with them.
func sortedKeysOf[V any](m map[string]V) *[]string {
	kp := sortedKeys.Get().(*[]string)
	keys := (*kp)[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	*kp = keys
	return kp
}

func putKeys(kp *[]string) {
	clear(*kp)
	sortedKeys.Put(kp)
}

// writeObject writes m as encoding/json does: null when nil, members in
// key order, each value as writeValue writes it. Strings are escaped by
// enc under v1Bytes' options.
func writeObject(enc *jsontext.Encoder, m map[string]any) error {
	if m == nil {
		return enc.WriteToken(jsontext.Null)
	}
	kp := sortedKeysOf(m)
	defer putKeys(kp)
	keys := *kp
	if err := enc.WriteToken(jsontext.BeginObject); err != nil {
		return err
	}
	for _, k := range keys {
		if err := enc.WriteToken(jsontext.String(k)); err != nil {
			return err
		}
		if err := writeValue(enc, m[k]); err != nil {
			return err
		}
	}
	return enc.WriteToken(jsontext.EndObject)
}

// writeValue writes a value JSON decodes to (nil, bool, string, float64,
// []any, map[string]any) as encoding/json does; any other, and NaN or an
// infinity (refused), by go-json-experiment under enc's options.
func writeValue(enc *jsontext.Encoder, v any) error {
	switch x := v.(type) {
	case nil:
		return enc.WriteToken(jsontext.Null)
	case bool:
		return enc.WriteToken(jsontext.Bool(x))
	case string:
		return enc.WriteToken(jsontext.String(x))
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return enc.WriteToken(jsontext.Float(x))
		}
	case map[string]any:
		return writeObject(enc, x)
	case []any:
		if x == nil {
			return enc.WriteToken(jsontext.Null)
		}
		if err := enc.WriteToken(jsontext.BeginArray); err != nil {
			return err
		}
		for _, e := range x {
			if err := writeValue(enc, e); err != nil {
				return err
			}
		}
		return enc.WriteToken(jsontext.EndArray)
	}
	return jsonv2.MarshalEncode(enc, v)
}

// sortedKeys holds writeObject's slices of keys.
var sortedKeys = sync.Pool{New: func() any { return new([]string) }}

// encodeStored encodes v as json.Marshal does, for records whose stored
// bytes are encoding/json's (a case, an event, a sent draft). It takes
// go-json-experiment's paths for map[string]any and times, where
// encoding/json boxes a copy of every map key and value and allocates
// each time's text (issue 9: objects per submit); TestEncodeStored holds
// it to json.Marshal's bytes.
//
// One difference remains under those options: invalid UTF-8 in a
// string is written as the bytes of U+FFFD where encoding/json writes
// the escape \ufffd. Output holding those bytes (invalid input, or a
// U+FFFD given as such, both rare) is encoded again by encoding/json.
func encodeStored(v any) ([]byte, error) {
	out, err := jsonv2.Marshal(v, v1Bytes)
	if err == nil && bytes.Contains(out, replacementChar) {
		return json.Marshal(v)
	}
	return out, err
}

// encodeStoredPooled is encodeStored into a buffer from answersBufs, for
// a value put by one write: give it back (putAnswers) once that write
// has ended.
func encodeStoredPooled(v any) ([]byte, error) {
	w := appendWriter{b: answersBuf(0)}
	if err := jsonv2.MarshalWrite(&w, v, v1Bytes); err != nil {
		return nil, err
	}
	if bytes.Contains(w.b, replacementChar) {
		putAnswers(w.b)
		return json.Marshal(v) // see encodeStored
	}
	return w.b, nil
}

// replacementChar is U+FFFD in UTF-8.
var replacementChar = []byte("\uFFFD")

// encodeStoredTo is encodeStored written after the room of an empty w.
func encodeStoredTo(w *roomWriter, v any) error {
	if err := jsonv2.MarshalWrite(w, v, v1Bytes); err != nil {
		return err
	}
	if len(w.b) < recordRoom || !bytes.Contains(w.b[recordRoom:], replacementChar) {
		return nil
	}
	w.b = w.b[:recordRoom] // see encodeStored
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return err
	}
	w.b = bytes.TrimSuffix(w.b, []byte("\n")) // Encode ends with a newline
	return nil
}
