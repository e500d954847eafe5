package catalog

import (
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/swedish"

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
// normalised and split into words, with each word's stem (stems[i] is the
// stem of words[i]; the word itself in a language without a stemmer).
type searchField struct {
	weight int
	words  []string
	stems  []string
}

// stemmers reduce a lower-case word to its stem, per content language:
// the Snowball stemmers for Finnish and Swedish (the ones bleve's fi and
// sv analyzers use), so that "kotiapua" finds "kotiapu" and "förskolan"
// finds "förskola". English needs none: prefix matching already covers
// its few endings well enough for service names.
var stemmers = map[string]func(*snowballstem.Env) bool{
	"fi": finnish.Stem,
	"sv": swedish.Stem,
}

// minStemPrefix is the shortest stem (in bytes) that matches a query word
// starting with it, so that short words ("hem") do not match every
// longer word that begins like them.
const minStemPrefix = 5

// maxEnding is the longest ending (in bytes) that a query word may have
// beyond a word's stem for that rule, so that "esimerkkilä" does not
// match "esimerkiksi" (stem "esimerk").
const maxEnding = 3

// stem returns the folded stem of the lower-case word w in lang.
func stem(w, lang string) string {
	st, ok := stemmers[lang]
	if !ok {
		return fold(w)
	}
	env := snowballstem.NewEnv(w)
	st(env)
	return fold(env.Current())
}

// terms splits s into folded words and their stems in lang.
func terms(s, lang string) (ws, stems []string) {
	raw := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	ws = make([]string, len(raw))
	stems = make([]string, len(raw))
	for i, w := range raw {
		ws[i] = fold(w)
		stems[i] = stem(w, lang)
	}
	return ws, stems
}

// newField indexes text in lang with weight.
func newField(weight int, text, lang string) searchField {
	ws, stems := terms(text, lang)
	return searchField{weight: weight, words: ws, stems: stems}
}

// Search finds services matching query in lang, best first. It looks only
// at the texts in lang: name, summary, keywords, who-for, description and
// the names of the service's life events and category. Matching ignores case and
// diacritics (ä matches a, ö matches o, å matches a), every word of the
// query must match, and a query word matches a word of the text that starts
// with it ("kesä" finds "kesätyöseteli") or that has the same stem in
// Finnish and Swedish ("kotiapua" finds "kotiapu", "förskolor" finds
// "förskola") or whose stem starts the query word ("daghemmet" finds
// "daghem") or, for query words of three letters or more, that contains it
// ("seteli" finds "kesätyöseteli", which matters for Finnish and Swedish
// compounds), the latter with half the weight. Services with a hit in their name come first; ties keep catalogue
// order. An empty query finds nothing.
func (c *Catalog) Search(query, lang string) []*Service {
	if !i18n.Supported(lang) {
		lang = i18n.Default
	}
	qwords, qstems := terms(query, lang)
	if len(qwords) == 0 {
		return nil
	}
	type hit struct {
		s     *Service
		score int
	}
	var hits []hit
	for i, s := range c.services {
		fields := c.index[lang][i]
		score := 0
		for ti, term := range qwords {
			best := 0
			for _, f := range fields {
				if w := f.match(term, qstems[ti]); w > best {
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

// match returns the weight a term (with its stem) earns in the field, 0
// for no match.
func (f searchField) match(term, termStem string) int {
	best := 0
	long := len([]rune(term)) >= 3
	for i, w := range f.words {
		switch {
		case strings.HasPrefix(w, term):
			return f.weight
		case long && f.stems[i] == termStem:
			return f.weight
		case len(f.stems[i]) >= minStemPrefix && strings.HasPrefix(term, f.stems[i]) && len(term)-len(f.stems[i]) <= maxEnding:
			// An inflected form of the word that the stemmer did not
			// reduce: "daghemmet" for "daghem".
			return f.weight
		case long && strings.Contains(w, term):
			best = f.weight / 2
		}
	}
	return best
}

// searchFields returns the normalised searchable texts of s in lang.
func (c *Catalog) searchFields(s *Service, lang string) []searchField {
	fields := []searchField{
		newField(weightName, s.Name.In(lang), lang),
		newField(weightSummary, s.Summary.In(lang), lang),
		newField(weightKeywords, s.Keywords.In(lang), lang),
		newField(weightWhoFor, s.WhoFor.In(lang), lang),
		newField(weightDescription, s.Description.In(lang), lang),
	}
	for _, id := range s.LifeEvents {
		if le, ok := c.LifeEvent(id); ok {
			fields = append(fields, newField(weightLifeEvent, le.Name.In(lang), lang))
		}
	}
	if cat, ok := c.Category(s.Category); ok {
		fields = append(fields, newField(weightCategory, cat.Name.In(lang), lang))
	}
	return fields
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
