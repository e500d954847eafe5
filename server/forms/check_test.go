package forms

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"asiointi/server/datefmt"
)

// now is 20 March 2027 23:30 UTC, already 21 March (01:30) in Helsinki.
var now = time.Date(2027, 3, 20, 23, 30, 0, 0, time.UTC)

var attachments = map[string]Attachment{
	"att-pdf":     {ID: "att-pdf", Field: "doc", Name: "plan.pdf", MIME: "application/pdf", Size: 500},
	"att-big":     {ID: "att-big", Field: "doc", Name: "big.pdf", MIME: "application/pdf", Size: 1001},
	"att-png":     {ID: "att-png", Field: "doc", Name: "photo.png", MIME: "image/png", Size: 100},
	"att-other":   {ID: "att-other", Field: "other", Name: "x.pdf", MIME: "application/pdf", Size: 100},
	"att-cert":    {ID: "att-cert", Field: "members.0.cert", Name: "cert.jpg", MIME: "image/jpeg", Size: 2048},
	"att-cert2":   {ID: "att-cert2", Field: "members.cert", Name: "cert.png", MIME: "image/png", Size: 2048},
	"att-cert-p1": {ID: "att-cert-p1", Field: "members.1.cert", Name: "c.png", MIME: "image/png", Size: 1},
}

func findAttachment(id string) (Attachment, bool) {
	a, ok := attachments[id]
	return a, ok
}

var opts = CheckOptions{Now: now, Attachment: findAttachment}

// validData is the smallest submission of testdata/all-types.json that
// passes.
func validData() map[string]any {
	return map[string]any{
		"name":  "Aino",
		"agree": true,
		"members": []any{
			map[string]any{"firstName": "Eetu", "hetu": "210620A925C"},
		},
	}
}

type want struct {
	errs  string         // "field code, field code" in order; "" for none
	key   string         // a key of the cleaned data to check
	value any            // its expected value; absent when nil and absentKey
	gone  []string       // keys that must not be in the cleaned data
	param map[string]any // Params of the first error
}

func errString(errs []FieldError) string {
	var parts []string
	for _, e := range errs {
		parts = append(parts, e.Field+" "+e.Code)
	}
	return strings.Join(parts, ", ")
}

