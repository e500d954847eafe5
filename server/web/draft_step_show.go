package web

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/render"
)

// stepView is the data of a step page (writeStepForm).
type stepView struct {
	DraftID   string
	Service   string
	ServiceID string
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
	Spec      []string // the step's fields for form.js (data-spec): each one's JSON, escaped (specHTML)
	Status    autosaveTexts
	Closes    string // "Applications close 31.3.2027 at 16.00", if the service has a closing time
	Words     kindWords
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
	atts, err := s.cases.Attachments(d.ID, session(c).UserID)
	if err != nil {
		return err
	}
	var errs []forms.FieldError
	if c.Query("check") == "1" {
		errs = s.stepErrorsWith(def, si, d.Data, atts)
	}
	return s.renderStepWith(c, fiber.StatusOK, d, def, si, d.Data, nil, errs, atts)
}

// stepErrors checks the answers as submit would and keeps the problems
// of step si.
func (s *Server) stepErrors(d *cases.Draft, def *forms.Definition, si int, data map[string]any) ([]forms.FieldError, error) {
	atts, err := s.cases.Attachments(d.ID, d.Owner.ID)
	if err != nil {
		return nil, err
	}
	return s.stepErrorsWith(def, si, data, atts), nil
}

// stepErrorsWith is stepErrors with the draft's attachments read.
func (s *Server) stepErrorsWith(def *forms.Definition, si int, data map[string]any, atts []cases.Attachment) []forms.FieldError {
	_, errs := def.CheckSubmit(data, forms.CheckOptions{Now: s.now(), Attachment: cases.AttachmentLookup(atts)})
	return def.StepErrors(errs)[si]
}

// renderStep renders step si with the given answers, texts that could not
// be read (raw, by field path) and problems.
func (s *Server) renderStep(c *fiber.Ctx, status int, d *cases.Draft, def *forms.Definition, si int, values map[string]any, raw map[string]string, errs []forms.FieldError) error {
	atts, err := s.cases.Attachments(d.ID, session(c).UserID)
	if err != nil {
		return err
	}
	return s.renderStepWith(c, status, d, def, si, values, raw, errs, atts)
}

// renderStepWith is renderStep with the draft's attachments read (a
// page that checks the answers reads them once).
func (s *Server) renderStepWith(c *fiber.Ctx, status int, d *cases.Draft, def *forms.Definition, si int, values map[string]any, raw map[string]string, errs []forms.FieldError, atts []cases.Attachment) error {
	lang := requestLang(c)
	sess := session(c)
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
					f.Error = b.errors[e.Field] // and aria-describedby names it (writeDescribe)
				}
			}
		}
		if !slices.ContainsFunc(msgs, func(m FieldMessage) bool { return m.Field == target }) {
			msgs = append(msgs, FieldMessage{Field: target, Message: s.problemText(lang, def, e.Field, b.errors[e.Field])})
		}
	}
	svc, _ := s.catalog.Service(d.Service)
	v := &stepView{DraftID: d.ID, ServiceID: d.Service, Number: si + 1, Count: len(def.Steps), Title: def.Steps[si].Title.In(lang),
		Fields: fields, Version: d.Version, Base: forms.StepHash(d.Data, def.StepFields(si, d.Data)),
		Action: pathsIn(lang).Step(d.ID, si), First: si == 0,
		Steps: s.stepLinks(lang, d, def, si), Words: s.serviceWords(d.Service),
		Status: autosaveTexts{Saved: s.msg.T(lang, "autosave.saved"), Saving: s.msg.T(lang, "autosave.saving"),
			Offline: s.msg.T(lang, "autosave.offline"), Failed: s.msg.T(lang, "autosave.failed"), Full: s.msg.T(lang, "autosave.full"),
			Problem: s.msg.T(lang, "form.errorSummary")}}
	if svc != nil {
		v.Service = svc.Name.In(lang)
		if a := svc.AvailabilityAt(s.now()); a.ClosesAt != nil && a.Open && svc.ClosesAt != nil {
			v.Closes = s.msg.T(lang, v.Words.Closes, map[string]any{"When": datefmt.DateTime(*svc.ClosesAt, lang)})
		}
	}
	if d.Principal != nil {
		v.Principal = d.Principal.Name
	}
	shown := b.shown // def.StepFields(si, values), as stepFields chose them
	for _, f := range shown {
		if f.Type == forms.TypeFile {
			v.Multipart = true
		}
		for _, sub := range f.Fields {
			if sub.Type == forms.TypeFile {
				v.Multipart = true
			}
		}
		if f.IsData() && !d.Locks(f, values) {
			if v.Spec == nil {
				v.Spec = make([]string, 0, len(shown))
			}
			v.Spec = append(v.Spec, s.specHTML(f))
		}
	}
	p := s.page(c, "step", "", v)
	p.Title = s.msg.T(lang, "step.pageTitle", map[string]any{"N": v.Number, "Total": v.Count, "Step": v.Title, "Service": v.Service})
	if len(msgs) > 0 {
		p.Title = s.msg.T(lang, "field.errorPrefix") + " " + p.Title
	}
	p.Errors = msgs
	err := s.renderGo(c, status, p, writeStepHead, writeStepContent)
	b.release() // the page is written: its field views go back
	return err
}

// fieldSpec tells form.js how to read a field from the form (the same
// way readStep does): its id, type and, for a group, its sub-fields.
type fieldSpec struct {
	ID     string      `json:"id"`
	Type   string      `json:"type"`
	Fields []fieldSpec `json:"fields,omitempty"`
}

// specHTML is a field's entry of data-spec: the JSON of its fieldSpec,
// escaped for the attribute, made once per field and kept (Server.specs;
// the definitions stay in memory unchanged, see fieldRules).
func (s *Server) specHTML(f *forms.Field) string {
	if sp, ok := s.specs.Load(f); ok {
		return sp.(string)
	}
	raw, _ := json.Marshal(specOf(f))
	var h render.HTML
	h.Text(string(raw))
	s.specs.Store(f, h.String())
	return h.String()
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
