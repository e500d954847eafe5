package forms

import (
	"encoding/json"
	"strings"
	"testing"
)

// invisibleVector is one case of testdata/invisible.json, shared with
// pwa/js/formlogic.test.mjs.
type invisibleVector struct {
	Name      string `json:"name"`
	In        string `json:"in"`
	Line      string `json:"line"`
	Multiline string `json:"multiline"`
	Visible   bool   `json:"visible"`
}

func invisibleVectors(t *testing.T) []invisibleVector {
	t.Helper()
	var vs []invisibleVector
	if err := json.Unmarshal(readFile(t, "testdata/invisible.json"), &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 10 {
		t.Fatalf("only %d vectors", len(vs))
	}
	return vs
}

func TestInvisibleVectors(t *testing.T) {
	for _, v := range invisibleVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			if got, ok := cleanLine(v.In); !ok || got != v.Line {
				t.Errorf("cleanLine(%+q) = %+q, %v; want %+q", v.In, got, ok, v.Line)
			}
			if got, ok := cleanMultiline(v.In); !ok || got != v.Multiline {
				t.Errorf("cleanMultiline(%+q) = %+q, %v; want %+q", v.In, got, ok, v.Multiline)
			}
			if HasVisible(v.In) != v.Visible {
				t.Errorf("HasVisible(%+q) = %v", v.In, !v.Visible)
			}
			if isEmpty(v.In) == v.Visible {
				t.Errorf("isEmpty(%+q) = %v", v.In, !v.Visible)
			}
		})
	}
}

// TestRequiredMeansVisible: an answer of invisible characters only is no
// answer, for a required field, a required text area and a condition; a
// spoofing character is gone from what submit keeps.
func TestRequiredMeansVisible(t *testing.T) {
	d := loadAllTypes(t)
	base := map[string]any{"agree": true, "members": []any{map[string]any{"firstName": "Aino"}}}
	for _, v := range invisibleVectors(t) {
		if v.Visible {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			data := map[string]any{"name": v.In, "bio": v.In, "hasPet": true, "petName": "Musti", "petKind": "cat", "extras": []any{"z"}, "extraNote": v.In}
			for k, x := range base {
				data[k] = x
			}
			out, errs := d.CheckSubmit(data, CheckOptions{})
			got := errString(errs)
			for _, want := range []string{"name " + ErrRequired, "extraNote " + ErrRequired} {
				if !strings.Contains(got, want) {
					t.Errorf("%+q: errors %q lack %q", v.In, got, want)
				}
			}
			if _, ok := out["bio"]; ok {
				t.Errorf("%+q kept as a text area's answer: %+q", v.In, out["bio"])
			}
		})
	}
	data := map[string]any{"name": "Ai\u202eno", "code": "\u200bAB-12\u2060", "bio": "rivi\u200e\u202e", "hetu": "140386-902R\u200b", "agree": true,
		"members": []any{map[string]any{"firstName": "Aino"}}}
	out, errs := d.CheckSubmit(data, CheckOptions{})
	for _, e := range errs {
		if e.Field == "name" || e.Field == "hetu" || e.Field == "bio" {
			t.Errorf("unexpected error %v", e)
		}
	}
	b, _ := json.Marshal(out)
	for _, want := range []string{`"name":"Aino"`, "\"bio\":\"rivi\u200e\"", `"hetu":"140386-902R"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("cleaned answers %s lack %s", b, want)
		}
	}
}
