package web

import (
	"encoding/json"
	"net/url"
	"os"
	"reflect"
	"testing"

	"asiointi/server/forms"
)

// TestReadStepVectors runs the vectors shared with readStep and
// parseNumber of pwa/js/formlogic.js (server/forms/testdata/vectors/
// readstep.json). It is a file of its own so that it can follow readStep
// when that moves out of the web layer.
func TestReadStepVectors(t *testing.T) {
	raw, err := os.ReadFile("../forms/testdata/vectors/readstep.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Number []struct {
			In    string   `json:"in"`
			Value *float64 `json:"value"`
			Note  string   `json:"note"`
		} `json:"number"`
		Fields   []*forms.Field `json:"fields"`
		ReadStep []struct {
			Name   string            `json:"name"`
			Form   [][2]string       `json:"form"`
			Values map[string]any    `json:"values"`
			Raw    map[string]string `json:"raw"`
		} `json:"readStep"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Number) < 15 || len(v.ReadStep) < 15 || len(v.Fields) == 0 {
		t.Fatalf("too few vectors: %d numbers, %d steps, %d fields", len(v.Number), len(v.ReadStep), len(v.Fields))
	}
	for _, c := range v.Number {
		n, ok := parseNumber(c.In)
		switch {
		case c.Value == nil && ok:
			t.Errorf("parseNumber(%q) = %v, want no number (%s)", c.In, n, c.Note)
		case c.Value != nil && (!ok || n != *c.Value):
			t.Errorf("parseNumber(%q) = %v, %v; want %v (%s)", c.In, n, ok, *c.Value, c.Note)
		}
	}
	for _, c := range v.ReadStep {
		vals := url.Values{}
		for _, kv := range c.Form {
			vals.Add(kv[0], kv[1])
		}
		p := readStep(v.Fields, vals, nil, nil)
		if !reflect.DeepEqual(p.values, c.Values) {
			t.Errorf("%s: values %#v, want %#v", c.Name, p.values, c.Values)
		}
		if !reflect.DeepEqual(p.raw, c.Raw) {
			t.Errorf("%s: raw %#v, want %#v", c.Name, p.raw, c.Raw)
		}
	}
}
