package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// errorSummaryBox is how the one error-summary partial opens.
const errorSummaryBox = `<div class="error-summary" role="alert" tabindex="-1" id="error-summary" aria-labelledby="error-summary-title">`

// TestErrorSummaryPartial: every page that shows problems shows them in
// the one partial, with its heading, its optional paragraph and its links.
func TestErrorSummaryPartial(t *testing.T) {
	e := newEnv(t)
	maria := e.resident("030392-974H")
	base := "/en/drafts/" + draftIDOf(maria.start("en", "sports-shift"))
	// box: what the error summary holds, in order; nil: the page has none.
	tests := []struct {
		name   string
		get    func() resp
		status int
		box    []string
	}{
		{"unknown test person", func() resp { return e.do(req{path: "/auth/test-login?lang=fi&error=1"}) }, 200,
			[]string{`<h2 id="error-summary-title">Tarkista tiedot</h2>`, `<p>Tällaista testihenkilöä ei ole. Valitse henkilö luettelosta.</p>`}},
		{"test login without a problem", func() resp { return e.do(req{path: "/auth/test-login?lang=fi"}) }, 200, nil},
		{"summary after a failed send: problems on other steps", func() resp { return maria.get(base + "/summary?check=1") }, 200,
			[]string{`<h2 id="error-summary-title">There is a problem</h2>`,
				`<p>Some answers are missing or need checking. Choose a problem to go straight to the question.</p>`,
				`<ul><li><a href="` + base + `/step/1?check=1#contactPhone">Phone number: Enter your phone number.</a></li>`,
				`<li><a href="` + base + `/step/3?check=1#season">Season: Choose the season.</a></li></ul>`}},
		{"summary without problems", func() resp { return maria.get(base + "/summary") }, 200, nil},
		{"step: problems on this step", func() resp { return maria.get(base + "/step/2?check=1") }, 200,
			[]string{`<h2 id="error-summary-title">There is a problem</h2>`,
				`<ul><li><a href="#groupName">Name of the group or club: Enter the group&#39;s name.</a></li>`,
				`<li><a href="#participants">Number of participants: Enter the number of participants.</a></li></ul>`}},
		{"step without problems", func() resp { return maria.get(base + "/step/2") }, 200, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.get()
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tc.status)
			}
			// The page's title says there is a problem exactly when the
			// page shows an error summary.
			title, _, _ := strings.Cut(strings.SplitN(r.body, "<title>", 2)[len(strings.SplitN(r.body, "<title>", 2))-1], "</title>")
			prefixed := strings.HasPrefix(title, "Virhe: ") || strings.HasPrefix(title, "Fel: ") || strings.HasPrefix(title, "Error: ")
			if prefixed != (tc.box != nil) {
				t.Errorf("title %q: starts with the error prefix %v, want %v", title, prefixed, tc.box != nil)
			}
			if tc.box == nil {
				if strings.Contains(r.body, `id="error-summary"`) {
					t.Error("page has an error summary")
				}
				return
			}
			if n := strings.Count(r.body, `class="error-summary"`); n != 1 {
				t.Fatalf("%d error summaries, want 1", n)
			}
			_, box, ok := strings.Cut(r.body, errorSummaryBox+"\n")
			if !ok {
				t.Fatal("the error summary is not the partial's")
			}
			box, _, _ = strings.Cut(box, "</div>")
			first, last := tc.box[0], tc.box[len(tc.box)-1]
			if !strings.HasPrefix(box, first+"\n") || !strings.HasSuffix(box, last+"\n") {
				t.Errorf("error summary:\n%s\nwant it to begin with %q and end with %q", box, first, last)
			}
			for _, w := range tc.box {
				if !strings.Contains(box, w) {
					t.Errorf("error summary lacks %q", w)
				}
			}
		})
	}
}

// TestNoPageWritesItsOwnErrorSummary: only the partial writes the box.
func TestNoPageWritesItsOwnErrorSummary(t *testing.T) {
	pages, err := filepath.Glob("../../pwa/templates/pages/*.html")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no page templates: %v", err)
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "error-summary") || strings.Contains(string(b), `"form.errorSummary"`) {
			t.Errorf("%s writes its own error summary: use {{template \"errorSummary\" $}}", filepath.Base(p))
		}
	}
}
