package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Aino sends a home-help application (through the API: the form has its
// own tests), opens her data in Finnish and Swedish and reads why the
// municipality has her prefilled name and where it came from; after
// Kaisa opens the application, Aino's access log shows it with the
// purpose. The page passes the per-page checks.
func TestMyDataAndAccessLog(t *testing.T) {
	srv := startServer(t)
	hc := newHTTPClient(t, srv)
	hc.login(t, "fi", hetuAino)
	api := hc.api(t)
	d, err := api.CreateDraft("home-help")
	if err != nil {
		t.Fatal(err)
	}
	full, err := api.Draft(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"livesAlone": "yes", "helpWith": []any{"washing"}, "situation": "Kaaduin keväällä.",
		"hasContactPerson": "no", "consentHealthInfo": true, "confirmCorrect": true} {
		full.Data[k] = v
	}
	if _, err := api.Save(d.ID, full.Version, full.Data); err != nil {
		t.Fatal(err)
	}
	sub, err := api.Submit(d.ID)
	if err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t, srv, browserOpts{})
	login(t, ctx, "fi", hetuAino)
	for _, l := range []struct{ lang, source, purpose string }{
		{"fi", "Väestötietojärjestelmä", "Käyttötarkoitus"},
		{"sv", "Befolkningsdatasystemet", "Ändamål"},
	} {
		open(t, ctx, "/"+l.lang+"/my/data")
		// The prefilled first name of the application: open its disclosure.
		item := `#topic-applications ~ dl .my-data-item:first-child`
		act(t, ctx, chromedp.Click(chromedp.CSS(item+` summary`))) // opens in place: no page load to wait for
		if !waitFor(t, ctx, "the disclosure", `document.querySelector("`+item+` details").open`, 5e9) {
			t.Fatalf("%s: the disclosure did not open", l.lang)
		}
		txt := textOf(t, ctx, item)
		if !strings.Contains(txt, l.source) || !strings.Contains(txt, l.purpose) || !strings.Contains(txt, "Aino") {
			t.Errorf("%s: first item %q", l.lang, txt)
		}
		if l.lang == "fi" {
			checkPage(t, ctx, "my-data-fi")
		}
	}

	staff := newHTTPClient(t, srv)
	staff.login(t, "fi", userKaisa)
	if r := staff.get(t, "/api/v1/handler/cases/"+sub.ID); r.Status != 200 {
		t.Fatalf("Kaisa opens the case: %d", r.Status)
	}
	open(t, ctx, "/fi/my/access-log")
	txt := textOf(t, ctx, ".access-list")
	if !strings.Contains(txt, nameKaisa) || !strings.Contains(txt, "hakemuksesi käsittely") || !strings.Contains(txt, sub.Reference) {
		t.Errorf("access log: %q", txt)
	}
}
