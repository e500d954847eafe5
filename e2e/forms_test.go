package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The resident's form journey (issue 3, "E2E in Chromium"): the sports
// hall form filled with and without JavaScript, resumed on a second
// browser profile, edited offline, the early childhood education form as a
// guardian acting for a child, and the form in Swedish.

// Demo people of the form tests (CONTRACT.md): Maria has no relations, so
// she applies for herself.
const (
	formsMaria     = "030392-974H"
	formsMariaName = "Maria Nieminen"
)

// referencePattern is a case's human reference, e.g. ESI-2026-000123.
var referencePattern = regexp.MustCompile(`^ESI-\d{4}-\d{6}$`)

// draftPath matches a step page and captures the language, draft id and step.
var draftPath = regexp.MustCompile(`^/(fi|sv|en)/drafts/([^/?#]+)/step/(\d+)`)

// casePath matches a case page and captures the case id.
var casePath = regexp.MustCompile(`^/(fi|sv|en)/cases/([^/?#]+)`)

// sportsAnswers are the answers the sports hall tests type in.
type sportsAnswers struct {
	phone, group, participants, startTime, equipment string
}

var sportsDefaults = sportsAnswers{
	phone: "040 123 4567", group: "Torstain sählyporukka", participants: "12",
	startTime: "18.30", equipment: "Lentopalloverkko ja 10 palloa",
}

// ---------------------------------------------------------------------------
// Helpers

// formType replaces the value of the text input or textarea sel by typing
// text into it with key events (which fire input events, so form.js sees
// them as a person typing).
func formType(t testing.TB, ctx context.Context, sel, text string) {
	t.Helper()
	if !eval[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false; e.focus(); e.value = ''; return true })()`, jsString(sel))) {
		t.Fatalf("no %s on %s", sel, curPath(t, ctx))
	}
	formAppend(t, ctx, sel, text)
}

// formAppend types text at the end of the input sel.
func formAppend(t testing.TB, ctx context.Context, sel, text string) {
	t.Helper()
	act(t, ctx, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// formChoose clicks the label of the radio button or checkbox name=value,
// as a person would.
func formChoose(t testing.TB, ctx context.Context, name, value string) {
	t.Helper()
	id := eval[string](t, ctx, fmt.Sprintf(`(() => { const e = [...document.querySelectorAll('input[name="' + %s + '"]')].find(i => i.value === %s); return e ? e.id : '' })()`, jsString(name), jsString(value)))
	if id == "" {
		t.Fatalf("no choice %s=%s on %s", name, value, curPath(t, ctx))
	}
	act(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for=%q]`, id))))
}

// formSelect picks an option of the select sel (and tells the page, as a
// change by hand would).
func formSelect(t testing.TB, ctx context.Context, sel, value string) {
	t.Helper()
	ok := eval[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e || ![...e.options].some(o => o.value === %s)) return false;
		e.focus(); e.value = %s; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return true })()`,
		jsString(sel), jsString(value), jsString(value)))
	if !ok {
		t.Fatalf("cannot choose %q in %s on %s", value, sel, curPath(t, ctx))
	}
}

// formValue is the current value of a form control.
func formValue(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`(document.querySelector(%s) || {value: '<missing>'}).value`, jsString(sel)))
}

// visible reports whether the element sel is rendered (not display:none,
// not hidden).
func visible(t testing.TB, ctx context.Context, sel string) bool {
	t.Helper()
	return eval[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden' })()`, jsString(sel)))
}

// pressContinue presses the step's Continue button and waits for the page
// it loads; the button press must leave the step (no problems).
func pressContinue(t testing.TB, ctx context.Context) {
	t.Helper()
	from := curPath(t, ctx)
	resp := click(t, ctx, `.form-actions button[value="next"]`)
	if p := curPath(t, ctx); p == from || (resp != nil && resp.Status >= 400) {
		status := int64(0)
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("Continue on %s stayed at %s (HTTP %d); problems: %q", from, p, status, textOf(t, ctx, "#error-summary"))
	}
}

// pressContinueExpectingProblems presses Continue where the answers have
// problems. With scripts, form.js stops the post and shows the error
// summary; without, the server answers 422 with it.
func pressContinueExpectingProblems(t testing.TB, ctx context.Context, noJS bool) {
	t.Helper()
	from := curPath(t, ctx)
	if noJS {
		resp := click(t, ctx, `.form-actions button[value="next"]`)
		if resp == nil || resp.Status != http.StatusUnprocessableEntity {
			status := int64(0)
			if resp != nil {
				status = resp.Status
			}
			t.Errorf("Continue with problems on %s: HTTP %d, want 422", from, status)
		}
	} else {
		eval[bool](t, ctx, `(() => { const s = document.getElementById('error-summary'); if (s) s.remove(); return true })()`)
		act(t, ctx, chromedp.Click(chromedp.CSS(`.form-actions button[value="next"]`)))
		if !waitFor(t, ctx, "the error summary after the first press", `!!document.querySelector('#error-summary li a')`, 3*time.Second) {
			// Known bug (see the report): the focusout check of the field
			// just typed in inserts its error above the button between
			// mousedown and mouseup, the button moves down and the press
			// is lost. Press again to check the rest of the journey.
			t.Errorf("BUG: pressing Continue on %s with a wrong answer did nothing: form.js's focusout check showed the field's error "+
				"between mousedown and mouseup, the button moved (%s) and the click went to the form; a second press was needed",
				from, eval[string](t, ctx, `(() => { const e = document.querySelector('.field-error'); return e ? e.id : 'no field error' })()`))
			act(t, ctx, chromedp.Click(chromedp.CSS(`.form-actions button[value="next"]`)))
		}
	}
	if !waitFor(t, ctx, "the error summary", `!!document.querySelector('#error-summary li a')`, 10*time.Second) {
		screenshotAt(t, ctx, "no-error-summary", desktopWidth)
		t.Fatalf("Continue with problems on %s: no error summary (now at %s); page:\n%s", from, curPath(t, ctx), bodyText(t, ctx))
	}
	if p := strings.SplitN(curPath(t, ctx), "#", 2)[0]; p != from {
		t.Errorf("Continue with problems left the step: %s → %s", from, p)
	}
}

