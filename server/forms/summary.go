package forms

import (
	"strconv"
	"strings"

	"asiointi/server/datefmt"
	"asiointi/server/fincode"
)

// SummaryStep is one step of the "check your answers" page.
type SummaryStep struct {
	StepIndex int           `json:"stepIndex"`
	StepID    string        `json:"stepId"`
	Title     string        `json:"title"`
	Items     []SummaryItem `json:"items"`
}

// SummaryItem is one answer. Value is the answer as the resident reads it
// in the summary's language, "" when unanswered. For a checkbox, ValueID is
// the message id of the answer (MsgYes or MsgNo) and Value its translation.
// A group has no Value but one []SummaryItem per item in Items; FieldID of
// a group's sub-field is its error path, e.g. "members.0.hetu".
type SummaryItem struct {
	FieldID string          `json:"fieldId"`
	Label   string          `json:"label"`
	Value   string          `json:"value"`
	ValueID string          `json:"valueId,omitempty"`
	Items   [][]SummaryItem `json:"items,omitempty"`
}

// Summary lays out the answers for reading back, in lang, step by step,
// leaving out info fields and fields hidden by their showIf (evaluated in
// form order on the answers of visible fields, as CheckSubmit does). Steps
// with nothing to show are left out.
//
// att names attachments (nil: files show as ""). tr translates the message
// ids of checkbox answers (MsgYes, MsgNo) into lang; with a nil tr, Value
// holds the id itself, to translate later with ValueID.
//
// Display formats: option labels; dates 31.3.2027 (fi, sv) and 31 March 2027
// (en); money 1 234,50 € (fi, sv) and €1,234.50 (en), with no-break spaces;
// numbers 12,5 / 12.5; IBAN in groups of four; files "name (123 kB)".
func (d *Definition) Summary(data map[string]any, lang string, att func(id string) (Attachment, bool), tr func(id string) string) []SummaryStep {
	sm := summarizer{lang: lang, att: att, tr: tr}
	shown := map[string]any{}
	var out []SummaryStep
	for si := range d.Steps {
		step := &d.Steps[si]
		var items []SummaryItem
		for fi := range step.Fields {
			f := &step.Fields[fi]
			if item, ok := sm.item(f, f.ID, data, shown, shown); ok {
				items = append(items, item)
			}
		}
		if len(items) > 0 {
			out = append(out, SummaryStep{StepIndex: si, StepID: step.ID, Title: step.Title.In(lang), Items: items})
		}
	}
	return out
}

type summarizer struct {
	lang string
	att  func(id string) (Attachment, bool)
	tr   func(id string) string
}

// item summarises in[f.ID]; shown collects the answers of the visible
// fields of f's scope, top those of the top level.
func (sm summarizer) item(f *Field, path string, in, shown, top map[string]any) (SummaryItem, bool) {
	if !f.IsData() || !Visible(f, shown, top) {
		return SummaryItem{}, false
	}
	v, ok := in[f.ID]
	if ok && v != nil {
		shown[f.ID] = v
	}
	it := SummaryItem{FieldID: path, Label: f.Label.In(sm.lang)}
	if f.Type == TypeGroup {
		list, _ := asList(v)
		for i, x := range list {
			m, _ := x.(map[string]any)
			itemShown := map[string]any{}
			var row []SummaryItem
			for j := range f.Fields {
				sub := &f.Fields[j]
				if si, ok := sm.item(sub, subPath(path, i, sub.ID), m, itemShown, top); ok {
					row = append(row, si)
				}
			}
			it.Items = append(it.Items, row)
		}
		return it, true
	}
	if f.Type == TypeCheckbox {
		if b, ok := v.(bool); ok {
			it.ValueID = MsgNo
			if b {
				it.ValueID = MsgYes
			}
			it.Value = it.ValueID
			if sm.tr != nil {
				it.Value = sm.tr(it.ValueID)
			}
		}
		return it, true
	}
	it.Value = sm.value(f, v)
	return it, true
}

// value is the display form of a value that is not a group or checkbox.
func (sm summarizer) value(f *Field, v any) string {
	if v == nil {
		return ""
	}
	if f.Type == TypeNumber {
		if n, ok := toFloat(v); ok {
			return formatNumber(n, sm.lang)
		}
		return ""
	}
	if f.Type == TypeCheckboxes {
		list, _ := asList(v)
		var labels []string
		for _, x := range list {
			if s, ok := x.(string); ok {
				labels = append(labels, sm.optionLabel(f, s))
			}
		}
		return strings.Join(labels, ", ")
	}
	s, ok := v.(string)
	if !ok {
		return ""
	}
	switch f.Type {
	case TypeSelect, TypeRadio:
		return sm.optionLabel(f, s)
	case TypeMoney:
		if cents, ok := parseMoney(s); ok {
			return formatMoney(cents, sm.lang)
		}
	case TypeDate:
		if t, err := ParseDate(strings.TrimSpace(s)); err == nil {
			return datefmt.Date(t, sm.lang)
		}
	case TypeTime:
		if t, ok := ParseTime(s); ok {
			h, _ := strconv.Atoi(t[:2])
			m, _ := strconv.Atoi(t[3:])
			return datefmt.Clock(h, m, sm.lang)
		}
	case TypeIBAN:
		return fincode.FormatIBAN(s)
	case TypeFile:
		if sm.att == nil {
			return ""
		}
		if a, ok := sm.att(s); ok {
			return a.Name + " (" + formatSize(a.Size, sm.lang) + ")"
		}
		return ""
	}
	return s
}

func (sm summarizer) optionLabel(f *Field, value string) string {
	if o, ok := f.Option(value); ok {
		return o.Label.In(sm.lang)
	}
	return value
}
