package catalog

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// secondMunicipality parses the catalogue of Naapurila, a second
// municipality sharing the installation: a service of its own
// (library-card) and one whose id the demo catalogue also uses
// (sports-shift, a swimming-hall ticket there).
func secondMunicipality(t *testing.T) *Catalog {
	t.Helper()
	raw, err := os.ReadFile("testdata/second-municipality.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSetKeepsMunicipalitiesApart: a second municipality's services show
// neither in the first one's catalogue nor in its search, and a shared
// service id finds each municipality's own service.
func TestSetKeepsMunicipalitiesApart(t *testing.T) {
	first, second := mustLoad(t), secondMunicipality(t)
	set, err := NewSet(first, second)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := set.For("esimerkkila")
	if !ok || a != first {
		t.Fatalf(`For("esimerkkila") = %p, %v; want the demo catalogue`, a, ok)
	}
	b, ok := set.For("naapurila")
	if !ok || b != second {
		t.Fatalf(`For("naapurila") = %p, %v; want the second catalogue`, b, ok)
	}
	if _, ok := set.For("kolmas"); ok {
		t.Error(`For("kolmas") found a catalogue`)
	}

	// Every service records its municipality.
	for _, c := range []*Catalog{a, b} {
		for _, s := range c.Services() {
			if s.Municipality != c.Municipality() {
				t.Errorf("%s service %s records municipality %q", c.Municipality(), s.ID, s.Municipality)
			}
		}
	}

	if slices.Contains(ids(a.Services()), "library-card") {
		t.Error("the first municipality lists library-card")
	}
	if s, ok := a.Service("library-card"); ok {
		t.Errorf("the first municipality finds library-card by id: %v", s)
	}
	if s, ok := a.Service("sports-shift"); !ok || s.Municipality != "esimerkkila" || s.Name.In("fi") != "Liikuntavuoron hakeminen" {
		t.Errorf("the first municipality's sports-shift is %v, %v", s, ok)
	}
	if _, ok := a.Category("culture-libraries"); ok {
		t.Error("the first municipality has the second one's category")
	}
	if _, ok := a.LifeEvent("moving-to-naapurila"); ok {
		t.Error("the first municipality has the second one's life event")
	}
	for _, q := range []struct{ query, lang string }{
		{"kirjastokortti", "fi"}, {"lånekort", "sv"}, {"library card", "en"},
		{"uimahallin kausikortti", "fi"}, {"simhall", "sv"}, {"swimming", "en"}, {"naapurila", "fi"},
	} {
		if got := ids(a.Search(q.query, q.lang)); len(got) > 0 {
			t.Errorf("the first municipality's search for %q (%s) finds %v", q.query, q.lang, got)
		}
		// The same search in the second municipality does find them: the
		// words are real hits, not misses of the search itself.
		got := b.Search(q.query, q.lang)
		if len(got) == 0 {
			t.Errorf("the second municipality's search for %q (%s) finds nothing", q.query, q.lang)
		}
		for _, s := range got {
			if s.Municipality != "naapurila" {
				t.Errorf("the second municipality's search finds %s of %q", s.ID, s.Municipality)
			}
		}
	}
	if s, ok := b.Service("sports-shift"); !ok || !strings.Contains(s.Name.In("fi"), "Uimahallin") {
		t.Errorf("the second municipality's sports-shift is %v, %v", s, ok)
	}
}

func TestSetRefusesTwoCataloguesForOneMunicipality(t *testing.T) {
	if _, err := NewSet(mustLoad(t), mustLoad(t)); err == nil || !strings.Contains(err.Error(), `"esimerkkila"`) {
		t.Errorf("NewSet of two demo catalogues: %v", err)
	}
}
