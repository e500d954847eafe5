package web

import (
	"errors"
	"mime/multipart"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/forms"
)

// postedForm reads a url-encoded or multipart form.
func postedForm(c *fiber.Ctx) (url.Values, map[string][]*multipart.FileHeader, error) {
	vals := url.Values{}
	if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		mf, err := c.MultipartForm()
		if err != nil {
			return nil, nil, err
		}
		for k, v := range mf.Value {
			vals[k] = append(vals[k], v...)
		}
		return vals, mf.File, nil
	}
	for k, v := range c.Request().PostArgs().All() {
		vals.Add(string(k), string(v))
	}
	return vals, nil, nil
}

// stepPost is what a post of a step page says.
type stepPost struct {
	values   map[string]any    // answers by top-level field id; absent = unanswered
	raw      map[string]string // texts that could not be read, by field path
	errs     []forms.FieldError
	uploaded map[string]string // input name → new attachment id
	action   string
	tooLarge bool // a file was refused for its size (413)
}

// uploader stores a chosen file for a field path and returns its id.
type uploader func(path string, fh *multipart.FileHeader) (string, error)

var dmyDate = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{4})$`)

// readStep reads the posted answers of fields. It is the twin of readStep
// in pwa/js/formlogic.js: text as typed, numbers as JSON numbers (a number
// that does not read stays as typed in raw, with an error), checkbox as
// bool, checkboxes as a list, files as attachment ids (a chosen file is
// uploaded first), groups from names like budget.0.item with a count in
// budget.count; items left completely empty are dropped.
func readStep(fields []*forms.Field, vals url.Values, files map[string][]*multipart.FileHeader, up uploader) *stepPost {
	p := &stepPost{values: map[string]any{}, raw: map[string]string{}, uploaded: map[string]string{}, action: vals.Get("action")}
	if p.action == "" {
		p.action = "next" // Enter in a text field
	}
	for _, f := range fields {
		p.field(f, f.ID, f.ID, p.values, vals, files, up)
	}
	return p
}

func (p *stepPost) field(f *forms.Field, name, path string, out map[string]any, vals url.Values, files map[string][]*multipart.FileHeader, up uploader) {
	text := vals.Get(name)
	switch f.Type {
	case forms.TypeInfo:
	case forms.TypeCheckbox:
		out[f.ID] = text == "true" || text == "on"
	case forms.TypeCheckboxes:
		var list []any
		for _, x := range vals[name] {
			if x != "" && !slices.Contains(list, any(x)) {
				list = append(list, x)
			}
		}
		if len(list) > 0 {
			out[f.ID] = list
		}
	case forms.TypeNumber:
		t := strings.TrimSpace(text)
		if t == "" {
			return
		}
		if n, ok := parseNumber(t); ok {
			out[f.ID] = n
			return
		}
		p.raw[path] = text
		p.errs = append(p.errs, forms.FieldError{Field: path, Code: "field.notNumber"})
	case forms.TypeDate:
		t := strings.TrimSpace(text)
		if m := dmyDate.FindStringSubmatch(t); m != nil { // a browser without a date picker
			t = m[3] + "-" + pad2(m[2]) + "-" + pad2(m[1])
		}
		if t != "" {
			out[f.ID] = t
		}
	case forms.TypeTime:
		t := strings.TrimSpace(text)
		if hhmm, ok := forms.ParseTime(t); ok { // a browser without a time picker: "18.30", "klo 18"
			t = hhmm
		}
		if t != "" {
			out[f.ID] = t
		}
	case forms.TypeFile:
		id := text
		if fhs := files[name]; len(fhs) > 0 && fhs[0].Filename != "" && up != nil {
			newID, err := up(path, fhs[0])
			if err != nil {
				p.errs = append(p.errs, uploadError(path, err))
				p.tooLarge = p.tooLarge || errors.Is(err, cases.ErrTooLarge) || errors.Is(err, cases.ErrQuota)
			} else {
				id = newID
				p.uploaded[name] = newID
			}
		}
		if p.action == "removefile:"+name {
			id = ""
		}
		if id != "" {
			out[f.ID] = id
		}
	case forms.TypeGroup:
		n, _ := strconv.Atoi(vals.Get(name + ".count"))
		n = min(max(n, 0), f.ItemLimit()+1)
		adding := p.action == "add:"+name
		var items []any
		for i := 0; i < n; i++ {
			prefix := name + "." + strconv.Itoa(i) + "."
			if p.action == "remove:"+name+":"+strconv.Itoa(i) {
				continue
			}
			if !adding && !hasInput(prefix, vals, files) {
				continue
			}
			item := map[string]any{}
			k := len(items)
			for j := range f.Fields {
				sub := &f.Fields[j]
				p.field(sub, prefix+sub.ID, itemPath(path, k, sub.ID), item, vals, files, up)
			}
			items = append(items, item)
		}
		if adding && len(items) < f.ItemLimit() {
			items = append(items, map[string]any{})
		}
		if len(items) > 0 {
			out[f.ID] = items
		}
	default:
		if text != "" {
			out[f.ID] = text
		}
	}
}

// hasInput: an item of a group holds any answer (an unticked checkbox
// posts nothing).
func hasInput(prefix string, vals url.Values, files map[string][]*multipart.FileHeader) bool {
	for k, vs := range vals {
		if strings.HasPrefix(k, prefix) {
			for _, v := range vs {
				if strings.TrimSpace(v) != "" {
					return true
				}
			}
		}
	}
	for k, fhs := range files {
		if strings.HasPrefix(k, prefix) && len(fhs) > 0 && fhs[0].Filename != "" {
			return true
		}
	}
	return false
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// parseNumber reads a number as people type it: "12", "12,5", "1 200"
// (the same as parseNumber in pwa/js/formlogic.js).
func parseNumber(s string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	s = strings.Replace(s, ",", ".", 1)
	if !numberText.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil
}

var numberText = regexp.MustCompile(`^-?(\d+\.?\d*|\.\d+)$`)

// uploadError turns an upload failure into a field problem.
func uploadError(path string, err error) forms.FieldError {
	var le *cases.LimitError
	switch {
	case errors.As(err, &le) && errors.Is(err, cases.ErrTooLarge):
		return forms.FileTooLarge(path, le.Limit)
	case errors.As(err, &le) && errors.Is(err, cases.ErrQuota):
		return forms.FieldError{Field: path, Code: "upload.quota", Params: map[string]any{"Max": forms.SizeParam(le.Limit)}}
	case errors.Is(err, cases.ErrBadType):
		return forms.FieldError{Field: path, Code: "upload.badType"}
	}
	return forms.FieldError{Field: path, Code: "field.uploadFailed"}
}

// saveStep handles a post of a step page: it merges the step's answers
// into the draft, saves them with the posted version and goes where the
// pressed button says.
func (s *Server) saveStep(c *fiber.Ctx) error {
	sess := session(c)
	lang := requestLang(c)
	d, def, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	if d.CaseID != "" {
		return c.Redirect(pathsIn(lang).Case(d.CaseID), fiber.StatusSeeOther)
	}
	si, ok := stepIndex(c, def)
	if !ok {
		return fiber.ErrNotFound
	}
	vals, files, err := postedForm(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	if secs, over := s.overUploadLimit(c, files); over {
		c.Set("Retry-After", strconv.Itoa(secs))
		return s.failData(c, fiber.StatusTooManyRequests, "rate-limited", "error.rateLimited", map[string]any{"Count": secs})
	}
	fields := def.StepFields(si, d.Data)
	up := func(path string, fh *multipart.FileHeader) (string, error) {
		a, err := s.attach(d.ID, sess.UserID, path, fh)
		if err != nil {
			return "", err
		}
		return a.ID, nil
	}
	post := readStep(fields, vals, files, up)
	version, _ := strconv.Atoi(vals.Get("version"))
	if version != d.Version {
		if vals.Get("_base") != forms.StepHash(d.Data, fields) && len(s.conflictRows(lang, d, fields, post)) > 0 {
			return s.conflictPage(c, d, def, si, fields, post, vals)
		}
		version = d.Version // only other steps changed meanwhile: nothing to choose
	}
	merged := cases.MergeStep(d.Data, d.Editable(fields, d.Data), post.values, post.raw)
	// Where to go.
	dest, redirect := si, ""
	switch a := post.action; {
	case a == "next":
		dest = si + 1
	case a == "back":
		dest = max(si-1, 0)
	case a == "later":
		redirect = pathsIn(lang).DraftSaved(d.ID)
	case a == "goto:summary":
		dest = len(def.Steps)
	case strings.HasPrefix(a, "goto:"):
		if n, err := strconv.Atoi(strings.TrimPrefix(a, "goto:")); err == nil && n >= 1 && n <= len(def.Steps) {
			dest = n - 1
		}
	case strings.HasPrefix(a, "add:"):
		g := strings.TrimPrefix(a, "add:")
		if list, ok := merged[g].([]any); ok {
			redirect = pathsIn(lang).Step(d.ID, si) + "#" + itemPath(g, len(list)-1, firstSub(def, g))
		}
	case strings.HasPrefix(a, "remove:"), strings.HasPrefix(a, "removefile:"):
		target := strings.SplitN(strings.TrimPrefix(strings.TrimPrefix(a, "remove:"), "removefile:"), ":", 2)[0]
		redirect = pathsIn(lang).Step(d.ID, si) + "#" + target
	}
	problems := post.errs
	if post.action == "next" {
		stepErrs, err := s.stepErrors(d, def, si, merged)
		if err != nil {
			return err
		}
		for _, e := range stepErrs {
			if !slices.ContainsFunc(problems, func(p forms.FieldError) bool { return p.Field == e.Field }) {
				problems = append(problems, e)
			}
		}
	}
	if len(problems) > 0 {
		dest, redirect = si, ""
	}
	saved, shape, err := s.cases.Save(d.ID, sess.UserID, version, merged, dest)
	var ce *cases.ConflictError
	if errors.As(err, &ce) { // saved by someone else between our read and write
		return s.conflictPage(c, ce.Current, def, si, fields, post, vals)
	}
	if err != nil {
		return s.casesFail(c, err)
	}
	problems = append(problems, shape...)
	if len(problems) > 0 {
		def.SortErrors(problems)
		status := fiber.StatusUnprocessableEntity
		if post.tooLarge {
			status = fiber.StatusRequestEntityTooLarge
		}
		return s.renderStep(c, status, saved, def, si, merged, post.raw, problems)
	}
	if redirect == "" {
		if dest >= len(def.Steps) {
			redirect = pathsIn(lang).Summary(d.ID)
		} else {
			redirect = pathsIn(lang).Step(d.ID, dest)
		}
	}
	// The fragment comes from the posted action: the same check as every
	// other redirect target taken from input.
	return c.Redirect(nextOr(redirect, pathsIn(lang).Step(d.ID, si)), fiber.StatusSeeOther)
}

func firstSub(def *forms.Definition, group string) string {
	if f, _, ok := def.Lookup(group); ok && len(f.Fields) > 0 {
		return f.Fields[0].ID
	}
	return ""
}

// overUploadLimit applies the upload rate limit (shared with the API's
// uploads) to a step post that carries a file; other posts are not limited.
func (s *Server) overUploadLimit(c *fiber.Ctx, files map[string][]*multipart.FileHeader) (int, bool) {
	if !s.cfg.RateLimits {
		return 0, false
	}
	chosen := false
	for _, fhs := range files {
		if len(fhs) > 0 && fhs[0].Filename != "" {
			chosen = true
		}
	}
	if !chosen {
		return 0, false
	}
	l := s.limits["upload"]
	for _, k := range []string{"ip:" + c.IP(), "s:" + session(c).Key} {
		if ok, wait := l.Allow(k); !ok {
			return int(wait/time.Second) + 1, true
		}
	}
	return 0, false
}
