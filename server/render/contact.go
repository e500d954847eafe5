package render

import (
	"html/template"
	"regexp"
	"strings"
)

// contactRe finds e-mail addresses and Finnish phone numbers in running
// text: "09 123 4030", "040 123 4567", "+358 9 123 4000", "(09) …" is not
// one. A number needs at least 7 digits, so a year, a price or a postal
// code is left alone.
var contactRe = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}` +
	`|(?:\+358[ -]?|\b0)\d{1,3}(?:[ -]?\d{2,4}){1,3}\b`)

// ContactLinks escapes text for HTML and makes each e-mail address a
// mailto: link and each phone number a tel: link (tel: with the digits
// only, the text as written), so a phone calls and a computer mails with
// one tap.
func ContactLinks(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range contactRe.FindAllStringIndex(text, -1) {
		s := text[m[0]:m[1]]
		href := ""
		if strings.Contains(s, "@") {
			href = "mailto:" + s
		} else if digits := phoneDigits(s); len(strings.TrimPrefix(digits, "+")) >= 7 {
			href = "tel:" + digits
		}
		if href == "" {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		b.WriteString(`<a href="` + template.HTMLEscapeString(href) + `">` + template.HTMLEscapeString(s) + `</a>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}

func phoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r == '+' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
