package forms

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"asiointi/server/fincode"
)

// Attachment is what CheckSubmit and Summary need to know of an uploaded
// file. Field is the field it was uploaded for: the field id, or for a
// file inside a group "groupId.<index>.subId" or "groupId.subId". MIME is
// detected from the content by the caller.
type Attachment struct {
	ID    string `json:"id"`
	Field string `json:"field"`
	Name  string `json:"name"`
	MIME  string `json:"mime"`
	Size  int64  `json:"size"`
}

// CheckOptions are the outside facts CheckSubmit depends on.
type CheckOptions struct {
	// Now anchors "today" of date bounds (in Europe/Helsinki); zero means
	// time.Now().
	Now time.Time
	// Attachment finds an uploaded file by id; nil means there are none.
	Attachment func(id string) (Attachment, bool)
}

// CheckDraft is the lenient check of an autosaved draft. It drops unknown
// ids and info fields, checks only the shape of each value (string, number,
// bool, list, list of objects) and the hard caps (strings up to
// MaxTextLength characters, groups up to maxItems or MaxGroupItems items,
// checkboxes up to the number of options). It keeps hidden fields' values,
// so toggling a condition back loses nothing, and never requires anything.
// A value of the wrong shape is left out and reported; null is left out.
func (d *Definition) CheckDraft(data map[string]any) (map[string]any, []FieldError) {
	out := make(map[string]any, len(data))
	return out, d.checkDraft(data, out, nil)
}

// CheckDraftChanges is CheckDraft of some answers only, for a save that
// sends what changed: changes maps top-level field ids to their new
// values, null for an answer removed. Each field is checked by CheckDraft's
// own rule (no draft check looks at another field), so for every id in
// changes, CheckDraft of the saved answers merged with changes keeps what
// this returns in set and leaves out what it returns in unset: the ids
// removed (null) and those whose value is of the wrong shape (reported).
// Unknown ids and info fields are dropped, as CheckDraft drops them; a
// group's value is its whole list of items. Errors and unset come in form
// order.
func (d *Definition) CheckDraftChanges(changes map[string]any) (set map[string]any, unset []string, errs []FieldError) {
	set = make(map[string]any, len(changes))
	gone := func(id string) { unset = append(unset, id) }
	if len(changes) > fewChanges {
		return set, unset, d.checkDraft(changes, set, gone)
	}
	// A few changes (typing changes one): find their fields rather than
	// look every field up in changes, and check them in form order.
	var at [fewChanges]fieldAt
	found := at[:0]
	for id := range changes {
		if f, ok := d.topField(id); ok {
			found = append(found, f)
		}
	}
	slices.SortFunc(found, func(a, b fieldAt) int {
		if a.step != b.step {
			return a.step - b.step
		}
		return a.index - b.index
	})
	for _, fa := range found {
		draftChange(fa.f, changes, set, &errs, gone)
	}
	return set, unset, errs
}

// fewChanges is how many changes CheckDraftChanges looks up one by one.
const fewChanges = 8

// fieldAt is a top-level field and its place in the form.
type fieldAt struct {
	f           *Field
	step, index int
}

// topField finds the top-level field id (not a group's sub-field).
func (d *Definition) topField(id string) (fieldAt, bool) {
	for si := range d.Steps {
		for fi := range d.Steps[si].Fields {
			if f := &d.Steps[si].Fields[fi]; f.ID == id {
				return fieldAt{f, si, fi}, true
			}
		}
	}
	return fieldAt{}, false
}

// checkDraft checks the answers of in into out, in form order; gone, when
// set, gets each field of in left out (null or of the wrong shape).
func (d *Definition) checkDraft(in, out map[string]any, gone func(id string)) []FieldError {
	var errs []FieldError
	for si := range d.Steps {
		for fi := range d.Steps[si].Fields {
			draftChange(&d.Steps[si].Fields[fi], in, out, &errs, gone)
		}
	}
	return errs
}

// draftChange is draftField of a top-level field; gone, when set, gets
// its id when in has it and out does not.
func draftChange(f *Field, in, out map[string]any, errs *[]FieldError, gone func(id string)) {
	draftField(f, f.ID, in, out, errs)
	if gone == nil || !f.IsData() {
		return
	}
	if _, ok := in[f.ID]; ok {
		if _, kept := out[f.ID]; !kept {
			gone(f.ID)
		}
	}
}

