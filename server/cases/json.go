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
func decodeAnswers(raw []byte, data *map[string]any) error {
	return jsonv2.Unmarshal(raw, data, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
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
