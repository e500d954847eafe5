// Package legal names the laws that the data definitions cite: a form
// field's legalBasis ("540/2018 17 §", "EU 2016/679 6(1)(e)") becomes a
// name a resident can read in their language and a link to the text of
// the law (Finlex for Finnish acts, EUR-Lex for EU regulations). Privacy
// notices and "my data" show legal bases through this one table.
package legal

import (
	"fmt"
	"strings"

	"asiointi/i18n"
)

// Basis is one cited legal basis.
type Basis struct {
	Citation string    // as written in the definition
	Act      string    // "540/2018", "EU 2016/679"
	Section  string    // "17 §", "6(1)(e)"; empty when the whole act is cited
	Name     i18n.Text // the act's name
	Article  i18n.Text // for GDPR articles: what the article allows ("consent")
	known    bool
}

// Known reports whether the act is in the table (a test keeps every
// definition's citations known).
func (b Basis) Known() bool { return b.known }

// Title is the readable name in lang: "Varhaiskasvatuslaki (540/2018) 17 §",
// "EU:n yleinen tietosuoja-asetus, 6(1)(e): yleinen etu tai julkisen vallan
// käyttö". An unknown act shows the citation as it stands.
func (b Basis) Title(lang string) string {
	if !b.known {
		return b.Citation
	}
	name := b.Name.In(lang)
	if strings.HasPrefix(b.Act, "EU ") {
		s := name
		if b.Section != "" {
			s += fmt.Sprintf(" %s %s", articleWord[lang], b.Section)
		}
		if a := b.Article.In(lang); a != "" {
			s += ": " + a
		}
		return s
	}
	s := fmt.Sprintf("%s (%s)", name, b.Act)
	if b.Section != "" {
		s += " " + b.Section
	}
	return s
}

var articleWord = map[string]string{"fi": "artikla", "sv": "artikel", "en": "Article"}

// URL is the text of the act in lang (Finlex has acts in Finnish and
// Swedish; English readers get the Finnish original, which carries links
// to unofficial translations where they exist).
func (b Basis) URL(lang string) string {
	if !b.known {
		return ""
	}
	if strings.HasPrefix(b.Act, "EU ") {
		// EUR-Lex serves every official language of the EU.
		return "https://eur-lex.europa.eu/legal-content/" + strings.ToUpper(lang) + "/TXT/?uri=CELEX:32016R0679"
	}
	num, year, _ := strings.Cut(b.Act, "/")
	l := lang
	if l != "sv" {
		l = "fi"
	}
	return fmt.Sprintf("https://www.finlex.fi/%s/laki/ajantasa/%s/%s%04s", l, year, year, num)
}

type act struct {
	name     i18n.Text
	articles map[string]i18n.Text
}

// acts are the laws the demo definitions and the service's own notices
// cite. A definition citing another act still validates; its notice shows
// the citation as written until the act is added here.
var acts = map[string]act{
	"540/2018":  {name: i18n.Text{"fi": "Varhaiskasvatuslaki", "sv": "Lag om småbarnspedagogik", "en": "Act on Early Childhood Education and Care"}},
	"1301/2014": {name: i18n.Text{"fi": "Sosiaalihuoltolaki", "sv": "Socialvårdslag", "en": "Social Welfare Act"}},
	"390/2015":  {name: i18n.Text{"fi": "Liikuntalaki", "sv": "Idrottslag", "en": "Sports Act"}},
	"410/2015":  {name: i18n.Text{"fi": "Kuntalaki", "sv": "Kommunallag", "en": "Local Government Act"}},
	"751/2023":  {name: i18n.Text{"fi": "Rakentamislaki", "sv": "Bygglag", "en": "Building Act"}},
	"1050/2018": {name: i18n.Text{"fi": "Tietosuojalaki", "sv": "Dataskyddslag", "en": "Data Protection Act"}},
	"306/2019": {name: i18n.Text{"fi": "Laki digitaalisten palvelujen tarjoamisesta", "sv": "Lag om tillhandahållande av digitala tjänster",
		"en": "Act on the Provision of Digital Services"}},
	"621/1999": {name: i18n.Text{"fi": "Laki viranomaisten toiminnan julkisuudesta", "sv": "Lag om offentlighet i myndigheternas verksamhet",
		"en": "Act on the Openness of Government Activities"}},
	"906/2019": {name: i18n.Text{"fi": "Laki julkisen hallinnon tiedonhallinnasta", "sv": "Lag om informationshantering inom den offentliga förvaltningen",
		"en": "Act on Information Management in Public Administration"}},
	"EU 2016/679": {name: i18n.Text{"fi": "EU:n yleinen tietosuoja-asetus", "sv": "EU:s allmänna dataskyddsförordning", "en": "EU General Data Protection Regulation"},
		articles: map[string]i18n.Text{
			"6(1)(a)": {"fi": "suostumus", "sv": "samtycke", "en": "consent"},
			"6(1)(b)": {"fi": "sopimus", "sv": "avtal", "en": "contract"},
			"6(1)(c)": {"fi": "lakisääteinen velvoite", "sv": "rättslig förpliktelse", "en": "legal obligation"},
			"6(1)(e)": {"fi": "yleisen edun mukainen tehtävä tai julkisen vallan käyttö", "sv": "uppgift av allmänt intresse eller myndighetsutövning",
				"en": "a task in the public interest or the exercise of official authority"},
			"9(2)(a)": {"fi": "nimenomainen suostumus", "sv": "uttryckligt samtycke", "en": "explicit consent"},
			"9(2)(g)": {"fi": "tärkeä yleinen etu", "sv": "viktigt allmänt intresse", "en": "substantial public interest"},
			"9(2)(h)": {"fi": "sosiaali- ja terveydenhuolto", "sv": "hälso- och sjukvård eller social omsorg", "en": "health or social care"},
		}},
}

// Parse reads a citation as the form schema writes it (SCHEMA.md): an act
// number with an optional section, or "EU 2016/679" with an article.
func Parse(citation string) Basis {
	c := strings.TrimSpace(citation)
	b := Basis{Citation: c}
	rest := c
	if strings.HasPrefix(c, "EU ") {
		fields := strings.Fields(c)
		if len(fields) >= 2 {
			b.Act = "EU " + fields[1]
			b.Section = strings.Join(fields[2:], " ")
		}
	} else {
		act, sec, _ := strings.Cut(rest, " ")
		b.Act, b.Section = act, strings.TrimSpace(sec)
	}
	a, ok := acts[b.Act]
	if !ok {
		return b
	}
	b.known, b.Name = true, a.name
	if a.articles != nil {
		b.Article = a.articles[b.Section]
	}
	return b
}

// Consent reports whether the basis is the person's consent, which the
// person may withdraw (GDPR 6(1)(a) and 9(2)(a)).
func (b Basis) Consent() bool {
	return b.Act == "EU 2016/679" && (b.Section == "6(1)(a)" || b.Section == "9(2)(a)")
}
