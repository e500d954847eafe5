package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"asiointi/i18n"
	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/legal"
	"asiointi/server/render"
)

// fieldView is one form field as writeField renders it. Every text is
// already in the page language: the markup needs no translation.
type fieldView struct {
	ID       string // the input's id and name: "email", or "budget.0.item" in a group
	Type     string // the forms.Type… of the field
	Label    string
	Help     string
	Required bool
	Error    string
	// ConsentURL tells how to withdraw the consent a checkbox gives (the
	// service's privacy notice), when the field's legal basis is consent.
	ConsentURL string

	Value   string // the text of a text-like input
	Checked bool   // a checkbox
	Options []optionView

	InputType, InputMode, Autocomplete string
	MaxLength                          int
	Code                               bool // an identifier: no spell check, upper case

	Source, SourceURL string // where a prefilled value came from
	Locked            bool   // prefilled and not editable: shown as text

	// ShowIf is the JSON condition for pwa/js/conditions.js when it
	// depends on a field of the same step (or item); Hidden is the
	// server's evaluation of it on the answers as rendered; CondHint tells
	// readers without JavaScript when to answer (nojs.css shows hidden
	// fields then).
	ShowIf   string
	Hidden   bool
	CondHint string

	Rules *fieldRules // JSON rules and messages for pwa/js/validation.js (data-rules)

	File   *fileView // the current attachment of a file field
	Accept string

	Items  []*groupItemView // group items
	CanAdd bool
	Count  int // group item count (hidden input <id>.count)

	Txt *fieldTexts
	// mk is the markup of a top-level text-like input that is the same on
	// every page in the language (fieldMarkup), nil for other fields.
	mk *fieldMarkup
}

type optionView struct {
	ID, Value, Label string
	Checked          bool
}

type fileView struct {
	ID, Name, Size, URL string
}

type groupItemView struct {
	Index     int
	Legend    string
	Fields    []*fieldView
	CanRemove bool
	Remove    string // the Remove button's text
}

// fieldTexts are the fixed words of the field markup in one language.
type fieldTexts struct {
	Required, Choose, CurrentFile, RemoveFile, ReplaceFile, AddItem, ErrorPrefix, Locked, Consent string
}

// fieldBuilder turns a definition's fields into fieldViews for one step.
type fieldBuilder struct {
	s      *Server
	lang   string
	draft  *cases.Draft
	def    *forms.Definition
	step   int
	values map[string]any    // the answers as rendered (posted or saved)
	raw    map[string]string // text typed that could not be kept (e.g. "12,a" in a number field)
	errors map[string]string // message per field path
	acting bool              // the session acts for someone: no autocomplete of their data
	atts   map[string]cases.Attachment
	now    time.Time
	txt    *fieldTexts
	stepOf map[string]int // top-level field id → step index (stepIndex)
	// rendered holds the paths of the fields built, when there are
	// problems to place (errors): a problem of a path not rendered shows
	// at its top-level field.
	rendered map[string]bool
	slab     *fieldSlab     // the views of stepFields, until release
	shown    []*forms.Field // the fields stepFields built (forms.Definition.StepFields)
}

// fieldSlab holds the views of a step's fields (stepFields) and is kept
// between pages (fieldSlabs): a 200-field step's views are 80 KB, most of
// what a step page allocated.
type fieldSlab struct {
	views []fieldView
	ptrs  []*fieldView
}

var fieldSlabs = sync.Pool{New: func() any { return new(fieldSlab) }}

func (s *Server) newFieldBuilder(lang string, d *cases.Draft, def *forms.Definition, step int, values map[string]any, acting bool, atts []cases.Attachment) *fieldBuilder {
	b := &fieldBuilder{s: s, lang: lang, draft: d, def: def, step: step, values: values, acting: acting,
		raw: map[string]string{}, errors: map[string]string{}, now: s.now()}
	if len(atts) > 0 {
		b.atts = make(map[string]cases.Attachment, len(atts))
		for _, a := range atts {
			b.atts[a.ID] = a
		}
	}
	t := func(id string) string { return s.msg.T(lang, id) }
	b.txt = &fieldTexts{Required: t("field.required"), Choose: t("field.choose"), CurrentFile: t("field.currentFile"),
		RemoveFile: t("field.removeFile"), ReplaceFile: t("field.replaceFile"), AddItem: t("field.addItem"),
		ErrorPrefix: t("field.errorPrefix"), Locked: t("field.lockedNote"), Consent: t("field.consentLink")}
	return b
}

