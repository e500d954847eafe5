package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
)

const hetuSven = "171279-9677"

// suggestedParty is the add button of the first suggested party (the
// page shows names only, never the register's henkilötunnus).
const suggestedParty = `form:has(input[name="suggested"]) button`

// axeNoJS runs axe on a tab whose scripts are disabled (axe needs them:
// they are allowed for the scan only, as checkPageNoJS does).
func axeNoJS(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
	defer call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	axeCheck(t, ctx, name)
}

// fileBuildingNotification makes Aino's building notification through
// the API from her browser (the form itself is covered by the form
// tests) and returns the draft id.
func fileBuildingNotification(t testing.TB, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `(async () => {
		const s = await (await fetch('/api/v1/session')).json();
		const h = {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken};
		const d = await (await fetch('/api/v1/drafts', {method: 'POST', headers: h, body: JSON.stringify({service: 'building-notification'})})).json();
		const png = new Uint8Array(80); png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
		const fd = new FormData(); fd.append('file', new Blob([png], {type: 'image/png'}), 'asemapiirros.png');
		const a = await (await fetch('/api/v1/drafts/' + d.id + '/attachments?field=sitePlan', {method: 'POST', headers: {'X-CSRF-Token': s.csrfToken}, body: fd})).json();
		const cur = await (await fetch('/api/v1/drafts/' + d.id)).json();
		const data = Object.assign(cur.data, {street: 'Koulukatu 5', postalCode: '99100', city: 'Esimerkkilä', measure: 'shed',
			shedArea: 12.5, description: 'Puuvaja tontin pohjoisreunaan.', startDate: '2027-05-03', sitePlan: a.id,
			phone: '040 123 4567', email: 'aino.virtanen@example.fi'});
		const r = await fetch('/api/v1/drafts/' + d.id, {method: 'PUT', headers: h, body: JSON.stringify({version: cur.version, data})});
		if (!r.ok) throw new Error('save ' + r.status);
		return d.id;
	})()`)
}

// editDescription changes the reopened draft's description through the API.
func editDescription(t testing.TB, ctx context.Context, draft, text string) {
	t.Helper()
	eval[bool](t, ctx, `(async () => {
		const s = await (await fetch('/api/v1/session')).json();
		const cur = await (await fetch('/api/v1/drafts/`+draft+`')).json();
		cur.data.description = `+jsString(text)+`;
		const r = await fetch('/api/v1/drafts/`+draft+`', {method: 'PUT', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken},
			body: JSON.stringify({version: cur.version, data: cur.data})});
		return r.ok;
	})()`)
}

// openNewestInvitationLink opens the newest invitation link to Sven in
// the demo outbox that is not in used (waiting for its delivery), and
// adds it there.
func openNewestInvitationLink(t testing.TB, ctx context.Context, used map[string]bool) {
	t.Helper()
	href := ""
	for deadline := time.Now().Add(10 * time.Second); href == "" || used[href]; {
		if time.Now().After(deadline) {
			t.Fatalf("no new invitation link in the demo outbox: %s", bodyText(t, ctx))
		}
		open(t, ctx, "/sv/dev/outbox")
		href = eval[string](t, ctx, `(document.querySelector('.outbox-list a[href*="/sv/i/"]') || {getAttribute: () => ''}).getAttribute('href')`)
	}
	used[href] = true
	open(t, ctx, href)
	if p := curPath(t, ctx); p != "/sv/invitation" && !strings.HasPrefix(p, "/sv/invitations/") {
		t.Fatalf("the link landed on %s", p)
	}
}

