package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// actionTimeout bounds each browser step; the browser itself lives as long
// as the test.
const actionTimeout = 30 * time.Second

// Desktop viewport the browser starts with and returns to after checkPage.
const (
	desktopWidth  = 1280
	desktopHeight = 800
)

// browserOpts tunes newBrowser.
type browserOpts struct {
	// NoJS disables script execution in the tab (Emulation.setScriptExecutionDisabled).
	NoJS bool
	// AcceptLanguage sets the browser's language list (e.g. "sv-FI,sv").
	AcceptLanguage string
	// BypassServiceWorker sends the tab's requests to the network without
	// the service worker (Network.setBypassServiceWorker), for a test of
	// something else that navigates a page receiving live updates: there,
	// on a loaded CI machine, a navigation's request was seen sent by the
	// tab but never reaching the server, and the tab stalled for good
	// (TestCoApplicants, about one run in four under load; the server had
	// no request in progress). The service worker has its own tests.
	BypassServiceWorker bool
}

type serverKey struct{}

// newBrowser starts headless Chromium with a fresh, non-incognito profile
// (a temporary user-data-dir: service workers and installability need a
// real profile) and returns a chromedp context for its first tab. The
// context remembers srv, so the helpers take paths ("/fi/login"). The
// browser is closed and its profile removed when the test ends.
func newBrowser(t testing.TB, srv *Server, opts browserOpts) context.Context {
	t.Helper()
	requireE2E(t)
	execPath := requireChromium(t)
	profile, err := os.MkdirTemp("", "asiointi-e2e-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(desktopWidth, desktopHeight),
	)
	if opts.AcceptLanguage != "" {
		allocOpts = append(allocOpts, chromedp.Flag("accept-lang", opts.AcceptLanguage))
	}
	base := context.WithValue(context.Background(), serverKey{}, srv)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, allocOpts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		for range 10 { // Chromium may still be writing its profile as it exits
			if os.RemoveAll(profile) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// The first run starts the browser; it gets the long-lived context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", execPath, err)
	}
	if opts.BypassServiceWorker {
		call(t, ctx, network.Enable, network.EnableParams{})
		call(t, ctx, network.SetBypassServiceWorker, network.SetBypassServiceWorkerParams{Bypass: true})
	}
	if opts.NoJS {
		call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	}
	return ctx
}

func serverOf(t testing.TB, ctx context.Context) *Server {
	t.Helper()
	s, _ := ctx.Value(serverKey{}).(*Server)
	if s == nil {
		t.Fatal("this context was not made by newBrowser")
	}
	return s
}

// act runs browser steps with a timeout and fails the test on error.
func act(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("browser: %v (at %s)", err, safeLocation(ctx))
	}
}

// run runs one browser action that returns a value.
func run[T any](t testing.TB, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatalf("browser: %v (at %s)", err, safeLocation(ctx))
	}
	return v
}

// call sends one DevTools protocol command to the tab.
func call[P, R any](t testing.TB, ctx context.Context, cmd cdp.Command[P, R], params P) R {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	r, err := chromedp.Call(tctx, cmd, params)
	if err != nil {
		t.Fatalf("browser: %s: %v", cmd.Method, err)
	}
	return r
}

// eval evaluates JavaScript in the page (promises are awaited) and decodes
// the result into T.
func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	return run(t, ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

func safeLocation(ctx context.Context) string {
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(tctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return loc
}

// abs makes a path absolute against the browser's server.
func abs(t testing.TB, ctx context.Context, path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return serverOf(t, ctx).URL + path
}

// open navigates to path (relative to the server) and waits for the page to
// load. It returns the document's response (status, headers).
func open(t testing.TB, ctx context.Context, path string) *network.Response {
	t.Helper()
	return run(t, ctx, chromedp.NavigateResponse(abs(t, ctx, path)))
}

// click clicks the first element matching the CSS selector and waits for
// the page that the click loads.
func click(t testing.TB, ctx context.Context, sel string) *network.Response {
	t.Helper()
	for attempt := 1; ; attempt++ {
		markDocument(ctx, attempt)
		tctx, cancel := context.WithTimeout(ctx, actionTimeout)
		resp, err := chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(sel)))
		cancel()
		if err != nil && staleNode(err) && attempt < 3 {
			// Chromium renewed the DOM agent's document (a second
			// DOM.documentUpdated just after load) between the query and
			// the click: nothing was clicked, so look the element up again.
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err != nil && errors.Is(err, context.DeadlineExceeded) && attempt < 3 && clickLost(ctx, sel, attempt) {
			// The same document is still there with the element in it and
			// nothing loading: the mouse events went nowhere (seen on CI
			// under load). Nothing was sent, so clicking again is safe.
			t.Logf("click %s: nothing happened in %s, clicking again", sel, actionTimeout)
			continue
		}
		if err != nil {
			t.Fatalf("click %s: %v (at %s; the same document: %v)", sel, err, safeLocation(ctx), sameDocument(ctx, attempt))
		}
		return resp
	}
}

// markDocument tags the tab's current document, so that a later look can
// tell whether a click replaced it.
func markDocument(ctx context.Context, n int) {
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, _ = chromedp.Run(tctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { window.__e2eClick = %d; window.__e2eLeaving = false;
		if (!window.__e2eHooked) { window.__e2eHooked = true; addEventListener('beforeunload', () => { window.__e2eLeaving = true }) }
		return true })()`, n)))
}

// sameDocument reports whether the document marked by markDocument(n) is
// still the tab's document and has finished loading.
func sameDocument(ctx context.Context, n int) bool {
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	same, err := chromedp.Run(tctx, chromedp.Evaluate[bool](fmt.Sprintf(`window.__e2eClick === %d && document.readyState === 'complete'`, n)))
	return err == nil && same
}

// clickLost reports whether a click on sel that timed out changed nothing:
// the marked document is still loaded, the element is still in it and the
// tab has not begun to leave it (no beforeunload: a form sent and waiting
// for its answer has, and is never clicked again).
func clickLost(ctx context.Context, sel string, n int) bool {
	if !sameDocument(ctx, n) {
		return false
	}
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	present, err := chromedp.Run(tctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%s) && !window.__e2eLeaving`, jsString(sel))))
	return err == nil && present
}

