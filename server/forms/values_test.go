package forms

import (
	"strings"
	"testing"
)

// TestOneSpaced: oneSpaced is strings.Join(strings.Fields(s), " ") for
// every kind of white space and invalid UTF-8, and gives s itself, with
// nothing allocated, when s already is so.
func TestOneSpaced(t *testing.T) {
	for _, tc := range []struct {
		in   string
		same bool // already one-spaced
	}{
		{"", true}, {"a", true}, {"Aino Virtanen", true}, {"a b c", true}, {"ä € 😀", true}, {"\xff \xfe", true},
		{" a", false}, {"a ", false}, {" ", false}, {"a  b", false}, {"a\tb", false}, {"a\nb", false}, {"a\rb", false},
		{"a\vb", false}, {"a\fb", false}, {"a\u00a0b", false}, {"a\u0085b", false}, {"a\u2003b", false}, {"a\u3000b", false},
		{"a \u00a0b", false}, {"\u00a0", false}, {"a b ", false},
	} {
		want := strings.Join(strings.Fields(tc.in), " ")
		if got := oneSpaced(tc.in); got != want {
			t.Errorf("oneSpaced(%q) = %q, want %q", tc.in, got, want)
		}
		if (want == tc.in) != tc.same {
			t.Errorf("%q: the row says same %v", tc.in, tc.same)
		}
		if tc.same {
			in := tc.in
			if n := testing.AllocsPerRun(10, func() { in = oneSpaced(in) }); n != 0 {
				t.Errorf("oneSpaced(%q) allocated %v times", tc.in, n)
			}
		}
	}
}
