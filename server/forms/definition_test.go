package forms

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asiointi/i18n"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadAllTypes parses testdata/all-types.json, a definition using every
// field type and feature.
func loadAllTypes(t testing.TB) *Definition {
	t.Helper()
	d, err := Parse(readFile(t, "testdata/all-types.json"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// generic decodes the all-types definition into maps and slices for
// mutation.
func generic(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFile(t, "testdata/all-types.json"), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func step(m map[string]any, i int) map[string]any {
	return m["steps"].([]any)[i].(map[string]any)
}

func field(m map[string]any, s, f int) map[string]any {
	return step(m, s)["fields"].([]any)[f].(map[string]any)
}

func TestParseAllTypes(t *testing.T) {
	d := loadAllTypes(t)
	if d.Service != "test-all" || d.Version != 1 || len(d.Steps) != 3 {
		t.Fatalf("got %s v%d with %d steps", d.Service, d.Version, len(d.Steps))
	}
	var ids []string
	for _, f := range d.DataFields() {
		ids = append(ids, f.ID)
	}
	want := "name code bio age fee refund start born email phone hetu ytunnus iban zip " +
		"color size extras agree hasPet petName petKind petVet extraNote doc members"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("DataFields:\n got %s\nwant %s", got, want)
	}
	if got := d.Steps[0].Fields[0].Label.In("sv"); got != "name (sv)" {
		t.Errorf("Label.In(sv) = %q", got)
	}
	if got := d.Steps[0].Fields[0].Label.In("de"); got != "name (fi)" {
		t.Errorf("Label.In(de) = %q, want the default language's text", got)
	}
}

func TestLookup(t *testing.T) {
	d := loadAllTypes(t)
	for _, tc := range []struct {
		id     string
		wantID string
		step   int
		ok     bool
	}{
		{"name", "name", 0, true},
		{"zip", "zip", 0, true},
		{"petVet", "petVet", 1, true},
		{"members", "members", 2, true},
		{"members.0.hetu", "hetu", 2, true},
		{"members.12.school", "school", 2, true},
		{"members.school", "school", 2, true},
		{"members.x.school", "", 0, false},
		{"members.-1.school", "", 0, false},
		{"members.01.school", "", 0, false},
		{"members.0.nope", "", 0, false},
		{"members.0.hetu.x", "", 0, false},
		{"name.0.x", "", 0, false},
		{"note", "note", 1, true},
		{"nope", "", 0, false},
		{"", "", 0, false},
	} {
		f, si, ok := d.Lookup(tc.id)
		if ok != tc.ok || (ok && (f.ID != tc.wantID || si != tc.step)) {
			t.Errorf("Lookup(%q) = %v, %d, %v; want %s, %d, %v", tc.id, f, si, ok, tc.wantID, tc.step, tc.ok)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"purpose language missing", func(m map[string]any) {
			delete(field(m, 0, 0)["purpose"].(map[string]any), "sv")
		}, `steps[0].fields[0] "name": purpose.sv is missing`},
		{"purpose missing", func(m map[string]any) { delete(field(m, 0, 1), "purpose") },
			`steps[0].fields[1] "code": purpose is missing`},
		{"purpose blank", func(m map[string]any) { field(m, 0, 1)["purpose"].(map[string]any)["en"] = "  " },
			`steps[0].fields[1] "code": purpose.en is missing`},
		{"legal basis missing", func(m map[string]any) { delete(field(m, 1, 3), "legalBasis") },
			`steps[1].fields[3] "agree": legalBasis is missing`},
		{"legal basis multi-line", func(m map[string]any) { field(m, 1, 3)["legalBasis"] = "a\nb" },
			`steps[1].fields[3] "agree": legalBasis must be one short line`},
		{"retention missing", func(m map[string]any) { delete(field(m, 0, 2), "retention") },
			`steps[0].fields[2] "bio": retention is missing`},
		{"retention not a duration", func(m map[string]any) { field(m, 0, 2)["retention"] = "2 years" },
			`steps[0].fields[2] "bio": retention: "2 years" is not an ISO-8601 period`},
		{"retention with time", func(m map[string]any) { field(m, 0, 2)["retention"] = "PT24H" },
			`retention: "PT24H" is not an ISO-8601 period`},
		{"retention out of order", func(m map[string]any) { field(m, 0, 2)["retention"] = "P1D2Y" },
			`retention: "P1D2Y" is not an ISO-8601 period`},
		{"retention zero", func(m map[string]any) { field(m, 0, 2)["retention"] = "P0D" },
			`steps[0].fields[2] "bio": retention "P0D" is zero`},
		{"concept missing", func(m map[string]any) { delete(field(m, 0, 3), "concept") },
			`steps[0].fields[3] "age": concept is missing`},
		{"concept malformed", func(m map[string]any) { field(m, 0, 3)["concept"] = "Person Age" },
			`steps[0].fields[3] "age": concept "Person Age" must be dotted camelCase words`},
		{"group without purpose", func(m map[string]any) { delete(field(m, 2, 0), "purpose") },
			`steps[2].fields[0] "members": purpose is missing`},
		{"sub-field without legal basis", func(m map[string]any) {
			delete(field(m, 2, 0)["fields"].([]any)[1].(map[string]any), "legalBasis")
		}, `steps[2].fields[0] "members".fields[1] "hetu": legalBasis is missing`},
		{"duplicate id across steps", func(m map[string]any) { field(m, 1, 0)["id"] = "name" },
			`steps[1].fields[0] "name": duplicate id "name"`},
		{"duplicate id in group", func(m map[string]any) {
			field(m, 2, 0)["fields"].([]any)[1].(map[string]any)["id"] = "firstName"
		}, `steps[2].fields[0] "members".fields[1] "firstName": duplicate id "firstName"`},
		{"bad id", func(m map[string]any) { field(m, 0, 0)["id"] = "Name" },
			`steps[0].fields[0] "Name": id must match [a-z][a-zA-Z0-9]*`},
		{"id missing", func(m map[string]any) { delete(field(m, 0, 0), "id") },
			`steps[0].fields[0]: id is missing`},
		{"unknown type", func(m map[string]any) { field(m, 0, 0)["type"] = "colour" },
			`steps[0].fields[0] "name": unknown type "colour"`},
		{"type missing", func(m map[string]any) { delete(field(m, 0, 0), "type") },
			`steps[0].fields[0] "name": type is missing`},
		{"label language missing", func(m map[string]any) { delete(field(m, 0, 0)["label"].(map[string]any), "en") },
			`steps[0].fields[0] "name": label.en is missing`},
		{"label unknown language", func(m map[string]any) { field(m, 0, 0)["label"].(map[string]any)["de"] = "Name" },
			`steps[0].fields[0] "name": label has unknown language "de"`},
		{"help language missing", func(m map[string]any) { delete(field(m, 1, 10)["help"].(map[string]any), "fi") },
			`steps[1].fields[10] "note": help.fi is missing`},
		{"options on a text field", func(m map[string]any) { field(m, 0, 0)["options"] = field(m, 1, 0)["options"] },
			`steps[0].fields[0] "name": options are only for select, radio and checkboxes, not text`},
		{"select without options", func(m map[string]any) { delete(field(m, 1, 0), "options") },
			`steps[1].fields[0] "color": options are missing`},
		{"duplicate option", func(m map[string]any) {
			o := field(m, 1, 0)["options"].([]any)
			o[1].(map[string]any)["value"] = "red"
		}, `steps[1].fields[0] "color".options[1]: duplicate option value "red"`},
		{"option label missing", func(m map[string]any) {
			delete(field(m, 1, 0)["options"].([]any)[0].(map[string]any)["label"].(map[string]any), "sv")
		}, `steps[1].fields[0] "color".options[0]: label.sv is missing`},
		{"showIf to unknown field", func(m map[string]any) {
			field(m, 1, 5)["showIf"] = map[string]any{"field": "nope", "equals": true}
		}, `steps[1].fields[5] "petName": showIf refers to unknown field "nope"`},
		{"showIf to a later field", func(m map[string]any) {
			field(m, 1, 5)["showIf"] = map[string]any{"field": "petVet", "notEmpty": true}
		}, `steps[1].fields[5] "petName": showIf refers to unknown field "petVet" (it must come earlier`},
		{"showIf to itself", func(m map[string]any) {
			field(m, 1, 5)["showIf"] = map[string]any{"field": "petName", "notEmpty": true}
		}, `steps[1].fields[5] "petName": showIf.field cannot refer to the field itself`},
		{"showIf to info", func(m map[string]any) {
			field(m, 2, 0)["showIf"] = map[string]any{"field": "note", "notEmpty": true}
		}, `steps[2].fields[0] "members": showIf refers to info field "note"`},
		{"showIf equals non-option", func(m map[string]any) {
			field(m, 1, 7)["showIf"] = map[string]any{"field": "petKind", "equals": "bird"}
		}, `steps[1].fields[7] "petVet": showIf.equals: "bird" is not an option of "petKind"`},
		{"showIf in non-option", func(m map[string]any) {
			field(m, 1, 8)["showIf"] = map[string]any{"field": "extras", "in": []any{"x", "w"}}
		}, `steps[1].fields[8] "extraNote": showIf.in: "w" is not an option of "extras"`},
		{"showIf empty in", func(m map[string]any) {
			field(m, 1, 8)["showIf"] = map[string]any{"field": "extras", "in": []any{}}
		}, `steps[1].fields[8] "extraNote": showIf.in is empty`},
		{"showIf checkbox with string", func(m map[string]any) {
			field(m, 1, 5)["showIf"] = map[string]any{"field": "hasPet", "equals": "yes"}
		}, `steps[1].fields[5] "petName": showIf.equals: checkbox "hasPet" has the value true or false, not yes`},
		{"showIf number with string", func(m map[string]any) {
			field(m, 1, 5)["showIf"] = map[string]any{"field": "age", "equals": "1"}
		}, `showIf.equals: number field "age" needs a number, not 1`},
		{"showIf two conditions", func(m map[string]any) {
			field(m, 1, 5)["showIf"] = map[string]any{"field": "hasPet", "equals": true, "notEmpty": true}
		}, `steps[1].fields[5] "petName": showIf needs exactly one of equals, in and notEmpty`},
		{"showIf no condition", func(m map[string]any) {
			field(m, 1, 5)["showIf"] = map[string]any{"field": "hasPet"}
		}, `showIf needs exactly one of equals, in and notEmpty`},
		{"showIf equals on a file", func(m map[string]any) {
			field(m, 2, 0)["showIf"] = map[string]any{"field": "doc", "equals": "x"}
		}, `steps[2].fields[0] "members": showIf on file field "doc" can only use notEmpty`},
		{"showIf field missing", func(m map[string]any) {
			field(m, 1, 5)["showIf"] = map[string]any{"equals": true}
		}, `steps[1].fields[5] "petName": showIf.field is missing`},
		{"showIf ambiguous in a group", func(m map[string]any) {
			field(m, 2, 0)["fields"].([]any)[2].(map[string]any)["showIf"] = map[string]any{"field": "hetu", "notEmpty": true}
		}, `"members".fields[2] "isStudent": showIf.field "hetu" is ambiguous`},
		{"showIf to own group", func(m map[string]any) {
			field(m, 2, 0)["fields"].([]any)[0].(map[string]any)["showIf"] = map[string]any{"field": "members", "notEmpty": true}
		}, `showIf.field "members" cannot be the field's own group`},
		{"pattern does not compile", func(m map[string]any) { field(m, 0, 1)["pattern"] = "([a-z" },
			`steps[0].fields[1] "code": pattern does not compile: error parsing regexp: missing closing ]`},
		{"pattern not portable", func(m map[string]any) { field(m, 0, 1)["pattern"] = "(?i)abc" },
			`steps[0].fields[1] "code": pattern is not portable to JavaScript: flags and named groups`},
		{"pattern without help", func(m map[string]any) { delete(field(m, 0, 1), "patternHelp") },
			`steps[0].fields[1] "code": patternHelp is missing`},
		{"pattern help language missing", func(m map[string]any) {
			delete(field(m, 0, 1)["patternHelp"].(map[string]any), "en")
		}, `steps[0].fields[1] "code": patternHelp.en is missing`},
		{"pattern help without pattern", func(m map[string]any) { delete(field(m, 0, 1), "pattern") },
			`steps[0].fields[1] "code": patternHelp without pattern`},
		{"subject without English", func(m map[string]any) {
			field(m, 0, 1)["subject"] = map[string]any{"fi": "koodi", "sv": "koden"}
		}, `steps[0].fields[1] "code": subject.en is missing`},
		{"subject on a checkbox", func(m map[string]any) {
			for _, st := range m["steps"].([]any) {
				for _, f := range st.(map[string]any)["fields"].([]any) {
					if f := f.(map[string]any); f["type"] == "checkbox" {
						f["subject"] = map[string]any{"fi": "a", "sv": "b", "en": "c"}
						return
					}
				}
			}
		}, `subject is only for a question answered with one value, not checkbox`},
		{"pattern on a number", func(m map[string]any) {
			field(m, 0, 3)["pattern"] = "1"
			field(m, 0, 3)["patternHelp"] = field(m, 0, 1)["patternHelp"]
		},
			`steps[0].fields[3] "age": pattern is only for text, textarea, email and phone, not number`},
		{"minLength over maxLength", func(m map[string]any) { field(m, 0, 0)["minLength"] = 11 },
			`steps[0].fields[0] "name": minLength 11 is greater than maxLength 10`},
		{"maxLength over the cap", func(m map[string]any) { field(m, 0, 0)["maxLength"] = 10001 },
			`maxLength 10001 is over the limit of 10000`},
		{"maxLength on a number", func(m map[string]any) { field(m, 0, 3)["maxLength"] = 3 },
			`steps[0].fields[3] "age": minLength and maxLength are only for text, textarea, email and phone, not number`},
		{"min on text", func(m map[string]any) { field(m, 0, 0)["min"] = 1 },
			`steps[0].fields[0] "name": min and max are only for number, money and checkboxes, not text`},
		{"min over max", func(m map[string]any) { field(m, 0, 3)["min"] = 200 },
			`steps[0].fields[3] "age": min 200 is greater than max 120`},
		{"money bound with cents fraction", func(m map[string]any) { field(m, 0, 4)["min"] = 0.001 },
			`steps[0].fields[4] "fee": min and max of money have at most 2 decimals`},
		{"checkboxes min not whole", func(m map[string]any) { field(m, 1, 2)["min"] = 1.5 },
			`steps[1].fields[2] "extras": min and max of checkboxes are whole numbers of choices`},
		{"checkboxes min over options", func(m map[string]any) { field(m, 1, 2)["min"] = 4; field(m, 1, 2)["max"] = 4 },
			`steps[1].fields[2] "extras": min 4 is more than the 3 options`},
		{"date bound malformed", func(m map[string]any) { field(m, 0, 6)["dateMin"] = "tomorrow" },
			`steps[0].fields[6] "start": dateMin: "tomorrow" is neither "today"`},
		{"date bound with bad period", func(m map[string]any) { field(m, 0, 6)["dateMin"] = "today+14D" },
			`steps[0].fields[6] "start": dateMin: "today+14D": "14D" is not an ISO-8601 period`},
		{"date bound not a real date", func(m map[string]any) { field(m, 0, 6)["dateMax"] = "2030-02-30" },
			`steps[0].fields[6] "start": dateMax: "2030-02-30" is neither`},
		{"date bounds crossed", func(m map[string]any) { field(m, 0, 6)["dateMin"] = "2031-01-01" },
			`steps[0].fields[6] "start": dateMin 2031-01-01 is after dateMax 2030-12-31`},
		{"relative date bounds crossed", func(m map[string]any) {
			field(m, 0, 6)["dateMin"] = "today+P1Y"
			field(m, 0, 6)["dateMax"] = "today+P6M"
		}, `dateMin today+P1Y is after dateMax today+P6M`},
		{"date bound on text", func(m map[string]any) { field(m, 0, 0)["dateMin"] = "today" },
			`steps[0].fields[0] "name": dateMin and dateMax are only for date, not text`},
		{"maxBytes on text", func(m map[string]any) { field(m, 0, 0)["maxBytes"] = 10 },
			`steps[0].fields[0] "name": maxBytes and accept are only for file, not text`},
		{"maxBytes too big", func(m map[string]any) { field(m, 1, 9)["maxBytes"] = 1 << 40 },
			`steps[1].fields[9] "doc": maxBytes must be between 1 and 20971520 (the server's largest file)`},
		{"maxBytes one byte over the server's largest file", func(m map[string]any) { field(m, 1, 9)["maxBytes"] = MaxFileBytes + 1 },
			`steps[1].fields[9] "doc": maxBytes must be between 1 and 20971520`},
		{"files of a step together too big", func(m map[string]any) {
			field(m, 2, 0)["fields"].([]any)[4].(map[string]any)["maxBytes"] = MaxFileBytes // 3 items of 20 MiB
		}, `steps[2] "c": the files of one step may together be at most 41943040 bytes, these allow 62914560`},
		{"accept unknown type", func(m map[string]any) { field(m, 1, 9)["accept"] = []any{"text/plain"} },
			`steps[1].fields[9] "doc": accept: "text/plain" is not one of application/pdf, image/jpeg, image/png`},
		{"accept twice", func(m map[string]any) { field(m, 1, 9)["accept"] = []any{"image/png", "image/png"} },
			`accept: "image/png" is listed twice`},
		{"group in group", func(m map[string]any) {
			g := field(m, 2, 0)
			g["fields"] = append(g["fields"].([]any), map[string]any{
				"id": "inner", "type": "group", "label": g["label"], "fields": []any{field(m, 0, 0)},
				"concept": "test.inner", "purpose": g["purpose"], "legalBasis": "x 1 §", "retention": "P1Y",
			})
		}, `steps[2].fields[0] "members".fields[6] "inner": a group cannot be inside another group`},
		{"group without fields", func(m map[string]any) { field(m, 2, 0)["fields"] = []any{} },
			`steps[2].fields[0] "members": fields is empty: a group needs at least one sub-field`},
		{"fields on a text field", func(m map[string]any) { field(m, 0, 0)["fields"] = field(m, 2, 0)["fields"] },
			`steps[0].fields[0] "name": fields are only for type group, not text`},
		{"minItems over maxItems", func(m map[string]any) { field(m, 2, 0)["minItems"] = 4 },
			`steps[2].fields[0] "members": minItems 4 is greater than maxItems 3`},
		{"maxItems over the cap", func(m map[string]any) { field(m, 2, 0)["maxItems"] = 51 },
			`maxItems 51 is over the limit of 50`},
		{"minItems on text", func(m map[string]any) { field(m, 0, 0)["minItems"] = 1 },
			`steps[0].fields[0] "name": minItems and maxItems are only for group, not text`},
		{"info with data keys", func(m map[string]any) { field(m, 1, 10)["concept"] = "test.note" },
			`steps[1].fields[10] "note": an info field holds no data`},
		{"info required", func(m map[string]any) { field(m, 1, 10)["required"] = true },
			`steps[1].fields[10] "note": an info field cannot be required`},
		{"locked without prefill", func(m map[string]any) { field(m, 0, 1)["locked"] = true },
			`steps[0].fields[1] "code": locked needs prefill`},
		{"prefill on a file", func(m map[string]any) { field(m, 1, 9)["prefill"] = true },
			`steps[1].fields[9] "doc": prefill and locked are not for file fields`},
		{"unknown autocomplete", func(m map[string]any) { field(m, 0, 0)["autocomplete"] = "first-name" },
			`steps[0].fields[0] "name": autocomplete "first-name" is not a known HTML autocomplete token`},
		{"autocomplete on a checkbox", func(m map[string]any) { field(m, 1, 3)["autocomplete"] = "on" },
			`steps[1].fields[3] "agree": autocomplete is not for checkbox fields`},
		{"step title language missing", func(m map[string]any) { delete(step(m, 1)["title"].(map[string]any), "sv") },
			`steps[1] "b": title.sv is missing`},
		{"step title missing", func(m map[string]any) { delete(step(m, 1), "title") },
			`steps[1] "b": title is missing`},
		{"duplicate step id", func(m map[string]any) { step(m, 1)["id"] = "a" },
			`steps[1] "a": duplicate step id "a"`},
		{"step id missing", func(m map[string]any) { delete(step(m, 1), "id") },
			`steps[1]: id is missing`},
		{"step without fields", func(m map[string]any) { step(m, 1)["fields"] = []any{} },
			`steps[1] "b": fields is empty`},
		{"service missing", func(m map[string]any) { delete(m, "service") }, `service is missing`},
		{"service malformed", func(m map[string]any) { m["service"] = "Early_Education" },
			`service "Early_Education" must be lowercase letters, digits and single hyphens`},
		{"version missing", func(m map[string]any) { delete(m, "version") }, `version must be 1 or more`},
		{"no steps", func(m map[string]any) { m["steps"] = []any{} }, `steps is empty`},
		{"unknown key", func(m map[string]any) { field(m, 0, 0)["colour"] = "red" },
			`json: unknown field "colour"`},
		{"wrongly typed key", func(m map[string]any) { field(m, 0, 0)["required"] = "yes" },
			`cannot unmarshal string into Go struct field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := generic(t)
			tc.mutate(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(b)
			if err == nil {
				t.Fatalf("Parse accepted it; want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n%v\ndoes not contain\n%s", err, tc.want)
			}
		})
	}
}

func TestParseCollectsEveryProblem(t *testing.T) {
	m := generic(t)
	delete(field(m, 0, 0), "legalBasis")
	delete(field(m, 2, 0)["fields"].([]any)[1].(map[string]any)["purpose"].(map[string]any), "sv")
	field(m, 1, 0)["type"] = "dropdown"
	b, _ := json.Marshal(m)
	_, err := Parse(b)
	var de *DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a *DefinitionError", err)
	}
	want := []string{
		`steps[0].fields[0] "name": legalBasis is missing`,
		`steps[1].fields[0] "color": unknown type "dropdown"`,
		`steps[1].fields[0] "color": options are only for select, radio and checkboxes, not dropdown`,
		`steps[2].fields[0] "members".fields[1] "hetu": purpose.sv is missing`,
	}
	if strings.Join(de.Problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(de.Problems, "\n"), strings.Join(want, "\n"))
	}
	if de.Service != "test-all" || !strings.HasPrefix(err.Error(), "form definition test-all: 4 problem(s):\n") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestParseRefusesTrailingData(t *testing.T) {
	b := append(readFile(t, "testdata/all-types.json"), []byte(` {}`)...)
	if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), "unexpected data after the definition") {
		t.Errorf("got %v", err)
	}
	if _, err := Parse([]byte(`[]`)); err == nil {
		t.Error("an array was accepted")
	}
	if _, err := Parse(nil); err == nil {
		t.Error("nothing was accepted")
	}
}

func TestJSIncompatible(t *testing.T) {
	for _, p := range []string{
		`[A-Z]{3}[0-9]{2}`, `([01]?[0-9]|2[0-3])[.:][0-5][0-9]`, `[a-z\-]+`, `\d{5}`, `\p{L}+`,
		`[^\s]+`, `a{2,}`, `(?:ab)+`, `[\]\[]`, `\.`, `\+358 ?\d+`, `[a-z]-[0-9]`,
	} {
		if problem := jsIncompatible(p); problem != "" {
			t.Errorf("%s refused: %s", p, problem)
		}
	}
	for _, tc := range []struct{ p, want string }{
		{`\pL`, `braces`},
		{`(?i)x`, `flags`},
		{`(?P<n>a)`, `named groups`},
		{`(?<n>a)`, `named groups`},
		{`[[:alpha:]]`, `POSIX`},
		{`\Aabc`, `Go-only`},
		{`abc\z`, `Go-only`},
		{`\Qa.b\E`, `Go-only`},
		{`\x{41}`, `\x{…} is Go-only`},
		{`a{`, `repetition`},
		{`a}`, `escape }`},
		{`[a-]`, `end of [...]`},
		{`[-a]`, `start of [...]`},
		{`[^-a]`, `start of [...]`},
		{`[a/b]`, `escape /`},
		{`[a|b]`, `escape |`},
		{`[(]`, `escape (`},
		{`\-`, `not valid in JavaScript`},
		{`\@`, `not valid in JavaScript`},
		{`[]a]`, `write ]`},
		{`[a&&b]`, `doubled &`},
		{`\1`, `back-reference`},
	} {
		if got := jsIncompatible(tc.p); !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q, want it to mention %q", tc.p, got, tc.want)
		}
	}
}

// TestDefinitionFiles parses every shipped definition, including those
// other people add.
func TestDefinitionFiles(t *testing.T) {
	files, err := filepath.Glob("definitions/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d definitions", len(files))
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			d, err := Parse(readFile(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSuffix(filepath.Base(name), ".json"); d.Service != want {
				t.Errorf("service %q in file %s", d.Service, name)
			}
			// An empty submission must report required fields, not panic.
			if _, errs := d.CheckSubmit(map[string]any{}, CheckOptions{}); len(errs) == 0 {
				t.Error("an empty submission passed")
			}
			for _, lang := range i18n.Languages {
				d.Summary(map[string]any{}, lang, nil, nil)
			}
		})
	}
}

func TestShippedDefinitions(t *testing.T) {
	d, err := Parse(readFile(t, "definitions/early-education.json"))
	if err != nil {
		t.Fatal(err)
	}
	for id, concept := range map[string]string{
		"childFirstName": "child.name.first", "childLastName": "child.name.last", "childHetu": "child.hetu",
	} {
		f, _, ok := d.Lookup(id)
		if !ok || f.Concept != concept || !f.Prefill || !f.Locked || !f.Required {
			t.Errorf("%s: %+v", id, f)
		}
	}
	if f, _, _ := d.Lookup("urgentProof"); f == nil || f.Type != TypeFile || f.ShowIf == nil || f.ShowIf.Field != "urgent" {
		t.Errorf("urgentProof: %+v", f)
	}
	if f, _, _ := d.Lookup("startDate"); f == nil || f.DateMin != "today+P14D" {
		t.Errorf("startDate: %+v", f)
	}
	if len(d.Steps) < 2 || len(d.Steps) > 4 {
		t.Errorf("%d steps", len(d.Steps))
	}

	s, err := Parse(readFile(t, "definitions/sports-shift.json"))
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, f := range s.DataFields() {
		types[f.Type] = true
	}
	for _, want := range []string{TypeSelect, TypeRadio, TypeNumber, TypeCheckbox, TypeTextarea, TypeFile} {
		if !types[want] {
			t.Errorf("sports-shift has no %s field", want)
		}
	}
	if len(s.Steps) < 2 || len(s.Steps) > 4 {
		t.Errorf("%d steps", len(s.Steps))
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("definitions/*.json")
	files = append(files, "testdata/all-types.json")
	for _, name := range files {
		f.Add(readFile(f, name))
	}
	f.Add([]byte(`{"service":"x","version":1,"steps":[{"id":"a","title":{"fi":"a","sv":"a","en":"a"},"fields":[{"id":"i","type":"info","label":{"fi":"a","sv":"a","en":"a"}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		// What was accepted survives a round trip and can be used.
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(b); err != nil {
			t.Fatalf("round trip refused: %v\n%s", err, b)
		}
		d.CheckDraft(map[string]any{})
		d.CheckSubmit(map[string]any{}, CheckOptions{})
		d.Summary(map[string]any{}, "fi", nil, nil)
		for _, f := range d.DataFields() {
			d.Lookup(f.ID)
		}
	})
}
