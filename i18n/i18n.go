// Package i18n is the platform's languages: the list of them (Languages,
// Default), multilingual content (Text, with the one fallback policy), and
// the UI messages, loaded from the message files (area.lang.json,
// go-i18n's simple JSON form) and translated from message ids into fi, sv
// and en.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.json
var files embed.FS

// Languages in the order they are offered; the first is the default.
var Languages = []string{"fi", "sv", "en"}

// Default is the language used when nothing else is known.
const Default = "fi"

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Bundle holds every message in every language.
type Bundle struct {
	b    *goi18n.Bundle
	loc  map[string]*goi18n.Localizer
	ids  map[string]map[string]bool // lang → ids
	srcs map[string]string          // id → file it was defined in
	// fixed holds, per language, the translation of every message that
	// is one string without template actions: T returns it without
	// asking go-i18n, which would match the language and execute the
	// message's template on every call (pages translate tens of them).
	fixed map[string]map[string]string
}

// Load reads the embedded message files.
func Load() (*Bundle, error) { return LoadFS(files) }

// LoadFS reads message files from fsys.
func LoadFS(fsys fs.FS) (*Bundle, error) {
	b := &Bundle{
		b:     goi18n.NewBundle(language.Finnish),
		loc:   map[string]*goi18n.Localizer{},
		ids:   map[string]map[string]bool{},
		srcs:  map[string]string{},
		fixed: map[string]map[string]string{},
	}
	fixedIDs := map[string][]string{}
	b.b.RegisterUnmarshalFunc("json", json.Unmarshal)
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		parts := strings.Split(name, ".")
		if len(parts) != 3 || !Supported(parts[1]) {
			return nil, fmt.Errorf("i18n: %s: name must be area.(fi|sv|en).json", name)
		}
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		flat, err := messageIDs(raw)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		lang := parts[1]
		if b.ids[lang] == nil {
			b.ids[lang] = map[string]bool{}
		}
		for id, fixed := range flat {
			if fixed {
				fixedIDs[lang] = append(fixedIDs[lang], id)
			}
			if b.ids[lang][id] {
				return nil, fmt.Errorf("i18n: %s: %q is defined twice for %s", name, id, lang)
			}
			b.ids[lang][id] = true
			b.srcs[id] = parts[0]
		}
		if _, err := b.b.ParseMessageFileBytes(raw, name); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
	}
	for _, l := range Languages {
		b.loc[l] = goi18n.NewLocalizer(b.b, l)
		b.fixed[l] = map[string]string{}
		for _, id := range fixedIDs[l] {
			if s, err := b.loc[l].Localize(&goi18n.LocalizeConfig{MessageID: id}); err == nil && s != "" {
				b.fixed[l][id] = s
			}
		}
	}
	return b, nil
}

// messageIDs reads a message file: each id maps to a string, or, for a
// message with a count, to its plural forms ({"one": …, "other": …}). The
// result tells for each id whether it is one string without template
// actions.
func messageIDs(raw []byte) (map[string]bool, error) {
	var flat map[string]json.RawMessage
	if err := json.Unmarshal(raw, &flat); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(flat))
	for id, v := range flat {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[id] = !strings.Contains(s, "{{")
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return nil, fmt.Errorf("%q is neither a string nor plural forms", id)
		}
		if forms["other"] == "" {
			return nil, fmt.Errorf("%q has plural forms without \"other\"", id)
		}
		for k := range forms {
			switch k {
			case "zero", "one", "two", "few", "many", "other":
			default:
				return nil, fmt.Errorf("%q: %q is not a plural form", id, k)
			}
		}
		out[id] = false
	}
	return out, nil
}

// IDs returns every message id defined for lang.
func (b *Bundle) IDs(lang string) map[string]bool { return b.ids[lang] }

// Has reports whether id exists in lang.
func (b *Bundle) Has(lang, id string) bool { return b.ids[lang][id] }

// T translates id into lang with optional template data. A missing id shows
// the id itself (tests make sure none is missing).
func (b *Bundle) T(lang, id string, data ...map[string]any) string {
	l, ok := b.loc[lang]
	if !ok {
		l, lang = b.loc[Default], Default
	}
	if len(data) == 0 || data[0] == nil {
		if s, ok := b.fixed[lang][id]; ok {
			return s
		}
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 && data[0] != nil {
		cfg.TemplateData = data[0]
		if n, ok := data[0]["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	s, err := l.Localize(cfg)
	if err != nil || s == "" {
		return id
	}
	return s
}

// Match picks the best supported language for an Accept-Language header.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return Default
	}
	for _, t := range tags {
		if base, _ := t.Base(); Supported(base.String()) {
			return base.String()
		}
	}
	return Default
}
