package render

import (
	"html/template"
	"strconv"
	"strings"
)

// HTML builds markup in Go for the hot parts of pages (a form's fields,
// rendered hundreds of times a page), where executing a template costs a
// reflective call per value. Its escaping is html/template's for the
// contexts it offers, byte for byte (html_test.go compares them), so a
// part moved from a template into Go renders the same.
type HTML struct{ b []byte }

// Raw appends markup as it is: only constant markup of the caller.
func (h *HTML) Raw(s string) { h.b = append(h.b, s...) }

// Text appends s escaped as html/template escapes a string in text, in a
// quoted attribute value or in RCDATA (<title>, <textarea>).
func (h *HTML) Text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		h.b = append(h.b, s[last:i]...)
		h.b = append(h.b, r...)
		last = i + 1
	}
	h.b = append(h.b, s[last:]...)
}

// Int appends a number as a template prints it.
func (h *HTML) Int(n int) { h.b = strconv.AppendInt(h.b, int64(n), 10) }

// URL appends s as the whole value of a quoted URL attribute (href, src,
// action): a URL with a scheme other than http, https or mailto becomes
// "#ZgotmplZ", the rest is normalised and escaped.
func (h *HTML) URL(s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		s = "#ZgotmplZ"
	}
	h.URLPart(s)
}

// URLPart appends s as a part of a URL attribute's value after a constant
// start (href="tel:…"), before any "?": normalised and escaped.
func (h *HTML) URLPart(s string) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			h.b = append(h.b, c)
			continue
		case strings.IndexByte("!#$*,/:;=?@[]-._~", c) >= 0:
			h.b = append(h.b, c)
			continue
		case c == '&':
			h.b = append(h.b, "&amp;"...)
			continue
		case c == '+':
			h.b = append(h.b, "&#43;"...)
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			h.b = append(h.b, c)
			continue
		}
		h.b = append(h.b, '%', hex[c>>4], hex[c&15])
	}
}

// URLEscaped appends s as a part of a URL attribute's value after a "?"
// or "#" (href="#{{.}}"): every byte but letters, digits and "-._~"
// percent-encoded, as html/template escapes a query or fragment.
func (h *HTML) URLEscaped(s string) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			h.b = append(h.b, c)
			continue
		}
		h.b = append(h.b, '%', hex[c>>4], hex[c&15])
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Bytes is the markup written; it stays valid until the next write or Reset.
func (h *HTML) Bytes() []byte { return h.b }

// Reset empties h and keeps its room, to write another page.
func (h *HTML) Reset() { h.b = h.b[:0] }

// String is the markup written.
func (h *HTML) String() string { return string(h.b) }

// HTML is the markup written, for a template to include as it is.
func (h *HTML) HTML() template.HTML { return template.HTML(h.b) }

// Grow makes room for n more bytes.
func (h *HTML) Grow(n int) {
	if cap(h.b)-len(h.b) < n {
		b := make([]byte, len(h.b), 2*cap(h.b)+n)
		copy(b, h.b)
		h.b = b
	}
}
