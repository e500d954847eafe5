package cases

import (
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"
)

func unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// decodeRecord decodes a draft record on the autosave path.
func decodeRecord(raw []byte, d *Draft) error { return jsonv2.Unmarshal(raw, d) }

// encodeAnswers encodes a draft's answers on the autosave path.
func encodeAnswers(data map[string]any) ([]byte, error) { return jsonv2.Marshal(data) }