// problems are the error summary's entries: link target → text.
func problems(t testing.TB, ctx context.Context) map[string]string {
	t.Helper()
	return eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('#error-summary li a')].map(a => [a.getAttribute('href'), a.innerText.trim()]))`)
}

// autosaveStatus is the text of the step's autosave live region.
func autosaveStatus(t testing.TB, ctx context.Context) string {
	t.Helper()
	return textOf(t, ctx, "#autosave-status")
}

// waitAutosave waits until the autosave status says want (a substring).
func waitAutosave(t testing.TB, ctx context.Context, want string, timeout time.Duration) {
	t.Helper()
	if !waitFor(t, ctx, "autosave status "+want, fmt.Sprintf(`(document.getElementById('autosave-status') || {textContent: ''}).textContent.includes(%s)`, jsString(want)), timeout) {
		t.Fatalf("autosave status on %s is %q, want it to say %q", curPath(t, ctx), autosaveStatus(t, ctx), want)
	}
}

// draftIDOf is the draft id of the step page the tab shows.
func draftIDOf(t testing.TB, ctx context.Context) (id string, step string) {
	t.Helper()
	m := draftPath.FindStringSubmatch(curPath(t, ctx))
	if m == nil {
		t.Fatalf("not on a step page: %s", curPath(t, ctx))
	}
	return m[2], m[3]
}

// startService opens a service page and presses its start button; it
// returns the new draft's id and checks that step 1 opened.
func startService(t testing.TB, ctx context.Context, lang, service string) string {
	t.Helper()
	open(t, ctx, "/"+lang+"/services/"+service)
	resp := click(t, ctx, fmt.Sprintf(`main form[action="/%s/services/%s/start"] button[type="submit"]`, lang, service))
	if resp != nil && resp.Status >= 400 {
		t.Fatalf("starting %s: HTTP %d at %s", service, resp.Status, curPath(t, ctx))
	}
	id, step := draftIDOf(t, ctx)
	if step != "1" {
		t.Fatalf("starting %s opened step %s, want 1", service, step)
	}
	return id
}

// waitFormReady waits until the step page has loaded (form.js is a
// module script: it has run by then and reads the saved draft).
func waitFormReady(t testing.TB, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, "the page to load", `document.readyState === 'complete'`, 10*time.Second)
}

// waitDraftData polls GET /api/v1/drafts/{id} (the browser's fetch) until
// the JavaScript condition cond on its data d holds.
func waitDraftData(t testing.TB, ctx context.Context, id, what, cond string, timeout time.Duration) bool {
	t.Helper()
	return waitFor(t, ctx, what, fmt.Sprintf(`fetch('/api/v1/drafts/' + %s, {credentials: 'same-origin', cache: 'no-store'}).then(r => r.ok ? r.json() : {}).then(j => { const d = j.data || {}; return !!(%s) })`, jsString(id), cond), timeout)
}

// summaryRows are the answers on a summary or case page: label → value
// and the label's Change link.
type summaryRow struct {
	Value  string `json:"value"`
	Change string `json:"change"`
}

func summaryRows(t testing.TB, ctx context.Context) map[string]summaryRow {
	t.Helper()
	return eval[map[string]summaryRow](t, ctx, `Object.fromEntries([...document.querySelectorAll('.summary-row')].map(r => {
		const dd = r.querySelector('dd:not(.summary-change)');
		const a = r.querySelector('.summary-change a');
		return [r.querySelector('dt').innerText.trim(), {value: dd ? dd.innerText.trim() : '', change: a ? a.getAttribute('href') : ''}];
	}))`)
}

// writeTestPDF writes a small real PDF (checked by content on upload).
func writeTestPDF(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	pdf := "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
	if err := os.WriteFile(p, []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sendAndCheckReceipt presses Send on the summary and checks the receipt;
// it returns the case id and reference.
func sendAndCheckReceipt(t testing.TB, ctx context.Context, lang, name string, noJS bool) (caseID, ref string) {
	t.Helper()
	resp := click(t, ctx, `form.send-form button[type="submit"]`)
	if resp != nil && resp.Status != http.StatusOK {
		t.Fatalf("Send: HTTP %d at %s; %s", resp.Status, curPath(t, ctx), textOf(t, ctx, "#error-summary"))
	}
	p := curPath(t, ctx)
	m := casePath.FindStringSubmatch(p)
	if m == nil || m[1] != lang || !strings.HasSuffix(p, "?new=1") {
		t.Fatalf("after Send the page is %s, want /%s/cases/{id}?new=1", p, lang)
	}
	ref = textOf(t, ctx, ".receipt .reference-large")
	if !referencePattern.MatchString(ref) {
		t.Errorf("receipt reference %q, want ESI-YYYY-NNNNNN", ref)
	}
	pageCheck(t, ctx, name, noJS)
	return m[2], ref
}

// checkListed opens the cases list and checks that it shows ref; the
// drafts list must no longer show the draft.
func checkListed(t testing.TB, ctx context.Context, lang, draftID, caseID, ref, name string, noJS bool) {
	t.Helper()
	open(t, ctx, "/"+lang+"/cases")
	if !strings.Contains(textOf(t, ctx, "main"), ref) {
		t.Errorf("/%s/cases does not list %s: %q", lang, ref, textOf(t, ctx, "main"))
	}
	if n := count(t, ctx, fmt.Sprintf(`main a[href="/%s/cases/%s"]`, lang, caseID)); n == 0 {
		t.Errorf("/%s/cases has no link to the case %s", lang, caseID)
	}
	if name != "" {
		pageCheck(t, ctx, "cases-"+name, noJS)
	}
	open(t, ctx, "/"+lang+"/drafts")
	if n := count(t, ctx, fmt.Sprintf(`main a[href^="/%s/drafts/%s"]`, lang, draftID)); n != 0 {
		t.Errorf("/%s/drafts still lists the sent draft %s", lang, draftID)
	}
	if name != "" {
		pageCheck(t, ctx, "drafts-"+name, noJS)
	}
}

// apiDraft reads GET /api/v1/drafts/{id} with the browser's fetch (its
// cookies); it returns the draft's data.
func apiDraft(t testing.TB, ctx context.Context, id string) map[string]any {
	t.Helper()
	var out struct {
		Status int            `json:"status"`
		Data   map[string]any `json:"data"`
	}
	raw := eval[string](t, ctx, fmt.Sprintf(`fetch('/api/v1/drafts/' + %s, {credentials: 'same-origin', cache: 'no-store'}).then(async r => JSON.stringify({status: r.status, data: r.ok ? ((await r.json()).data || {}) : null}))`, jsString(id)))
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("GET /api/v1/drafts/%s: %v (%s)", id, err, raw)
	}
	if out.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/drafts/%s: HTTP %d", id, out.Status)
	}
	return out.Data
}

// checkPageNoJS runs checkPage on a tab whose scripts are disabled: axe
// needs script timers, so execution is allowed for the scan only. The
// page's own scripts stay unrun (a script skipped while parsing never
// runs later), so the scan sees the page as rendered without JavaScript.
func checkPageNoJS(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
	defer call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	if eval[bool](t, ctx, `!!(navigator.serviceWorker && navigator.serviceWorker.controller) || !!(document.getElementById('autosave-status') && document.getElementById('autosave-status').textContent !== '')`) {
		t.Errorf("%s: the page ran its scripts, the no-JS check is void", name)
	}
	checkPage(t, ctx, name)
}

// pageCheck is checkPage, or checkPageNoJS on a tab without scripts.
func pageCheck(t testing.TB, ctx context.Context, name string, noJS bool) {
	t.Helper()
	if noJS {
		checkPageNoJS(t, ctx, name)
	} else {
		checkPage(t, ctx, name)
	}
}

// ---------------------------------------------------------------------------
// Tests

// TestFormWithJavaScript fills the sports hall form with scripts on: a
// number out of range is caught in the browser with an error summary that
// takes focus and links to the field, the conditional equipment question
// appears when ticked and is then required, a PDF is attached, the
// summary shows every answer with a Change link, and sending gives a
// receipt and a case in "My applications".
func TestFormWithJavaScript(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})
	pdf := writeTestPDF(t, "toimintasuunnitelma.pdf")
	a := sportsDefaults

	login(t, ctx, "fi", formsMaria)
	if who := textOf(t, ctx, "header .who"); !strings.Contains(who, formsMariaName) {
		t.Fatalf("logged in as %q, want %s", who, formsMariaName)
	}
	id := startService(t, ctx, "fi", "sports-shift")
	waitFormReady(t, ctx)

	// Step 1: contact person, prefilled from the population register.
	if v := formValue(t, ctx, "#contactFirstName"); v != "Maria" {
		t.Errorf("first name prefilled as %q, want Maria", v)
	}
	if v := formValue(t, ctx, "#contactEmail"); v != "maria.nieminen@example.fi" {
		t.Errorf("email prefilled as %q", v)
	}
	if s := textOf(t, ctx, "#contactFirstName-source"); !strings.Contains(s, "väestötieto") {
		t.Errorf("first name's source note %q, want the population register", s)
	}
	if h := textOf(t, ctx, "main h1"); !strings.Contains(h, "Vaihe 1/3") {
		t.Errorf("step 1 heading %q, want it to say Vaihe 1/3", h)
	}
	formType(t, ctx, "#contactPhone", a.phone)
	waitAutosave(t, ctx, "Tallennettu klo", 10*time.Second)
	checkPage(t, ctx, "sports-js-step1")
	pressContinue(t, ctx)

	// Step 2: the group; too many participants.
	if _, step := draftIDOf(t, ctx); step != "2" {
		t.Fatalf("Continue on step 1 opened step %s", step)
	}
	formType(t, ctx, "#groupName", a.group)
	if visible(t, ctx, "#field-businessId") {
		t.Error("the business id question shows before a group type is chosen")
	}
	formChoose(t, ctx, "groupType", "company")
	if !visible(t, ctx, "#field-businessId") {
		t.Error("choosing a company does not show the business id question")
	}
	formChoose(t, ctx, "groupType", "informal")
	if visible(t, ctx, "#field-businessId") {
		t.Error("choosing an informal group does not hide the business id question")
	}
	formChoose(t, ctx, "ageGroup", "adults")
	formType(t, ctx, "#participants", "100")
	pressContinueExpectingProblems(t, ctx, false)
	probs := problems(t, ctx)
	if len(probs) != 1 || !strings.Contains(probs["#participants"], "Osallistujien määrä") || !strings.Contains(probs["#participants"], "enintään 60") {
		t.Errorf("error summary %v, want one Finnish entry for #participants saying at most 60", probs)
	}
	if h := textOf(t, ctx, "#error-summary h2"); h != "Tarkista tiedot" {
		t.Errorf("error summary title %q, want Tarkista tiedot", h)
	}
	if f := eval[string](t, ctx, `document.activeElement ? document.activeElement.id : ''`); f != "error-summary" {
		t.Errorf("focus is on #%s after a failed Continue, want the error summary", f)
	}
	if !eval[bool](t, ctx, `!!(document.getElementById('error-summary').compareDocumentPosition(document.getElementById('step-form')) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		t.Error("the error summary is not above the form")
	}
	if e := textOf(t, ctx, "#participants-error"); !strings.Contains(e, "enintään 60") {
		t.Errorf("the field's own error %q", e)
	}
	if eval[string](t, ctx, `document.getElementById('participants').getAttribute('aria-invalid') || ''`) != "true" ||
		!strings.Contains(eval[string](t, ctx, `document.getElementById('participants').getAttribute('aria-describedby') || ''`), "participants-error") {
		t.Error("the participants input is not marked invalid and described by its error")
	}
	checkPage(t, ctx, "sports-js-step2-error")
	act(t, ctx, chromedp.Click(chromedp.CSS(`#error-summary a[href="#participants"]`)))
	if !waitFor(t, ctx, "focus on the participants field", `document.activeElement && document.activeElement.id === 'participants'`, 5*time.Second) {
		t.Errorf("the error summary's link moved focus to #%s, want #participants", eval[string](t, ctx, `document.activeElement ? document.activeElement.id : ''`))
	}
	formType(t, ctx, "#participants", a.participants)
	if !waitFor(t, ctx, "the field error to go", `!document.getElementById('participants-error')`, 5*time.Second) {
		t.Error("the participants error stays after the number was fixed")
	}
	// Let the autosave of the fix finish first (it starts 0.8 s after the
	// typing): Continue during a save waits for it, and a slow CI machine
	// then ran out of the click's time once.
	time.Sleep(time.Second)
	waitAutosave(t, ctx, "Tallennettu klo", 15*time.Second)
	pressContinue(t, ctx)

	// Step 3: the slot; the conditional equipment question and an upload.
	if _, step := draftIDOf(t, ctx); step != "3" {
		t.Fatalf("Continue on step 2 opened step %s", step)
	}
	formSelect(t, ctx, "#hall", "sports-centre-small")
	formChoose(t, ctx, "weekday", "thu")
	formType(t, ctx, "#startTime", a.startTime)
	formChoose(t, ctx, "duration", "90")
	formChoose(t, ctx, "season", "full")
	if visible(t, ctx, "#field-equipment") {
		t.Error("the equipment question shows before equipmentNeeded is ticked")
	}
	formChoose(t, ctx, "equipmentNeeded", "true")
	if !visible(t, ctx, "#field-equipment") {
		t.Fatal("ticking equipmentNeeded does not show the equipment question")
	}
	pressContinueExpectingProblems(t, ctx, false)
	probs = problems(t, ctx)
	if len(probs) != 1 || !strings.Contains(probs["#equipment"], "Kirjoita tarvitsemanne välineet.") {
		t.Errorf("error summary %v, want one entry: the equipment question is required", probs)
	}
	formType(t, ctx, "#equipment", a.equipment)
	act(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#attachment"), []string{pdf}))
	if n := eval[string](t, ctx, `(document.getElementById('attachment').files[0] || {name: ''}).name`); n != "toimintasuunnitelma.pdf" {
		t.Errorf("file input holds %q", n)
	}
	checkPage(t, ctx, "sports-js-step3")
	pressContinue(t, ctx)

	// Summary.
	if p := curPath(t, ctx); p != "/fi/drafts/"+id+"/summary" {
		t.Fatalf("Continue on the last step opened %s, want the summary", p)
	}
	rows := summaryRows(t, ctx)
	for label, want := range map[string]string{
		"Etunimi": "Maria", "Puhelinnumero": a.phone, "Ryhmän tai seuran nimi": a.group,
		"Osallistujien määrä": a.participants, "Alkamisaika": a.startTime,
		"Mitä välineitä tarvitsette?": a.equipment, "Toimintasuunnitelma tai muu liite": "toimintasuunnitelma.pdf",
		"Millainen ryhmä on?": "Vapaamuotoinen ryhmä",
	} {
		if r, ok := rows[label]; !ok || !strings.Contains(r.Value, want) {
			t.Errorf("summary %q = %q, want %q in it", label, r.Value, want)
		}
	}
	if _, ok := rows["Y-tunnus"]; ok {
		t.Error("the summary shows the business id question, which did not apply")
	}
	if r := rows["Osallistujien määrä"]; r.Change != "/fi/drafts/"+id+"/step/2#participants" {
		t.Errorf("participants' Change link %q", r.Change)
	}
	for label, r := range rows {
		if r.Change == "" {
			t.Errorf("summary row %q has no Change link", label)
		}
	}
	checkPage(t, ctx, "sports-js-summary")
	// A Change link goes back to the question, answers kept.
	click(t, ctx, `.summary-row a[href$="#participants"]`)
	if v := formValue(t, ctx, "#participants"); v != a.participants {
		t.Errorf("Change → participants shows %q", v)
	}
	open(t, ctx, "/fi/drafts/"+id+"/summary")

	caseID, ref := sendAndCheckReceipt(t, ctx, "fi", "sports-js-receipt", false)
	if !strings.Contains(textOf(t, ctx, "main"), "toimintasuunnitelma.pdf") {
		t.Error("the receipt does not list the attachment")
	}
	if n := count(t, ctx, "main .summary-row"); n < 10 {
		t.Errorf("the receipt shows %d answers, want all of them", n)
	}
	checkListed(t, ctx, "fi", id, caseID, ref, "js-fi", false)
}

