package catalog

import (
	"slices"
	"testing"

	"asiointi/i18n"
)

func TestSearch(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		name, query, lang string
		want              []string // exact result, best first
	}{
		{"empty query", "", "fi", nil},
		{"only punctuation and spaces", "  –, . ", "fi", nil},
		{"name prefix", "kesätyö", "fi", []string{"summer-job-voucher"}},
		{"without diacritics, upper case", "KESATYO", "fi", []string{"summer-job-voucher"}},
		{"inside a compound word", "seteli", "fi", []string{"summer-job-voucher"}},
		{"Swedish", "sommarjobb", "sv", []string{"summer-job-voucher"}},
		{"Swedish å and ö folded", "ansokan smabarnspedagogik", "sv", []string{"early-education"}},
		{"Swedish service name", "hemservice", "sv", []string{"home-help"}},
		{"two words, both must match", "home help", "en", []string{"home-help"}},
		{"a word that matches nothing rules the service out", "kesä ruotsi", "fi", nil},
		{"everyday word via keywords", "päiväkoti", "fi", []string{"early-education"}},
		{"keyword without diacritics", "paivahoito", "fi", []string{"early-education"}},
		{"life event name", "ikääntyvä", "fi", []string{"home-help"}},
		{"life event name (en)", "ageing", "en", []string{"home-help"}},
		{"other language only: no hit", "kotipalvelu", "sv", nil},
		{"other language only: no hit (en)", "varhaiskasvatus", "en", nil},
		{"unknown language searches Finnish", "kotipalvelu", "de", []string{"home-help"}},
		{"Swedish municipality name", "exempelby sommarjobbssedel", "sv", []string{"summer-job-voucher"}},
		{"prefix of the last word while typing", "solpan", "sv", []string{"building-notification"}},
		{"digits", "390/2015", "fi", nil}, // legal basis is not searched
		// Residents' words (issue 8): synonyms in the catalogue, and
		// inflected forms through the Finnish and Swedish stemmers.
		{"resident's word: kotiapu", "kotiapu", "fi", []string{"home-help"}},
		{"resident's word, inflected: kotiapua", "kotiapua", "fi", []string{"home-help"}},
		{"resident's word: hemhjälp", "hemhjälp", "sv", []string{"home-help"}},
		{"resident's word, inflected: hemhjälpen", "hemhjälpen", "sv", []string{"home-help"}},
		{"resident's word: lastentarha", "lastentarha", "fi", []string{"early-education"}},
		{"resident's word, inflected: lastentarhaan", "lastentarhaan", "fi", []string{"early-education"}},
		{"resident's word: förskola", "förskola", "sv", []string{"early-education"}},
		{"resident's word, inflected: förskolor", "förskolor", "sv", []string{"early-education"}},
		{"Finnish stem: päiväkotiin", "päiväkotiin", "fi", []string{"early-education"}},
		{"Swedish inflection the stemmer keeps: daghemmet", "daghemmet", "sv", []string{"early-education"}},
		{"English synonym: home help", "home help", "en", []string{"home-help"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(c.Search(tc.query, tc.lang)); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%q, %q) = %v, want %v", tc.query, tc.lang, got, tc.want)
			}
		})
	}
}

func TestSearchRanksNameHitsFirst(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		query, lang string
		first       []string // these first, in catalogue order
		alsoFound   []string // and then these, in any order
	}{
		// "Apply" starts three English names and two summaries.
		{"apply", "en", []string{"sports-shift", "early-education", "home-help"}, []string{"summer-job-voucher", "association-grant"}},
		// "Esimerkkilä" is in the name of none, and the summary of one.
		{"esimerkkilä", "fi", []string{"association-grant"}, []string{"summer-job-voucher", "building-notification"}},
		// "avustus" is in the grant's name; no other service mentions it.
		{"avustus", "fi", []string{"association-grant"}, nil},
	}
	for _, tc := range tests {
		got := ids(c.Search(tc.query, tc.lang))
		if len(got) != len(tc.first)+len(tc.alsoFound) {
			t.Errorf("Search(%q) = %v, want %v then %v", tc.query, got, tc.first, tc.alsoFound)
			continue
		}
		if !slices.Equal(got[:len(tc.first)], tc.first) {
			t.Errorf("Search(%q) starts %v, want %v", tc.query, got[:len(tc.first)], tc.first)
		}
		for _, id := range tc.alsoFound {
			if !slices.Contains(got[len(tc.first):], id) {
				t.Errorf("Search(%q) = %v, missing %s", tc.query, got, id)
			}
		}
	}
}

func TestSearchRanking(t *testing.T) {
	// A synthetic catalogue: the word "vene" is in one service's name, in
	// another's summary and in a third's description.
	cat := &Catalog{}
	mk := func(id, name, summary, desc string) *Service {
		return &Service{ID: id, Name: i18n.Text{"fi": name}, Summary: i18n.Text{"fi": summary}, Description: i18n.Text{"fi": desc}}
	}
	cat.services = []*Service{
		mk("desc", "Laituripaikka", "Hae paikkaa", "Tuo veneesi laituriin."),
		mk("summary", "Talvisäilytys", "Säilytä vene talvella", "Hallissa."),
		mk("name", "Venepaikka", "Hae paikkaa", "Rannassa."),
		mk("compound", "Soutuvenepaikka", "Hae paikkaa", "Rannassa."),
	}
	cat.index = map[string][][]searchField{}
	for _, s := range cat.services {
		cat.index["fi"] = append(cat.index["fi"], cat.searchFields(s, "fi"))
	}
	if got, want := ids(cat.Search("vene", "fi")), []string{"name", "compound", "summary", "desc"}; !slices.Equal(got, want) {
		t.Errorf("ranking = %v, want %v", got, want)
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Äiti Öljy Åland": "aiti oljy aland",
		"Café Müller":     "cafe muller",
		"ÆØ ß":            "aeo ss",
		"Kesätyö-seteli":  "kesatyo-seteli",
	}
	for in, want := range tests {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
	if got, _ := terms("Kesätyö-seteli, 15–17-vuotiaille!", "en"); !slices.Equal(got, []string{"kesatyo", "seteli", "15", "17", "vuotiaille"}) {
		t.Errorf("words = %q", got)
	}
}

// BenchmarkSearch measures one search of the demo catalogue with an
// inflected query word (go test -bench Search ./server/catalog/).
func BenchmarkSearch(b *testing.B) {
	c, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	queries := []struct{ q, lang string }{{"lastentarhaan", "fi"}, {"hemhjälpen", "sv"}, {"summer job", "en"}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		if len(c.Search(q.q, q.lang)) == 0 {
			b.Fatalf("%q found nothing", q.q)
		}
	}
}
