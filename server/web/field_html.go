package web

import (
	"html/template"

	"asiointi/server/forms"
	"asiointi/server/render"
)

// fieldsHTML is the markup of a form's fields (the template function
// "fields" of pages/case-supplement.html; a step page writes them with
// writeField). A step has
// up to hundreds of fields and a template would make a reflective call for
// each of their values, so the field markup is written in Go, with
// html/template's escaping (render.HTML).
func fieldsHTML(fields []*fieldView) template.HTML {
	var h render.HTML
	h.Grow(700 * len(fields))
	for _, f := range fields {
		writeField(&h, f)
	}
	return h.HTML()
}

// writeField writes one field: an info block, a locked (prefilled) value,
// choices, a group with its items, a checkbox or an input.
func writeField(h *render.HTML, v *fieldView) {
	switch {
	case v.Type == forms.TypeInfo:
		h.Raw(`<div class="info-block" data-field="`)
		h.Text(v.ID)
		h.Raw(`"`)
		writeShowIf(h, v)
		h.Raw(">\n<h2 class=\"info-title\">")
		h.Text(v.Label)
		h.Raw("</h2>")
		if v.Help != "" {
			h.Raw("\n<p>")
			h.Raw(string(render.ContactLinks(v.Help)))
			h.Raw("</p>")
		}
		h.Raw("\n</div>\n")
	case v.Locked:
		h.Raw(`<div class="field field-locked" id="field-`)
		h.Text(v.ID)
		h.Raw(`" role="group" aria-labelledby="`)
		h.Text(v.ID)
		h.Raw("-label\">\n<p class=\"label\" id=\"")
		h.Text(v.ID)
		h.Raw(`-label">`)
		h.Text(v.Label)
		h.Raw("</p>\n<p class=\"locked-value\" id=\"")
		h.Text(v.ID)
		h.Raw(`">`)
		h.Text(v.Value)
		h.Raw("</p>\n<p class=\"source\" id=\"")
		h.Text(v.ID)
		h.Raw(`-source">`)
		h.Text(v.Source)
		h.Raw(" ")
		h.Text(v.Txt.Locked)
		h.Raw("</p>\n</div>\n")
	case v.Type == forms.TypeRadio || v.Type == forms.TypeCheckboxes:
		h.Raw(`<fieldset class="field`)
		writeErrorState(h, v)
		h.Raw(`" id="field-`)
		h.Text(v.ID)
		writeDataAttrs(h, v)
		writeShowIf(h, v)
		writeDescribe(h, v)
		h.Raw(">\n")
		writeLegend(h, v)
		writeNotes(h, v)
		h.Raw(`<div class="choices">`)
		kind := "checkbox"
		if v.Type == forms.TypeRadio {
			kind = "radio"
		}
		for _, o := range v.Options {
			h.Raw("\n<div class=\"choice-item\"><input type=\"" + kind + `" id="`)
			h.Text(o.ID)
			h.Raw(`" name="`)
			h.Text(v.ID)
			h.Raw(`" value="`)
			h.Text(o.Value)
			h.Raw(`"`)
			if o.Checked {
				h.Raw(" checked")
			}
			if v.Error != "" {
				h.Raw(` aria-invalid="true"`)
			}
			h.Raw(`><label for="`)
			h.Text(o.ID)
			h.Raw(`">`)
			h.Text(o.Label)
			h.Raw("</label></div>")
		}
		h.Raw("\n</div>\n</fieldset>\n")
	case v.Type == forms.TypeGroup:
		h.Raw(`<fieldset class="field group`)
		writeErrorState(h, v)
		h.Raw(`" id="`)
		h.Text(v.ID)
		h.Raw(`" tabindex="-1`)
		writeDataAttrs(h, v)
		writeShowIf(h, v)
		writeDescribe(h, v)
		h.Raw(">\n")
		writeLegend(h, v)
		writeNotes(h, v)
		h.Raw(`<input type="hidden" name="`)
		h.Text(v.ID)
		h.Raw(`.count" value="`)
		h.Int(v.Count)
		h.Raw("\">\n")
		for _, it := range v.Items {
			h.Raw(`<fieldset class="group-item" id="`)
			h.Text(v.ID)
			h.Raw(".")
			h.Int(it.Index)
			h.Raw(`" data-item="`)
			h.Int(it.Index)
			h.Raw("\">\n<legend>")
			h.Text(it.Legend)
			h.Raw("</legend>\n")
			for _, sub := range it.Fields {
				writeField(h, sub)
			}
			if it.CanRemove {
				h.Raw(`<button type="submit" name="action" value="remove:`)
				h.Text(v.ID)
				h.Raw(":")
				h.Int(it.Index)
				h.Raw(`" class="btn btn-secondary btn-small">`)
				h.Text(it.Remove)
				h.Raw("</button>\n")
			}
			h.Raw("</fieldset>\n")
		}
		if v.CanAdd {
			h.Raw(`<button type="submit" name="action" value="add:`)
			h.Text(v.ID)
			h.Raw(`" class="btn btn-secondary">`)
			h.Text(v.Txt.AddItem)
			h.Raw("</button>\n")
		}
		h.Raw("</fieldset>\n")
	case v.Type == forms.TypeCheckbox:
		h.Raw(`<div class="field field-checkbox`)
		writeErrorState(h, v)
		h.Raw(`" id="field-`)
		h.Text(v.ID)
		writeDataAttrs(h, v)
		writeShowIf(h, v)
		h.Raw(">\n")
		writeNotes(h, v)
		h.Raw(`<div class="choice-item"><input type="checkbox" id="`)
		h.Text(v.ID)
		h.Raw(`" name="`)
		h.Text(v.ID)
		h.Raw(`" value="true"`)
		if v.Checked {
			h.Raw(" checked")
		}
		writeAria(h, v)
		h.Raw(`><label for="`)
		h.Text(v.ID)
		h.Raw(`">`)
		h.Text(v.Label)
		writeRequired(h, v)
		h.Raw("</label></div>\n</div>\n")
	case v.mk != nil: // a text-like input: its fixed parts kept
		mk := v.mk
		h.Raw(`<div class="field`)
		writeErrorState(h, v)
		h.Raw(mk.idAttrs)
		h.Raw(v.Rules.html)
		h.Raw(`"`)
		writeShowIf(h, v)
		h.Raw(mk.label)
		writeNotes(h, v)
		h.Raw(mk.inputOpen)
		h.Text(v.Value)
		h.Raw(mk.inputMode)
		writeAutocomplete(h, v)
		h.Raw(mk.code)
		writeAria(h, v)
		h.Raw(">\n</div>\n")
	default:
		h.Raw(`<div class="field`)
		writeErrorState(h, v)
		h.Raw(`" id="field-`)
		h.Text(v.ID)
		writeDataAttrs(h, v)
		writeShowIf(h, v)
		h.Raw(">\n<label class=\"label\" for=\"")
		h.Text(v.ID)
		h.Raw(`">`)
		h.Text(v.Label)
		writeRequired(h, v)
		h.Raw("</label>\n")
		writeNotes(h, v)
		writeInput(h, v)
		h.Raw("</div>\n")
	}
}