func draftField(f *Field, path string, in, out map[string]any, errs *[]FieldError) {
	v, ok := in[f.ID]
	if !ok || v == nil || !f.IsData() {
		return
	}
	bad := func(code string, params map[string]any) {
		*errs = append(*errs, FieldError{Field: path, Code: code, Params: params})
	}
	switch f.Type {
	case TypeNumber:
		n, ok := toFloat(v)
		if !ok {
			bad(ErrInvalidValue, nil)
			return
		}
		if _, same := v.(float64); same {
			out[f.ID] = v // the same float64: v holds it already (no allocation per answer)
		} else {
			out[f.ID] = n
		}
	case TypeCheckbox:
		b, ok := v.(bool)
		if !ok {
			bad(ErrInvalidValue, nil)
			return
		}
		out[f.ID] = b
	case TypeCheckboxes:
		list, ok := asList(v)
		if !ok || len(list) > len(f.Options) {
			bad(ErrInvalidValue, nil)
			return
		}
		vals := make([]any, 0, len(list))
		for _, x := range list {
			s, ok := x.(string)
			if !ok || utf8.RuneCountInString(s) > MaxTextLength {
				bad(ErrInvalidValue, nil)
				return
			}
			vals = append(vals, x) // x holds s
		}
		out[f.ID] = vals
	case TypeGroup:
		list, ok := asList(v)
		if !ok {
			bad(ErrInvalidValue, nil)
			return
		}
		if len(list) > f.ItemLimit() {
			bad(ErrTooManyItems, map[string]any{"Max": f.ItemLimit()})
			return
		}
		items := make([]any, len(list))
		for i, x := range list {
			item := map[string]any{}
			items[i] = item
			m, ok := x.(map[string]any)
			if !ok {
				*errs = append(*errs, FieldError{Field: itemPath(path, i), Code: ErrInvalidValue})
				continue
			}
			for j := range f.Fields {
				sub := &f.Fields[j]
				draftField(sub, subPath(path, i, sub.ID), m, item, errs)
			}
		}
		out[f.ID] = items
	default: // every other type holds a string
		s, ok := v.(string)
		if !ok {
			bad(ErrInvalidValue, nil)
			return
		}
		if utf8.RuneCountInString(s) > MaxTextLength {
			bad(ErrTooLong, map[string]any{"Count": MaxTextLength})
			return
		}
		out[f.ID] = v // v holds s: storing s again would allocate per answer
	}
}

func itemPath(group string, i int) string { return group + "." + strconv.Itoa(i) }

func subPath(group string, i int, sub string) string {
	return group + "." + strconv.Itoa(i) + "." + sub
}

// CheckSubmit is the authoritative check on submit. It requires what is
// required, applies every constraint of the definition (lengths, patterns,
// ranges, dates relative to opts.Now in Helsinki, checksums of hetu,
// business ID, IBAN and postal code, option membership, attachments) and
// returns the cleaned answers: trimmed and normalised (hetu upper case,
// IBAN without spaces, money as "1234.50", checkboxes in option order),
// without unknown ids and without hidden fields — a field whose showIf does
// not hold is neither required nor stored. A condition is evaluated on the
// cleaned answers, so a field depending on a hidden or invalid field is
// hidden too. Errors come in form order.
func (d *Definition) CheckSubmit(data map[string]any, opts CheckOptions) (map[string]any, []FieldError) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	s := &submitCheck{opts: opts}
	out := make(map[string]any, len(data))
	for si := range d.Steps {
		for fi := range d.Steps[si].Fields {
			f := &d.Steps[si].Fields[fi]
			s.field(f, f.ID, data, out, out)
		}
	}
	return out, s.errs
}

type submitCheck struct {
	opts CheckOptions
	errs []FieldError
}

func (s *submitCheck) fail(path, code string, params map[string]any) {
	s.errs = append(s.errs, FieldError{Field: path, Code: code, Params: params})
}

// report adds a problem of a field's limits (see rules.go) at path.
func (s *submitCheck) report(path string, e FieldError) {
	e.Field = path
	s.errs = append(s.errs, e)
}

// field checks in[f.ID] and stores the cleaned value in out. scope holds
// the cleaned answers of f's scope so far, top those of the top level.
func (s *submitCheck) field(f *Field, path string, in, out, top map[string]any) {
	if !f.IsData() || !Visible(f, out, top) {
		return
	}
	v := in[f.ID]
	if isEmpty(v) && !(f.Type == TypeCheckbox && v != nil) {
		if f.Required {
			s.report(path, errRequired(f))
		}
		return
	}
	if clean, ok := s.value(f, path, v, top); ok {
		out[f.ID] = clean
	}
}

