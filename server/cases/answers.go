package cases

import (
	"bytes"
	"slices"

	"asiointi/server/forms"
)

// How a save changes a draft's stored answers (bucket DraftData, one JSON
// object per draft). Save replaces them all; SaveChanges changes only the
// answers it names, and does so on the stored bytes: it keeps every other
// member as stored and encodes only the new values, so that its cost
// follows what changed, not the size of the form (issue 9).

// answersEdit is what a save does to the stored answers.
type answersEdit interface {
	// check checks the new answers against the draft's form and its
	// locked prefilled values; it runs once, before anything is written.
	check(def *forms.Definition, locked map[string]any) ([]forms.FieldError, error)
	// stored reports whether apply needs the stored answers.
	stored() bool
	// apply returns the answers to store, given the stored ones (nil when
	// there are none). It may run more than once (a retried write).
	apply(stored []byte) ([]byte, error)
}

// wholeAnswers replaces every answer (Save).
type wholeAnswers struct {
	data  map[string]any
	clean map[string]any
	raw   []byte
}

func (w *wholeAnswers) check(def *forms.Definition, locked map[string]any) ([]forms.FieldError, error) {
	clean, errs := def.CheckDraft(w.data)
	applyLocked(locked, clean)
	raw, err := encodeAnswers(clean)
	w.clean, w.raw = clean, raw
	return errs, err
}

func (w *wholeAnswers) stored() bool                 { return false }
func (w *wholeAnswers) apply([]byte) ([]byte, error) { return w.raw, nil }

// changedAnswers changes the answers named in changes (SaveChanges): a
// value sets one, null removes it.
type changedAnswers struct {
	changes map[string]any
	edits   answerEdits
}

// answerEdits are the changes to stored answers, by id in byte order:
// vals[i] is the encoded new value of ids[i], nil when it goes.
type answerEdits struct {
	ids  []string
	vals [][]byte
	// plain: no id needs escaping in JSON (form ids do not), so the
	// splice may write and compare them as they are.
	plain bool
}

// plainID: id is written in JSON as it is, between quotes.
func plainID(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return id != ""
}

// find is the index of key in ids, -1 when absent.
func (e *answerEdits) find(key []byte) int {
	lo, hi := 0, len(e.ids)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e.ids[m] < string(key) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(e.ids) && e.ids[lo] == string(key) {
		return lo
	}
	return -1
}

func (c *changedAnswers) check(def *forms.Definition, locked map[string]any) ([]forms.FieldError, error) {
	set, unset, errs := def.CheckDraftChanges(c.changes)
	e := answerEdits{ids: make([]string, 0, len(set)+len(unset))}
	e.ids = append(e.ids, unset...)
	for id := range set {
		e.ids = append(e.ids, id)
	}
	slices.Sort(e.ids)
	e.vals = make([][]byte, len(e.ids))
	e.plain = true
	for i, id := range e.ids {
		e.plain = e.plain && plainID(id)
		v, ok := set[id]
		// What the register says stays when the form locks it, as Save's
		// applyLocked keeps it: a change to it is a change back to it.
		if lv, isLocked := locked[id]; isLocked {
			v, ok = lv, true
		}
		if !ok {
			continue
		}
		raw, err := encodeValue(v)
		if err != nil {
			return nil, err
		}
		e.vals[i] = raw
	}
	c.edits = e
	return errs, nil
}

func (c *changedAnswers) stored() bool { return true }

func (c *changedAnswers) apply(stored []byte) ([]byte, error) {
	if c.edits.plain {
		if out, ok := spliceAnswers(stored, &c.edits); ok {
			return out, nil
		}
	}
	// Stored bytes the splice does not read (not written by this code):
	// decode, change and encode them whole.
	data := map[string]any{}
	if len(stored) > 0 {
		if err := decodeAnswers(stored, &data); err != nil {
			return nil, err
		}
	}
	for i, id := range c.edits.ids {
		raw := c.edits.vals[i]
		if raw == nil {
			delete(data, id)
			continue
		}
		var v any
		if err := unmarshal(raw, &v); err != nil {
			return nil, err
		}
		data[id] = v
	}
	return encodeAnswers(data)
}