func TestCheckSubmit(t *testing.T) {
	d := loadAllTypes(t)
	set := func(kv ...any) func(map[string]any) {
		return func(m map[string]any) {
			for i := 0; i < len(kv); i += 2 {
				if kv[i+1] == nil {
					delete(m, kv[i].(string))
				} else {
					m[kv[i].(string)] = kv[i+1]
				}
			}
		}
	}
	member := func(kv ...any) map[string]any {
		m := map[string]any{"firstName": "Eetu", "hetu": "210620A925C"}
		set(kv...)(m)
		return m
	}
	for _, tc := range []struct {
		name string
		edit func(map[string]any)
		want want
	}{
		{"valid", set(), want{key: "name", value: "Aino"}},

		// text
		{"text trimmed and spaces collapsed", set("name", "  Aino \t Maria\n "), want{key: "name", value: "Aino Maria"}},
		{"text missing", set("name", nil), want{errs: "name " + ErrRequired}},
		{"text blank", set("name", "   "), want{errs: "name " + ErrRequired}},
		{"text null", func(m map[string]any) { m["name"] = nil }, want{errs: "name " + ErrRequired}},
		{"text too short", set("name", "A"), want{errs: "name " + ErrTooShort, param: map[string]any{"Count": 2}}},
		{"text too long", set("name", "Abcdefghijk"), want{errs: "name " + ErrTooLong, param: map[string]any{"Count": 10}}},
		{"text length in characters", set("name", "Äöåäöåäöåä"), want{key: "name", value: "Äöåäöåäöåä"}},
		{"text of wrong type", set("name", 5.0), want{errs: "name " + ErrInvalidValue}},
		{"text with control character", set("name", "Ai\x00no"), want{errs: "name " + ErrInvalidValue}},
		{"text over the hard cap", set("bio", strings.Repeat("a", 10001)), want{errs: "bio " + ErrInvalidValue}},
		{"pattern matches", set("code", "ABC12"), want{key: "code", value: "ABC12"}},
		{"pattern mismatch", set("code", "abc12"), want{errs: "code " + ErrPattern}},
		{"pattern matches the whole value", set("code", "ABC123"), want{errs: "code " + ErrPattern}},
		{"textarea keeps lines", set("bio", " line1\r\nline2\n"), want{key: "bio", value: "line1\nline2"}},
		{"textarea too long", set("bio", strings.Repeat("x", 21)), want{errs: "bio " + ErrTooLong}},
		{"optional text blank is not stored", set("bio", "  "), want{gone: []string{"bio"}}},

		// number
		{"number at min", set("age", 0.0), want{key: "age", value: 0.0}},
		{"number below min", set("age", -1.0), want{errs: "age " + ErrNumberTooSmall, param: map[string]any{"Min": 0.0}}},
		{"number above max", set("age", 121.0), want{errs: "age " + ErrNumberTooLarge, param: map[string]any{"Max": 120.0}}},
		{"number as string", set("age", "12"), want{errs: "age " + ErrInvalidValue}},
		{"number as json.Number", set("age", json.Number("42")), want{key: "age", value: 42.0}},
		{"number as int", set("age", 42), want{key: "age", value: 42.0}},

		// money
		{"money with comma", set("fee", "12,5"), want{key: "fee", value: "12.50"}},
		{"money with spaces and euro sign", set("fee", "1 000 €"), want{key: "fee", value: "1000.00"}},
		{"money canonical", set("fee", "999.99"), want{key: "fee", value: "999.99"}},
		{"money below min", set("fee", "4.99"), want{errs: "fee " + ErrMoneyTooSmall, param: map[string]any{"Min": amount(500)}}},
		{"money above max", set("fee", "1000.01"), want{errs: "fee " + ErrMoneyTooLarge, param: map[string]any{"Max": amount(100000)}}},
		{"money with 3 decimals", set("fee", "12.345"), want{errs: "fee " + ErrMoney}},
		{"money not a number", set("fee", "abc"), want{errs: "fee " + ErrMoney}},
		{"money as a number", set("fee", 12.0), want{errs: "fee " + ErrInvalidValue}},
		{"money negative without negative min", set("fee", "-5"), want{errs: "fee " + ErrMoneyTooSmall}},
		{"money negative allowed by min", set("refund", "-20"), want{key: "refund", value: "-20.00"}},
		{"money below negative min", set("refund", "-50.01"), want{errs: "refund " + ErrMoneyTooSmall, param: map[string]any{"Min": amount(-5000)}}},
		{"money without min is non-negative", set("refund", "0"), want{key: "refund", value: "0.00"}},

		// date (today is 21.3.2027 in datefmt.Helsinki())
		{"date on dateMin", set("start", "2027-04-04"), want{key: "start", value: "2027-04-04"}},
		{"date before dateMin", set("start", "2027-04-03"), want{errs: "start " + ErrDateTooEarly,
			param: map[string]any{"Date": civilDate(time.Date(2027, 4, 4, 0, 0, 0, 0, datefmt.Helsinki()))}}},
		{"date after fixed dateMax", set("start", "2031-01-01"), want{errs: "start " + ErrDateTooLate}},
		{"date on fixed dateMax", set("start", "2030-12-31"), want{key: "start", value: "2030-12-31"}},
		{"date not real", set("start", "2027-02-30"), want{errs: "start " + ErrDate}},
		{"date in Finnish form", set("start", "4.4.2027"), want{errs: "start " + ErrDate}},
		{"adult born exactly 18 years ago", set("born", "2009-03-21"), want{key: "born", value: "2009-03-21"}},
		{"born a day too late", set("born", "2009-03-22"), want{errs: "born " + ErrDateTooLate}},

		// email and phone
		{"email", set("email", " aino@example.fi "), want{key: "email", value: "aino@example.fi"}},
		{"email without dot in domain", set("email", "aino@example"), want{errs: "email " + ErrEmail}},
		{"email with space", set("email", "aino virtanen@example.fi"), want{errs: "email " + ErrEmail}},
		{"email with two @", set("email", "a@b@example.fi"), want{errs: "email " + ErrEmail}},
		{"email with numeric tld", set("email", "a@example.123"), want{errs: "email " + ErrEmail}},
		{"phone Finnish", set("phone", "040 123 4567"), want{key: "phone", value: "040 123 4567"}},
		{"phone international", set("phone", "+358 40 123 4567"), want{key: "phone", value: "+358 40 123 4567"}},
		{"phone with hyphen", set("phone", "09-310 1691"), want{key: "phone", value: "09-310 1691"}},
		{"phone too short", set("phone", "123 45"), want{errs: "phone " + ErrPhone}},
		{"phone too long", set("phone", "+358 40 123 4567 8901"), want{errs: "phone " + ErrPhone}},
		{"phone with letters", set("phone", "040 123 4567 ext 5"), want{errs: "phone " + ErrPhone}},
		{"phone with + in the middle", set("phone", "040+1234567"), want{errs: "phone " + ErrPhone}},

		// Finnish codes
		{"hetu upper-cased", set("hetu", " 140386-902r "), want{key: "hetu", value: "140386-902R"}},
		{"hetu bad checksum", set("hetu", "140386-902X"), want{errs: "hetu " + ErrHetu}},
		{"business id", set("ytunnus", "2345678-0"), want{key: "ytunnus", value: "2345678-0"}},
		{"business id bad checksum", set("ytunnus", "2345678-1"), want{errs: "ytunnus " + ErrBusinessID}},
		{"iban normalised", set("iban", "fi21 1234 5600 0007 85"), want{key: "iban", value: "FI2112345600000785"}},
		{"iban bad checksum", set("iban", "FI21 1234 5600 0007 86"), want{errs: "iban " + ErrIBAN}},
		{"postal code", set("zip", " 00100 "), want{key: "zip", value: "00100"}},
		{"postal code too short", set("zip", "0010"), want{errs: "zip " + ErrPostalCode}},
		{"postal code as number", set("zip", 100.0), want{errs: "zip " + ErrInvalidValue}},

		// choices
		{"select", set("color", "red"), want{key: "color", value: "red"}},
		{"select not an option", set("color", "blue"), want{errs: "color " + ErrOption}},
		{"radio of wrong type", set("size", 1.0), want{errs: "size " + ErrInvalidValue}},
		{"checkboxes deduplicated in option order", set("extras", []any{"x", "x"}), want{key: "extras", value: []any{"x"}}},
		{"checkboxes as []string", set("extras", []string{"x"}), want{key: "extras", value: []any{"x"}}},
		{"checkboxes too many", set("extras", []any{"x", "y", "z"}), want{errs: "extras " + ErrTooManyChoices, param: map[string]any{"Max": 2}}},
		{"checkboxes not an option", set("extras", []any{"w"}), want{errs: "extras " + ErrOption}},
		{"checkboxes not a list", set("extras", "x"), want{errs: "extras " + ErrInvalidValue}},
		{"checkboxes empty and optional", set("extras", []any{}), want{gone: []string{"extras"}}},
		{"checkbox required but unticked", set("agree", false), want{errs: "agree " + ErrRequiredCheckbox}},
		{"checkbox required but missing", set("agree", nil), want{errs: "agree " + ErrRequiredCheckbox}},
		{"checkbox of wrong type", set("agree", "yes"), want{errs: "agree " + ErrInvalidValue}},
		{"optional checkbox false is kept", set("hasPet", false), want{key: "hasPet", value: false}},

		// showIf
		{"hidden required fields are not required", set("hasPet", false), want{}},
		{"hidden fields are not stored", set("hasPet", false, "petName", "Rex", "petKind", "dog"),
			want{gone: []string{"petName", "petKind"}}},
		{"shown fields become required", set("hasPet", true), want{errs: "petName " + ErrRequired + ", petKind " + ErrRequiredChoice}},
		{"chained condition", set("hasPet", true, "petName", "Rex", "petKind", "dog"), want{errs: "petVet " + ErrRequired}},
		{"chained condition hidden by its parent", set("petKind", "dog"), want{gone: []string{"petKind", "petVet"}}},
		{"chain complete", set("hasPet", true, "petName", "Rex", "petKind", "dog", "petVet", "Dr Vet"), want{key: "petVet", value: "Dr Vet"}},
		{"in condition on checkboxes", set("extras", []any{"x", "z"}), want{errs: "extraNote " + ErrRequired}},
		{"in condition not met", set("extras", []any{"x"}, "extraNote", "n"), want{gone: []string{"extraNote"}}},

		// files
		{"file", set("doc", "att-pdf"), want{key: "doc", value: "att-pdf"}},
		{"file too large", set("doc", "att-big"), want{errs: "doc " + ErrFileTooLarge, param: map[string]any{"Max": byteSize(1000)}}},
		{"file of a type not accepted", set("doc", "att-png"), want{errs: "doc " + ErrFileType, param: map[string]any{"Types": mimeTypes{"application/pdf"}}}},
		{"file of another field", set("doc", "att-other"), want{errs: "doc " + ErrFileMissing}},
		{"file unknown", set("doc", "nope"), want{errs: "doc " + ErrFileMissing}},

		// groups
		{"group empty but required", set("members", []any{}), want{errs: "members " + ErrTooFewItems, param: map[string]any{"Min": 1}}},
		{"group missing but required", set("members", nil), want{errs: "members " + ErrTooFewItems}},
		{"group too many items", set("members", []any{member(), member(), member(), member()}),
			want{errs: "members " + ErrTooManyItems, param: map[string]any{"Max": 3}}},
		{"group not a list", set("members", "x"), want{errs: "members " + ErrInvalidValue}},
		{"group item not an object", set("members", []any{member(), "x"}), want{errs: "members.1 " + ErrInvalidValue}},
		{"group sub-field errors by index", set("members", []any{member(), member("hetu", nil, "firstName", " ")}),
			want{errs: "members.1.firstName " + ErrRequired + ", members.1.hetu " + ErrRequired}},
		{"group sub-field checks", set("members", []any{member("hetu", "210620A925X")}), want{errs: "members.0.hetu " + ErrHetu}},
		{"group showIf inside the item", set("members", []any{member("isStudent", true)}), want{errs: "members.0.school " + ErrRequired}},
		{"group showIf hidden inside the item", set("members", []any{member("school", "Koulu")}),
			want{key: "members", value: []any{map[string]any{"firstName": "Eetu", "hetu": "210620A925C"}}}},
		{"group showIf on a top-level field", set("hasPet", true, "petName", "Rex", "petKind", "cat", "members", []any{member("pet", "Rex")}),
			want{key: "members", value: []any{map[string]any{"firstName": "Eetu", "hetu": "210620A925C", "pet": "Rex"}}}},
		{"group showIf on a hidden top-level field", set("members", []any{member("pet", "Rex")}),
			want{key: "members", value: []any{map[string]any{"firstName": "Eetu", "hetu": "210620A925C"}}}},
		{"group cleaned", set("members", []any{member("firstName", " Eetu ", "hetu", "210620a925c", "extra", 1.0)}),
			want{key: "members", value: []any{map[string]any{"firstName": "Eetu", "hetu": "210620A925C"}}}},
		{"group file by indexed path", set("members", []any{member("cert", "att-cert")}),
			want{key: "members", value: []any{map[string]any{"firstName": "Eetu", "hetu": "210620A925C", "cert": "att-cert"}}}},
		{"group file by path without index", set("members", []any{member("cert", "att-cert2")}),
			want{key: "members", value: []any{map[string]any{"firstName": "Eetu", "hetu": "210620A925C", "cert": "att-cert2"}}}},
		{"group file of another item", set("members", []any{member("cert", "att-cert-p1")}), want{errs: "members.0.cert " + ErrFileMissing}},
		{"group as []map", set("members", []map[string]any{member()}), want{key: "members", value: []any{map[string]any{"firstName": "Eetu", "hetu": "210620A925C"}}}},

		// unknown and info
		{"unknown ids and info values dropped", set("zzz", "x", "note", "x"), want{gone: []string{"zzz", "note"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := validData()
			tc.edit(data)
			out, errs := d.CheckSubmit(data, opts)
			if got := errString(errs); got != tc.want.errs {
				t.Fatalf("errors: got %q, want %q", got, tc.want.errs)
			}
			if tc.want.param != nil && !reflect.DeepEqual(errs[0].Params, tc.want.param) {
				t.Errorf("params: got %#v, want %#v", errs[0].Params, tc.want.param)
			}
			if tc.want.key != "" && !reflect.DeepEqual(out[tc.want.key], tc.want.value) {
				t.Errorf("%s: got %#v, want %#v", tc.want.key, out[tc.want.key], tc.want.value)
			}
			for _, k := range tc.want.gone {
				if v, ok := out[k]; ok {
					t.Errorf("%s was stored: %#v", k, v)
				}
			}
		})
	}
}

func TestCheckSubmitWithoutAttachments(t *testing.T) {
	d := loadAllTypes(t)
	data := validData()
	data["doc"] = "att-pdf"
	_, errs := d.CheckSubmit(data, CheckOptions{Now: now})
	if got := errString(errs); got != "doc "+ErrFileMissing {
		t.Errorf("got %q", got)
	}
}

func TestCheckSubmitErrorOrder(t *testing.T) {
	d := loadAllTypes(t)
	data := map[string]any{
		"members": []any{map[string]any{"hetu": "x"}},
		"zip":     "1",
		"color":   "blue",
		"code":    "x",
	}
	_, errs := d.CheckSubmit(data, opts)
	want := strings.Join([]string{
		"name " + ErrRequired, "code " + ErrPattern, "zip " + ErrPostalCode, "color " + ErrOption,
		"agree " + ErrRequiredCheckbox, "members.0.firstName " + ErrRequired, "members.0.hetu " + ErrHetu,
	}, ", ")
	if got := errString(errs); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	steps := d.StepErrors(append(errs, FieldError{Field: "members.3", Code: ErrInvalidValue}, FieldError{Field: "ghost", Code: ErrRequired}))
	counts := fmt.Sprint(len(steps[0]), len(steps[1]), len(steps[2]), len(steps))
	if counts != "3 2 3 3" {
		t.Errorf("StepErrors counts (step0 step1 step2 steps) = %s", counts)
	}
}

func TestCheckSubmitDefaultsNow(t *testing.T) {
	d := loadAllTypes(t)
	data := validData()
	data["start"] = time.Now().In(datefmt.Helsinki()).AddDate(0, 0, 20).Format(time.DateOnly)
	if _, errs := d.CheckSubmit(data, CheckOptions{}); len(errs) > 0 {
		t.Errorf("got %v", errs)
	}
	data["start"] = time.Now().In(datefmt.Helsinki()).Format(time.DateOnly)
	if _, errs := d.CheckSubmit(data, CheckOptions{}); errString(errs) != "start "+ErrDateTooEarly {
		t.Errorf("got %v", errs)
	}
}

func TestCheckSubmitDoesNotTouchInput(t *testing.T) {
	d := loadAllTypes(t)
	data := validData()
	data["name"] = "  Aino "
	data["members"] = []any{map[string]any{"firstName": " Eetu", "hetu": "210620a925c"}}
	before, _ := json.Marshal(data)
	d.CheckSubmit(data, opts)
	after, _ := json.Marshal(data)
	if string(before) != string(after) {
		t.Errorf("input changed:\n%s\n%s", before, after)
	}
}

func TestCheckDraft(t *testing.T) {
	d := loadAllTypes(t)
	for _, tc := range []struct {
		name string
		data map[string]any
		errs string
		out  string // JSON of the cleaned draft
	}{
		{"empty draft is fine", map[string]any{}, "", `{}`},
		{"nothing required", map[string]any{"name": "", "agree": false, "members": []any{}},
			"", `{"agree":false,"members":[],"name":""}`},
		{"unknown ids and info dropped", map[string]any{"zzz": 1, "note": "x", "name": "A"}, "", `{"name":"A"}`},
		{"hidden values kept", map[string]any{"hasPet": false, "petName": "Rex", "petKind": "dog"},
			"", `{"hasPet":false,"petKind":"dog","petName":"Rex"}`},
		{"no constraints but shape", map[string]any{"name": "A", "zip": "1", "color": "blue", "start": "2027-13", "age": 500.0, "fee": "x"},
			"", `{"age":500,"color":"blue","fee":"x","name":"A","start":"2027-13","zip":"1"}`},
		{"nulls dropped", map[string]any{"name": nil, "age": nil}, "", `{}`},
		{"wrong shapes dropped and reported", map[string]any{"name": 1.0, "age": "12", "agree": "yes", "extras": "x", "fee": 1.0},
			"name " + ErrInvalidValue + ", age " + ErrInvalidValue + ", fee " + ErrInvalidValue + ", extras " + ErrInvalidValue + ", agree " + ErrInvalidValue, `{}`},
		{"string cap", map[string]any{"bio": strings.Repeat("a", 10001), "name": strings.Repeat("a", 10000)},
			"bio " + ErrTooLong, `{"name":"` + strings.Repeat("a", 10000) + `"}`},
		{"checkboxes capped at the number of options", map[string]any{"extras": []any{"x", "y", "z", "x"}}, "extras " + ErrInvalidValue, `{}`},
		{"checkboxes kept without membership check", map[string]any{"extras": []any{"x", "w", "x"}}, "", `{"extras":["x","w","x"]}`},
		{"checkbox list of numbers", map[string]any{"extras": []any{1.0}}, "extras " + ErrInvalidValue, `{}`},
		{"group capped at maxItems", map[string]any{"members": []any{map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}}},
			"members " + ErrTooManyItems, `{}`},
		{"group items cleaned", map[string]any{"members": []any{map[string]any{"firstName": "E", "x": 1, "isStudent": "yes"}, "bad"}},
			"members.0.isStudent " + ErrInvalidValue + ", members.1 " + ErrInvalidValue, `{"members":[{"firstName":"E"},{}]}`},
		{"group not a list", map[string]any{"members": map[string]any{}}, "members " + ErrInvalidValue, `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs := d.CheckDraft(tc.data)
			if got := errString(errs); got != tc.errs {
				t.Errorf("errors: got %q, want %q", got, tc.errs)
			}
			b, _ := json.Marshal(out)
			if string(b) != tc.out {
				t.Errorf("out: got %s, want %s", b, tc.out)
			}
		})
	}
}

func TestCheckDraftGroupLimitDefault(t *testing.T) {
	m := generic(t)
	delete(field(m, 2, 0), "maxItems")
	// 50 items of the default 10 MiB file would be more than one step's
	// files may hold together.
	field(m, 2, 0)["fields"].([]any)[4].(map[string]any)["maxBytes"] = 1000
	b, _ := json.Marshal(m)
	d, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	items := make([]any, 51)
	for i := range items {
		items[i] = map[string]any{}
	}
	if _, errs := d.CheckDraft(map[string]any{"members": items}); errString(errs) != "members "+ErrTooManyItems {
		t.Errorf("51 items: %v", errs)
	}
	if _, errs := d.CheckDraft(map[string]any{"members": items[:50]}); len(errs) != 0 {
		t.Errorf("50 items: %v", errs)
	}
}

func TestVisible(t *testing.T) {
	d := loadAllTypes(t)
	petName, _, _ := d.Lookup("petName")
	extraNote, _, _ := d.Lookup("extraNote")
	pet, _, _ := d.Lookup("members.pet")
	name, _, _ := d.Lookup("name")
	for _, tc := range []struct {
		f     *Field
		scope map[string]any
		top   map[string]any
		want  bool
	}{
		{name, nil, nil, true},
		{petName, map[string]any{"hasPet": true}, nil, true},
		{petName, map[string]any{"hasPet": false}, nil, false},
		{petName, map[string]any{}, nil, false},
		{petName, map[string]any{"hasPet": "true"}, nil, false},
		{extraNote, map[string]any{"extras": []any{"z"}}, nil, true},
		{extraNote, map[string]any{"extras": []string{"x", "y"}}, nil, true},
		{extraNote, map[string]any{"extras": []any{"x"}}, nil, false},
		{pet, map[string]any{}, map[string]any{"hasPet": true}, true},
		{pet, map[string]any{}, map[string]any{"hasPet": false}, false},
		{pet, map[string]any{}, map[string]any{}, false},
	} {
		if got := Visible(tc.f, tc.scope, tc.top); got != tc.want {
			t.Errorf("Visible(%s, %v, %v) = %v", tc.f.ID, tc.scope, tc.top, got)
		}
	}
	for _, tc := range []struct {
		c    Condition
		v    any
		want bool
	}{
		{Condition{Equals: 3.0}, 3.0, true},
		{Condition{Equals: 3.0}, json.Number("3"), true},
		{Condition{Equals: 3.0}, 4.0, false},
		{Condition{Equals: "a"}, "a", true},
		{Condition{Equals: "a"}, nil, false},
		{Condition{In: []any{"a", "b"}}, "b", true},
		{Condition{In: []any{"a", "b"}}, "c", false},
		{Condition{NotEmpty: true}, " ", false},
		{Condition{NotEmpty: true}, "x", true},
		{Condition{NotEmpty: true}, []any{}, false},
		{Condition{NotEmpty: true}, []any{map[string]any{}}, true},
		{Condition{NotEmpty: true}, 0.0, true},
		{Condition{NotEmpty: true}, false, false},
	} {
		if got := tc.c.Matches(tc.v); got != tc.want {
			t.Errorf("%+v.Matches(%#v) = %v", tc.c, tc.v, got)
		}
	}
}

// TestCheckDraftKeepsValues: the cleaned answers hold the values given
// (a string, a float64) rather than copies of them, so a check allocates
// the same whatever the number of answers (an autosave checks the whole
// form: 200 text answers were 200 allocations more than 10).
func TestCheckDraftKeepsValues(t *testing.T) {
	allocs := map[int]float64{}
	for _, n := range []int{10, 200} {
		d := &Definition{Steps: []Step{{ID: "s"}}}
		data := map[string]any{}
		for i := range n {
			id := fmt.Sprint("f", i)
			typ := TypeText
			var v any = fmt.Sprint("answer ", i)
			switch i % 3 {
			case 1:
				typ, v = TypeNumber, float64(i)
			case 2:
				typ, v = TypeCheckboxes, []any{"a", "b"}
				d.Steps[0].Fields = append(d.Steps[0].Fields, Field{ID: id, Type: typ, Options: []Option{{Value: "a"}, {Value: "b"}}})
				data[id] = v
				continue
			}
			d.Steps[0].Fields = append(d.Steps[0].Fields, Field{ID: id, Type: typ})
			data[id] = v
		}
		out, errs := d.CheckDraft(data)
		if len(errs) != 0 || !reflect.DeepEqual(out, data) {
			t.Fatalf("%d answers: %v, out differs: %v", n, errs, out)
		}
		allocs[n] = testing.AllocsPerRun(10, func() { d.CheckDraft(data) })
	}
	// What grows is the output map and each checkboxes answer's list (its
	// backing array and the slice in an any: two allocations).
	if grown, lists := allocs[200]-allocs[10], 2*float64(200/3-10/3); grown > lists+8 {
		t.Errorf("a check allocates %.0f times for 10 answers, %.0f for 200: the values are copied", allocs[10], allocs[200])
	}
}

// TestCheckSubmitKeepsValues: as TestCheckDraftKeepsValues for a submit:
// an answer that is clean already (a string its cleaning leaves as it is,
// a float64) goes into the cleaned answers as the value given, not a copy
// (a submit checks every answer), and one its cleaning changes goes in
// cleaned.
func TestCheckSubmitKeepsValues(t *testing.T) {
	fieldOf := func(i int) (Field, any, any) { // the field, an answer, the answer cleaned
		id := fmt.Sprint("f", i)
		switch i % 5 {
		case 1:
			return Field{ID: id, Type: TypeNumber}, float64(i) + 0.5, float64(i) + 0.5
		case 2:
			return Field{ID: id, Type: TypeSelect, Options: []Option{{Value: "a"}, {Value: "b"}}}, "b", "b"
		case 3:
			return Field{ID: id, Type: TypeHetu}, "210620A925C", "210620A925C"
		case 4:
			return Field{ID: id, Type: TypeTextarea}, fmt.Sprint("rivi\nrivi ", i), fmt.Sprint("rivi\nrivi ", i)
		}
		return Field{ID: id, Type: TypeText}, fmt.Sprint("answer ", i), fmt.Sprint("answer ", i)
	}
	allocs := map[int]float64{}
	for _, n := range []int{10, 200} {
		d := &Definition{Steps: []Step{{ID: "s"}}}
		data, want := map[string]any{}, map[string]any{}
		for i := range n {
			f, v, clean := fieldOf(i)
			d.Steps[0].Fields = append(d.Steps[0].Fields, f)
			data[f.ID], want[f.ID] = v, clean
		}
		out, errs := d.CheckSubmit(data, opts)
		if len(errs) != 0 || !reflect.DeepEqual(out, want) {
			t.Fatalf("%d answers: %v, out differs: %v", n, errs, out)
		}
		allocs[n] = testing.AllocsPerRun(10, func() { d.CheckSubmit(data, opts) })
	}
	// What grows is the output map.
	if grown := allocs[200] - allocs[10]; grown > 8 {
		t.Errorf("a check allocates %.0f times for 10 answers, %.0f for 200: the values are copied", allocs[10], allocs[200])
	}
	// Answers the cleaning changes.
	d := &Definition{Steps: []Step{{ID: "s", Fields: []Field{
		{ID: "text", Type: TypeText}, {ID: "hetu", Type: TypeHetu}, {ID: "n", Type: TypeNumber},
		{ID: "sel", Type: TypeSelect, Options: []Option{{Value: "a"}}}, {ID: "neg", Type: TypeNumber},
	}}}}
	out, errs := d.CheckSubmit(map[string]any{"text": "  Aino  ", "hetu": " 210620a925c ", "n": 3, "sel": "a\u200b", "neg": math.Copysign(0, -1)}, opts)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	for k, v := range map[string]any{"text": "Aino", "hetu": "210620A925C", "n": 3.0, "sel": "a"} {
		if out[k] != v {
			t.Errorf("%s: %#v, want %#v", k, out[k], v)
		}
	}
	if neg, ok := out["neg"].(float64); !ok || neg != 0 || !math.Signbit(neg) {
		t.Errorf("neg: %#v, want -0", out["neg"])
	}
}