// writeInput writes the control of a text-like, select or file field.
func writeInput(h *render.HTML, v *fieldView) {
	switch v.Type {
	case forms.TypeTextarea:
		h.Raw(`<textarea class="input input-textarea" id="`)
		h.Text(v.ID)
		h.Raw(`" name="`)
		h.Text(v.ID)
		h.Raw(`" rows="5"`)
		writeAria(h, v)
		h.Raw(">")
		h.Text(v.Value)
		h.Raw("</textarea>\n")
	case forms.TypeSelect:
		h.Raw(`<select class="input input-select" id="`)
		h.Text(v.ID)
		h.Raw(`" name="`)
		h.Text(v.ID)
		h.Raw(`"`)
		writeAria(h, v)
		h.Raw(">\n<option value=\"\">")
		h.Text(v.Txt.Choose)
		h.Raw("</option>")
		for _, o := range v.Options {
			h.Raw("\n<option value=\"")
			h.Text(o.Value)
			h.Raw(`"`)
			if o.Checked {
				h.Raw(" selected")
			}
			h.Raw(">")
			h.Text(o.Label)
			h.Raw("</option>")
		}
		h.Raw("\n</select>\n")
	case forms.TypeFile:
		if f := v.File; f != nil {
			h.Raw("<div class=\"file-current\">\n<p>")
			h.Text(v.Txt.CurrentFile)
			h.Raw(` <a href="`)
			h.URL(f.URL)
			h.Raw(`">`)
			h.Text(f.Name)
			h.Raw("</a> (")
			h.Text(f.Size)
			h.Raw(")</p>\n<p class=\"hint\">")
			h.Text(v.Txt.ReplaceFile)
			h.Raw("</p>\n<button type=\"submit\" name=\"action\" value=\"removefile:")
			h.Text(v.ID)
			h.Raw(`" class="btn btn-secondary btn-small">`)
			h.Text(v.Txt.RemoveFile)
			h.Raw(`<span class="visually-hidden"> `)
			h.Text(f.Name)
			h.Raw("</span></button>\n</div>\n")
		}
		h.Raw(`<input type="hidden" name="`)
		h.Text(v.ID)
		h.Raw(`" value="`)
		h.Text(v.Value)
		h.Raw("\">\n<input class=\"input-file\" type=\"file\" id=\"")
		h.Text(v.ID)
		h.Raw(`" name="`)
		h.Text(v.ID)
		h.Raw(`" accept="`)
		h.Text(v.Accept)
		h.Raw(`"`)
		writeAria(h, v)
		h.Raw(">\n")
	default:
		h.Raw(`<input class="input input-`)
		h.Text(v.Type)
		h.Raw(`" type="`)
		h.Text(v.InputType)
		h.Raw(`" id="`)
		h.Text(v.ID)
		h.Raw(`" name="`)
		h.Text(v.ID)
		h.Raw(`" value="`)
		h.Text(v.Value)
		h.Raw(`"`)
		if v.InputMode != "" {
			h.Raw(` inputmode="`)
			h.Text(v.InputMode)
			h.Raw(`"`)
		}
		writeAutocomplete(h, v)
		if v.Code {
			h.Raw(` spellcheck="false" autocapitalize="characters"`)
		}
		writeAria(h, v)
		h.Raw(">\n")
	}
}

