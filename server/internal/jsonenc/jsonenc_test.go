package jsonenc

import (
	"encoding/json"
	"testing"
)

// TestAppendStringAsEncodingJSON: AppendString writes what json.Marshal
// writes for a string, escapes and invalid UTF-8 included, after what the
// buffer held.
func TestAppendStringAsEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"",
		"plain",
		`"quoted" \ back\slash`,
		"<script>&amp;</script>",
		"\b\f\n\r\t\x00\x01\x1f\x7f",
		"ääkköset € 😀",
		"line\u2028para\u2029end",
		"bad \xff utf-8 \xe2\x82",
		"'single' +plus",
	} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("%q: got %s, want %s", s, got[1:], want)
		}
	}
}
