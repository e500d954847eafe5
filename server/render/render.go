// Package render executes server-side page templates: one template set per
// page (the shared layout and partials plus the page), parsed once at start
// and safe to execute concurrently.
package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// Engine holds one parsed set per page.
type Engine struct {
	pages map[string]*template.Template
	pool  sync.Pool
}

// New parses layout.html and partials/*.html under root, then each
// pages/*.html into its own clone of them. funcs are available to all.
func New(fsys fs.FS, root string, funcs template.FuncMap) (*Engine, error) {
	base := template.New("layout.html").Funcs(funcs)
	layout, err := fs.ReadFile(fsys, path.Join(root, "layout.html"))
	if err != nil {
		return nil, err
	}
	if _, err := base.Parse(string(layout)); err != nil {
		return nil, fmt.Errorf("layout.html: %w", err)
	}
	partials, _ := fs.Glob(fsys, path.Join(root, "partials", "*.html"))
	for _, p := range partials {
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		if _, err := base.New(path.Base(p)).Parse(string(raw)); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	e := &Engine{pages: map[string]*template.Template{}}
	e.pool.New = func() any { return new(bytes.Buffer) }
	pages, _ := fs.Glob(fsys, path.Join(root, "pages", "*.html"))
	for _, p := range pages {
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.New(path.Base(p)).Parse(string(raw)); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		e.pages[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return e, nil
}

// Has reports whether a page exists.
func (e *Engine) Has(page string) bool { _, ok := e.pages[page]; return ok }

// Render executes page with data into w. Output is buffered so a template
// error never sends half a page.
func (e *Engine) Render(w io.Writer, page string, data any) error {
	t, ok := e.pages[page]
	if !ok {
		return fmt.Errorf("render: no page %q", page)
	}
	buf := e.pool.Get().(*bytes.Buffer)
	buf.Reset()
	defer e.pool.Put(buf)
	if err := t.ExecuteTemplate(buf, "layout.html", data); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
