package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// waitServiceWorker waits until the page's service worker is active and
// controls the page (reloading once: a fresh worker controls only pages
// loaded after it activated, unless it claims them).
func waitServiceWorker(t testing.TB, ctx context.Context) {
	t.Helper()
	if !waitFor(t, ctx, "navigator.serviceWorker.ready", `navigator.serviceWorker.ready.then(r => !!r.active)`, 20*time.Second) {
		t.Fatalf("no active service worker on %s", curPath(t, ctx))
	}
	if !eval[bool](t, ctx, `!!navigator.serviceWorker.controller`) {
		open(t, ctx, curPath(t, ctx))
	}
	if !waitFor(t, ctx, "the service worker to control the page", `!!navigator.serviceWorker.controller`, 10*time.Second) {
		t.Fatalf("the service worker does not control %s", curPath(t, ctx))
	}
}

// goOffline cuts the network of the tab and of the service workers of the
// browser (the page's Network emulation does not reach a worker's own
// fetches, so each worker target gets it too). The returned func goes back
// online; the test's cleanup detaches from the workers.
func goOffline(t testing.TB, ctx context.Context) (backOnline func()) {
	t.Helper()
	set := func(ctx context.Context, offline bool) error {
		_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &offline,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}},
		})
		return err
	}
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	infos, err := chromedp.Targets(tctx)
	if err != nil {
		t.Fatalf("list targets: %v", err)
	}
	var workers []context.Context
	for _, in := range infos {
		if in.Type != "service_worker" {
			continue
		}
		// Detach (never close) the worker when the test ends.
		wctx, wcancel := chromedp.NewContext(ctx, chromedp.WithTargetID(in.TargetID), chromedp.WithDetachOnCancel())
		t.Cleanup(wcancel)
		if err := set(wctx, true); err != nil {
			t.Fatalf("service worker %s offline: %v", in.URL, err)
		}
		workers = append(workers, wctx)
	}
	if err := set(tctx, true); err != nil {
		t.Fatalf("tab offline: %v", err)
	}
	call(t, ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	return func() {
		t.Helper()
		for _, w := range workers {
			if err := set(w, false); err != nil {
				t.Errorf("service worker back online: %v", err)
			}
		}
		if err := set(ctx, false); err != nil {
			t.Errorf("tab back online: %v", err)
		}
		call(t, ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: false, DownloadThroughput: -1, UploadThroughput: -1})
	}
}

func TestInstallable(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	c := newHTTPClient(t, srv)
	m := c.get(t, "/manifest.webmanifest")
	if m.Status != http.StatusOK || !strings.HasPrefix(m.Header.Get("Content-Type"), "application/manifest+json") {
		t.Errorf("GET /manifest.webmanifest: HTTP %d, Content-Type %q, want 200 application/manifest+json", m.Status, m.Header.Get("Content-Type"))
	}

	open(t, ctx, "/fi/")
	waitServiceWorker(t, ctx)

	man := call(t, ctx, page.GetAppManifest, page.GetAppManifestParams{})
	for _, e := range man.Errors {
		t.Errorf("manifest %s: %s (line %d, column %d, critical %d)", man.URL, e.Message, e.Line, e.Column, e.Critical)
	}
	if man.Manifest == nil {
		t.Errorf("Chromium parsed no manifest from %s", man.URL)
	}
	var res page.GetInstallabilityErrorsResult
	deadline := time.Now().Add(10 * time.Second)
	for {
		res = call(t, ctx, page.GetInstallabilityErrors, cdp.Empty{})
		if len(res.InstallabilityErrors) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond) // icons may still be loading
	}
	for _, e := range res.InstallabilityErrors {
		var args []string
		for _, a := range e.ErrorArguments {
			args = append(args, a.Name+"="+a.Value)
		}
		t.Errorf("installability error %s %v", e.ErrorID, args)
	}
}

func TestOfflinePage(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	open(t, ctx, "/sv/offline")
	if h := textOf(t, ctx, "main h1"); h != "Ingen nätförbindelse" {
		t.Errorf("/sv/offline heading %q", h)
	}
	open(t, ctx, "/fi/offline")
	checkPage(t, ctx, "offline-fi")

	open(t, ctx, "/fi/")
	waitServiceWorker(t, ctx)
	// The worker precaches the offline pages while it installs: wait for them.
	if !waitFor(t, ctx, "the offline pages in the cache", `caches.match('/fi/offline').then(r => !!r)`, 10*time.Second) {
		t.Fatal("/fi/offline is not in the service worker's cache")
	}

	backOnline := goOffline(t, ctx)
	for _, tc := range []struct{ path, h1 string }{
		{"/fi/login", "Ei verkkoyhteyttä"},
		{"/sv/", "Ingen nätförbindelse"},
		{"/en/my", "No connection"},
	} {
		open(t, ctx, tc.path)
		if h := textOf(t, ctx, "main h1"); h != tc.h1 {
			t.Errorf("offline, %s shows the heading %q, want the offline page's %q", tc.path, h, tc.h1)
		}
	}
	screenshot(t, ctx, "offline-served-en")
	backOnline()
	open(t, ctx, "/fi/login")
	if h := textOf(t, ctx, "main h1"); h != "Kirjaudu sisään" {
		t.Errorf("back online, /fi/login shows %q", h)
	}
}