// TestFormWithoutJavaScript is the same journey with scripts disabled, in
// English: the server finds the problems (422, error summary with links),
// conditional questions are shown with an "answer only if" hint, a chosen
// file survives a post with problems, "Save and continue later" keeps the
// place, and the application is sent.
func TestFormWithoutJavaScript(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{NoJS: true})
	pdf := writeTestPDF(t, "activity-plan.pdf")
	a := sportsDefaults

	login(t, ctx, "en", formsMaria)
	id := startService(t, ctx, "en", "sports-shift")
	if v := formValue(t, ctx, "#contactLastName"); v != "Nieminen" {
		t.Errorf("last name prefilled as %q", v)
	}
	formType(t, ctx, "#contactPhone", a.phone)
	checkPageNoJS(t, ctx, "sports-nojs-step1")
	pressContinue(t, ctx)

	// Step 2: save and continue later, then resume where we left off.
	formType(t, ctx, "#groupName", a.group)
	click(t, ctx, `button[name="action"][value="later"]`)
	if p := curPath(t, ctx); p != "/en/drafts?saved="+id {
		t.Fatalf("Save and continue later went to %s", p)
	}
	if n := textOf(t, ctx, "main .notice"); !strings.Contains(n, "has been saved") || !strings.Contains(n, "another device") {
		t.Errorf("drafts page notice %q, want it to say the application was saved and can be continued on another device", n)
	}
	checkPageNoJS(t, ctx, "drafts-nojs-en")
	click(t, ctx, fmt.Sprintf(`main .item a.btn[href="/en/drafts/%s"]`, id))
	if p := curPath(t, ctx); p != "/en/drafts/"+id+"/step/2" {
		t.Fatalf("Resume opened %s, want step 2", p)
	}
	if v := formValue(t, ctx, "#groupName"); v != a.group {
		t.Errorf("after resume the group name is %q", v)
	}

	// Conditional business id: shown with its hint, required for an association.
	if !visible(t, ctx, "#businessId") {
		t.Error("without JS the business id question is not shown")
	}
	if h := textOf(t, ctx, "#businessId-cond"); !strings.Contains(h, "Answer only if") || !visible(t, ctx, "#businessId-cond") {
		t.Errorf("business id condition hint %q (visible %v)", h, visible(t, ctx, "#businessId-cond"))
	}
	formChoose(t, ctx, "groupType", "association")
	formChoose(t, ctx, "ageGroup", "children")
	formType(t, ctx, "#participants", "100")
	pressContinueExpectingProblems(t, ctx, true)
	probs := problems(t, ctx)
	if !strings.Contains(probs["#participants"], "Number of participants: Enter a number that is 60 or less.") {
		t.Errorf("error summary for participants %q (all: %v)", probs["#participants"], probs)
	}
	if !strings.Contains(probs["#businessId"], "Enter the business ID.") {
		t.Errorf("error summary for the business id %q (all: %v)", probs["#businessId"], probs)
	}
	if h := textOf(t, ctx, "#error-summary h2"); h != "There is a problem" {
		t.Errorf("error summary title %q", h)
	}
	if title := eval[string](t, ctx, `document.title`); !strings.HasPrefix(title, "Error:") {
		t.Errorf("page title %q, want it to start with Error:", title)
	}
	if v := formValue(t, ctx, "#participants"); v != "100" {
		t.Errorf("after the failed post participants shows %q, want what was typed", v)
	}
	if v := formValue(t, ctx, "#groupName"); v != a.group {
		t.Errorf("after the failed post the group name is %q", v)
	}
	checkPageNoJS(t, ctx, "sports-nojs-step2-error")
	click(t, ctx, `#error-summary a[href="#participants"]`)
	if !strings.HasSuffix(location(t, ctx), "#participants") {
		t.Errorf("the error link went to %s", location(t, ctx))
	}
	formType(t, ctx, "#businessId", "2345678-0")
	formType(t, ctx, "#participants", a.participants)
	pressContinue(t, ctx)

	// Step 3: equipment is asked (with its hint) but only required when
	// ticked; a file chosen in a post with problems is kept.
	formSelect(t, ctx, "#hall", "ball-hall")
	formChoose(t, ctx, "weekday", "sat")
	formType(t, ctx, "#startTime", a.startTime)
	formChoose(t, ctx, "duration", "120")
	formChoose(t, ctx, "season", "autumn")
	if !visible(t, ctx, "#equipment") || !visible(t, ctx, "#equipment-cond") {
		t.Error("without JS the equipment question and its hint are not shown")
	}
	formChoose(t, ctx, "equipmentNeeded", "true")
	act(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#attachment"), []string{pdf}))
	pressContinueExpectingProblems(t, ctx, true)
	probs = problems(t, ctx)
	if len(probs) != 1 || !strings.Contains(probs["#equipment"], "Enter the equipment you need.") {
		t.Errorf("error summary %v, want one entry: equipment is required once ticked", probs)
	}
	if cur := textOf(t, ctx, "#field-attachment .file-current"); !strings.Contains(cur, "activity-plan.pdf") {
		t.Errorf("after a post with problems the chosen file is not shown as attached: %q", cur)
	}
	if !eval[bool](t, ctx, `document.getElementById('equipmentNeeded').checked`) {
		t.Error("the ticked box was lost in the failed post")
	}
	checkPageNoJS(t, ctx, "sports-nojs-step3-error")
	formType(t, ctx, "#equipment", a.equipment)
	pressContinue(t, ctx)

	if p := curPath(t, ctx); p != "/en/drafts/"+id+"/summary" {
		t.Fatalf("Continue on the last step opened %s", p)
	}
	rows := summaryRows(t, ctx)
	for label, want := range map[string]string{
		"Phone number": a.phone, "Business ID": "2345678-0", "Number of participants": a.participants,
		"What equipment do you need?": a.equipment, "Activity plan or other attachment": "activity-plan.pdf",
		"Sports hall": "Ball games hall",
	} {
		if r, ok := rows[label]; !ok || !strings.Contains(r.Value, want) || r.Change == "" {
			t.Errorf("summary %q = %+v, want %q and a Change link", label, r, want)
		}
	}
	checkPageNoJS(t, ctx, "sports-nojs-summary")
	caseID, ref := sendAndCheckReceipt(t, ctx, "en", "sports-nojs-receipt", true)
	if !strings.Contains(textOf(t, ctx, "main"), "activity-plan.pdf") {
		t.Error("the receipt does not list the attachment")
	}
	checkListed(t, ctx, "en", id, caseID, ref, "nojs-en", true)
}

