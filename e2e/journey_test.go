package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 8, the resident journey as a new user found it: what a person sees
// on a phone and the words of the form pages.

const (
	hetuJuhani = "300468-951T"
	nameHelmi  = "Helmi Korhonen"
)

// phoneFold describes the page's first screen at the current viewport: the
// header's height, the first question's label and whether it shows
// without scrolling, and where the save status is.
type phoneFold struct {
	Header      float64 `json:"header"`
	Label       string  `json:"label"`
	LabelBottom float64 `json:"labelBottom"`
	Viewport    float64 `json:"viewport"`
	StatusLive  string  `json:"statusLive"`
	StatusNear  bool    `json:"statusNear"`
}

const phoneFoldJS = `(() => {
	window.scrollTo(0, 0);
	const h = document.querySelector('.site-header').getBoundingClientRect().height
		+ ((document.querySelector('.banner-acting') || {getBoundingClientRect: () => ({height: 0})}).getBoundingClientRect().height);
	const label = [...document.querySelectorAll('#step-form .fields .label, #step-form .fields .field-checkbox label')].find(l => l.checkVisibility());
	const r = label ? label.getBoundingClientRect() : {bottom: 1e9};
	const st = document.getElementById('autosave-status');
	const actions = document.querySelector('#step-form .form-actions');
	let near = false;
	if (st && actions) {
		const a = actions.getBoundingClientRect(), s = st.getBoundingClientRect();
		near = actions.contains(st) && s.top < a.bottom && s.bottom > a.top;
	}
	return {header: h, label: label ? label.innerText.trim() : '', labelBottom: r.bottom, viewport: innerHeight,
		statusLive: st ? (st.getAttribute('aria-live') || '') : '', statusNear: near};
})()`

// headerOneRowJS names what stands outside the brand's row of the header
// (the bell, the menu button, a logout button shown there); "" when none.
const headerOneRowJS = `(() => {
	const brand = document.querySelector('header .brand').getBoundingClientRect();
	return ['header .bell', 'header details.menu > summary', 'header .logout-form button']
		.flatMap(sel => [...document.querySelectorAll(sel)].filter(e => e.checkVisibility()).map(e => [sel, e.getBoundingClientRect()]))
		.filter(([, r]) => (r.top + r.bottom) / 2 < brand.top || (r.top + r.bottom) / 2 > brand.bottom)
		.map(([sel, r]) => sel + ' at ' + Math.round(r.top) + '–' + Math.round(r.bottom) + ' px, the brand at ' + Math.round(brand.top) + '–' + Math.round(brand.bottom)).join('; ')
})()`

// actingOneLineJS names what keeps the acting-for banner from being one
// line with its switch-back button in it; "" when nothing does.
const actingOneLineJS = `(() => {
	const b = document.querySelector('.banner-acting'), p = b && b.querySelector('p'), btn = b && b.querySelector('form button');
	if (!p || !btn) return 'no banner text or switch-back button';
	const lh = parseFloat(getComputedStyle(p).lineHeight), br = b.getBoundingClientRect(), pr = p.getBoundingClientRect(), r = btn.getBoundingClientRect();
	const out = [];
	if (pr.height > 1.5 * lh) out.push('its text is ' + Math.round(pr.height) + ' px high, lines of ' + lh + ' px');
	if (r.top >= pr.bottom || r.bottom <= pr.top) out.push('the switch-back button is on a row of its own');
	if (r.left < br.left || r.right > br.right || r.top < br.top || r.bottom > br.bottom) out.push('the switch-back button is outside the banner');
	if (br.height > Math.max(pr.height, r.height) + 4) out.push('the banner is ' + Math.round(br.height) + ' px high');
	if (p.scrollWidth > p.clientWidth + 1) out.push('the name is cut short');
	return out.join('; ');
})()`

