package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Aino sends a home-help application (through the API: the form has its
// own tests), opens her data in Finnish and Swedish and reads why the
// municipality has her prefilled name and where it came from; after
// Kaisa opens the application, Aino's access log shows it with the
// purpose. The page passes the per-page checks. Aino shares the
// application with Maria on its page (no JavaScript needed): Maria reads
// it; Aino revokes the share and Maria's next read is refused.
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

	t.Run("share with Maria and revoke", func(t *testing.T) {
		const hetuMaria = "030392-974H"
		maria := newHTTPClient(t, srv)
		maria.login(t, "fi", hetuMaria)
		shared := "/api/v1/shared/" + sub.ID
		if r := maria.get(t, shared); r.Status != 404 {
			t.Fatalf("Maria before the share: %d", r.Status)
		}
		open(t, ctx, "/fi/cases/"+sub.ID)
		act(t, ctx, chromedp.SendKeys(`#share-name`, "Maria Nieminen"), chromedp.SendKeys(`#share-hetu`, hetuMaria))
		click(t, ctx, `form[action$="/shares"] button[type="submit"]`)
		if txt := textOf(t, ctx, `#sharing ~ ul`); !strings.Contains(txt, "Maria Nieminen") {
			t.Fatalf("the case page does not list the share: %q (at %s)", txt, curPath(t, ctx))
		}
		if r := maria.get(t, shared); r.Status != 200 || !strings.Contains(r.Body, "Kaaduin") {
			t.Fatalf("Maria reads the shared application: %d", r.Status)
		}
		click(t, ctx, `form[action*="/shares/"] button[type="submit"]`)
		if !waitFor(t, ctx, "the share gone from the page", `!document.querySelector('form[action*="/shares/"]')`, 5*time.Second) {
			t.Fatalf("the share is still listed")
		}
		if r := maria.get(t, shared); r.Status != 404 {
			t.Errorf("Maria after the revoke: %d", r.Status)
		}
	})
}
