// Package e2e holds Asiointi's end-to-end tests: they build the real server,
// start it on a free loopback port with a temporary data directory, and drive
// Debian's headless Chromium through chromedp. The quality gates of the
// project (W3C Nu Html Checker, Lighthouse, axe-core) run here too, so
// `go test ./...` is the one test command.
//
// # Requirements
//
// Chromium (/usr/bin/chromium, or env CHROMIUM), `npm ci --ignore-scripts`
// in the repository root (axe-core, lighthouse, vnu-jar in node_modules) and
// a Java runtime (11 or later) for the HTML checker. A missing requirement fails the tests with
// a message saying what to install; ASIOINTI_E2E=off skips the whole package
// (for quick local runs only: CI always runs it).
//
// # Helpers for new tests
//
// Everything lives in the _test.go files of this package:
//
//	srv := startServer(t)                  // own data dir, free port, demo mode, rate limits off;
//	srv := startServer(t, "ASIOINTI_X=y")  // extra environment
//	srv.URL, srv.DataDir, srv.Logs()       // at cleanup: SIGTERM, exit status 0 and no henkilötunnus in the log
//	srv.Stop(), srv.Kill()                 // stop early (graceful, asserted) or SIGKILL (nothing asserted)
//
//	ctx := newBrowser(t, srv, browserOpts{})           // headless Chromium, non-incognito temp profile
//	ctx := newBrowser(t, srv, browserOpts{NoJS: true}) // scripts disabled; also AcceptLanguage
//	resp := open(t, ctx, "/fi/login")                  // navigate (path relative to srv.URL), wait for load; resp.Status, header(resp, "Cache-Control")
//	click(t, ctx, `a[hreflang="sv"]`)                  // click (CSS selector) and wait for the page it loads
//	login(t, ctx, "fi", hetuAino); logout(t, ctx)      // demo test login through the picker; the header's logout button
//	bodyText, textOf(sel), count(sel), curPath, location
//	eval[T](t, ctx, js)                                // evaluate (promises awaited), decode into T
//	waitFor(t, ctx, what, jsCondition, timeout)        // poll a condition
//	call(t, ctx, page.GetInstallabilityErrors, cdp.Empty{}) // any DevTools command on the tab
//	act(t, ctx, actions...), run(t, ctx, action)       // chromedp actions with a timeout, failing the test on error
//	waitServiceWorker(t, ctx); backOnline := goOffline(t, ctx)
//
//	checkPage(t, ctx, "front-fi")  // axe at 360 and 1280 px, screenshots, no sideways scroll at 360 px and 200% zoom
//	axeCheck(t, ctx, name)         // axe-core: fails on serious/critical, logs the rest
//	screenshot(t, ctx, name)       // 360 and 1280 px; screenshotAt(t, ctx, name, width) for one width
//	noHorizontalScroll(t, ctx, name, width); setViewport(t, ctx, w, h, scale, mobile)
//
//	c := newHTTPClient(t, srv)                         // net/http with a cookie jar, redirects not followed
//	c.login(t, "fi", hetuAino); r := c.get(t, "/fi/my") // r.Status, r.Header, r.Body
//	c.postForm(t, path, url.Values{"_csrf": {csrfFrom(t, r.Body)}})
//	d, err := c.api(t).Draft(id)                       // the JSON API in the same session (asiointi/server/apiclient)
//
// New pages: visit them in a browser test with checkPage, add them to
// validatedPages (vnu_test.go) and, for key pages, to lighthousePages.
//
// Screenshots and server logs go to e2e/artifacts/ (gitignored).
package e2e