// value checks one non-empty answer and returns its cleaned form.
func (s *submitCheck) value(f *Field, path string, v any, top map[string]any) (any, bool) {
	switch f.Type {
	case TypeNumber:
		return s.number(f, path, v)
	case TypeCheckbox:
		b, ok := v.(bool)
		if !ok {
			s.fail(path, ErrInvalidValue, nil)
			return nil, false
		}
		if f.Required && !b {
			s.fail(path, ErrRequiredCheckbox, nil)
			return nil, false
		}
		return b, true
	case TypeCheckboxes:
		return s.checkboxes(f, path, v)
	case TypeGroup:
		return s.group(f, path, v, top)
	}
	str, ok := v.(string)
	if !ok || utf8.RuneCountInString(str) > MaxTextLength {
		s.fail(path, ErrInvalidValue, nil)
		return nil, false
	}
	clean, ok := s.str(f, path, str)
	switch {
	case !ok:
		return nil, false
	case clean == str: // v holds it: storing clean again would allocate per answer
		return v, true
	}
	return clean, true
}

// str checks one non-empty answer of a field that holds a string and
// returns its cleaned form.
func (s *submitCheck) str(f *Field, path, str string) (string, bool) {
	switch f.Type {
	case TypeText, TypeTextarea, TypeEmail, TypePhone:
		return s.text(f, path, str)
	}
	// Codes, amounts, dates and choices: nothing invisible is meant.
	str = StripInvisible(str)
	switch f.Type {
	case TypeMoney:
		return s.money(f, path, str)
	case TypeDate:
		return s.date(f, path, str)
	case TypeTime:
		t, ok := ParseTime(str)
		if !ok {
			s.fail(path, ErrTime, nil)
			return "", false
		}
		return t, true
	case TypeSelect, TypeRadio:
		if _, ok := f.Option(str); !ok {
			s.fail(path, ErrOption, nil)
			return "", false
		}
		return str, true
	case TypeFile:
		return s.file(f, path, str)
	}
	return s.code(f, path, str)
}

func (s *submitCheck) text(f *Field, path, str string) (string, bool) {
	var ok bool
	if f.Type == TypeTextarea {
		str, ok = cleanMultiline(str)
	} else {
		str, ok = cleanLine(str)
	}
	if !ok {
		s.fail(path, ErrInvalidValue, nil)
		return "", false
	}
	if str == "" { // only white space: unanswered
		if f.Required {
			s.report(path, errRequired(f))
		}
		return "", false
	}
	// A pattern's own hint (the format asked for) says what is wrong better
	// than a length: "klo 18" in an HH.MM field is not "too long".
	if f.Pattern != "" {
		if re := f.regexp(); re == nil || !re.MatchString(str) {
			s.report(path, errPattern(f))
			return "", false
		}
	}
	n := utf8.RuneCountInString(str)
	switch {
	case f.MaxLength > 0 && n > f.MaxLength:
		s.report(path, errTooLong(f))
		return "", false
	case n < f.MinLength:
		s.report(path, errTooShort(f))
		return "", false
	}
	switch {
	case f.Type == TypeEmail && !validEmail(str):
		s.fail(path, ErrEmail, nil)
		return "", false
	case f.Type == TypePhone && !validPhone(str):
		s.fail(path, ErrPhone, nil)
		return "", false
	}
	return str, true
}

// code checks the Finnish identifiers.
func (s *submitCheck) code(f *Field, path, str string) (string, bool) {
	str = strings.TrimSpace(str)
	var ok bool
	var code string
	switch f.Type {
	case TypeHetu:
		str = strings.ToUpper(str)
		ok, code = fincode.ValidHetu(str), ErrHetu
	case TypeBusinessID:
		ok, code = fincode.ValidBusinessID(str), ErrBusinessID
	case TypeIBAN:
		str = fincode.NormalizeIBAN(str)
		ok, code = fincode.ValidIBAN(str), ErrIBAN
	case TypePostalCode:
		ok, code = fincode.ValidPostalCode(str), ErrPostalCode
	default:
		ok, code = false, ErrInvalidValue
	}
	if !ok {
		s.fail(path, code, nil)
		return "", false
	}
	return str, true
}

func (s *submitCheck) number(f *Field, path string, v any) (any, bool) {
	n, ok := toFloat(v)
	if !ok {
		s.fail(path, ErrInvalidValue, nil)
		return nil, false
	}
	switch {
	case f.Min != nil && n < *f.Min:
		s.report(path, errNumberTooSmall(f))
		return nil, false
	case f.Max != nil && n > *f.Max:
		s.report(path, errNumberTooLarge(f))
		return nil, false
	}
	if x, same := v.(float64); same && math.Float64bits(x) == math.Float64bits(n) {
		return v, true // v holds n already (no allocation per answer)
	}
	return n, true
}

