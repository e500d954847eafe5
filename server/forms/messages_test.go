package forms

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"asiointi/i18n"
	"asiointi/server/datefmt"
)

// paramsOf are the template parameters each message gets from the code.
var paramsOf = map[string][]string{
	ErrTooShort: {"Count"}, ErrTooLong: {"Count"}, ErrPattern: {"Help"},
	ErrRequiredSubject: {"Subject"}, ErrRequiredChoiceSubject: {"Subject"}, ErrRequiredFileSubject: {"Subject"},
	ErrNumberTooSmall: {"Min"}, ErrNumberTooLarge: {"Max"},
	ErrMoneyTooSmall: {"Min"}, ErrMoneyTooLarge: {"Max"},
	ErrDateTooEarly: {"Date"}, ErrDateTooLate: {"Date"},
	ErrTooFewChoices: {"Min"}, ErrTooManyChoices: {"Max"},
	ErrTooFewItems: {"Min"}, ErrTooManyItems: {"Max"},
	ErrFileType: {"Types"}, ErrFileTooLarge: {"Max"},
}

var messageIDRe = regexp.MustCompile(`^form\.[a-z]+\.[a-zA-Z]+$`)

// idsInCode returns every message-id-like string literal of the package's
// non-test code.
func idsInCode(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("*.go")
	var ids []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && messageIDRe.MatchString(s) {
					ids = append(ids, s)
				}
			}
			return true
		})
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func TestMessageFiles(t *testing.T) {
	code := idsInCode(t)
	listed := slices.Sorted(slices.Values(MessageIDs))
	if !slices.Equal(code, listed) {
		t.Errorf("ids in code %v\ndiffer from MessageIDs %v", code, listed)
	}
	placeholder := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	for _, lang := range i18n.Languages {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(readFile(t, "../../i18n/forms."+lang+".json"), &raw); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		// Each message, and each plural form of a counted one.
		type message struct{ id, text string }
		var msgs []message
		for id, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				msgs = append(msgs, message{id, s})
				continue
			}
			var forms map[string]string
			if err := json.Unmarshal(v, &forms); err != nil {
				t.Fatalf("%s %s: %v", lang, id, err)
			}
			for _, f := range forms {
				msgs = append(msgs, message{id, f})
			}
		}
		for _, id := range listed {
			if !slices.ContainsFunc(msgs, func(m message) bool { return m.id == id && strings.TrimSpace(m.text) != "" }) {
				t.Errorf("forms.%s.json lacks %s", lang, id)
			}
		}
		for _, m := range msgs {
			id, msg := m.id, m.text
			if !slices.Contains(listed, id) {
				t.Errorf("forms.%s.json: %s is not used by the code", lang, id)
			}
			var used []string
			for _, m := range placeholder.FindAllStringSubmatch(msg, -1) {
				used = append(used, m[1])
			}
			for _, p := range used {
				if !slices.Contains(paramsOf[id], p) {
					t.Errorf("forms.%s.json %s uses {{.%s}}, which the code does not give", lang, id, p)
				}
			}
			if len(used) != len(paramsOf[id]) {
				t.Errorf("forms.%s.json %s uses %v, the code gives %v", lang, id, used, paramsOf[id])
			}
			tmpl, err := template.New(id).Option("missingkey=error").Parse(msg)
			if err != nil {
				t.Errorf("forms.%s.json %s: %v", lang, id, err)
				continue
			}
			e := FieldError{Code: id, Params: map[string]any{
				"Min": 2, "Max": 10.5, "Count": 3, "Subject": i18n.Text{"fi": "ryhmän nimi", "sv": "gruppens namn", "en": "the group's name"}, "Help": i18n.Text{"fi": "Apu.", "sv": "Hjälp.", "en": "Help."},
				"Date": civilDate(time.Date(2027, 3, 31, 0, 0, 0, 0, datefmt.Helsinki())), "Types": mimeTypes(DefaultAccept),
			}}
			var b strings.Builder
			if err := tmpl.Execute(&b, e.TemplateData(lang)); err != nil || strings.Contains(b.String(), "<no value>") {
				t.Errorf("forms.%s.json %s: %q, %v", lang, id, b.String(), err)
			}
		}
	}
}

func TestTemplateData(t *testing.T) {
	e := FieldError{Field: "fee", Code: ErrMoneyTooSmall, Params: map[string]any{
		"Min": amount(500), "Max": 12.5, "Date": civilDate(time.Date(2027, 4, 4, 0, 0, 0, 0, datefmt.Helsinki())),
		"Size": byteSize(10 << 20), "Types": mimeTypes{"application/pdf", "image/png"},
		"Help": i18n.Text{"fi": "apu", "sv": "hjälp", "en": "help"}, "Count": 3,
	}}
	for lang, want := range map[string]map[string]any{
		"fi": {"Min": "5,00\u00a0€", "Max": "12,5", "Date": "4.4.2027", "Size": "10\u00a0MB", "Types": "PDF tai PNG", "Help": "apu", "Count": 3},
		"sv": {"Min": "5,00\u00a0€", "Max": "12,5", "Date": "4.4.2027", "Size": "10\u00a0MB", "Types": "PDF eller PNG", "Help": "hjälp", "Count": 3},
		"en": {"Min": "€5.00", "Max": "12.5", "Date": "4 April 2027", "Size": "10\u00a0MB", "Types": "PDF or PNG", "Help": "help", "Count": 3},
	} {
		got := e.TemplateData(lang)
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s %s: got %#v, want %#v", lang, k, got[k], w)
			}
		}
	}
	b, _ := json.Marshal(e)
	if string(b) != `{"field":"fee","code":"form.error.moneyTooSmall"}` {
		t.Errorf("JSON %s", b)
	}
}