// TestFormResumeOnAnotherProfile starts an application on one browser
// profile, lets autosave keep the answers, resumes it on a second profile
// (another device) at the same step, sends it there, and then the first
// profile shows no draft and the case.
func TestFormResumeOnAnotherProfile(t *testing.T) {
	srv := startServer(t)
	a := sportsDefaults
	ctxA := newBrowser(t, srv, browserOpts{})
	login(t, ctxA, "fi", formsMaria)
	id := startService(t, ctxA, "fi", "sports-shift")
	waitFormReady(t, ctxA)
	formType(t, ctxA, "#contactPhone", a.phone)
	pressContinue(t, ctxA)
	waitFormReady(t, ctxA)
	formType(t, ctxA, "#groupName", a.group)
	formChoose(t, ctxA, "groupType", "informal")
	formType(t, ctxA, "#participants", "8")
	waitAutosave(t, ctxA, "Tallennettu klo", 10*time.Second)
	if !waitDraftData(t, ctxA, id, "autosave of all answers", `d.groupName === `+jsString(a.group)+` && d.groupType === 'informal' && d.participants === 8`, 10*time.Second) {
		t.Fatalf("the first profile's answers did not reach the server by autosave: %v", apiDraft(t, ctxA, id))
	}

	ctxB := newBrowser(t, srv, browserOpts{})
	login(t, ctxB, "fi", formsMaria)
	open(t, ctxB, "/fi/drafts")
	click(t, ctxB, fmt.Sprintf(`main .item-title a[href="/fi/drafts/%s"]`, id))
	if p := curPath(t, ctxB); p != "/fi/drafts/"+id+"/step/2" {
		t.Fatalf("on the second profile the draft resumed at %s, want step 2", p)
	}
	if v := formValue(t, ctxB, "#groupName"); v != a.group {
		t.Errorf("second profile: group name %q, want %q", v, a.group)
	}
	if v := formValue(t, ctxB, "#participants"); v != "8" {
		t.Errorf("second profile: participants %q, want 8", v)
	}
	if !eval[bool](t, ctxB, `!!document.querySelector('input[name="groupType"][value="informal"]:checked')`) {
		t.Error("second profile: the group type chosen on the first is not chosen")
	}
	formChoose(t, ctxB, "ageGroup", "mixed")
	pressContinue(t, ctxB)
	formSelect(t, ctxB, "#hall", "central-school")
	formChoose(t, ctxB, "weekday", "mon")
	formType(t, ctxB, "#startTime", "19:00")
	formChoose(t, ctxB, "duration", "60")
	formChoose(t, ctxB, "season", "spring")
	pressContinue(t, ctxB)
	if rows := summaryRows(t, ctxB); !strings.Contains(rows["Puhelinnumero"].Value, a.phone) {
		t.Errorf("second profile summary: phone %q, typed on the first", rows["Puhelinnumero"].Value)
	}
	caseID, ref := sendAndCheckReceipt(t, ctxB, "fi", "resume-receipt", false)

	// Back on the first profile.
	checkListed(t, ctxA, "fi", id, caseID, ref, "", false)
	open(t, ctxA, "/fi/drafts/"+id+"/step/2")
	if p := curPath(t, ctxA); p != "/fi/cases/"+caseID {
		t.Errorf("the sent draft's step on the first profile opened %s, want the case", p)
	}
}