func TestKiosk(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	// An ordinary device registers the service worker and offers the manifest.
	open(t, ctx, "/fi/login")
	if n := count(t, ctx, `link[rel="manifest"]`); n != 1 {
		t.Errorf("ordinary device: %d manifest links on the login page, want 1", n)
	}
	if strings.Contains(bodyText(t, ctx), "yhteiskäyttöinen tietokone") {
		t.Error("ordinary device: the login page says it is a shared computer")
	}
	waitServiceWorker(t, ctx)

	login(t, ctx, "fi", userKaisa)
	if !strings.Contains(textOf(t, ctx, "header .who"), nameKaisa) {
		t.Errorf("staff login: header does not show %s", nameKaisa)
	}
	checkPage(t, ctx, "front-fi-staff")
	open(t, ctx, "/fi/staff/kiosk")
	checkPage(t, ctx, "kiosk-fi")
	click(t, ctx, `main form[action="/fi/staff/kiosk"] button[type="submit"]`)
	if p := curPath(t, ctx); p != "/fi/logged-out" {
		t.Errorf("marking the kiosk ended on %s, want /fi/logged-out", p)
	}
	if strings.Contains(bodyText(t, ctx), nameKaisa) {
		t.Errorf("after marking the kiosk the page still shows %s", nameKaisa)
	}

	open(t, ctx, "/fi/login")
	checkKioskPage(t, ctx, "/fi/login")
	if !strings.Contains(textOf(t, ctx, "main .notice-warning"), "Tämä on yhteiskäyttöinen tietokone") {
		t.Errorf("kiosk login page does not say it is a shared computer: %q", bodyText(t, ctx))
	}
	checkPage(t, ctx, "login-fi-kiosk")
	open(t, ctx, "/sv/login")
	if !strings.Contains(textOf(t, ctx, "main .notice-warning"), "Det här är en gemensam dator") {
		t.Error("kiosk login page in Swedish does not say it is a shared computer")
	}

	// A resident at the kiosk: shorter idle time, still nothing installed.
	login(t, ctx, "fi", hetuAino)
	checkKioskPage(t, ctx, "/fi/my")
	if idle := eval[string](t, ctx, `document.body.dataset.idle || ''`); idle != "600" {
		t.Errorf("kiosk session idle timeout %q s, want 600", idle)
	}
	checkPage(t, ctx, "my-fi-kiosk")
	logout(t, ctx)
	open(t, ctx, "/fi/login")
	if !strings.Contains(bodyText(t, ctx), "Tämä on yhteiskäyttöinen tietokone") {
		t.Error("after a resident's logout the device is no longer a kiosk (the device cookie must survive logout)")
	}
}

// checkKioskPage asserts what a kiosk page must not offer: a manifest, a
// service worker, caches.
func checkKioskPage(t testing.TB, ctx context.Context, where string) {
	t.Helper()
	if n := count(t, ctx, `link[rel="manifest"]`); n != 0 {
		t.Errorf("kiosk %s: %d manifest links, want none", where, n)
	}
	if !eval[bool](t, ctx, `document.body.dataset.kiosk === '1' && !!document.querySelector('.banner-kiosk')`) {
		t.Errorf("kiosk %s: no kiosk marking or banner", where)
	}
	if !waitFor(t, ctx, "no service worker and no caches", `Promise.all([navigator.serviceWorker.getRegistrations(), caches.keys()]).then(([r, k]) => r.length === 0 && k.length === 0)`, 10*time.Second) {
		regs := eval[int](t, ctx, `navigator.serviceWorker.getRegistrations().then(r => r.length)`)
		keys := eval[[]string](t, ctx, `caches.keys()`)
		t.Errorf("kiosk %s: %d service worker registrations, caches %v; want none", where, regs, keys)
	}
	if eval[bool](t, ctx, `!!navigator.serviceWorker.controller`) {
		t.Errorf("kiosk %s: a service worker controls the page", where)
	}
}