// TestCoApplicants: Aino files a building notification with Sven as a
// party; Sven (JavaScript off) opens the link from the demo outbox, logs
// in, reads it in Swedish and approves; Aino's open page shows it without
// a reload. Then the decline loop: Sven declines with a reason, Aino
// changes the application and sends it again, Sven approves the new one.
func TestCoApplicants(t *testing.T) {
	srv := startServer(t)
	aino := newBrowser(t, srv, browserOpts{BypassServiceWorker: true})
	sven := newBrowser(t, srv, browserOpts{NoJS: true})
	login(t, aino, "fi", hetuAino)
	draft := fileBuildingNotification(t, aino)

	// Aino names Sven from the property register's suggestion and sends.
	open(t, aino, "/fi/drafts/"+draft+"/summary")
	click(t, aino, `a[href$="/parties"]`)
	axeCheck(t, aino, "draft parties")
	click(t, aino, suggestedParty)
	if !strings.Contains(textOf(t, aino, ".party-list"), "Sven Lindqvist") {
		t.Fatalf("Sven not added: %s", bodyText(t, aino))
	}
	click(t, aino, `a.btn[href$="/summary"]`)
	click(t, aino, `form.send-form button`)
	if !strings.Contains(textOf(t, aino, "#case-parties"), "Sven Lindqvist") {
		t.Fatalf("no party list on the case page: %s", bodyText(t, aino))
	}
	eval[bool](t, aino, `window.__sameDocument = true`)
	used := map[string]bool{}

	t.Run("approve", func(t *testing.T) {
		openNewestInvitationLink(t, sven, used)
		if txt := bodyText(t, sven); strings.Contains(txt, "Aino") || strings.Contains(txt, "Koulukatu") {
			t.Errorf("the page before login shows personal data: %s", txt)
		}
		axeNoJS(t, sven, "invitation before login")
		click(t, sven, `main a.btn-large`)
		click(t, sven, fmt.Sprintf(`form:has(input[name="user"][value=%q]) button[type="submit"]`, hetuSven))
		if !strings.HasPrefix(curPath(t, sven), "/sv/invitations/") {
			t.Fatalf("after login Sven is at %s", curPath(t, sven))
		}
		txt := bodyText(t, sven)
		if !strings.Contains(txt, "Aino Virtanen") || !strings.Contains(txt, "Godkänn") || !strings.Contains(txt, "Puuvaja") {
			t.Fatalf("invitation page: %s", txt)
		}
		axeNoJS(t, sven, "invitation")
		click(t, sven, `#approve`)
		if textOf(t, sven, ".facts .status-chip") != "Godkänd" {
			t.Fatalf("Sven's answer not recorded: %s %s", curPath(t, sven), bodyText(t, sven))
		}
		if !waitFor(t, aino, "Aino's page shows the approval", `!!document.querySelector('#case-parties .party-status-approved') && !!document.querySelector('#case-status .case-status-submitted') && window.__sameDocument === true`, 10*time.Second) {
			t.Fatalf("Aino's page did not update: %s", bodyText(t, aino))
		}
	})

	t.Run("decline and resubmit", func(t *testing.T) {
		draft := fileBuildingNotification(t, aino)
		open(t, aino, "/fi/drafts/"+draft+"/parties")
		click(t, aino, suggestedParty)
		open(t, aino, "/fi/drafts/"+draft+"/summary")
		click(t, aino, `form.send-form button`)
		eval[bool](t, aino, `window.__sameDocument = true`)

		openNewestInvitationLink(t, sven, used)
		formType(t, sven, "#reason", "Fel ställe på tomten")
		click(t, sven, `#decline`)
		if !waitFor(t, aino, "Aino sees the decline", `!!document.querySelector('#case-parties .party-status-declined') && window.__sameDocument === true`, 10*time.Second) {
			t.Fatalf("Aino's page did not show the decline: %s", bodyText(t, aino))
		}
		open(t, aino, curPath(t, aino)) // the reason is in the timeline
		if !strings.Contains(bodyText(t, aino), "Fel ställe på tomten") {
			t.Errorf("no reason on Aino's page")
		}
		click(t, aino, `#case-parties form:not(.inline-form) button`)
		editDescription(t, aino, draft, "Puuvaja tontin eteläreunaan.")
		open(t, aino, "/fi/drafts/"+draft+"/summary")
		click(t, aino, `form.send-form button`)

		openNewestInvitationLink(t, sven, used)
		if !strings.Contains(bodyText(t, sven), "eteläreunaan") {
			t.Fatalf("Sven does not see the new version: %s", bodyText(t, sven))
		}
		click(t, sven, `#approve`)
		open(t, aino, curPath(t, aino))
		if count(t, aino, "#case-status .case-status-submitted") != 1 {
			t.Fatalf("not submitted: %s", bodyText(t, aino))
		}
	})
}