// TestFormOfflineEdits goes offline in the middle of a step on a personal
// device: the changes typed are kept on the device ("saved on this
// device"), and sent when the connection returns ("saved").
func TestFormOfflineEdits(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})
	login(t, ctx, "fi", formsMaria)
	id := startService(t, ctx, "fi", "sports-shift")
	waitServiceWorker(t, ctx)
	formType(t, ctx, "#contactPhone", sportsDefaults.phone)
	pressContinue(t, ctx)
	waitFormReady(t, ctx)
	if !eval[bool](t, ctx, `!!navigator.serviceWorker.controller`) {
		t.Fatal("the service worker does not control the step page")
	}
	formType(t, ctx, "#groupName", "Kerho")
	waitAutosave(t, ctx, "Tallennettu klo", 10*time.Second)

	backOnline := goOffline(t, ctx)
	if !waitFor(t, ctx, "navigator.onLine to be false", `!navigator.onLine`, 5*time.Second) {
		t.Log("navigator.onLine stays true offline: form.js learns it from the failed fetch")
	}
	formAppend(t, ctx, "#groupName", " offline")
	formType(t, ctx, "#participants", "15")
	waitAutosave(t, ctx, "tälle laitteelle", 10*time.Second)
	if s := autosaveStatus(t, ctx); !strings.Contains(s, "lähetetään, kun verkkoyhteys palaa") {
		t.Errorf("offline status %q", s)
	}
	if !waitFor(t, ctx, "the offline changes in IndexedDB", fmt.Sprintf(`new Promise(ok => { const r = indexedDB.open('asiointi-drafts'); r.onsuccess = () => { const g = r.result.transaction('pending').objectStore('pending').get(%s); g.onsuccess = () => { r.result.close(); ok(!!g.result && g.result.changes.groupName === 'Kerho offline' && g.result.changes.participants === 15) }; g.onerror = () => ok(false) }; r.onerror = () => ok(false) })`, jsString(id)), 10*time.Second) {
		t.Error("the offline changes are not kept in IndexedDB")
	}
	// The server has not seen them yet.
	c := newHTTPClient(t, srv)
	c.login(t, "fi", formsMaria)
	if d, err := c.api(t).Draft(id); err != nil || d.Data["groupName"] != "Kerho" {
		t.Errorf("while offline the server's draft is %+v, %v; want the group name Kerho, not the offline edit", d.Data, err)
	}
	screenshot(t, ctx, "sports-offline-step2")

	backOnline()
	waitAutosave(t, ctx, "Tallennettu klo", 20*time.Second)
	if !waitDraftData(t, ctx, id, "the offline edits on the server", `d.groupName === 'Kerho offline' && d.participants === 15`, 10*time.Second) {
		data := apiDraft(t, ctx, id)
		t.Errorf("after coming back online the draft holds groupName %v, participants %v; want the offline edits", data["groupName"], data["participants"])
	}
	if !waitFor(t, ctx, "the device copy to go", fmt.Sprintf(`new Promise(ok => { const r = indexedDB.open('asiointi-drafts'); r.onsuccess = () => { const g = r.result.transaction('pending').objectStore('pending').get(%s); g.onsuccess = () => { r.result.close(); ok(!g.result) } } })`, jsString(id)), 5*time.Second) {
		t.Error("the sent changes stay in IndexedDB")
	}
	// And a reload shows them from the server.
	open(t, ctx, "/fi/drafts/"+id+"/step/2")
	if v := formValue(t, ctx, "#groupName"); v != "Kerho offline" {
		t.Errorf("after reload the group name is %q", v)
	}
}

