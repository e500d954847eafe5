package catalog

import (
	"slices"
	"strings"
	"unicode"

	"asiointi/i18n"
)

// Search weights: a hit in the name outranks any number of hits elsewhere
// for a query of up to ten words.
const (
	weightName        = 1000
	weightLifeEvent   = 40
	weightSummary     = 30
	weightKeywords    = 30
	weightWhoFor      = 10
	weightCategory    = 10
	weightDescription = 5
)

// searchField is one searchable text of a service in one language,
// normalised and split into words.
type searchField struct {
	weight int
	words  []string
}

// Search finds services matching query in lang, best first. It looks only
// at the texts in lang: name, summary, keywords, who-for, description and
// the names of the service's life events and category. Matching ignores case and
// diacritics (ä matches a, ö matches o, å matches a), every word of the
// query must match, and a query word matches a word of the text that starts
// with it ("kesä" finds "kesätyöseteli") or, for query words of three
// letters or more, that contains it ("seteli" finds "kesätyöseteli", which
// matters for Finnish and Swedish compounds), the latter with half the
// weight. Services with a hit in their name come first; ties keep catalogue
// order. An empty query finds nothing.
func (c *Catalog) Search(query, lang string) []*Service {
	terms := words(query)
	if len(terms) == 0 {
		return nil
	}
	if !i18n.Supported(lang) {
		lang = i18n.Default
	}
	type hit struct {
		s     *Service
		score int
	}
	var hits []hit
	for i, s := range c.services {
		fields := c.index[lang][i]
		score := 0
		for _, term := range terms {
			best := 0
			for _, f := range fields {
				if w := f.match(term); w > best {
					best = w
				}
			}
			if best == 0 {
				score = 0
				break
			}
			score += best
		}
		if score > 0 {
			hits = append(hits, hit{s, score})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return b.score - a.score })
	out := make([]*Service, len(hits))
	for i, h := range hits {
		out[i] = h.s
	}
	return out
}

// match returns the weight a term earns in the field, 0 for no match.
func (f searchField) match(term string) int {
	best := 0
	for _, w := range f.words {
		switch {
		case strings.HasPrefix(w, term):
			return f.weight
		case len([]rune(term)) >= 3 && strings.Contains(w, term):
			best = f.weight / 2
		}
	}
	return best
}

// searchFields returns the normalised searchable texts of s in lang.
func (c *Catalog) searchFields(s *Service, lang string) []searchField {
	fields := []searchField{
		{weightName, words(s.Name.In(lang))},
		{weightSummary, words(s.Summary.In(lang))},
		{weightKeywords, words(s.Keywords.In(lang))},
		{weightWhoFor, words(s.WhoFor.In(lang))},
		{weightDescription, words(s.Description.In(lang))},
	}
	for _, id := range s.LifeEvents {
		if le, ok := c.LifeEvent(id); ok {
			fields = append(fields, searchField{weightLifeEvent, words(le.Name.In(lang))})
		}
	}
	if cat, ok := c.Category(s.Category); ok {
		fields = append(fields, searchField{weightCategory, words(cat.Name.In(lang))})
	}
	return fields
}

// words lower-cases s, folds diacritics and splits it into words of
// letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// fold lower-cases s and replaces letters with diacritics by their base
// letters, so that a resident typing on a keyboard without ä, ö or å
// still finds what they look for.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if f, ok := folds[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var folds = map[rune]string{
	'ä': "a", 'å': "a", 'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'æ': "ae",
	'ö': "o", 'ø': "o", 'ó': "o", 'ò': "o", 'ô': "o", 'õ': "o",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'ü': "u", 'ú': "u", 'ù': "u", 'û': "u",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i",
	'š': "s", 'ž': "z", 'ç': "c", 'ñ': "n", 'ß': "ss",
}