// stepFields decides which fields of the step are shown (see
// forms.Definition.StepFields) and builds their views, all in one
// allocation: a step may have hundreds.
func (b *fieldBuilder) stepFields() []*fieldView {
	fs := b.def.StepFields(b.step, b.values)
	b.shown = fs
	if b.slab == nil {
		b.slab = fieldSlabs.Get().(*fieldSlab)
	}
	sl := b.slab
	if cap(sl.views) < len(fs) {
		sl.views = make([]fieldView, len(fs))
		sl.ptrs = make([]*fieldView, len(fs))
	}
	views, out := sl.views[:len(fs)], sl.ptrs[:len(fs)]
	for i, f := range fs {
		out[i] = &views[i]
		b.fill(out[i], f, f.ID, b.values)
	}
	return out
}

// release gives the views stepFields made back for another page's: none
// of them may be used after (a page is written, then released).
func (b *fieldBuilder) release() {
	sl := b.slab
	if sl == nil {
		return
	}
	b.slab = nil
	if cap(sl.views) > 1000 { // an unusually wide step's are not kept
		return
	}
	clear(sl.views[:cap(sl.views)]) // no answers kept between pages
	clear(sl.ptrs[:cap(sl.ptrs)])
	fieldSlabs.Put(sl)
}

// field builds the view of f at path; scope holds the answers of its
// group item (or the top level).
func (b *fieldBuilder) field(f *forms.Field, path string, scope map[string]any) *fieldView {
	v := &fieldView{}
	b.fill(v, f, path, scope)
	return v
}

// fill is field writing into v, a zero fieldView.
func (b *fieldBuilder) fill(v *fieldView, f *forms.Field, path string, scope map[string]any) {
	if len(b.errors) > 0 {
		if b.rendered == nil {
			b.rendered = map[string]bool{}
		}
		b.rendered[path] = true
	}
	*v = fieldView{ID: path, Type: f.Type, Label: f.Label.In(b.lang), Help: f.Help.In(b.lang), Required: f.Required,
		Error: b.errors[path], Txt: b.txt}
	if f.Type == forms.TypeCheckbox && legal.Parse(f.LegalBasis).Consent() {
		v.ConsentURL = pathsIn(b.lang).ServicePrivacyConsent(b.def.Service)
	}
	val, has := scope[f.ID]
	switch f.Type {
	case forms.TypeText, forms.TypeTextarea, forms.TypeEmail, forms.TypePhone, forms.TypeHetu, forms.TypeBusinessID,
		forms.TypeIBAN, forms.TypePostalCode, forms.TypeMoney, forms.TypeDate, forms.TypeTime, forms.TypeSelect, forms.TypeRadio, forms.TypeFile:
		if s, ok := val.(string); ok {
			v.Value = s
		}
	case forms.TypeNumber:
		if n, ok := val.(float64); ok {
			v.Value = formatNumberInput(n, b.lang)
		} else if s, ok := val.(string); ok {
			v.Value = s
		}
	case forms.TypeCheckbox:
		v.Checked, _ = val.(bool)
	}
	if r, ok := b.raw[path]; ok {
		v.Value = r
	}
	b.input(f, v)
	if path == f.ID {
		v.mk = b.markup(f, v)
	}
	for _, o := range f.Options {
		ov := optionView{ID: path + "-" + o.Value, Value: o.Value, Label: o.Label.In(b.lang)}
		switch x := val.(type) {
		case string:
			ov.Checked = x == o.Value
		case []any:
			ov.Checked = slices.Contains(x, any(o.Value))
		}
		v.Options = append(v.Options, ov)
	}
	if len(v.Options) > 0 && f.Type != forms.TypeSelect {
		v.Options[0].ID = path // the error summary links to the first choice
	}
	// Prefill (top-level fields only) and locking.
	if !strings.Contains(path, ".") && b.draft != nil {
		if src, ok := cases.SourceOf(b.draft.Prefill, f.ID, val); ok {
			v.Source, v.SourceURL = b.source(src)
			v.Locked = f.Locked && has && val != nil
		}
	}
	if f.ShowIf != nil {
		b.condition(f, v, scope)
	}
	switch f.Type {
	case forms.TypeFile:
		if a, ok := b.atts[v.Value]; ok {
			v.File = &fileView{ID: a.ID, Name: a.Name, Size: forms.FormatSize(a.Size, b.lang),
				URL: pathsIn(b.lang).Attachment(a.Draft, a.ID)}
		}
		v.Accept = strings.Join(f.Accepted(), ",")
	case forms.TypeGroup:
		b.group(f, v, val)
	}
	v.Rules = b.rules(f)
}

