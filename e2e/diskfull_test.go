package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// failDraftSaves answers the tab's autosave calls (PATCH /api/v1/drafts/…)
// with 507 Insufficient Storage, as the server does on a full disk (the
// server side is tested in server/app), while the returned flag is set.
// Everything else goes through.
func failDraftSaves(t testing.TB, ctx context.Context) *atomic.Bool {
	t.Helper()
	full := &atomic.Bool{}
	paused := make(chan *fetch.EventRequestPaused, 64)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			paused <- e // handled below: no commands inside the listener
		}
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		for {
			select {
			case <-done:
				return
			case e := <-paused:
				var err error
				if full.Load() && (e.Request.Method == "PATCH" || e.Request.Method == "PUT") {
					_, err = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
						RequestID: e.RequestID, ResponseCode: 507,
						ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}},
						Body:            []byte(`{"error":{"code":"storage-full","message":"x"}}`),
					})
				} else {
					_, err = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
				}
				if err != nil && ctx.Err() == nil {
					t.Logf("interception: %v", err)
				}
			}
		}
	}()
	call(t, ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/v1/drafts/*"}}})
	return full
}

// TestFormDiskFullKeepsAnswers: when the server cannot save because its
// disk is full (507), autosave keeps the answers in this browser and says
// so; once the server can save again, they are sent without the resident
// doing anything.
func TestFormDiskFullKeepsAnswers(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})
	login(t, ctx, "fi", formsMaria)
	id := startService(t, ctx, "fi", "sports-shift")
	formType(t, ctx, "#contactPhone", sportsDefaults.phone)
	pressContinue(t, ctx)
	waitFormReady(t, ctx)
	formType(t, ctx, "#groupName", "Kerho")
	waitAutosave(t, ctx, "Tallennettu klo", 10*time.Second)

	full := failDraftSaves(t, ctx)
	full.Store(true)
	formAppend(t, ctx, "#groupName", " levy täynnä")
	waitAutosave(t, ctx, "tallessa tässä selaimessa", 15*time.Second)
	if s := autosaveStatus(t, ctx); !strings.Contains(s, "Tallennus ei onnistunut") {
		t.Errorf("disk-full status %q", s)
	}
	kept := fmt.Sprintf(`new Promise(ok => { const r = indexedDB.open('asiointi-drafts'); r.onsuccess = () => { const g = r.result.transaction('pending').objectStore('pending').get(%s); g.onsuccess = () => { r.result.close(); ok(!!g.result && g.result.changes.groupName === 'Kerho levy täynnä') }; g.onerror = () => ok(false) }; r.onerror = () => ok(false) })`, jsString(id))
	if !waitFor(t, ctx, "the answers in IndexedDB", kept, 10*time.Second) {
		t.Error("the answers the server could not save are not kept in the browser")
	}
	if d := apiDraft(t, ctx, id); d["groupName"] != "Kerho" {
		t.Errorf("while the disk is full the server's draft holds %v", d["groupName"])
	}
	screenshot(t, ctx, "sports-disk-full-step2")

	full.Store(false)
	waitAutosave(t, ctx, "Tallennettu klo", 40*time.Second)
	if !waitDraftData(t, ctx, id, "the kept answers on the server", `d.groupName === 'Kerho levy täynnä'`, 10*time.Second) {
		t.Errorf("after the disk has room again the draft holds %v", apiDraft(t, ctx, id)["groupName"])
	}
	gone := fmt.Sprintf(`new Promise(ok => { const r = indexedDB.open('asiointi-drafts'); r.onsuccess = () => { const g = r.result.transaction('pending').objectStore('pending').get(%s); g.onsuccess = () => { r.result.close(); ok(!g.result) } } })`, jsString(id))
	if !waitFor(t, ctx, "the browser's copy to go", gone, 5*time.Second) {
		t.Error("the sent answers stay in IndexedDB")
	}
}
