package forms

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"

	"asiointi/server/internal/jsonenc"
)

// StepFields is the fields of step si that apply to the answers values:
// those a page of the step shows and a post of it may change. A field
// whose condition depends on an answer of an earlier step is left out when
// that answer hides it (it does not apply, and its answer is kept). A
// condition on a field of the same step is decided where the answers are
// typed (in the browser): the field is always part of the step.
func (d *Definition) StepFields(si int, values map[string]any) []*Field {
	var shown map[string]any // made for the first condition: most steps have none
	var out []*Field
	for i := range d.Steps[si].Fields {
		f := &d.Steps[si].Fields[i]
		if f.ShowIf != nil && !shownIn(out, f.ShowIf.Field) {
			// A condition on an earlier step's answer.
			if shown == nil {
				shown = d.shownBefore(si, values)
			}
			if !Visible(f, shown, shown) {
				continue
			}
		}
		if out == nil {
			out = make([]*Field, 0, len(d.Steps[si].Fields))
		}
		out = append(out, f)
	}
	return out
}

// shownIn tells whether the field id is one of fields (the step's fields
// shown so far; a condition names a field near it, so from the end).
func shownIn(fields []*Field, id string) bool {
	for i := len(fields) - 1; i >= 0; i-- {
		if fields[i].ID == id {
			return true
		}
	}
	return false
}

// shownBefore holds the answers of the visible fields of the steps before
// si, evaluated in form order as CheckSubmit does.
func (d *Definition) shownBefore(si int, values map[string]any) map[string]any {
	shown := map[string]any{}
	for i := 0; i < si; i++ {
		for j := range d.Steps[i].Fields {
			f := &d.Steps[i].Fields[j]
			if !f.IsData() || !Visible(f, shown, shown) {
				continue
			}
			if v, ok := values[f.ID]; ok {
				shown[f.ID] = v
			}
		}
	}
	return shown
}

// StepHash fingerprints the answers in data of the given fields (a step's,
// see StepFields): a post made from a page whose fingerprint still matches
// changed nothing that anyone else changed since, even if the draft's
// version moved on (another step saved on another device).
func StepHash(data map[string]any, fields []*Field) string {
	// The bytes are encoding/json's of the map of these answers (sorted
	// keys, HTML-escaped), written without building the map: a step page
	// and every post of it make one. Keys, texts, booleans and nulls are
	// written by hand (jsonenc), other values by an encoder.
	ids := make([]string, 0, len(fields))
	size := 2
	for _, f := range fields {
		if v, ok := data[f.ID]; ok {
			ids = append(ids, f.ID)
			size += len(f.ID) + 8
			if s, ok := v.(string); ok {
				size += len(s)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	b := make([]byte, 0, size)
	var buf bytes.Buffer
	var enc *json.Encoder // each value as json.Marshal writes it, then "\n"
	b = append(b, '{')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, id)
		b = append(b, ':')
		switch v := data[id].(type) {
		case string:
			b = jsonenc.AppendString(b, v)
		case bool:
			b = strconv.AppendBool(b, v)
		case nil:
			b = append(b, "null"...)
		default:
			if enc == nil {
				enc = json.NewEncoder(&buf)
			}
			buf.Reset()
			if enc.Encode(v) != nil {
				return hashOf(nil) // what a failed json.Marshal of the map gave
			}
			b = append(b, buf.Bytes()[:buf.Len()-1]...)
		}
	}
	b = append(b, '}')
	return hashOf(b)
}

func hashOf(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

// SortErrors orders problems as their fields come in the form; problems
// of one field (a group's items) by path.
func (d *Definition) SortErrors(errs []FieldError) {
	pos := map[string]int{}
	n := 0
	for si := range d.Steps {
		for _, f := range d.Steps[si].Fields {
			pos[f.ID] = n
			n++
		}
	}
	key := func(e FieldError) (int, string) {
		top, _, _ := strings.Cut(e.Field, ".")
		return pos[top], e.Field
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, as := key(errs[i])
		b, bs := key(errs[j])
		if a != b {
			return a < b
		}
		return as < bs
	})
}
