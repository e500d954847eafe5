package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
)

// stepView is the data of pages/step.html.
type stepView struct {
	DraftID   string
	Service   string
	Principal string // whom the application is for, when not oneself
	Number    int    // 1-based
	Count     int
	Title     string
	Steps     []stepLink
	Fields    []*fieldView
	Version   int
	Base      string // hash of the step's saved answers (see stepHash)
	Action    string
	Multipart bool
	First     bool
	Spec      string // the step's fields for form.js (data-spec)
	Status    autosaveTexts
	Closes    string // "Applications close 31.3.2027 at 16.00", if the service has a closing time
}

// stepLink is one entry of the step indicator; the last one is the
// summary. Visited steps are buttons that save and go there.
type stepLink struct {
	Number  int
	Title   string
	Current bool
	Visited bool
	Goto    string // the action value: goto:<n> or goto:summary
	URL     string // on the summary page, where a link goes
}

// autosaveTexts are form.js's words, rendered into data attributes.
type autosaveTexts struct {
	Saved, Saving, Offline, Failed, Full, Problem string
}

// draftFor loads the session person's draft and its form; anyone else's
// draft is "not found".
func (s *Server) draftFor(c *fiber.Ctx) (*cases.Draft, *forms.Definition, error) {
	d, err := s.cases.Draft(c.Params("id"), session(c).UserID)
	if err != nil {
		return nil, nil, err
	}
	def, err := s.cases.Definition(d)
	if err != nil {
		return nil, nil, err
	}
	return d, def, nil
}

// stepIndex reads :n (1-based) into a step index.
func stepIndex(c *fiber.Ctx, def *forms.Definition) (int, bool) {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 || n > len(def.Steps) || strconv.Itoa(n) != c.Params("n") {
		return 0, false
	}
	return n - 1, true
}

// resumeDraft sends the resident to where they left off.
func (s *Server) resumeDraft(c *fiber.Ctx) error {
	d, def, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	lang := requestLang(c)
	if d.CaseID != "" {
		return c.Redirect(pathsIn(lang).Case(d.CaseID), fiber.StatusSeeOther)
	}
	if d.Step >= len(def.Steps) {
		return c.Redirect(pathsIn(lang).Summary(d.ID), fiber.StatusSeeOther)
	}
	return c.Redirect(pathsIn(lang).Step(d.ID, max(d.Step, 0)), fiber.StatusSeeOther)
}

// stepPage shows one step. ?check=1 (the links of the summary's error
// list) shows the step's problems as submit would find them.
func (s *Server) stepPage(c *fiber.Ctx) error {
	d, def, err := s.draftFor(c)
	if err != nil {
		return s.casesFail(c, err)
	}
	if d.CaseID != "" {
		return c.Redirect(pathsIn(requestLang(c)).Case(d.CaseID), fiber.StatusSeeOther)
	}
	si, ok := stepIndex(c, def)
	if !ok {
		return fiber.ErrNotFound
	}
	var errs []forms.FieldError
	if c.Query("check") == "1" {
		if errs, err = s.stepErrors(d, def, si, d.Data); err != nil {
			return err
		}
	}
	return s.renderStep(c, fiber.StatusOK, d, def, si, d.Data, nil, errs)
}

// stepErrors checks the answers as submit would and keeps the problems
// of step si.
func (s *Server) stepErrors(d *cases.Draft, def *forms.Definition, si int, data map[string]any) ([]forms.FieldError, error) {
	atts, err := s.cases.Attachments(d.ID, d.Owner.ID)
	if err != nil {
		return nil, err
	}
	_, errs := def.CheckSubmit(data, forms.CheckOptions{Now: s.now(), Attachment: cases.AttachmentLookup(atts)})
	return def.StepErrors(errs)[si], nil
}

// renderStep renders step si with the given answers, texts that could not
// be read (raw, by field path) and problems.
func (s *Server) renderStep(c *fiber.Ctx, status int, d *cases.Draft, def *forms.Definition, si int, values map[string]any, raw map[string]string, errs []forms.FieldError) error {
	lang := requestLang(c)
	sess := session(c)
	atts, err := s.cases.Attachments(d.ID, sess.UserID)
	if err != nil {
		return err
	}
	b := s.newFieldBuilder(lang, d, def, si, values, sess.ActingFor != "", atts)
	for k, v := range raw {
		b.raw[k] = v
	}
	for _, e := range errs {
		if _, dup := b.errors[e.Field]; !dup {
			b.errors[e.Field] = s.fieldMessage(lang, e)
		}
	}
	fields := b.stepFields()
	// A problem with no input of its own (an item of a group) shows at
	// its top-level field.
	var msgs []FieldMessage
	for _, e := range errs {
		target := e.Field
		if !b.rendered[target] {
			target = strings.SplitN(target, ".", 2)[0]
			for _, f := range fields {
				if f.ID == target && f.Error == "" {
					f.Error = b.errors[e.Field]
					f.Describe = strings.TrimSpace(f.Describe + " " + f.ID + "-error")
				}
			}
		}
		if !slices.ContainsFunc(msgs, func(m FieldMessage) bool { return m.Field == target }) {
			msgs = append(msgs, FieldMessage{Field: target, Message: s.problemText(lang, def, e.Field, b.errors[e.Field])})
		}
	}
	svc, _ := s.catalog.Service(d.Service)
	v := &stepView{DraftID: d.ID, Number: si + 1, Count: len(def.Steps), Title: def.Steps[si].Title.In(lang),
		Fields: fields, Version: d.Version, Base: forms.StepHash(d.Data, def.StepFields(si, d.Data)),
		Action: pathsIn(lang).Step(d.ID, si), First: si == 0,
		Steps: s.stepLinks(lang, d, def, si),
		Status: autosaveTexts{Saved: s.msg.T(lang, "autosave.saved"), Saving: s.msg.T(lang, "autosave.saving"),
			Offline: s.msg.T(lang, "autosave.offline"), Failed: s.msg.T(lang, "autosave.failed"), Full: s.msg.T(lang, "autosave.full"),
			Problem: s.msg.T(lang, "form.errorSummary")}}
	if svc != nil {
		v.Service = svc.Name.In(lang)
		if a := svc.AvailabilityAt(s.now()); a.ClosesAt != nil && a.Open && svc.ClosesAt != nil {
			v.Closes = s.msg.T(lang, "step.closes", map[string]any{"When": datefmt.DateTime(*svc.ClosesAt, lang)})
		}
	}
	if d.Principal != nil {
		v.Principal = d.Principal.Name
	}
	var spec []fieldSpec
	for _, f := range def.StepFields(si, values) {
		if f.Type == forms.TypeFile {
			v.Multipart = true
		}
		for _, sub := range f.Fields {
			if sub.Type == forms.TypeFile {
				v.Multipart = true
			}
		}
		if f.IsData() && !d.Locks(f, values) {
			spec = append(spec, specOf(f))
		}
	}
	raw2, _ := json.Marshal(spec)
	v.Spec = string(raw2)
	p := s.page(c, "step", "", v)
	p.Title = s.msg.T(lang, "step.pageTitle", map[string]any{"N": v.Number, "Count": v.Count, "Step": v.Title, "Service": v.Service})
	if len(msgs) > 0 {
		p.Title = s.msg.T(lang, "field.errorPrefix") + " " + p.Title
	}
	p.Errors = msgs
	return s.render(c, status, p)
}

