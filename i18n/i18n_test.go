package i18n

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// usedStrings collects string literals from the code and templates that
// can hold message ids (tests excluded, so a test cannot keep an id alive).
func usedStrings(t *testing.T) (literals map[string]bool, templateIDs map[string][]string) {
	t.Helper()
	literals = map[string]bool{}
	templateIDs = map[string][]string{}
	lit := regexp.MustCompile(`"([A-Za-z][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)+)"`)
	tcall := regexp.MustCompile(`\.T "([^"]+)"`)
	for _, dir := range []string{"../server", "../pwa", "../i18n"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if strings.HasSuffix(p, "_test.go") || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".js")) {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
				literals[m[1]] = true
			}
			if strings.HasSuffix(p, ".html") {
				for _, m := range tcall.FindAllStringSubmatch(string(b), -1) {
					templateIDs[m[1]] = append(templateIDs[m[1]], p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return literals, templateIDs
}

func TestEveryMessageInEveryLanguage(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	for _, l := range Languages {
		for id := range b.IDs(l) {
			all[id] = true
		}
	}
	var missing []string
	for id := range all {
		for _, l := range Languages {
			if !b.Has(l, id) {
				missing = append(missing, l+": "+id)
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("missing translation %s", m)
	}
}

func TestNoEmptyOrUntranslatedSwedish(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for id := range b.IDs("fi") {
		fi, sv := b.T("fi", id), b.T("sv", id)
		for _, l := range Languages {
			if strings.TrimSpace(b.T(l, id)) == "" {
				t.Errorf("%s: empty %s text", id, l)
			}
		}
		// Identical fi and sv texts are suspicious unless they are only
		// names or placeholders.
		if fi == sv && len(fi) > 12 && strings.ContainsAny(fi, "äöÄÖ") {
			t.Errorf("%s: Swedish text is the Finnish text %q", id, fi)
		}
	}
}

func TestNoUnusedMessages(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	literals, _ := usedStrings(t)
	var unused []string
	for id := range b.IDs("fi") {
		if !literals[id] {
			unused = append(unused, id)
		}
	}
	sort.Strings(unused)
	for _, id := range unused {
		t.Errorf("message %q is defined but no code or template uses it", id)
	}
}

func TestUsedMessagesExist(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	literals, tmpl := usedStrings(t)
	for id, files := range tmpl {
		if !b.Has("fi", id) {
			t.Errorf("template %s uses undefined message %q", files[0], id)
		}
	}
	// Go literals that look like ids of a known area must exist too.
	areas := map[string]bool{}
	for id := range b.IDs("fi") {
		areas[strings.SplitN(id, ".", 2)[0]] = true
	}
	for s := range literals {
		area := strings.SplitN(s, ".", 2)[0]
		if areas[area] && !b.Has("fi", s) && !strings.Contains(s, "/") && !strings.HasSuffix(s, ".") && !isFileName(s) {
			t.Errorf("code uses undefined message %q", s)
		}
	}
}

func isFileName(s string) bool {
	for _, ext := range []string{".json", ".html", ".js", ".css", ".png", ".svg", ".db", ".go"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}

func TestMatch(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "fi",
		"sv-FI,sv;q=0.9,en;q=0.5": "sv",
		"en-GB,en;q=0.9":          "en",
		"de-DE,de;q=0.9":          "fi",
		"de-DE,en;q=0.8,sv;q=0.5": "en",
		"fi":                      "fi",
		"garbage;;q=x":            "fi",
	} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestCountedMessages: a message that counts something ({{.Count}}) has
// plural forms in every language, and renders with 0, 1 and 2 in the
// right form ("1 palvelu", "2 palvelua"; "1 tjänst", "2 tjänster";
// "1 service", "2 services"); step.of and the like name their numbers
// otherwise. Every message whose number is followed by the thing counted
// must be such a message.
func TestCountedMessages(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	// A number placeholder followed by a word (not a unit of a size or an
	// amount, which come formatted): a count of something.
	countedNoun := regexp.MustCompile(`\{\{\.(N|Min|Max|Seconds|Days|Number)\}\} (?:[a-zåäö]+)`)
	allowed := map[string]bool{ // the number is not a count of the word after it
		"upload.quota": true, "error.bodyTooLarge": true, "form.error.fileTooLarge": true,
		"form.error.numberTooSmall": true, "form.error.numberTooLarge": true,
		"form.error.moneyTooSmall": true, "form.error.moneyTooLarge": true,
		"step.of": true, "step.pageTitle": true, "field.item": true, "drafts.reached": true,
	}
	counted := 0
	for _, name := range names {
		lang := strings.Split(name, ".")[1]
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		var msgs map[string]json.RawMessage
		if err := json.Unmarshal(raw, &msgs); err != nil {
			t.Fatal(err)
		}
		for id, v := range msgs {
			var forms map[string]string
			var plain string
			if json.Unmarshal(v, &plain) == nil {
				forms = map[string]string{"other": plain}
			} else if err := json.Unmarshal(v, &forms); err != nil {
				t.Fatal(err)
			}
			uses := false
			for _, f := range forms {
				if m := countedNoun.FindString(f); m != "" && !allowed[id] {
					t.Errorf("%s %s: %q counts something: use {{.Count}} with plural forms", lang, id, m)
				}
				uses = uses || strings.Contains(f, "{{.Count}}")
			}
			if !uses {
				continue
			}
			counted++
			if forms["one"] == "" || forms["other"] == "" {
				t.Errorf("%s %s uses {{.Count}} without the plural forms one and other", lang, id)
				continue
			}
			for _, n := range []int{0, 1, 2} {
				form := forms["other"]
				if n == 1 {
					form = forms["one"]
				}
				data := map[string]any{"Count": n}
				for _, p := range regexp.MustCompile(`\{\{\.([A-Za-z]+)\}\}`).FindAllStringSubmatch(form, -1) {
					if p[1] != "Count" {
						data[p[1]] = "«" + p[1] + "»"
					}
				}
				want := strings.ReplaceAll(form, "{{.Count}}", strconv.Itoa(n))
				for k, v := range data {
					if k != "Count" {
						want = strings.ReplaceAll(want, "{{."+k+"}}", v.(string))
					}
				}
				if got := b.T(lang, id, data); got != want {
					t.Errorf("%s %s with %d: %q, want %q", lang, id, n, got, want)
				}
			}
		}
	}
	if counted < 15 {
		t.Errorf("only %d counted messages found", counted)
	}
}

// TestNavigationNamesMatchHeadings: a page is called the same in the
// navigation and in its heading (fi "Keskeneräiset" led to "Keskeneräiset
// hakemukset", sv "Utkast" to "Påbörjade ansökningar").
func TestNavigationNamesMatchHeadings(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Languages {
		for nav, heading := range map[string]string{
			"nav.my": "my.title", "nav.services": "services.title", "nav.drafts": "drafts.title", "nav.cases": "caseList.title",
		} {
			if n, h := b.T(l, nav), b.T(l, heading); n != h {
				t.Errorf("%s: the navigation says %q (%s), the page's heading %q (%s)", l, n, nav, h, heading)
			}
		}
	}
}

// TestFixedTranslationsAsGoI18n checks T's shortcut for messages without
// template actions against go-i18n itself, for every message in every
// language (and an unknown language, which gets the default's).
func TestFixedTranslationsAsGoI18n(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, lang := range append(Languages, "de") {
		l := b.loc[lang]
		if l == nil {
			l = b.loc[Default]
		}
		for id := range b.IDs(Default) {
			want, err := l.Localize(&goi18n.LocalizeConfig{MessageID: id})
			if err != nil || want == "" {
				want = id
			}
			if got := b.T(lang, id); got != want {
				t.Errorf("%s %s: %q, go-i18n says %q", lang, id, got, want)
			}
			if _, ok := b.fixed[lang][id]; ok {
				n++
			}
		}
	}
	if n == 0 {
		t.Error("no message took the shortcut")
	}
}