// TestJourneyPhoneLayout: at 360 × 740 the header stays small — the menu
// button holds the navigation and logging out (a <details>, so it works
// without JavaScript) and sits in the brand's row; acting for someone adds
// one line, in fi, sv and en — and on every form step the first question shows without
// scrolling, logged in and acting for someone (Juhani for Helmi on home
// help); the save status sits next to the step's buttons and is a polite
// live region.
func TestJourneyPhoneLayout(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})
	setViewport(t, ctx, 360, 740, 2, true)

	open(t, ctx, "/fi")
	anon := eval[float64](t, ctx, `document.querySelector('.site-header').getBoundingClientRect().height`)
	if anon > 130 {
		t.Errorf("anonymous header at 360 px is %.0f px high, want at most 130", anon)
	}

	login(t, ctx, "fi", hetuJuhani)
	settle(t, ctx)
	// The logged-in header: the brand, the bell and the menu button in
	// one row, without horizontal scrolling; logging out is in the menu.
	noHorizontalScroll(t, ctx, "logged-in header", 360)
	if !shown(t, ctx, "header .bell") || !shown(t, ctx, "header details.menu > summary") {
		t.Errorf("logged in at 360 px: bell shown %v, menu button shown %v", shown(t, ctx, "header .bell"), shown(t, ctx, "header details.menu > summary"))
	}
	if p := eval[string](t, ctx, headerOneRowJS); p != "" {
		t.Errorf("the logged-in header at 360 px in fi is not one row: %s", p)
	}
	if shown(t, ctx, "header nav.main-nav") || shown(t, ctx, "header details.menu nav") {
		t.Error("at 360 px the navigation shows before the menu button is pressed")
	}
	act(t, ctx, chromedp.Click(chromedp.CSS("header details.menu > summary")))
	if !shown(t, ctx, `header details.menu nav a[href="/fi/drafts"]`) || !shown(t, ctx, `header details.menu a[hreflang="sv"]`) ||
		!shown(t, ctx, `header details.menu .logout-form button`) {
		t.Errorf("the opened menu shows no navigation, languages or logout: %q", textOf(t, ctx, "header details.menu"))
	}
	act(t, ctx, chromedp.Click(chromedp.CSS("header details.menu > summary")))

	open(t, ctx, "/fi/acting-for")
	helmi := eval[string](t, ctx, `([...document.querySelectorAll('button[name="principal"]')].find(b => b.innerText.includes('Helmi')) || {value: ''}).value`)
	if helmi == "" {
		t.Fatalf("Helmi is not among whom Juhani can act for: %q", textOf(t, ctx, "main"))
	}
	click(t, ctx, fmt.Sprintf(`button[name="principal"][value=%q]`, helmi))
	if b := textOf(t, ctx, ".banner-acting"); !strings.Contains(b, nameHelmi) {
		t.Fatalf("after choosing Helmi the banner says %q", b)
	}
	// One compact line: the banner names Helmi in full beside its
	// switch-back button, and the header stays one row, in each language.
	for _, lang := range []string{"sv", "en", "fi"} {
		open(t, ctx, "/"+lang)
		settle(t, ctx)
		if p := eval[string](t, ctx, actingOneLineJS); p != "" {
			t.Errorf("the acting-for banner at 360 px in %s is not one line: %s (%q)", lang, p, textOf(t, ctx, ".banner-acting"))
		}
		if p := eval[string](t, ctx, headerOneRowJS); p != "" {
			t.Errorf("the header at 360 px in %s is not one row: %s", lang, p)
		}
	}

	id := startService(t, ctx, "fi", "home-help")
	for step := 1; step <= 4; step++ {
		open(t, ctx, fmt.Sprintf("/fi/drafts/%s/step/%d", id, step))
		waitFormReady(t, ctx)
		settle(t, ctx)
		f := eval[phoneFold](t, ctx, phoneFoldJS)
		if f.Label == "" {
			t.Fatalf("step %d: no question label found", step)
		}
		if f.LabelBottom > f.Viewport {
			screenshotAt(t, ctx, fmt.Sprintf("phone-step-%d", step), 360)
			t.Errorf("step %d at 360×740: the first question %q ends at %.0f px, below the fold (%.0f px); header and banners %.0f px",
				step, f.Label, f.LabelBottom, f.Viewport, f.Header)
		}
		// Hints and source notes are at least 16 px on a phone.
		if small := eval[[]string](t, ctx, `[...document.querySelectorAll('#step-form .hint, #step-form .source')].filter(e => parseFloat(getComputedStyle(e).fontSize) < 16).map(e => e.className + ' ' + getComputedStyle(e).fontSize)`); len(small) > 0 {
			t.Errorf("step %d: hint or source text under 16 px: %v", step, small)
		}
		if step == 2 { // the info box "Tarvitaanko apua heti?" gives a phone number
			if n := count(t, ctx, `.info-block a[href="tel:091234030"]`); n != 1 {
				t.Errorf("step 2: the info box's phone number is not a tel: link (%d): %q", n, textOf(t, ctx, ".info-block"))
			}
		}
		if f.StatusLive != "polite" || !f.StatusNear {
			t.Errorf("step %d: the save status is aria-live=%q, beside the buttons %v; want polite, beside them", step, f.StatusLive, f.StatusNear)
		}
		noHorizontalScroll(t, ctx, fmt.Sprintf("home-help step %d", step), 360)
	}

	// With JavaScript the error summary appears without a round trip; the
	// page's title says there is a problem all the same.
	open(t, ctx, fmt.Sprintf("/fi/drafts/%s/step/3", id))
	waitFormReady(t, ctx)
	pressContinueExpectingProblems(t, ctx, false)
	if title := eval[string](t, ctx, `document.title`); !strings.HasPrefix(title, "Virhe: ") {
		t.Errorf("with an error summary shown by the script the title is %q, want it to start with \"Virhe: \"", title)
	}
}