// fieldSpec tells form.js how to read a field from the form (the same
// way readStep does): its id, type and, for a group, its sub-fields.
type fieldSpec struct {
	ID     string      `json:"id"`
	Type   string      `json:"type"`
	Fields []fieldSpec `json:"fields,omitempty"`
}

func specOf(f *forms.Field) fieldSpec {
	sp := fieldSpec{ID: f.ID, Type: f.Type}
	for i := range f.Fields {
		if f.Fields[i].IsData() {
			sp.Fields = append(sp.Fields, specOf(&f.Fields[i]))
		}
	}
	return sp
}

func (s *Server) stepLinks(lang string, d *cases.Draft, def *forms.Definition, current int) []stepLink {
	furthest := max(d.Step, current)
	for si := range def.Steps {
		for _, f := range def.Steps[si].Fields {
			if _, ok := d.Data[f.ID]; ok {
				if _, pre := d.Prefill[f.ID]; !pre && si > furthest {
					furthest = si
				}
			}
		}
	}
	var out []stepLink
	for si := range def.Steps {
		out = append(out, stepLink{Number: si + 1, Title: def.Steps[si].Title.In(lang), Current: si == current,
			Visited: si <= furthest, Goto: "goto:" + strconv.Itoa(si+1)})
	}
	out = append(out, stepLink{Title: s.msg.T(lang, "summary.stepTitle"), Current: current == len(def.Steps),
		Visited: furthest >= len(def.Steps), Goto: "goto:summary"})
	return out
}

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
	case forms.TypeFile:
		id := text
		if fhs := files[name]; len(fhs) > 0 && fhs[0].Filename != "" && up != nil {
			newID, err := up(path, fhs[0])
			if err != nil {
				p.errs = append(p.errs, uploadError(path, err))
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
	switch {
	case errors.Is(err, cases.ErrTooLarge):
		return forms.FieldError{Field: path, Code: "upload.tooLarge"}
	case errors.Is(err, cases.ErrBadType):
		return forms.FieldError{Field: path, Code: "upload.badType"}
	}
	return forms.FieldError{Field: path, Code: "field.uploadFailed"}
}

// maxStepUpload caps what is read of one chosen file; the field's own
// limit is checked by AddAttachment.
const maxStepUpload = 50<<20 + 1

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
		return s.failData(c, fiber.StatusTooManyRequests, "rate-limited", "error.rateLimited", map[string]any{"Seconds": secs})
	}
	fields := def.StepFields(si, d.Data)
	up := func(path string, fh *multipart.FileHeader) (string, error) {
		f, err := fh.Open()
		if err != nil {
			return "", err
		}
		defer f.Close()
		content, err := io.ReadAll(io.LimitReader(f, maxStepUpload))
		if err != nil {
			return "", err
		}
		a, err := s.cases.AddAttachment(d.ID, sess.UserID, path, fh.Filename, content)
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
		return s.renderStep(c, fiber.StatusUnprocessableEntity, saved, def, si, merged, post.raw, problems)
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

// problemText is an error summary entry: the question, then what to do
// ("Phone number: Fill in this field."); for a group's item, with its row.
func (s *Server) problemText(lang string, def *forms.Definition, path, msg string) string {
	f, _, ok := def.Lookup(path)
	if !ok {
		f, _, ok = def.Lookup(strings.SplitN(path, ".", 2)[0])
	}
	if !ok {
		return msg
	}
	label := f.Label.In(lang)
	if parts := strings.Split(path, "."); len(parts) == 3 {
		if g, _, ok := def.Lookup(parts[0]); ok {
			n, _ := strconv.Atoi(parts[1])
			label = s.msg.T(lang, "field.item", map[string]any{"Label": g.Label.In(lang), "N": n + 1}) + " – " + label
		}
	}
	return label + ": " + msg
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
