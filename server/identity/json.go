package identity

import (
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"asiointi/server/population"
	"asiointi/server/store"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// getPerson decodes the person at id in tx. Every create and save of a
// draft reads people (its checks, prefill): a person decoded with
// encoding/json was ~40 objects, with github.com/go-json-experiment/json
// under encoding/json's own rules (DefaultOptionsV1: the same person from
// the same bytes, TestGetPersonDecodesAsEncodingJSON) 12.
func getPerson(tx *store.Tx, id string, p *population.Person) error {
	raw, err := tx.GetRaw(store.People, id)
	if err != nil {
		return err
	}
	return jsonv2.Unmarshal(raw, p, jsonv1.DefaultOptionsV1())
}
