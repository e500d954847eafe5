package cases

import "asiointi/server/forms"

// Locks reports whether the draft holds field f at its register value
// given the answers values: a locked field (forms.Field.Locked) that was
// prefilled and has a value is shown as text, and a post never changes it
// (Save and Submit put the register value back anyway).
func (d *Draft) Locks(f *forms.Field, values map[string]any) bool {
	if !f.Locked {
		return false
	}
	if _, ok := d.Prefill[f.ID]; !ok {
		return false
	}
	v, ok := values[f.ID]
	return ok && v != nil
}

// Editable is the ids of the fields (a step's, see forms.StepFields)
// that a post may change, given the answers values: those that hold data
// and that the draft does not lock.
func (d *Draft) Editable(fields []*forms.Field, values map[string]any) []string {
	var out []string
	for _, f := range fields {
		if f.IsData() && !d.Locks(f, values) {
			out = append(out, f.ID)
		}
	}
	return out
}

// MergeStep puts a step's posted answers into a copy of base, a draft's
// answers: each field of fields (see Editable) takes its value in values,
// or loses its answer when values has none; a field whose text could not
// be read (in unread) keeps its answer, and so does every field not in
// fields. It is the twin of mergeStep in pwa/js/formlogic.js.
func MergeStep(base map[string]any, fields []string, values map[string]any, unread map[string]string) map[string]any {
	out := make(map[string]any, len(base)+len(values))
	for k, v := range base {
		out[k] = v
	}
	for _, id := range fields {
		if _, bad := unread[id]; bad {
			continue
		}
		if v, ok := values[id]; ok {
			out[id] = v
		} else {
			delete(out, id)
		}
	}
	return out
}
