package cases

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestDecodeAnswersAsEncodingJSON: the stored answers decode as
// encoding/json (which read them before) decoded them, for what saves
// write and for what an older version may have left.
func TestDecodeAnswersAsEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, `null`,
		`{"contactEmail":"aino@example.fi","participants":12,"equipmentNeeded":true,"startDate":null}`,
		`{"budget":[{"item":"Salivuokra","amount":1200.5},{"item":"Pallot","amount":1e2}],"count":-0.25}`,
		`{"notes":"rivi\nrivi \"lainaus\" \\ \u00e4\u20ac \ud83d\ude00 <b>&</b>","x":["a",1,false,null,{"y":"z"}]}`,
		`{"a":"1","a":"2"}`,
		"{\"bad\":\"\xff\xfe utf-8\"}",
		`{"big":12345678901234567890,"small":1e-300}`,
	} {
		var want, got map[string]any
		werr := json.Unmarshal([]byte(in), &want)
		gerr := decodeAnswers([]byte(in), &got)
		if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %#v (%v)\nwant %#v (%v)", in, got, gerr, want, werr)
		}
	}
}