// input chooses the HTML input for a field type.
func (b *fieldBuilder) input(f *forms.Field, v *fieldView) {
	v.InputType = "text"
	v.MaxLength = f.MaxLength
	switch f.Type {
	case forms.TypeEmail:
		v.InputType = "email"
	case forms.TypePhone:
		v.InputType = "tel"
	case forms.TypeNumber, forms.TypeMoney:
		v.InputMode = "decimal"
	case forms.TypeDate:
		v.InputType = "date"
	case forms.TypeTime:
		v.InputType = "time"
	case forms.TypePostalCode:
		v.InputMode, v.MaxLength, v.Code = "numeric", 5, true
	case forms.TypeHetu:
		v.MaxLength, v.Code = 11, true
	case forms.TypeBusinessID:
		v.MaxLength, v.Code = 9, true
	case forms.TypeIBAN:
		v.MaxLength, v.Code = 42, true
	}
	// Autocomplete fills in the browser's saved details of the person at
	// the keyboard: only for their own data. When acting for someone, the
	// contact.* concepts still describe the person filling in the form.
	if f.Autocomplete != "" && (!b.acting || strings.HasPrefix(f.Concept, "contact.")) {
		v.Autocomplete = f.Autocomplete
	}
}

func (b *fieldBuilder) source(src cases.PrefillSource) (string, string) {
	switch src.Source {
	case cases.SourcePopulation:
		return b.s.msg.T(b.lang, "field.source.population"), ""
	case cases.SourceOrganization:
		return b.s.msg.T(b.lang, "field.source.organization"), ""
	case cases.SourceLandRegister:
		return b.s.msg.T(b.lang, "field.source.landRegister"), ""
	case cases.SourceContactDetails:
		if src.About == cases.AboutSubject && b.draft.Principal != nil {
			return b.s.msg.T(b.lang, "field.source.contactDetailsOf", map[string]any{"Name": b.draft.Principal.Name}), ""
		}
		return b.s.msg.T(b.lang, "field.source.contactDetails"), ""
	case cases.SourceEarlierCase:
		return b.s.msg.T(b.lang, "field.source.earlierCase", map[string]any{"Reference": src.Reference}), pathsIn(b.lang).Case(src.Case)
	}
	return "", ""
}

// condition sets up a field with showIf: its JSON for conditions.js and the
// hint for readers without JavaScript, and whether it is hidden now.
func (b *fieldBuilder) condition(f *forms.Field, v *fieldView, scope map[string]any) {
	c := f.ShowIf
	// The field the condition names: a sibling in the group, or top level.
	// A condition on an earlier step was decided when the step's fields
	// were chosen (StepFields): the field is shown, nothing to toggle.
	var target *forms.Field
	if g, ok := b.groupOf(v.ID); ok {
		target, _ = g.Sub(c.Field)
	}
	if target == nil {
		if si, ok := b.stepIndex(c.Field); !ok || si != b.step {
			return
		}
		target, _, _ = b.def.Lookup(c.Field)
	}
	if target == nil {
		return
	}
	raw, _ := json.Marshal(c)
	v.ShowIf = string(raw)
	v.Hidden = !forms.Visible(f, scope, b.values)
	label := target.Label.In(b.lang)
	words := func(x any) string {
		if s, ok := x.(string); ok {
			if o, ok := target.Option(s); ok {
				return o.Label.In(b.lang)
			}
			return s
		}
		if n, ok := x.(float64); ok {
			return formatNumberInput(n, b.lang)
		}
		return fmt.Sprint(x)
	}
	switch {
	case c.NotEmpty:
		v.CondHint = b.s.msg.T(b.lang, "field.onlyIfAnswered", map[string]any{"Label": label})
	case target.Type == forms.TypeCheckbox:
		id := "field.onlyIfTicked"
		if c.Equals == false {
			id = "field.onlyIfNotTicked"
		}
		v.CondHint = b.s.msg.T(b.lang, id, map[string]any{"Label": label})
	default:
		var vals []string
		if c.Equals != nil {
			vals = append(vals, words(c.Equals))
		}
		for _, x := range c.In {
			vals = append(vals, words(x))
		}
		or := b.s.msg.T(b.lang, "field.or")
		q := quotes(b.lang)
		for i := range vals {
			vals[i] = q[0] + vals[i] + q[1]
		}
		list := strings.Join(vals, " "+or+" ")
		v.CondHint = b.s.msg.T(b.lang, "field.onlyIfChoice", map[string]any{"Label": label, "Value": list})
	}
}

