package forms

import (
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Characters that show nothing (issue 7, item 10). An answer or a file name
// is normalised to NFC and loses the default-ignorable code points that
// cannot be meant in it: a right-to-left override that makes "gpj.exe"
// look like "exe.jpg", a zero-width space that passes for an answer.
// pwa/js/formlogic.js (stripInvisible, hasVisible) applies the same rule;
// testdata/invisible.json holds the cases both are tested with.
//
// The rule, for one line of text (and file names):
//   - every bidi control goes (LRM, RLM, ALM, embeddings, overrides,
//     isolates); text of several lines keeps LRM, RLM and ALM, which mixed
//     right-to-left and left-to-right paragraphs may need;
//   - a zero-width joiner or non-joiner stays only between two visible
//     characters (emoji sequences such as 👩‍💻, Persian and Indic
//     scripts), a variation selector only right after a visible character
//     (❤️); at the start, at the end or doubled they go;
//   - every other default-ignorable code point goes: zero-width space, word
//     joiner, byte order mark, soft hyphen, Hangul fillers, tag characters
//     (so a subdivision flag such as Scotland's shows as a black flag).
//
// Visible content is any character that is not white space, a control
// character or default-ignorable: a required answer must have some.

// isIgnorable reports a default-ignorable code point, as Unicode derives
// the property (DerivedCoreProperties.txt): Other_Default_Ignorable_Code_Point,
// format characters (Cf) and variation selectors, less white space, the
// interlinear annotation and Egyptian hieroglyph format characters and the
// prepended concatenation marks (which are visible).
func isIgnorable(r rune) bool {
	if r < 0xAD {
		return false // fast path: nothing below the soft hyphen
	}
	if !unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Cf, unicode.Variation_Selector) {
		return false
	}
	switch {
	case unicode.Is(unicode.White_Space, r), r >= 0xFFF9 && r <= 0xFFFB, r >= 0x13430 && r <= 0x13440,
		unicode.Is(unicode.Prepended_Concatenation_Mark, r):
		return false
	}
	return true
}

// isVisible: the character shows something.
func isVisible(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.IsControl(r) && !isIgnorable(r)
}

// HasVisible reports whether s shows anything at all.
func HasVisible(s string) bool {
	return strings.ContainsFunc(s, isVisible)
}

// StripInvisible normalises one line of text (or a file name) to NFC and
// drops the invisible characters that cannot be meant in it.
func StripInvisible(s string) string { return stripInvisible(s, false) }

// stripInvisible is StripInvisible; multiline keeps LRM, RLM and ALM.
func stripInvisible(s string, multiline bool) string {
	if isASCII(s) {
		return s
	}
	s = norm.NFC.String(s)
	if !strings.ContainsFunc(s, isIgnorable) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	var prev rune = -1 // the last character kept, -1 at the start
	for i, r := range s {
		keep := !isIgnorable(r)
		if !keep {
			switch {
			case r == 0x200E || r == 0x200F || r == 0x061C: // LRM, RLM, ALM
				keep = multiline
			case unicode.Is(unicode.Join_Control, r): // ZWNJ, ZWJ
				next, n := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
				keep = prev >= 0 && (isVisible(prev) || unicode.Is(unicode.Variation_Selector, prev)) && n > 0 && isVisible(next)
			case unicode.Is(unicode.Variation_Selector, r):
				keep = prev >= 0 && isVisible(prev)
			}
		}
		if keep {
			b.WriteRune(r)
			prev = r
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// CleanFileName keeps the last element of a file name, without control
// characters and without the invisible characters that cannot be meant (a
// right-to-left override would show "gpj.exe" as "exe.jpg"), in NFC, with
// runs of white space made one space, at most 120 characters.
func CleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(StripInvisible(name)), " ")
	if len([]rune(name)) > 120 {
		name = string([]rune(name)[:120])
	}
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	return name
}
