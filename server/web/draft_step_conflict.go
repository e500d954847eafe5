package web

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/forms"
)

// conflictView is the data of pages/conflict.html: a post made from a page
// older than the saved draft, with the answers that differ side by side.
type conflictView struct {
	Service string
	StepURL string
	Rows    []conflictRow
	Pairs   []formPair // the post again, to re-send with the current version
	Version int
	Base    string
}

type conflictRow struct {
	ID, Label, Mine, Saved string
}

type formPair struct{ Name, Value string }

// conflictRows lists the step's fields whose posted answer differs from
// the saved one.
func (s *Server) conflictRows(lang string, cur *cases.Draft, fields []*forms.Field, post *stepPost) []conflictRow {
	atts, _ := s.cases.Attachments(cur.ID, cur.Owner.ID)
	att := cases.AttachmentLookup(atts)
	var rows []conflictRow
	for _, f := range fields {
		if !f.IsData() || cur.Locks(f, cur.Data) {
			continue
		}
		mine, saved := post.values[f.ID], cur.Data[f.ID]
		if r, bad := post.raw[f.ID]; bad {
			mine = r
		}
		if sameJSON(mine, saved) {
			continue
		}
		rows = append(rows, conflictRow{ID: f.ID, Label: f.Label.In(lang),
			Mine: s.answerText(f, mine, lang, att), Saved: s.answerText(f, saved, lang, att)})
	}
	return rows
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// answerText is one answer as the summary writes it ("" when unanswered).
func (s *Server) answerText(f *forms.Field, v any, lang string, att func(string) (forms.Attachment, bool)) string {
	if v == nil {
		return ""
	}
	if str, ok := v.(string); ok && f.Type == forms.TypeNumber { // typed but not a number
		return str
	}
	one := *f
	one.ShowIf = nil
	def := forms.Definition{Steps: []forms.Step{{Fields: []forms.Field{one}}}}
	sum := def.Summary(map[string]any{f.ID: v}, lang, att, func(id string) string { return s.msg.T(lang, id) })
	if len(sum) == 0 || len(sum[0].Items) == 0 {
		return ""
	}
	return itemText(sum[0].Items[0])
}

// itemText flattens a summary item: a group's rows become "Label: value,
// …; …".
func itemText(it forms.SummaryItem) string {
	if it.Items == nil {
		return it.Value
	}
	var rows []string
	for _, row := range it.Items {
		var parts []string
		for _, x := range row {
			if t := itemText(x); t != "" {
				parts = append(parts, x.Label+": "+t)
			}
		}
		rows = append(rows, strings.Join(parts, ", "))
	}
	return strings.Join(rows, "; ")
}

// conflictPage answers a stale post (409): nothing typed is lost. "Keep my
// answers" sends the same post again with the current version; "Use the
// saved answers" opens the step as saved.
func (s *Server) conflictPage(c *fiber.Ctx, cur *cases.Draft, def *forms.Definition, si int, fields []*forms.Field, post *stepPost, vals url.Values) error {
	lang := requestLang(c)
	v := &conflictView{StepURL: pathsIn(lang).Step(cur.ID, si), Version: cur.Version,
		Base: forms.StepHash(cur.Data, fields), Rows: s.conflictRows(lang, cur, fields, post)}
	if svc, ok := s.catalog.Service(cur.Service); ok {
		v.Service = svc.Name.In(lang)
	}
	for name, id := range post.uploaded {
		vals[name] = []string{id}
	}
	names := make([]string, 0, len(vals))
	for k := range vals {
		if k != "version" && k != "_csrf" && k != "_base" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		for _, x := range vals[k] {
			v.Pairs = append(v.Pairs, formPair{Name: k, Value: x})
		}
	}
	p := s.page(c, "conflict", "conflict.title", v)
	return s.render(c, fiber.StatusConflict, p)
}