// stepIndex is the step of a top-level field. The index is made on the
// first question: only a condition asks, and most steps have none.
func (b *fieldBuilder) stepIndex(id string) (int, bool) {
	if b.stepOf == nil {
		b.stepOf = map[string]int{}
		for si := range b.def.Steps {
			for _, f := range b.def.Steps[si].Fields {
				b.stepOf[f.ID] = si
			}
		}
	}
	si, ok := b.stepOf[id]
	return si, ok
}

// quotes are the quotation marks of a language.
func quotes(lang string) [2]string {
	if lang == "en" {
		return [2]string{"“", "”"}
	}
	return [2]string{"”", "”"}
}

// groupOf returns the group field a sub-field path belongs to.
func (b *fieldBuilder) groupOf(path string) (*forms.Field, bool) {
	parts := strings.Split(path, ".")
	if len(parts) != 3 {
		return nil, false
	}
	f, _, ok := b.def.Lookup(parts[0])
	return f, ok && f.Type == forms.TypeGroup
}

// group builds a group's items; there is always at least one (empty) item
// to type into.
func (b *fieldBuilder) group(f *forms.Field, v *fieldView, val any) {
	list, _ := val.([]any)
	n := len(list)
	if n == 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		item := map[string]any{}
		if i < len(list) {
			if m, ok := list[i].(map[string]any); ok {
				item = m
			}
		}
		iv := &groupItemView{Index: i,
			Legend:    b.s.msg.T(b.lang, "field.item", map[string]any{"Label": v.Label, "N": i + 1}),
			Remove:    b.s.msg.T(b.lang, "field.removeItem", map[string]any{"N": i + 1}),
			CanRemove: len(list) > 1 || (len(list) == 1 && !f.Required && f.MinItems == 0)}
		for j := range f.Fields {
			sub := &f.Fields[j]
			iv.Fields = append(iv.Fields, b.field(sub, itemPath(f.ID, i, sub.ID), item))
		}
		v.Items = append(v.Items, iv)
	}
	v.Count = n
	v.CanAdd = n < f.ItemLimit()
}

func itemPath(group string, i int, sub string) string {
	return group + "." + strconv.Itoa(i) + "." + sub
}

// clientRules are a field's checks for validation.js (forms.Field.ClientRules),
// with their messages in the page language: data-rules.
type clientRules struct {
	*forms.Rules
	Messages map[string]string `json:"m"`
}

// fieldMarkup are the parts of a text-like input's markup (writeField's
// last case, writeInput's default) that depend only on the field and the
// language, escaped: a page writes them as they are, between the parts
// that change (problem, condition, prefill source, value, autocomplete).
type fieldMarkup struct {
	id        string // the id, escaped (aria-describedby)
	idAttrs   string // from the end of the class to data-rules="
	label     string // from the end of the start tag to the label's end
	hint      string // the help's note, if any
	inputOpen string // the input up to its value
	inputMode string // from the end of the value to inputmode's end
	code      string // spellcheck and autocapitalize of an identifier
}

