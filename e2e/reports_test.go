package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
)

// TestReportsLive: Pertti opens the live situation of early education;
// Aino sends an application from elsewhere (the API, as another browser
// would); Pertti's page shows one more open application and one more
// arrived today without a reload. The situation is axe-clean at 360 px
// without scrolling sideways, the trends, the deviations and the answers
// crossed with another concept at 1280 px.
func TestReportsLive(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})
	// Mark the page's live socket as open once it is (no sleeping).
	call(t, ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `(() => {
		const W = window.WebSocket;
		if (!W) return;
		window.WebSocket = function (...args) {
			const ws = new W(...args);
			ws.addEventListener('open', () => { window.__liveOpen = true; });
			return ws;
		};
		window.WebSocket.prototype = W.prototype;
	})()`})
	begin := time.Now()
	defer func() { t.Logf("browser part %v", time.Since(begin).Round(time.Second)) }()
	login(t, ctx, "fi", "pertti")
	open(t, ctx, "/fi/staff/reports?service=early-education")
	setViewport(t, ctx, 360, 740, 1, true)
	noHorizontalScroll(t, ctx, "staff-reports at 360 px", 360)
	axeCheck(t, ctx, "staff-reports at 360 px")
	setViewport(t, ctx, desktopWidth, desktopHeight, 1, false)
	// The total row: service, submitted, in progress, supplement, open, …, today (9th).
	cell := func(n int) int {
		s := textOf(t, ctx, fmt.Sprintf("#reports-live table tbody tr:last-child > :nth-child(%d)", n))
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("cell %d: %q", n, s)
		}
		return v
	}
	open0, today0 := cell(5), cell(9)
	if !waitFor(t, ctx, "the live socket", `window.__liveOpen === true`, 10*time.Second) {
		t.Fatal("the report page's live socket did not open")
	}
	sent := time.Now()
	submitEarlyEducation(t, srv.URL)
	cond := fmt.Sprintf(`(() => { const r = document.querySelector('#reports-live table tbody tr:last-child');
		return !!r && r.children[4].textContent.trim() === %q && r.children[8].textContent.trim() === %q })()`,
		strconv.Itoa(open0+1), strconv.Itoa(today0+1))
	if !waitFor(t, ctx, "the new application on Pertti's report", cond, 5*time.Second) {
		t.Fatalf("the situation did not change without a reload: %q", textOf(t, ctx, "#reports-live"))
	}
	t.Logf("the report changed %v after the submit was sent", time.Since(sent).Round(10*time.Millisecond))
	open(t, ctx, "/fi/staff/reports/trends")
	axeCheck(t, ctx, "staff-reports-trends")
	open(t, ctx, "/fi/staff/reports/deviations")
	axeCheck(t, ctx, "staff-reports-deviations")
	// Five applications: the care need crossed with the urgency, a chart
	// and a table, axe-clean.
	for range 4 {
		submitEarlyEducation(t, srv.URL)
	}
	open(t, ctx, "/fi/staff/reports/answers?service=early-education&concept=ecec.careNeed&by=ecec.urgent")
	if count(t, ctx, "#chart-cross-title") != 1 {
		t.Error("the crossed answers have no chart")
	}
	axeCheck(t, ctx, "staff-reports-answers crossed")
}