// shown reports whether the first element matching sel is rendered and
// not hidden, also by a closed <details> (checkVisibility).
func shown(t testing.TB, ctx context.Context, sel string) bool {
	t.Helper()
	return eval[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.checkVisibility({visibilityProperty: true}) })()`, jsString(sel)))
}

// TestJourneyWordsOnAPhone: what a new user reads at 360 px without
// logging in — the front page lists the e-services before the life-event
// tiles and its opening hours once; a service page's phone numbers and
// e-mail addresses are tel: and mailto: links; the header shows the
// municipality's logo; the Swedish
// "Föreningsverksamhet" is not cut mid-word; status chips have one shape.
func TestJourneyWordsOnAPhone(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})
	setViewport(t, ctx, 360, 740, 2, true)

	open(t, ctx, "/fi")
	if order := eval[string](t, ctx, `[...document.querySelectorAll('main section h2')].map(h => h.id).join(' ')`); !strings.HasPrefix(order, "front-services front-events") {
		t.Errorf("front page sections in the order %q, want the e-services before the life events", order)
	}
	// The header shows the municipality's own logo, drawn.
	if logo := eval[string](t, ctx, `(() => { const i = document.querySelector('header .brand img'); return i ? i.getAttribute('src') + ' ' + (i.complete && i.naturalWidth > 0) : '' })()`); !strings.Contains(logo, "/municipality/logo.svg true") {
		t.Errorf("the header's logo is %q, want the municipality's, drawn", logo)
	}
	hours := eval[string](t, ctx, `document.querySelector('.site-footer .opening-hours').innerText.trim()`)
	if n := strings.Count(bodyText(t, ctx), hours); hours == "" || n != 1 {
		t.Errorf("the opening hours %q show %d times on the front page, want once", hours, n)
	}
	// One shape: a service's status and an application's status chip.
	shape := `(sel) => { const e = document.createElement('span'); e.className = sel; e.textContent = 'x'; document.querySelector('main').append(e);
		const s = getComputedStyle(e); const out = [s.borderRadius, s.paddingTop, s.paddingLeft, s.fontSize, s.borderTopWidth, s.fontWeight, s.lineHeight].join(' '); e.remove(); return out; }`
	if a, b := eval[string](t, ctx, "("+shape+")('status status-open')"), eval[string](t, ctx, "("+shape+")('status-chip case-status-submitted')"); a != b {
		t.Errorf("status chips differ in shape: service %q, application %q", a, b)
	}

	open(t, ctx, "/fi/services/home-help")
	if n := count(t, ctx, `main a[href^="tel:"]`) + count(t, ctx, `main a[href^="mailto:"]`); n == 0 {
		t.Errorf("the service page's contact details have no tel: or mailto: link: %q", textOf(t, ctx, ".facts"))
	}

	open(t, ctx, "/sv/services?event=associations")
	settle(t, ctx)
	lines := eval[int](t, ctx, `(() => {
		const h = document.querySelector('main h1'); const i = h.textContent.indexOf('Föreningsverksamhet');
		if (i < 0) return -1;
		const r = document.createRange(); r.setStart(h.firstChild, i); r.setEnd(h.firstChild, i + 'Föreningsverksamhet'.length);
		return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
	})()`)
	if lines != 1 {
		screenshotAt(t, ctx, "foreningsverksamhet", 360)
		t.Errorf("the Swedish heading %q spans %d lines at 360 px: cut mid-word", textOf(t, ctx, "main h1"), lines)
	}
	noHorizontalScroll(t, ctx, "sv life event", 360)
}