// TestFormActingForChild: a guardian applies for early childhood education
// for her child. The child's name and henkilötunnus come from the
// population register, say so, and cannot be changed; the acting-for
// banner is on every step.
func TestFormActingForChild(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})
	login(t, ctx, "fi", hetuAino)
	open(t, ctx, "/fi/acting-for")
	eetu := eval[string](t, ctx, `([...document.querySelectorAll('button[name="principal"]')].find(b => b.innerText.includes('Eetu')) || {value: ''}).value`)
	if eetu == "" {
		t.Fatalf("Eetu is not among whom Aino can act for: %q", textOf(t, ctx, "main"))
	}
	click(t, ctx, fmt.Sprintf(`button[name="principal"][value=%q]`, eetu))
	if b := textOf(t, ctx, ".banner-acting"); !strings.Contains(b, "Eetu Virtanen") {
		t.Fatalf("after choosing Eetu the banner says %q", b)
	}
	id := startService(t, ctx, "fi", "early-education")

	checkBanner := func(where string) {
		t.Helper()
		if b := textOf(t, ctx, ".banner-acting"); !strings.Contains(b, "Asioit: Eetu Virtanen") {
			t.Errorf("%s: acting-for banner %q", where, b)
		}
		if n := count(t, ctx, ".banner-acting form button"); n != 1 {
			t.Errorf("%s: %d switch-back buttons in the banner", where, n)
		}
	}
	checkBanner("step 1")
	if c := textOf(t, ctx, "main .caption"); !strings.Contains(c, "Eetu Virtanen") {
		t.Errorf("step 1 caption %q does not say whom the application is for", c)
	}
	for field, want := range map[string]string{"childFirstName": "Eetu", "childLastName": "Virtanen", "childHetu": "210620A925C"} {
		if v := textOf(t, ctx, "#field-"+field+".field-locked .locked-value"); v != want {
			t.Errorf("%s shown as %q, want %q as locked text", field, v, want)
		}
		if s := textOf(t, ctx, "#"+field+"-source"); !strings.Contains(s, "väestötietojärjestelmästä") || !strings.Contains(s, "ei voi muuttaa") {
			t.Errorf("%s source note %q, want the population register and that it cannot be changed", field, s)
		}
		if n := count(t, ctx, fmt.Sprintf(`input[name=%q], textarea[name=%q], [contenteditable][id=%q]`, field, field, field)); n != 0 {
			t.Errorf("%s can be edited: %d inputs", field, n)
		}
	}
	checkPage(t, ctx, "early-acting-step1")

	// A crafted post cannot change a locked answer.
	eval[bool](t, ctx, `(() => { const f = document.getElementById('step-form'); for (const [k, v] of [['childFirstName', 'Muutettu'], ['childHetu', '010101-123N']]) { const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i) } return true })()`)
	pressContinue(t, ctx)
	data := apiDraft(t, ctx, id)
	if data["childFirstName"] != "Eetu" || data["childHetu"] != "210620A925C" {
		t.Errorf("after a post with other values the locked answers are %v, %v", data["childFirstName"], data["childHetu"])
	}

	for n := 2; n <= 4; n++ {
		open(t, ctx, fmt.Sprintf("/fi/drafts/%s/step/%d", id, n))
		if _, step := draftIDOf(t, ctx); step != fmt.Sprint(n) {
			t.Fatalf("opened step %s, want %d", step, n)
		}
		checkBanner(fmt.Sprintf("step %d", n))
		if n == 4 {
			// The guardian's own contact details: prefilled, editable.
			if v := formValue(t, ctx, "#guardianEmail"); v != "aino.virtanen@example.fi" {
				t.Errorf("guardian email prefilled as %q", v)
			}
			checkPage(t, ctx, "early-acting-step4")
		}
	}
	open(t, ctx, "/fi/drafts/"+id+"/summary")
	checkBanner("summary")
	rows := summaryRows(t, ctx)
	if r := rows["Lapsen henkilötunnus"]; r.Value != "210620A925C" {
		t.Errorf("summary: child's hetu %q", r.Value)
	}
	if !strings.Contains(textOf(t, ctx, "main .send"), "Eetu Virtanen") {
		t.Error("the summary's send section does not say the application is sent for Eetu")
	}
}

