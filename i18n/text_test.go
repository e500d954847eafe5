package i18n

import (
	"slices"
	"testing"
)

func TestTextIn(t *testing.T) {
	full := Text{"fi": "Hei", "sv": "Hej", "en": "Hello"}
	place := Text{"fi": "Koulukatu 5", "sv": "Skolgatan 5"} // official names only
	tests := []struct {
		name string
		t    Text
		lang string
		want string
	}{
		{"fi", full, "fi", "Hei"},
		{"sv", full, "sv", "Hej"},
		{"en", full, "en", "Hello"},
		{"unknown language reads as Finnish", full, "de", "Hei"},
		{"no language reads as Finnish", full, "", "Hei"},
		{"unknown language has no text of its own", Text{"de": "Hallo", "sv": "Hej"}, "de", "Hej"},
		{"place name in English is the Finnish one", place, "en", "Koulukatu 5"},
		{"place name in Swedish", place, "sv", "Skolgatan 5"},
		{"Swedish missing: English, never Finnish", Text{"fi": "Hei", "en": "Hello"}, "sv", "Hello"},
		{"Swedish and English missing: nothing, never Finnish", Text{"fi": "Hei"}, "sv", ""},
		{"blank Swedish counts as missing", Text{"fi": "Hei", "sv": "", "en": "Hello"}, "sv", "Hello"},
		{"Finnish missing: Swedish", Text{"sv": "Hej", "en": "Hello"}, "fi", "Hej"},
		{"Finnish and Swedish missing: English", Text{"en": "Hello"}, "fi", "Hello"},
		{"English missing, no Finnish: Swedish", Text{"sv": "Hej"}, "en", "Hej"},
		{"only English, unknown language", Text{"en": "Hello"}, "", "Hello"},
		{"empty", Text{}, "fi", ""},
		{"nil", nil, "sv", ""},
	}
	for _, tc := range tests {
		if got := tc.t.In(tc.lang); got != tc.want {
			t.Errorf("%s: %v.In(%q) = %q, want %q", tc.name, tc.t, tc.lang, got, tc.want)
		}
	}
}

// TestSwedishNeverFinnish: whatever a Text lacks, a Swedish reader gets
// either the Swedish or the English text, or nothing.
func TestSwedishNeverFinnish(t *testing.T) {
	for mask := 0; mask < 8; mask++ {
		tx := Text{}
		for i, l := range Languages {
			if mask&(1<<i) != 0 {
				tx[l] = l + "-text"
			}
		}
		if got := tx.In("sv"); got == "fi-text" {
			t.Errorf("%v.In(sv) = %q", tx, got)
		}
	}
}

func TestParagraphs(t *testing.T) {
	tx := Text{"fi": " Yksi.\n\nKaksi\nrivillä.\r\n\r\n\n\nKolme. ", "sv": "", "en": "One."}
	if got, want := tx.Paragraphs("fi"), []string{"Yksi.", "Kaksi\nrivillä.", "Kolme."}; !slices.Equal(got, want) {
		t.Errorf("Paragraphs(fi) = %q, want %q", got, want)
	}
	if got := tx.Paragraphs("en"); !slices.Equal(got, []string{"One."}) {
		t.Errorf("Paragraphs(en) = %q", got)
	}
	if got := (Text{}).Paragraphs("fi"); got != nil {
		t.Errorf("empty Paragraphs = %q", got)
	}
}

func TestTextCheck(t *testing.T) {
	tests := []struct {
		name             string
		t                Text
		missing, unknown []string
	}{
		{"complete", Text{"fi": "a", "sv": "b", "en": "c"}, nil, nil},
		{"nil", nil, []string{"fi", "sv", "en"}, nil},
		{"blank is missing", Text{"fi": "a", "sv": " \n", "en": "c"}, []string{"sv"}, nil},
		{"missing in Languages order", Text{"sv": "b"}, []string{"fi", "en"}, nil},
		{"unknown keys sorted", Text{"fi": "a", "sv": "b", "en": "c", "se": "x", "de": "y"}, nil, []string{"de", "se"}},
		{"both", Text{"fi": "a", "EN": "c"}, []string{"sv", "en"}, []string{"EN"}},
	}
	for _, tc := range tests {
		missing, unknown := tc.t.Check()
		if !slices.Equal(missing, tc.missing) || !slices.Equal(unknown, tc.unknown) {
			t.Errorf("%s: Check() = %q, %q; want %q, %q", tc.name, missing, unknown, tc.missing, tc.unknown)
		}
	}
}