func writeAutocomplete(h *render.HTML, v *fieldView) {
	if v.Autocomplete != "" {
		h.Raw(` autocomplete="`)
		h.Text(v.Autocomplete)
		h.Raw(`"`)
	}
}

func writeErrorState(h *render.HTML, v *fieldView) {
	if v.Error != "" {
		h.Raw(" field-error-state")
	}
}

// writeDataAttrs ends the id attribute's value, then writes data-field and
// data-rules.
func writeDataAttrs(h *render.HTML, v *fieldView) {
	h.Raw(`" data-field="`)
	h.Text(v.ID)
	h.Raw(`" data-rules="`)
	h.Raw(v.Rules.html)
	h.Raw(`"`)
}

// writeShowIf writes the condition of a field shown only on some answers
// and whether it is hidden now.
func writeShowIf(h *render.HTML, v *fieldView) {
	if v.ShowIf != "" {
		h.Raw(` data-show-if="`)
		h.Text(v.ShowIf)
		h.Raw(`"`)
	}
	if v.Hidden {
		h.Raw(" hidden")
	}
}

// writeDescribe writes aria-describedby: the ids of the notes under the
// field's label (writeNotes) that it has.
func writeDescribe(h *render.HTML, v *fieldView) {
	sep := ` aria-describedby="`
	for _, n := range [...]struct {
		has    bool
		suffix string
	}{{v.CondHint != "", "-cond"}, {v.Help != "", "-hint"}, {v.Source != "", "-source"}, {v.Error != "", "-error"}} {
		if n.has {
			h.Raw(sep)
			if v.mk != nil {
				h.Raw(v.mk.id)
			} else {
				h.Text(v.ID)
			}
			h.Raw(n.suffix)
			sep = " "
		}
	}
	if sep == " " {
		h.Raw(`"`)
	}
}

func writeRequired(h *render.HTML, v *fieldView) {
	if v.Required {
		h.Raw(` <span class="req">`)
		h.Text(v.Txt.Required)
		h.Raw("</span>")
	}
}

func writeLegend(h *render.HTML, v *fieldView) {
	h.Raw(`<legend class="label">`)
	h.Text(v.Label)
	writeRequired(h, v)
	h.Raw("</legend>\n")
}

// writeAria writes an input's required, described-by and invalid state.
func writeAria(h *render.HTML, v *fieldView) {
	if v.Required {
		h.Raw(` aria-required="true"`)
	}
	writeDescribe(h, v)
	if v.Error != "" {
		h.Raw(` aria-invalid="true"`)
	}
}

// writeNote writes one note under a field's label: a paragraph of class
// class whose id is the field's id and suffix (what aria-describedby names).
func writeNote(h *render.HTML, class, id, suffix, text string) {
	h.Raw(`<p class="`)
	h.Raw(class)
	h.Raw(`" id="`)
	h.Text(id)
	h.Raw(suffix)
	h.Raw(`">`)
	h.Text(text)
	h.Raw("</p>\n")
}

// writeNotes writes what is said under a field's label: when to answer,
// the help, the consent link, where a prefilled value came from and the
// field's problem.
func writeNotes(h *render.HTML, v *fieldView) {
	if v.CondHint != "" {
		writeNote(h, "cond-hint", v.ID, "-cond", v.CondHint)
	}
	if v.mk != nil {
		h.Raw(v.mk.hint)
	} else if v.Help != "" {
		writeNote(h, "hint", v.ID, "-hint", v.Help)
	}
	if v.ConsentURL != "" {
		h.Raw(`<p class="hint"><a href="`)
		h.URL(v.ConsentURL)
		h.Raw(`">`)
		h.Text(v.Txt.Consent)
		h.Raw("</a></p>\n")
	}
	if v.Source != "" {
		h.Raw(`<p class="source" id="`)
		h.Text(v.ID)
		h.Raw(`-source">`)
		if v.SourceURL != "" {
			h.Raw(`<a href="`)
			h.URL(v.SourceURL)
			h.Raw(`">`)
			h.Text(v.Source)
			h.Raw("</a>")
		} else {
			h.Text(v.Source)
		}
		h.Raw("</p>\n")
	}
	if v.Error != "" {
		h.Raw(`<p class="field-error" id="`)
		h.Text(v.ID)
		h.Raw(`-error"><span class="visually-hidden">`)
		h.Text(v.Txt.ErrorPrefix)
		h.Raw(" </span>")
		h.Text(v.Error)
		h.Raw("</p>\n")
	}
}