// finnishFormWords are Finnish words of the form pages that must not show
// on a Swedish page.
var finnishFormWords = []string{"Jatka", "Tallenna", "Tallennettu", "Vaihe", "Takaisin", "pakollinen", "Täytä", "Tarkista", "Virhe", "Lähetä", "Yhteyshenkilö", "Etunimi", "Puhelinnumero", "Tieto on haettu"}

// TestFormInSwedish runs a step in Swedish: every word of the step, its
// error summary and autosave status is Swedish.
func TestFormInSwedish(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})
	login(t, ctx, "sv", formsMaria)
	id := startService(t, ctx, "sv", "sports-shift")
	waitFormReady(t, ctx)
	noFinnish := func(where string) {
		t.Helper()
		body := bodyText(t, ctx)
		for _, w := range finnishFormWords {
			if strings.Contains(body, w) {
				t.Errorf("%s shows the Finnish word %q", where, w)
			}
		}
	}
	if h := textOf(t, ctx, "main h1"); !strings.Contains(h, "Steg 1 av 3") || !strings.Contains(h, "Kontaktperson") {
		t.Errorf("Swedish step heading %q", h)
	}
	if s := textOf(t, ctx, "#contactFirstName-source"); !strings.Contains(s, "befolkningsdatasystemet") {
		t.Errorf("Swedish source note %q", s)
	}
	noFinnish("step 1")
	pressContinueExpectingProblems(t, ctx, false)
	if p := problems(t, ctx); !strings.Contains(p["#contactPhone"], "Telefonnummer: Skriv ditt telefonnummer.") || textOf(t, ctx, "#error-summary h2") != "Kontrollera uppgifterna" {
		t.Errorf("Swedish error summary %q: %v", textOf(t, ctx, "#error-summary h2"), p)
	}
	noFinnish("step 1 with problems")
	formType(t, ctx, "#contactPhone", "+358 40 111 2233")
	waitAutosave(t, ctx, "Sparat kl.", 10*time.Second)
	noFinnish("step 1 saved")
	checkPage(t, ctx, "sports-sv-step1")
	pressContinue(t, ctx)
	if p := curPath(t, ctx); p != "/sv/drafts/"+id+"/step/2" {
		t.Fatalf("Fortsätt opened %s", p)
	}
	if !strings.Contains(textOf(t, ctx, "main"), "Fortsätt") || !strings.Contains(textOf(t, ctx, "main"), "Spara och fortsätt senare") {
		t.Errorf("step 2 buttons are not in Swedish: %q", textOf(t, ctx, ".form-actions"))
	}
	noFinnish("step 2")
}