// staleNode reports the DevTools error of a node id that belongs to a
// document the DOM agent has dropped.
func staleNode(err error) bool {
	return strings.Contains(err.Error(), "No node with given id") || strings.Contains(err.Error(), "Could not find node with given id")
}

// location is the tab's current URL.
func location(t testing.TB, ctx context.Context) string {
	t.Helper()
	return run(t, ctx, chromedp.Location())
}

// curPath is the current URL without the server origin.
func curPath(t testing.TB, ctx context.Context) string {
	t.Helper()
	return strings.TrimPrefix(location(t, ctx), serverOf(t, ctx).URL)
}

// bodyText is the visible text of the page (innerText of body). Text is
// read with Runtime.evaluate, not through DOM node ids, which go stale when
// Chromium renews the DOM agent's document just after a load.
func bodyText(t testing.TB, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `document.body ? document.body.innerText : ''`)
}

// textOf is the visible text of the first element matching sel, "" when
// there is none.
func textOf(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(eval[string](t, ctx, fmt.Sprintf(`(document.querySelector(%s) || {innerText: ''}).innerText`, jsString(sel))))
}

// count is the number of elements matching the CSS selector (no waiting).
func count(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	return eval[int](t, ctx, fmt.Sprintf("document.querySelectorAll(%s).length", jsString(sel)))
}

// login logs in through the demo test identification page in lang as user
// (a henkilötunnus or a staff username) and waits for the page it lands on.
func login(t testing.TB, ctx context.Context, lang, user string) {
	t.Helper()
	open(t, ctx, "/auth/test-login?lang="+lang)
	resp := click(t, ctx, fmt.Sprintf(`form:has(input[name="user"][value=%q]) button[type="submit"]`, user))
	if resp != nil && resp.Status >= 400 {
		t.Fatalf("test login as %s: HTTP %d at %s", user, resp.Status, location(t, ctx))
	}
	if strings.Contains(location(t, ctx), "/auth/test-login") {
		t.Fatalf("test login as %s did not leave the picker (at %s)", user, location(t, ctx))
	}
}

// logout presses the logout button in the header (on a phone, in the
// menu) and waits for the logged-out page.
func logout(t testing.TB, ctx context.Context) {
	t.Helper()
	sel := `header .logout-form button[type="submit"]`
	if !shown(t, ctx, sel) {
		act(t, ctx, chromedp.Click(chromedp.CSS("header details.menu > summary")))
		sel = `header details.menu .logout-form button[type="submit"]`
	}
	click(t, ctx, sel)
}

// setViewport emulates a viewport of width×height CSS px at the given
// device scale factor; mobile turns on mobile (meta viewport) emulation.
func setViewport(t testing.TB, ctx context.Context, width, height int64, scale float64, mobile bool) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(scale)}
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	act(t, ctx, chromedp.EmulateViewport(width, height, opts...))
}

// settle forces a layout after a viewport change and gives the compositor a
// moment (no animation-frame promise: it would hang with scripts disabled).
func settle(t testing.TB, ctx context.Context) {
	t.Helper()
	eval[int](t, ctx, `document.documentElement.getBoundingClientRect().width|0`)
	time.Sleep(50 * time.Millisecond)
}

// waitFor polls a JavaScript condition until it is true or the timeout ends.
func waitFor(t testing.TB, ctx context.Context, what, cond string, timeout time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](cond, chromedp.EvalAwaitPromise))
		cancel()
		if err == nil && ok {
			return true
		}
		if time.Now().After(deadline) {
			t.Logf("waiting for %s: timed out (last error: %v)", what, err)
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// header is a response header of a browser response (case-insensitive).
func header(resp *network.Response, name string) string {
	if resp == nil {
		return ""
	}
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}
