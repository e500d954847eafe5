package e2e

import (
	"strings"
	"testing"
	"time"
)

// A resident reports an accessibility problem from a page's footer without
// logging in; a staff member finds it with its due date and answers it.
// Every published page passes the per-page checks (axe at 360 and 1280 px,
// no sideways scrolling at 200% zoom).
func TestAccessibilityFeedbackAnswered(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	for _, p := range []struct{ name, path string }{
		{"accessibility-sv", "/sv/accessibility"},
		{"privacy-early-education-en", "/en/services/early-education/privacy"},
		{"help-fi", "/fi/help"},
	} {
		open(t, ctx, p.path)
		checkPage(t, ctx, p.name)
	}

	open(t, ctx, "/sv/services/home-help")
	click(t, ctx, `footer a[href^="/sv/accessibility/feedback?page="]`)
	if h := textOf(t, ctx, "main h1"); h != "Respons om tillgängligheten" {
		t.Fatalf("feedback form heading %q", h)
	}
	shown := time.Now()
	// A message with markup comes back with a linked error, text kept.
	formType(t, ctx, "#feedback-message", "<b>Knappen</b> läses inte upp.")
	formType(t, ctx, "#feedback-contact", "sven@example.fi")
	time.Sleep(time.Until(shown.Add(3500 * time.Millisecond))) // the form refuses what is sent faster than a person can
	click(t, ctx, `.feedback-form button[type="submit"]`)
	if !strings.Contains(textOf(t, ctx, "#error-summary"), "utan HTML-kod") {
		t.Errorf("markup: no error summary (%q)", textOf(t, ctx, "#error-summary"))
	}
	if v := formValue(t, ctx, "#feedback-contact"); v != "sven@example.fi" {
		t.Errorf("the contact was lost: %q", v)
	}
	checkPage(t, ctx, "feedback-error-sv")
	formType(t, ctx, "#feedback-message", "Knappen Skicka läses inte upp av skärmläsaren.")
	click(t, ctx, `.feedback-form button[type="submit"]`)
	if !strings.Contains(bodyText(t, ctx), "Tack för din respons") {
		t.Fatalf("not thanked: %s", bodyText(t, ctx))
	}

	// The same without JavaScript, in English.
	noJS := newBrowser(t, srv, browserOpts{NoJS: true})
	open(t, noJS, "/en/help")
	click(t, noJS, `footer a[href^="/en/accessibility/feedback?page="]`)
	shown = time.Now()
	formType(t, noJS, "#feedback-message", "The help page's contact link is hard to find.")
	time.Sleep(time.Until(shown.Add(3500 * time.Millisecond)))
	click(t, noJS, `.feedback-form button[type="submit"]`)
	if !strings.Contains(bodyText(t, noJS), "Thank you for your feedback") {
		t.Errorf("without JavaScript, not thanked: %s", bodyText(t, noJS))
	}

	login(t, ctx, "fi", userKaisa)
	open(t, ctx, "/fi/")
	click(t, ctx, `nav a[href="/fi/staff/feedback"]`)
	if n := count(t, ctx, ".feedback-item"); n != 2 {
		t.Errorf("%d feedback items, want 2", n)
	}
	item := `.feedback-list > li:nth-child(2)` // newest first: the Swedish one is second
	if txt := textOf(t, ctx, item); !strings.Contains(txt, "skärmläsaren") || !strings.Contains(txt, "/sv/services/home-help") || !strings.Contains(txt, "Vastattava viimeistään") {
		t.Fatalf("staff list: %q", txt)
	}
	checkPage(t, ctx, "staff-feedback-fi")
	formType(t, ctx, item+" textarea", "Korjattu, kiitos ilmoituksesta.")
	formSelect(t, ctx, item+" select", "answered")
	click(t, ctx, item+` button[type="submit"]`)
	if txt := textOf(t, ctx, item); !strings.Contains(txt, "Tallennettu.") || !strings.Contains(txt, "Vastattu") {
		t.Errorf("after answering: %q", txt)
	}
}