// spliceAnswers applies edits to stored, a JSON object of answers (empty:
// none): edited members get their new value in place or go, new ones are
// appended in id order, and the bytes between them are copied as they are.
// It reads no more of stored than where its top-level members are. ok is
// false when stored is not an object it can read (escaped or repeated
// keys included); then nothing is returned.
func spliceAnswers(stored []byte, edits *answerEdits) (out []byte, ok bool) {
	if len(stored) == 0 {
		stored = []byte("{}")
	}
	// Where the edited members are, in the order of stored.
	type edited struct {
		edit int
		member
	}
	var buf [8]edited
	found := buf[:0]
	members, twice := 0, false
	end := objectMembers(stored, func(m member) {
		members++
		if k := edits.find(m.key(stored)); k >= 0 {
			for _, f := range found {
				twice = twice || f.edit == k
			}
			found = append(found, edited{k, m})
		}
	})
	if end < 0 || twice { // not an object this code reads, or a key twice
		return nil, false
	}

	size := len(stored)
	for k, id := range edits.ids {
		size += len(id) + len(edits.vals[k]) + 4
	}
	out = make([]byte, 0, size)
	pos := 0
	for _, m := range found {
		if v := edits.vals[m.edit]; v != nil { // a new value in place
			out = append(out, stored[pos:m.vs]...)
			out = append(out, v...)
			pos = m.ve
			continue
		}
		// The member goes, with the comma after it, or else the one before.
		out = append(out, stored[pos:m.ks]...)
		members--
		if c := skipSpace(stored, m.ve); stored[c] == ',' {
			pos = skipSpace(stored, c+1)
			continue
		}
		out = bytes.TrimRight(out, " \t\n\r")
		out = bytes.TrimSuffix(out, []byte(","))
		pos = m.ve
	}
	out = append(out, stored[pos:end]...)
	for k, id := range edits.ids {
		if edits.vals[k] == nil || slices.ContainsFunc(found, func(m edited) bool { return m.edit == k }) {
			continue
		}
		if members > 0 {
			out = append(out, ',')
		}
		members++
		out = append(out, '"')
		out = append(out, id...)
		out = append(out, '"', ':')
		out = append(out, edits.vals[k]...)
	}
	return append(out, stored[end:]...), true
}

// member is where a member of a JSON object is in its bytes b: the key
// with its quotes is b[ks:ke], the value b[vs:ve].
type member struct{ ks, ke, vs, ve int }

// key is the member's key, without quotes (objectMembers reads only keys
// without escapes).
func (m member) key(b []byte) []byte { return b[m.ks+1 : m.ke-1] }

// value is the member's value.
func (m member) value(b []byte) []byte { return b[m.vs:m.ve] }

// objectMembers calls fn for every top-level member of the JSON object b,
// in order, and returns where its closing brace is. It finds where the
// members are and no more (see skipValue). It returns -1, having called
// fn for some members or none, when b is not an object it reads: an
// escaped key, anything but white space after the object, or bytes that
// do not end as JSON would.
func objectMembers(b []byte, fn func(m member)) int {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return -1
	}
	i = skipSpace(b, i+1)
	for n := 0; i < len(b) && b[i] != '}'; n++ {
		if n > 0 {
			if b[i] != ',' {
				return -1
			}
			i = skipSpace(b, i+1)
		}
		if i >= len(b) || b[i] != '"' {
			return -1
		}
		ks := i
		q := bytes.IndexByte(b[i+1:], '"')
		if q < 0 || bytes.IndexByte(b[i+1:i+1+q], '\\') >= 0 { // an escaped key: not one the encoder wrote
			return -1
		}
		ke := i + 1 + q + 1
		j := skipSpace(b, ke)
		if j >= len(b) || b[j] != ':' {
			return -1
		}
		vs := skipSpace(b, j+1)
		ve := skipValue(b, vs)
		if ve < 0 {
			return -1
		}
		fn(member{ks, ke, vs, ve})
		i = skipSpace(b, ve)
	}
	if i >= len(b) || skipSpace(b, i+1) != len(b) {
		return -1
	}
	return i
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the end (after the closing quote) of the string that
// starts at b[i] (a quote), -1 when it does not end.
func skipString(b []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		n := 0 // backslashes before the quote
		for k := q - 1; k >= i && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}

// skipValue returns the end of the JSON value that starts at b[i], -1
// when it does not end. It finds where the value ends and no more: the
// bytes are the store's own, written by the JSON encoder.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end := skipString(b, i)
				if end < 0 {
					return -1
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	case '}', ']', ',', ':':
		return -1
	}
	j := i
	for j < len(b) && !endsScalar(b[j]) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// endsScalar: c ends a number or a literal.
func endsScalar(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}
