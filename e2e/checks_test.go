package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// checkPage runs the per-page quality checks on the page the tab shows now:
// at 360 px (mobile) and 1280 px (desktop) width an axe-core scan with no
// serious or critical violation and a full-page screenshot; no sideways
// scrolling at 360 px and at 200% zoom (640 CSS px at device scale 2).
// The tab returns to the desktop viewport afterwards.
func checkPage(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	defer setViewport(t, ctx, desktopWidth, desktopHeight, 1, false)

	setViewport(t, ctx, 360, 740, 1, true)
	settle(t, ctx)
	noHorizontalScroll(t, ctx, name+" at 360 px", 360)
	axeCheck(t, ctx, name+" at 360 px")
	screenshotAt(t, ctx, name, 360)

	setViewport(t, ctx, 640, 480, 2, false)
	settle(t, ctx)
	noHorizontalScroll(t, ctx, name+" at 200% zoom (640 CSS px)", 640)

	setViewport(t, ctx, desktopWidth, desktopHeight, 1, false)
	settle(t, ctx)
	axeCheck(t, ctx, name+" at 1280 px")
	screenshotAt(t, ctx, name, desktopWidth)
}

var (
	axeOnce sync.Once
	axeSrc  string
	axeErr  error
)

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

// axeCheck injects axe-core (node_modules/axe-core/axe.min.js, read from
// disk) into the page and fails the test on any violation of impact serious
// or critical, listing rule ids, targets and help; lesser ones are logged.
func axeCheck(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	p := nodeModule(t, "axe-core/axe.min.js")
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(p)
		axeSrc = string(b)
	})
	if axeErr != nil {
		t.Fatalf("read axe-core: %v", axeErr)
	}
	if !eval[bool](t, ctx, `typeof window.axe === 'object'`) {
		run(t, ctx, chromedp.Evaluate[chromedp.Void](axeSrc))
	}
	vs := eval[[]axeViolation](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), html: n.html.slice(0, 200), summary: n.failureSummary || ''}))
	})))`)
	for _, v := range vs {
		var b strings.Builder
		fmt.Fprintf(&b, "axe %s: [%s] %s: %s (%s)", name, v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    at %s: %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(b.String())
		} else {
			t.Log(b.String())
		}
	}
}

// screenshot saves full-page PNGs of the tab at 360 px (mobile) and 1280 px
// (desktop) width into e2e/artifacts/, and leaves the desktop viewport.
func screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	screenshotAt(t, ctx, name, 360)
	screenshotAt(t, ctx, name, desktopWidth)
}

// screenshotAt saves a full-page PNG of the tab at the given width (CSS px)
// into e2e/artifacts/ and leaves the tab at that width.
func screenshotAt(t testing.TB, ctx context.Context, name string, width int64) {
	t.Helper()
	if width < 600 {
		setViewport(t, ctx, width, 740, 1, true)
	} else {
		setViewport(t, ctx, width, desktopHeight, 1, false)
	}
	settle(t, ctx)
	png := run(t, ctx, chromedp.FullScreenshot(100))
	file := artifactPath(t, fmt.Sprintf("%s-%d.png", name, width))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
	}
}

// noHorizontalScroll fails the test when the page is wider than width CSS
// px (sideways scrolling), naming the elements that stick out.
func noHorizontalScroll(t testing.TB, ctx context.Context, name string, width int) {
	t.Helper()
	sw := eval[int](t, ctx, `document.documentElement.scrollWidth`)
	if sw <= width {
		return
	}
	wide := eval[[]string](t, ctx, fmt.Sprintf(`Array.from(document.querySelectorAll('body *'))
		.filter(e => e.getBoundingClientRect().right > %d + 0.5)
		.slice(0, 8)
		.map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right))`, width))
	t.Errorf("%s: page scrolls sideways: document.documentElement.scrollWidth = %d > %d; elements past the edge: %s",
		name, sw, width, strings.Join(wide, ", "))
}
