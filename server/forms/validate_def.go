package forms

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"asiointi/i18n"
	"asiointi/server/datefmt"
)

// DefinitionError lists every problem Validate found, each prefixed with
// the path of the offending part, e.g.
// `steps[1].fields[3] "childHetu": purpose.sv is missing`.
type DefinitionError struct {
	Service  string
	Problems []string
}

func (e *DefinitionError) Error() string {
	name := e.Service
	if name == "" {
		name = "(no service)"
	}
	return fmt.Sprintf("form definition %s: %d problem(s):\n%s", name, len(e.Problems), strings.Join(e.Problems, "\n"))
}

var (
	serviceIDRe = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	fieldIDRe   = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	conceptRe   = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$`)
	optionRe    = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	mimeAllowed = DefaultAccept
)

// textLike are the types whose value is free text the resident types.
var textLike = map[string]bool{TypeText: true, TypeTextarea: true, TypeEmail: true, TypePhone: true}

var knownTypes = map[string]bool{
	TypeText: true, TypeTextarea: true, TypeNumber: true, TypeMoney: true, TypeDate: true, TypeTime: true,
	TypeEmail: true, TypePhone: true, TypeHetu: true, TypeBusinessID: true, TypeIBAN: true,
	TypePostalCode: true, TypeSelect: true, TypeRadio: true, TypeCheckboxes: true,
	TypeCheckbox: true, TypeFile: true, TypeGroup: true, TypeInfo: true,
}

func hasOptions(t string) bool {
	return t == TypeSelect || t == TypeRadio || t == TypeCheckboxes
}

// autocompleteTokens are the HTML autocomplete tokens a field may name.
var autocompleteTokens = map[string]bool{
	"off": true, "on": true, "name": true, "honorific-prefix": true, "given-name": true,
	"additional-name": true, "family-name": true, "honorific-suffix": true, "nickname": true,
	"email": true, "username": true, "organization-title": true, "organization": true,
	"street-address": true, "address-line1": true, "address-line2": true, "address-line3": true,
	"address-level1": true, "address-level2": true, "address-level3": true, "address-level4": true,
	"country": true, "country-name": true, "postal-code": true, "bday": true, "bday-day": true,
	"bday-month": true, "bday-year": true, "sex": true, "tel": true, "tel-country-code": true,
	"tel-national": true, "tel-area-code": true, "tel-local": true, "url": true, "language": true,
}

// checker collects the problems of one definition.
type checker struct {
	problems []string
	ids      map[string]*Field // top-level ids seen so far, in form order
}

func (c *checker) addf(path, format string, args ...any) {
	c.problems = append(c.problems, path+": "+fmt.Sprintf(format, args...))
}

func (c *checker) text(path, key string, t i18n.Text, required bool) {
	if t == nil {
		if required {
			c.addf(path, "%s is missing", key)
		}
		return
	}
	missing, unknown := t.Check()
	for _, lang := range missing {
		c.addf(path, "%s.%s is missing", key, lang)
	}
	for _, lang := range unknown {
		c.addf(path, "%s has unknown language %q", key, lang)
	}
}

// Validate checks the whole definition and reports every problem found as
// a *DefinitionError. It also compiles the fields' patterns, so call it
// (Parse does) before using the definition from several goroutines.
func (d *Definition) Validate() error {
	c := &checker{ids: map[string]*Field{}}
	if d.Service == "" {
		c.problems = append(c.problems, "service is missing")
	} else if !serviceIDRe.MatchString(d.Service) {
		c.problems = append(c.problems, fmt.Sprintf("service %q must be lowercase letters, digits and single hyphens", d.Service))
	}
	if d.Version < 1 {
		c.problems = append(c.problems, "version must be 1 or more")
	}
	if len(d.Steps) == 0 {
		c.problems = append(c.problems, "steps is empty: a form needs at least one step")
	}
	stepIDs := map[string]bool{}
	for si := range d.Steps {
		s := &d.Steps[si]
		path := fmt.Sprintf("steps[%d] %q", si, s.ID)
		switch {
		case s.ID == "":
			c.addf(fmt.Sprintf("steps[%d]", si), "id is missing")
		case !fieldIDRe.MatchString(s.ID):
			c.addf(path, "id must match [a-z][a-zA-Z0-9]*")
		case stepIDs[s.ID]:
			c.addf(path, "duplicate step id %q", s.ID)
		}
		stepIDs[s.ID] = true
		c.text(path, "title", s.Title, true)
		if len(s.Fields) == 0 {
			c.addf(path, "fields is empty: a step needs at least one field")
		}
		for fi := range s.Fields {
			c.field(&s.Fields[fi], fmt.Sprintf("steps[%d].fields[%d]", si, fi), nil, nil)
		}
		if n := StepFileBytes(s); n > MaxStepFileBytes {
			c.addf(path, "the files of one step may together be at most %d bytes, these allow %d: a page without JavaScript sends them in one request", MaxStepFileBytes, n)
		}
	}
	if len(c.problems) > 0 {
		return &DefinitionError{Service: d.Service, Problems: c.problems}
	}
	return nil
}

// field checks f. group is the enclosing group (nil at top level) and
// siblings the ids seen so far in that group.
func (c *checker) field(f *Field, pos string, group *Field, siblings map[string]*Field) {
	path := fmt.Sprintf("%s %q", pos, f.ID)
	scope := c.ids
	if group != nil {
		scope = siblings
	}
	switch {
	case f.ID == "":
		c.addf(pos, "id is missing")
	case !fieldIDRe.MatchString(f.ID):
		c.addf(path, "id must match [a-z][a-zA-Z0-9]*")
	case scope[f.ID] != nil:
		c.addf(path, "duplicate id %q", f.ID)
	}

	if !knownTypes[f.Type] {
		if f.Type == "" {
			c.addf(path, "type is missing")
		} else {
			c.addf(path, "unknown type %q", f.Type)
		}
	}
	c.text(path, "label", f.Label, true)
	c.text(path, "help", f.Help, false)
	if f.Subject != nil {
		switch f.Type {
		case TypeInfo, TypeCheckbox, TypeCheckboxes, TypeGroup:
			c.addf(path, "subject is only for a question answered with one value, not %s", f.Type)
		default:
			c.text(path, "subject", f.Subject, true)
		}
	}

	c.options(f, path)
	c.showIf(f, path, group, siblings)
	c.constraints(f, path)
	c.about(f, path)

	if f.Type == TypeGroup {
		if group != nil {
			c.addf(path, "a group cannot be inside another group")
		}
		if len(f.Fields) == 0 {
			c.addf(path, "fields is empty: a group needs at least one sub-field")
		}
		subs := map[string]*Field{}
		for i := range f.Fields {
			c.field(&f.Fields[i], fmt.Sprintf("%s.fields[%d]", path, i), f, subs)
		}
	} else if len(f.Fields) > 0 {
		c.addf(path, "fields are only for type group, not %s", f.Type)
	}

	// Register after the checks so that showIf can only see earlier fields
	// (and not the field itself).
	if f.ID != "" && scope[f.ID] == nil {
		scope[f.ID] = f
	}
}

func (c *checker) options(f *Field, path string) {
	if !hasOptions(f.Type) {
		if len(f.Options) > 0 {
			c.addf(path, "options are only for select, radio and checkboxes, not %s", f.Type)
		}
		return
	}
	if len(f.Options) == 0 {
		c.addf(path, "options are missing: %s needs at least one option", f.Type)
	}
	seen := map[string]bool{}
	for i, o := range f.Options {
		opath := fmt.Sprintf("%s.options[%d]", path, i)
		switch {
		case o.Value == "":
			c.addf(opath, "value is missing")
		case !optionRe.MatchString(o.Value):
			c.addf(opath, "value %q must be letters, digits, '-', '_' or '.'", o.Value)
		case seen[o.Value]:
			c.addf(opath, "duplicate option value %q", o.Value)
		}
		seen[o.Value] = true
		c.text(opath, "label", o.Label, true)
	}
}

func (c *checker) showIf(f *Field, path string, group *Field, siblings map[string]*Field) {
	cond := f.ShowIf
	if cond == nil {
		return
	}
	if cond.Field == "" {
		c.addf(path, "showIf.field is missing")
		return
	}
	var target *Field
	if group != nil {
		target = siblings[cond.Field]
		if target != nil && c.ids[cond.Field] != nil {
			c.addf(path, "showIf.field %q is ambiguous: it names both a field of group %q and a top-level field; rename one", cond.Field, group.ID)
			return
		}
		if target == nil && cond.Field == group.ID {
			c.addf(path, "showIf.field %q cannot be the field's own group", cond.Field)
			return
		}
	}
	if target == nil {
		target = c.ids[cond.Field]
	}
	switch {
	case cond.Field == f.ID && target == nil:
		c.addf(path, "showIf.field cannot refer to the field itself")
		return
	case target == nil:
		c.addf(path, "showIf refers to unknown field %q (it must come earlier in the form, in the same group or at top level)", cond.Field)
		return
	case target.Type == TypeInfo:
		c.addf(path, "showIf refers to info field %q, which has no value", cond.Field)
		return
	}

	set := 0
	if cond.Equals != nil {
		set++
	}
	if cond.In != nil {
		set++
	}
	if cond.NotEmpty {
		set++
	}
	if set != 1 {
		c.addf(path, "showIf needs exactly one of equals, in and notEmpty")
		return
	}
	if cond.NotEmpty {
		return
	}
	if target.Type == TypeFile || target.Type == TypeGroup {
		c.addf(path, "showIf on %s field %q can only use notEmpty", target.Type, target.ID)
		return
	}
	values := cond.In
	key := "in"
	if cond.Equals != nil {
		values, key = []any{cond.Equals}, "equals"
	} else if len(values) == 0 {
		c.addf(path, "showIf.in is empty")
	}
	for _, v := range values {
		if problem := conditionValueProblem(target, v); problem != "" {
			c.addf(path, "showIf.%s: %s", key, problem)
		}
	}
}

// conditionValueProblem says why v can never be a value of target.
func conditionValueProblem(target *Field, v any) string {
	switch target.Type {
	case TypeCheckbox:
		if _, ok := v.(bool); !ok {
			return fmt.Sprintf("checkbox %q has the value true or false, not %v", target.ID, v)
		}
	case TypeNumber:
		if _, ok := toFloat(v); !ok {
			return fmt.Sprintf("number field %q needs a number, not %v", target.ID, v)
		}
	default:
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("%s field %q needs a string, not %v", target.Type, target.ID, v)
		}
		if hasOptions(target.Type) {
			if _, ok := target.Option(s); !ok {
				return fmt.Sprintf("%q is not an option of %q", s, target.ID)
			}
		}
	}
	return ""
}

func (c *checker) constraints(f *Field, path string) {
	t := f.Type
	// Text lengths and patterns.
	if f.MinLength != 0 || f.MaxLength != 0 {
		if !textLike[t] {
			c.addf(path, "minLength and maxLength are only for text, textarea, email and phone, not %s", t)
		} else {
			if f.MinLength < 0 || f.MaxLength < 0 {
				c.addf(path, "minLength and maxLength cannot be negative")
			}
			if f.MaxLength > MaxTextLength {
				c.addf(path, "maxLength %d is over the limit of %d", f.MaxLength, MaxTextLength)
			}
			if f.MaxLength > 0 && f.MinLength > f.MaxLength {
				c.addf(path, "minLength %d is greater than maxLength %d", f.MinLength, f.MaxLength)
			}
		}
	}
	if f.Pattern != "" {
		if !textLike[t] {
			c.addf(path, "pattern is only for text, textarea, email and phone, not %s", t)
		} else if re, err := compilePattern(f.Pattern); err != nil {
			c.addf(path, "pattern does not compile: %v", err)
		} else if problem := jsIncompatible(f.Pattern); problem != "" {
			c.addf(path, "pattern is not portable to JavaScript: %s", problem)
		} else {
			f.re = re
		}
		if f.PatternHelp == nil {
			c.addf(path, "patternHelp is missing: say in words what the pattern expects")
		} else {
			c.text(path, "patternHelp", f.PatternHelp, true)
		}
	} else if f.PatternHelp != nil {
		c.addf(path, "patternHelp without pattern")
	}

	// Numeric ranges.
	if f.Min != nil || f.Max != nil {
		if t != TypeNumber && t != TypeMoney && t != TypeCheckboxes {
			c.addf(path, "min and max are only for number, money and checkboxes, not %s", t)
		} else {
			for _, b := range []*float64{f.Min, f.Max} {
				if b != nil && (math.IsNaN(*b) || math.IsInf(*b, 0) || math.Abs(*b) > 1e15) {
					c.addf(path, "min or max is out of range")
				}
			}
			if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
				c.addf(path, "min %v is greater than max %v", *f.Min, *f.Max)
			}
			if t == TypeMoney {
				for _, b := range []*float64{f.Min, f.Max} {
					if b != nil && math.Abs(*b*100-math.Round(*b*100)) > 1e-6 {
						c.addf(path, "min and max of money have at most 2 decimals")
					}
				}
			}
			if t == TypeCheckboxes {
				for _, b := range []*float64{f.Min, f.Max} {
					if b != nil && (*b != math.Trunc(*b) || *b < 0) {
						c.addf(path, "min and max of checkboxes are whole numbers of choices")
					}
				}
				if f.Min != nil && *f.Min > float64(len(f.Options)) {
					c.addf(path, "min %v is more than the %d options", *f.Min, len(f.Options))
				}
			}
		}
	}

	// Date bounds.
	if f.DateMin != "" || f.DateMax != "" {
		if t != TypeDate {
			c.addf(path, "dateMin and dateMax are only for date, not %s", t)
		} else {
			ref := time.Date(2024, 6, 15, 12, 0, 0, 0, datefmt.Helsinki())
			var lo, hi time.Time
			var errLo, errHi error
			if f.DateMin != "" {
				if lo, errLo = ParseDateBound(f.DateMin, ref); errLo != nil {
					c.addf(path, "dateMin: %v", errLo)
				}
			}
			if f.DateMax != "" {
				if hi, errHi = ParseDateBound(f.DateMax, ref); errHi != nil {
					c.addf(path, "dateMax: %v", errHi)
				}
			}
			relative := strings.HasPrefix(f.DateMin, "today") == strings.HasPrefix(f.DateMax, "today")
			if f.DateMin != "" && f.DateMax != "" && errLo == nil && errHi == nil && relative && lo.After(hi) {
				c.addf(path, "dateMin %s is after dateMax %s", f.DateMin, f.DateMax)
			}
		}
	}

	// Files.
	if f.MaxBytes != 0 || len(f.Accept) > 0 {
		if t != TypeFile {
			c.addf(path, "maxBytes and accept are only for file, not %s", t)
		} else {
			if f.MaxBytes < 0 || f.MaxBytes > MaxFileBytes {
				c.addf(path, "maxBytes must be between 1 and %d (the server's largest file)", MaxFileBytes)
			}
			seen := map[string]bool{}
			for _, m := range f.Accept {
				if !slices.Contains(mimeAllowed, m) {
					c.addf(path, "accept: %q is not one of %s", m, strings.Join(mimeAllowed, ", "))
				}
				if seen[m] {
					c.addf(path, "accept: %q is listed twice", m)
				}
				seen[m] = true
			}
		}
	}

	// Groups.
	if f.MinItems != 0 || f.MaxItems != 0 {
		if t != TypeGroup {
			c.addf(path, "minItems and maxItems are only for group, not %s", t)
		} else {
			if f.MinItems < 0 || f.MaxItems < 0 {
				c.addf(path, "minItems and maxItems cannot be negative")
			}
			if f.MaxItems > MaxGroupItems {
				c.addf(path, "maxItems %d is over the limit of %d", f.MaxItems, MaxGroupItems)
			}
			if f.MinItems > f.ItemLimit() {
				c.addf(path, "minItems %d is greater than maxItems %d", f.MinItems, f.ItemLimit())
			}
		}
	}

	if f.Autocomplete != "" {
		switch {
		case t == TypeInfo || t == TypeFile || t == TypeGroup || t == TypeCheckbox || t == TypeCheckboxes:
			c.addf(path, "autocomplete is not for %s fields", t)
		case !autocompleteTokens[f.Autocomplete]:
			c.addf(path, "autocomplete %q is not a known HTML autocomplete token", f.Autocomplete)
		}
	}
	if f.Required && t == TypeInfo {
		c.addf(path, "an info field cannot be required")
	}
}

// about checks what principle 5 asks of every data field: concept,
// purpose, legal basis and retention.
func (c *checker) about(f *Field, path string) {
	if !f.IsData() {
		if f.Concept != "" || f.Purpose != nil || f.LegalBasis != "" || f.Retention != "" || f.Prefill || f.Locked {
			c.addf(path, "an info field holds no data: concept, purpose, legalBasis, retention, prefill and locked are not for it")
		}
		return
	}
	switch {
	case f.Concept == "":
		c.addf(path, "concept is missing")
	case !conceptRe.MatchString(f.Concept):
		c.addf(path, "concept %q must be dotted camelCase words, e.g. person.name.first", f.Concept)
	}
	c.text(path, "purpose", f.Purpose, true)
	if strings.TrimSpace(f.LegalBasis) == "" {
		c.addf(path, "legalBasis is missing")
	} else if len(f.LegalBasis) > 200 || strings.ContainsAny(f.LegalBasis, "\n\r\t") {
		c.addf(path, "legalBasis must be one short line, e.g. \"540/2018 17 §\"")
	}
	if f.Retention == "" {
		c.addf(path, "retention is missing")
	} else if p, err := datefmt.ParsePeriod(f.Retention); err != nil {
		c.addf(path, "retention: %v", err)
	} else if p.IsZero() {
		c.addf(path, "retention %q is zero", f.Retention)
	}
	if f.Locked && !f.Prefill {
		c.addf(path, "locked needs prefill: only a prefilled value can be locked")
	}
	if (f.Prefill || f.Locked) && (f.Type == TypeFile || f.Type == TypeGroup) {
		c.addf(path, "prefill and locked are not for %s fields", f.Type)
	}
}

// jsIncompatible names a construct of an RE2 pattern that the browser
// reads differently or refuses. Browsers compile an input's pattern
// attribute with the v flag, which is stricter than Go: identity escapes
// are limited to syntax characters, and inside [...] the characters
// ( ) [ ] { } / | and a leading or trailing - must be escaped.
func jsIncompatible(p string) string {
	inClass, classStart := false, 0
	for i := 0; i < len(p); i++ {
		ch := p[i]
		if ch == '\\' {
			if i+1 >= len(p) {
				return "trailing backslash"
			}
			e := p[i+1]
			switch {
			case strings.IndexByte("AzQEC", e) >= 0:
				return fmt.Sprintf(`\%c is Go-only`, e)
			case (e == 'p' || e == 'P') && (i+2 >= len(p) || p[i+2] != '{'):
				return fmt.Sprintf(`write \%c{…} with braces`, e)
			case e == 'x' && i+2 < len(p) && p[i+2] == '{':
				return `\x{…} is Go-only; use \u…`
			case e >= '0' && e <= '9':
				return `octal and back-reference escapes are not portable`
			case e < 0x80 && !isAlnum(e) && strings.IndexByte(`^$\.*+?()[]{}|/`, e) < 0 && !(inClass && strings.IndexByte("&-!#%,:;<=>@`~", e) >= 0):
				return fmt.Sprintf(`escape \%c is not valid in JavaScript; write %c without the backslash`, e, e)
			}
			i++
			if (e == 'p' || e == 'P') && i+1 < len(p) {
				if end := strings.IndexByte(p[i:], '}'); end > 0 {
					i += end // skip the {…} of \p{…}
				}
			}
			continue
		}
		if !inClass {
			switch {
			case ch == '[':
				inClass, classStart = true, i+1
				if strings.HasPrefix(p[i+1:], "^") {
					classStart++
				}
				if strings.HasPrefix(p[classStart:], "]") {
					return "write ] inside [...] as \\]"
				}
			case strings.HasPrefix(p[i:], "(?") && !strings.HasPrefix(p[i:], "(?:"):
				return "flags and named groups (?…) are not portable; only (?:…) is"
			case ch == '{':
				m := quantifierRe.FindString(p[i:])
				if m == "" {
					return "escape a { that is not a repetition {n,m} as \\{"
				}
				i += len(m) - 1
			case ch == '}':
				return "escape } as \\}"
			}
			continue
		}
		switch {
		case ch == ']':
			if i > classStart && p[i-1] == '-' && (i-2 < classStart || p[i-2] != '\\') {
				return "escape a - at the end of [...] as \\-"
			}
			inClass = false
		case ch == '-' && i == classStart:
			return "escape a - at the start of [...] as \\-"
		case strings.IndexByte("()[{}/|", ch) >= 0:
			if ch == '[' && strings.HasPrefix(p[i:], "[:") {
				return "POSIX classes [[:…:]] are Go-only"
			}
			return fmt.Sprintf("escape %c inside [...] as \\%c", ch, ch)
		case i+1 < len(p) && p[i+1] == ch && strings.IndexByte("&!#$%*+,.:;<=>?@^`~", ch) >= 0:
			return fmt.Sprintf("a doubled %c inside [...] is reserved in JavaScript", ch)
		}
	}
	return ""
}

var quantifierRe = regexp.MustCompile(`^\{[0-9]+(,[0-9]*)?\}`)

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