func (s *submitCheck) money(f *Field, path, str string) (string, bool) {
	cents, ok := parseMoney(str)
	if !ok {
		s.fail(path, ErrMoney, nil)
		return "", false
	}
	switch {
	case cents < moneyMin(f):
		s.report(path, errMoneyTooSmall(f))
		return "", false
	case f.Max != nil && cents > toCents(*f.Max):
		s.report(path, errMoneyTooLarge(f))
		return "", false
	}
	return moneyString(cents), true
}

func (s *submitCheck) date(f *Field, path, str string) (string, bool) {
	str = strings.TrimSpace(str)
	t, err := ParseDate(str)
	if err != nil {
		s.fail(path, ErrDate, nil)
		return "", false
	}
	if f.DateMin != "" {
		if lo, err := ParseDateBound(f.DateMin, s.opts.Now); err == nil && t.Before(lo) {
			s.report(path, errDateTooEarly(lo))
			return "", false
		}
	}
	if f.DateMax != "" {
		if hi, err := ParseDateBound(f.DateMax, s.opts.Now); err == nil && t.After(hi) {
			s.report(path, errDateTooLate(hi))
			return "", false
		}
	}
	return str, true
}

func (s *submitCheck) checkboxes(f *Field, path string, v any) (any, bool) {
	list, ok := asList(v)
	if !ok {
		s.fail(path, ErrInvalidValue, nil)
		return nil, false
	}
	chosen := map[string]bool{}
	for _, x := range list {
		str, ok := x.(string)
		if !ok {
			s.fail(path, ErrInvalidValue, nil)
			return nil, false
		}
		if _, ok := f.Option(str); !ok {
			s.fail(path, ErrOption, nil)
			return nil, false
		}
		chosen[str] = true
	}
	n := float64(len(chosen))
	switch {
	case f.Min != nil && n < *f.Min:
		s.report(path, errTooFewChoices(f))
		return nil, false
	case f.Max != nil && n > *f.Max:
		s.report(path, errTooManyChoices(f))
		return nil, false
	}
	out := make([]any, 0, len(chosen))
	for _, o := range f.Options {
		if chosen[o.Value] {
			out = append(out, o.Value)
		}
	}
	return out, true
}

func (s *submitCheck) file(f *Field, path, id string) (string, bool) {
	var a Attachment
	ok := false
	if s.opts.Attachment != nil {
		a, ok = s.opts.Attachment(id)
	}
	if !ok || (a.Field != path && a.Field != withoutIndex(path)) {
		s.fail(path, ErrFileMissing, nil)
		return "", false
	}
	if !slices.Contains(f.Accepted(), a.MIME) {
		s.report(path, errFileType(f))
		return "", false
	}
	if a.Size > f.FileLimit() {
		s.report(path, errFileTooLarge(f))
		return "", false
	}
	return id, true
}

// withoutIndex turns "members.0.cert" into "members.cert".
func withoutIndex(path string) string {
	parts := strings.Split(path, ".")
	if len(parts) != 3 {
		return path
	}
	return parts[0] + "." + parts[2]
}

func (s *submitCheck) group(f *Field, path string, v any, top map[string]any) (any, bool) {
	list, ok := asList(v)
	if !ok {
		s.fail(path, ErrInvalidValue, nil)
		return nil, false
	}
	switch {
	case len(list) > f.ItemLimit():
		s.report(path, errTooManyItems(f))
		return nil, false
	case len(list) < f.MinItems:
		s.report(path, errTooFewItems(f))
		return nil, false
	}
	items := make([]any, 0, len(list))
	before := len(s.errs)
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			s.fail(itemPath(path, i), ErrInvalidValue, nil)
			continue
		}
		item := map[string]any{}
		for j := range f.Fields {
			sub := &f.Fields[j]
			s.field(sub, subPath(path, i, sub.ID), m, item, top)
		}
		items = append(items, item)
	}
	return items, len(s.errs) == before
}

// StepErrors groups errors by the index of the step their field is on.
// Errors naming no field of the definition are left out.
func (d *Definition) StepErrors(errs []FieldError) map[int][]FieldError {
	out := map[int][]FieldError{}
	for _, e := range errs {
		if _, si, ok := d.Lookup(e.Field); ok {
			out[si] = append(out[si], e)
		} else if _, si, ok := d.Lookup(strings.SplitN(e.Field, ".", 2)[0]); ok {
			out[si] = append(out[si], e) // e.g. "members.3", an item of a group
		}
	}
	return out
}
