package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
)

// TestJourneyData follows issue 8's resident journey where it is about
// data a person sees: "for whom?" on the service page (with and without
// JavaScript), the eligibility message, prefilled values that say whose
// they are and where they come from, search by residents' words, the
// words of a notification, and a receipt to keep (print, PDF, JSON).
func TestJourneyData(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	t.Run("for whom, with JavaScript: Juhani applies for Helmi from the service page", func(t *testing.T) {
		login(t, ctx, "fi", "300468-951T")
		open(t, ctx, "/fi/services/home-help")
		if l := textOf(t, ctx, "#for-whom legend"); l != "Kenen puolesta haet?" {
			t.Fatalf("the service page asks %q", l)
		}
		labels := eval[[]string](t, ctx, `[...document.querySelectorAll('#for-whom label')].map(l => l.innerText.trim())`)
		if fmt.Sprint(labels) != "[Omissa nimissäni (Juhani Korhonen) Helmi Korhonen]" {
			t.Errorf("choices %q", labels)
		}
		eval[bool](t, ctx, `(() => { const r = [...document.querySelectorAll('#for-whom input')].find(i => i.labels[0].innerText.includes('Helmi')); r.click(); return r.checked })()`)
		click(t, ctx, `main form.for-whom button[type="submit"]`)
		if _, step := draftIDOf(t, ctx); step != "1" {
			t.Fatalf("the start opened step %s", step)
		}
		if b := textOf(t, ctx, ".banner-acting"); !strings.Contains(b, "Helmi Korhonen") {
			t.Errorf("after choosing Helmi the banner says %q", b)
		}
		// Helmi's section holds Helmi's data, each with its real source.
		if v := formValue(t, ctx, "#phone"); v != "+358 9 555 0101" {
			t.Errorf("Helmi's phone prefilled as %q (Juhani's is +358 50 222 3333)", v)
		}
		if s := textOf(t, ctx, "#phone-source"); s != "Tieto on haettu henkilön Helmi Korhonen yhteystiedoista." {
			t.Errorf("phone source %q", s)
		}
		if s := textOf(t, ctx, "#street-source"); !strings.Contains(s, "väestötietojärjestelmästä") {
			t.Errorf("address source %q", s)
		}
		// The contact person is Juhani, who fills in the form.
		id, _ := draftIDOf(t, ctx)
		open(t, ctx, "/fi/drafts/"+id+"/step/3")
		formChoose(t, ctx, "hasContactPerson", "yes")
		if v := formValue(t, ctx, "#contactName"); v != "Juhani Korhonen" {
			t.Errorf("contact person prefilled as %q", v)
		}
		if s := textOf(t, ctx, "#contactPhone-source"); s != "Tieto on haettu yhteystiedoistasi." {
			t.Errorf("contact phone source %q", s)
		}
		logout(t, ctx)
	})

	t.Run("eligibility: early education is not offered for Ella, and says why", func(t *testing.T) {
		login(t, ctx, "fi", hetuAino)
		open(t, ctx, "/fi/acting-for")
		ella := eval[string](t, ctx, `([...document.querySelectorAll('button[name="principal"]')].find(b => b.innerText.includes('Ella')) || {value: ''}).value`)
		click(t, ctx, fmt.Sprintf(`button[name="principal"][value=%q]`, ella))
		open(t, ctx, "/fi/services/early-education")
		panel := textOf(t, ctx, ".start-panel")
		if !strings.Contains(panel, "Varhaiskasvatus on alle kouluikäisille lapsille. Ella on 15-vuotias.") {
			t.Errorf("the start panel says %q", panel)
		}
		if b := textOf(t, ctx, ".start-panel button"); b != "Aloita hakemus: Eetu Virtanen" {
			t.Errorf("the start button says %q, want Eetu as the one choice", b)
		}
	})

	t.Run("a notification is a notification", func(t *testing.T) {
		open(t, ctx, "/fi/services/building-notification")
		if b := textOf(t, ctx, ".start-panel button"); b != "Aloita ilmoitus" {
			t.Errorf("the start button says %q", b)
		}
	})

	t.Run("search by residents' words", func(t *testing.T) {
		for _, tc := range []struct{ lang, q, want string }{
			{"fi", "kotiapu", "/fi/services/home-help"},
			{"sv", "hemhjälp", "/sv/services/home-help"},
			{"fi", "lastentarha", "/fi/services/early-education"},
			{"sv", "förskola", "/sv/services/early-education"},
		} {
			open(t, ctx, "/"+tc.lang+"/services?q="+tc.q)
			if n := count(t, ctx, fmt.Sprintf(`main a[href=%q]`, tc.want)); n == 0 {
				t.Errorf("%q finds no link to %s: %q", tc.q, tc.want, textOf(t, ctx, "main"))
			}
		}
	})

	t.Run("a receipt to keep", func(t *testing.T) {
		// Aino (now acting for Ella) sends a sports slot application for
		// herself through the API, as the form's autosave would.
		caseID := eval[string](t, ctx, `(async () => {
			const s = await (await fetch('/api/v1/session')).json();
			const h = {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken};
			const a = await (await fetch('/api/v1/session/acting-for', {method: 'PUT', headers: h, body: JSON.stringify({principal: null})})).json();
			h['X-CSRF-Token'] = a.csrfToken;
			const d = await (await fetch('/api/v1/drafts', {method: 'POST', headers: h, body: JSON.stringify({service: 'sports-shift'})})).json();
			const cur = await (await fetch('/api/v1/drafts/' + d.id)).json();
			const data = Object.assign(cur.data, {groupName: 'Tiistain sähly', groupType: 'informal', ageGroup: 'adults', participants: 12,
				hall: 'ball-hall', weekday: 'tue', startTime: '18.30', duration: '90', season: 'full', equipmentNeeded: false});
			await fetch('/api/v1/drafts/' + d.id, {method: 'PUT', headers: h, body: JSON.stringify({version: cur.version, data})});
			const c = await (await fetch('/api/v1/drafts/' + d.id + '/submit', {method: 'POST', headers: h})).json();
			return (c.case || c).id;
		})()`)
		if caseID == "" {
			t.Fatal("no case")
		}
		open(t, ctx, "/fi/cases/"+caseID+"?new=1")
		if !visible(t, ctx, ".receipt [data-print]") {
			t.Error("no print button with JavaScript on")
		}
		eval[bool](t, ctx, `(() => { window.printed = 0; window.print = () => window.printed++; document.querySelector('.receipt [data-print]').click(); return true })()`)
		if n := eval[int](t, ctx, `window.printed`); n != 1 {
			t.Errorf("the print button printed %d times", n)
		}
		links := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('.receipt a')].map(a => [a.innerText.trim(), a.getAttribute('href')]))`)
		if links["Lataa kuitti (PDF)"] != "/fi/cases/"+caseID+"/receipt.pdf" || links["Lataa tietoina (JSON)"] != "/fi/cases/"+caseID+"/receipt.json" {
			t.Errorf("receipt links %v", links)
		}
		if h := eval[string](t, ctx, `(document.querySelector('main a[href="/fi/cases"]') || {innerText: ''}).innerText`); h != textOf(t, ctx, `header nav a[href="/fi/cases"]`) {
			t.Errorf("the link to the applications is %q, not the navigation's name", h)
		}
		if n := count(t, ctx, `main a[href="/fi/cases/`+caseID+`"]`); n != 0 {
			t.Errorf("the receipt links back to itself %d times", n)
		}
		if n := count(t, ctx, `main dt`); strings.Contains(textOf(t, ctx, "main dl.facts"), "Lähettäjä") || n == 0 {
			t.Errorf("sender shown although Aino is the applicant: %q", textOf(t, ctx, "main dl.facts"))
		}
		// The PDF: a whole document in Finnish.
		head := eval[string](t, ctx, `(async () => { const b = await (await fetch('/fi/cases/`+caseID+`/receipt.pdf')).arrayBuffer(); const s = new TextDecoder('latin1').decode(b); return s.slice(0, 5) + '|' + (s.includes('/Lang (fi)') ? 'fi' : '') })()`)
		if head != "%PDF-|fi" {
			t.Errorf("the PDF starts %q", head)
		}
		// Printed: the letterhead, no navigation.
		call(t, ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		if d := eval[string](t, ctx, `getComputedStyle(document.querySelector('.letterhead')).display`); d == "none" {
			t.Error("no letterhead when printed")
		}
		if d := eval[string](t, ctx, `getComputedStyle(document.querySelector('.site-header')).display`); d != "none" {
			t.Error("the header is printed")
		}
		call(t, ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
		if d := eval[string](t, ctx, `getComputedStyle(document.querySelector('.letterhead')).display`); d != "none" {
			t.Error("the letterhead shows on screen")
		}
	})

	t.Run("for whom, without JavaScript: the same as a form", func(t *testing.T) {
		// The same browser with scripts off (a second browser costs
		// seconds): Aino, still logged in, acts for Ella.
		nojs := ctx
		call(t, nojs, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		defer call(t, nojs, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		open(t, nojs, "/fi/services/early-education")
		if n := count(t, nojs, `main form.for-whom input[name="for"]`); n != 1 {
			t.Errorf("%d choices, want Eetu only", n)
		}
		click(t, nojs, `main form.for-whom button[type="submit"]`)
		if _, step := draftIDOf(t, nojs); step != "1" {
			t.Fatalf("the start opened step %s", step)
		}
		if b := textOf(t, nojs, ".banner-acting"); !strings.Contains(b, "Eetu Virtanen") {
			t.Errorf("the banner says %q", b)
		}
		open(t, nojs, "/fi/cases")
		id := eval[string](t, nojs, `(document.querySelector('main a[href^="/fi/cases/"]') || {href: ''}).getAttribute('href') || ''`)
		if id != "" {
			open(t, nojs, id)
			if n := count(t, nojs, "[data-print]:not([hidden])"); n != 0 {
				t.Error("a print button that cannot work without JavaScript is shown")
			}
		}
	})
}