// markup is v's fieldMarkup, kept per language and field (Server.markup),
// or nil when v is not a text-like input (the markup is written part by
// part then).
func (b *fieldBuilder) markup(f *forms.Field, v *fieldView) *fieldMarkup {
	switch v.Type {
	case forms.TypeInfo, forms.TypeRadio, forms.TypeCheckboxes, forms.TypeGroup, forms.TypeCheckbox,
		forms.TypeTextarea, forms.TypeSelect, forms.TypeFile:
		return nil
	}
	li := slices.Index(i18n.Languages, b.lang)
	if li < 0 {
		return nil
	}
	if mk, ok := b.s.markup[li].Load(f); ok {
		return mk.(*fieldMarkup)
	}
	esc := func(parts ...string) string { // odd parts escaped
		var h render.HTML
		for i, p := range parts {
			if i%2 == 0 {
				h.Raw(p)
			} else {
				h.Text(p)
			}
		}
		return h.String()
	}
	mk := &fieldMarkup{
		id:        esc("", v.ID),
		idAttrs:   esc(`" id="field-`, v.ID, `" data-field="`, v.ID, `" data-rules="`),
		label:     esc(">\n<label class=\"label\" for=\"", v.ID, `">`, v.Label),
		inputOpen: esc(`<input class="input input-`, v.Type, `" type="`, v.InputType, `" id="`, v.ID, `" name="`, v.ID, `" value="`),
		inputMode: `"`,
	}
	if v.Required {
		mk.label += esc(` <span class="req">`, v.Txt.Required, "</span>")
	}
	mk.label += "</label>\n"
	if v.Help != "" {
		mk.hint = esc(`<p class="hint" id="`, v.ID, `-hint">`, v.Help, "</p>\n")
	}
	if v.InputMode != "" {
		mk.inputMode = esc(`" inputmode="`, v.InputMode, `"`)
	}
	if v.Code {
		mk.code = ` spellcheck="false" autocapitalize="characters"`
	}
	b.s.markup[li].Store(f, mk)
	return mk
}

// fieldRules are a field's data-rules in one language (JSON) and the same
// escaped as the attribute's value (html), made once and kept: the
// definitions of every form version stay in memory unchanged
// (cases.Forms), so a field is known by its address.
type fieldRules struct {
	day  int // for rules with relative date bounds: made on this day (yyyymmdd in Helsinki)
	json string
	html string
}

// noRules are the data-rules of a field that has none.
var noRules = &fieldRules{}

func newFieldRules(day int, json string) *fieldRules {
	var h render.HTML
	h.Text(json)
	return &fieldRules{day: day, json: json, html: h.String()}
}

// rules is a field's data-rules. They are the same on every page in a
// language, except relative date bounds, which move with the day: they are
// kept (Server.rules, and Server.datedRules for the day, by language and
// field) so that a step does not encode and escape them again for each
// field on every request.
func (b *fieldBuilder) rules(f *forms.Field) *fieldRules {
	li := slices.Index(i18n.Languages, b.lang)
	if li < 0 { // no page is in another language; not kept if one were
		return newFieldRules(0, b.encodeRules(f))
	}
	if f.DateMin != "" || f.DateMax != "" {
		// Relative bounds follow the date in Helsinki (forms.ParseDateBound):
		// the rules are kept for the day they were made on.
		y, m, d := b.now.In(datefmt.Helsinki()).Date()
		day := y*10000 + int(m)*100 + d
		if r, ok := b.s.datedRules[li].Load(f); ok && r.(*fieldRules).day == day {
			return r.(*fieldRules)
		}
		r := newFieldRules(day, b.encodeRules(f))
		b.s.datedRules[li].Store(f, r)
		return r
	}
	if r, ok := b.s.rules[li].Load(f); ok {
		return r.(*fieldRules)
	}
	r := noRules
	if out := b.encodeRules(f); out != "" {
		r = newFieldRules(0, out)
	}
	b.s.rules[li].Store(f, r)
	return r
}

func (b *fieldBuilder) encodeRules(f *forms.Field) string {
	r := f.ClientRules(b.now)
	if r == nil {
		return ""
	}
	v := clientRules{Rules: r, Messages: make(map[string]string, len(r.Errors)+1)}
	for key, e := range r.Errors {
		v.Messages[key] = b.s.fieldMessage(b.lang, e)
	}
	if f.Type == forms.TypeNumber { // text that does not read as a number (see readStep)
		v.Messages["number"] = b.s.msg.T(b.lang, "field.notNumber")
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// formatNumberInput writes a number as a person types it: 12,5 in fi and
// sv, 12.5 in en, without thousands separators.
func formatNumberInput(n float64, lang string) string {
	s := strconv.FormatFloat(n, 'f', -1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
