package render

import (
	"html/template"
	"strings"
	"testing"
)

// TestHTMLEscapesAsTemplates compares HTML's escaping with html/template's
// in each context it offers, on text with every character either escapes.
func TestHTMLEscapesAsTemplates(t *testing.T) {
	inputs := []string{"", "plain", `a"b'c&d<e>f+g`, "nul\x00x", "ääkköset ja €", "bad \xff\xfe utf-8",
		"/fi/palvelut?q=a b&c=d#x", "javascript:alert(1)", "JavaScript:x", "HTTPS://example.fi/a", "mailto:a@b.fi",
		"tel:+358 40 1", "/a:b", "%41%zz%4", "100%", "()[]{}|\\^`!*$,;=@~", "\t\n\r ", "+358 40 123 4567"}
	cases := []struct {
		name, tmpl string
		write      func(*HTML, string)
	}{
		{"text", `<p>{{.}}</p>`, func(h *HTML, s string) { h.Raw("<p>"); h.Text(s); h.Raw("</p>") }},
		{"attribute", `<p title="{{.}}">`, func(h *HTML, s string) { h.Raw(`<p title="`); h.Text(s); h.Raw(`">`) }},
		{"data attribute", `<p data-rules="{{.}}">`, func(h *HTML, s string) { h.Raw(`<p data-rules="`); h.Text(s); h.Raw(`">`) }},
		{"rcdata", `<textarea>{{.}}</textarea>`, func(h *HTML, s string) { h.Raw("<textarea>"); h.Text(s); h.Raw("</textarea>") }},
		{"url", `<a href="{{.}}">`, func(h *HTML, s string) { h.Raw(`<a href="`); h.URL(s); h.Raw(`">`) }},
		{"url part", `<a href="tel:{{.}}">`, func(h *HTML, s string) { h.Raw(`<a href="tel:`); h.URLPart(s); h.Raw(`">`) }},
		{"url fragment", `<a href="#{{.}}">`, func(h *HTML, s string) { h.Raw(`<a href="#`); h.URLEscaped(s); h.Raw(`">`) }},
		{"url query", `<a href="/a?q={{.}}">`, func(h *HTML, s string) { h.Raw(`<a href="/a?q=`); h.URLEscaped(s); h.Raw(`">`) }},
	}
	for _, c := range cases {
		tp := template.Must(template.New("").Parse(c.tmpl))
		for _, in := range inputs {
			var want strings.Builder
			if err := tp.Execute(&want, in); err != nil {
				t.Fatal(err)
			}
			var h HTML
			c.write(&h, in)
			if h.String() != want.String() {
				t.Errorf("%s %q:\n got %q\nwant %q", c.name, in, h.String(), want.String())
			}
		}
	}
	var h HTML
	h.Int(-42)
	if h.String() != "-42" {
		t.Errorf("Int: %q", h.String())
	}
}
