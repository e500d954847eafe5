package legal

import (
	"io/fs"
	"testing"

	"asiointi/server/forms"
	"asiointi/server/forms/definitions"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, act, section, fi, sv, url string
	}{
		{"540/2018 17 §", "540/2018", "17 §", "Varhaiskasvatuslaki (540/2018) 17 §", "Lag om småbarnspedagogik (540/2018) 17 §",
			"https://www.finlex.fi/fi/laki/ajantasa/2018/20180540"},
		{"751/2023", "751/2023", "", "Rakentamislaki (751/2023)", "Bygglag (751/2023)", "https://www.finlex.fi/fi/laki/ajantasa/2023/20230751"},
		{"1301/2014 36 §", "1301/2014", "36 §", "Sosiaalihuoltolaki (1301/2014) 36 §", "Socialvårdslag (1301/2014) 36 §",
			"https://www.finlex.fi/fi/laki/ajantasa/2014/20141301"},
		{"EU 2016/679 6(1)(a)", "EU 2016/679", "6(1)(a)", "EU:n yleinen tietosuoja-asetus artikla 6(1)(a): suostumus",
			"EU:s allmänna dataskyddsförordning artikel 6(1)(a): samtycke", "https://eur-lex.europa.eu/legal-content/FI/TXT/?uri=CELEX:32016R0679"},
		{"123/1999 4 §", "123/1999", "4 §", "123/1999 4 §", "123/1999 4 §", ""},
	}
	for _, tt := range tests {
		b := Parse(tt.in)
		if b.Act != tt.act || b.Section != tt.section {
			t.Errorf("%q: act %q section %q", tt.in, b.Act, b.Section)
		}
		if got := b.Title("fi"); got != tt.fi {
			t.Errorf("%q fi: %q, want %q", tt.in, got, tt.fi)
		}
		if got := b.Title("sv"); got != tt.sv {
			t.Errorf("%q sv: %q, want %q", tt.in, got, tt.sv)
		}
		if got := b.URL("fi"); got != tt.url {
			t.Errorf("%q url: %q, want %q", tt.in, got, tt.url)
		}
	}
	if u := Parse("540/2018").URL("sv"); u != "https://www.finlex.fi/sv/laki/ajantasa/2018/20180540" {
		t.Errorf("sv link %q", u)
	}
	if !Parse("EU 2016/679 9(2)(a)").Consent() || Parse("EU 2016/679 6(1)(e)").Consent() {
		t.Error("consent bases")
	}
}

// Every citation in the demo definitions has a readable name in all three
// languages: a resident never sees a bare number.
func TestDefinitionsCiteKnownActs(t *testing.T) {
	names, err := fs.Glob(definitions.FS, "*.json")
	if err != nil || len(names) == 0 {
		t.Fatal(names, err)
	}
	for _, n := range names {
		raw, _ := fs.ReadFile(definitions.FS, n)
		d, err := forms.Parse(raw)
		if err != nil {
			t.Fatal(n, err)
		}
		var fields []*forms.Field
		for _, f := range d.DataFields() {
			fields = append(fields, f)
			for i := range f.Fields {
				fields = append(fields, &f.Fields[i])
			}
		}
		for _, f := range fields {
			b := Parse(f.LegalBasis)
			if !b.Known() {
				t.Errorf("%s %s: %q is not in the table", n, f.ID, f.LegalBasis)
				continue
			}
			for _, l := range []string{"fi", "sv", "en"} {
				if b.Name[l] == "" || (b.Act == "EU 2016/679" && b.Article[l] == "") {
					t.Errorf("%s: %q has no %s name", n, f.LegalBasis, l)
				}
			}
		}
	}
}
