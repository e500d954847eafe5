package i18n

import (
	"slices"
	"sort"
	"strings"
)

// Text is a piece of content in the platform's Languages, keyed by language
// code: a service's name, a form field's label, the municipality's address.
// Every multilingual value of the catalogue, the form definitions and the
// population register is a Text, and every one is read with In.
//
// Fallback policy. Content that ships (the catalogue, form definitions) is
// checked with Check when it loads and must carry a non-blank text in every
// language, so for it In never falls back. Where a value has fewer
// languages on purpose — a street or city has its official Finnish and
// Swedish names only — or a text is missing, In falls back in this order:
//
//	fi: fi, sv, en
//	sv: sv, en        (never Finnish: Swedish speakers never meet Finnish)
//	en: en, fi, sv    (a place name without an English form is Finnish)
//
// Any other lang is read as Default. When no language of the order has a
// text, In returns "".
type Text map[string]string

// orders lists, for each language, where In looks for a text.
var orders = map[string][]string{
	"fi": {"fi", "sv", "en"},
	"sv": {"sv", "en"},
	"en": {"en", "fi", "sv"},
}

// In returns the text in lang, falling back as the Text documentation says.
func (t Text) In(lang string) string {
	order, ok := orders[lang]
	if !ok {
		order = orders[Default]
	}
	for _, l := range order {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}

// Paragraphs splits the text in lang into paragraphs at blank lines,
// trimming each and dropping empty ones.
func (t Text) Paragraphs(lang string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(t.In(lang), "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Check reports what keeps t from being complete content: the Languages
// whose text is missing or blank, in the order of Languages, and the keys
// that are not one of the Languages, sorted. Loaders of content that must
// never fall back (catalogue, form definitions) refuse a Text with either.
func (t Text) Check() (missing, unknown []string) {
	for _, l := range Languages {
		if strings.TrimSpace(t[l]) == "" {
			missing = append(missing, l)
		}
	}
	for l := range t {
		if !slices.Contains(Languages, l) {
			unknown = append(unknown, l)
		}
	}
	sort.Strings(unknown)
	return missing, unknown
}
