package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// submitEarlyEducation sends Aino's early-education application for Eetu
// through the API and returns the case id.
func submitEarlyEducation(t *testing.T, base string) string {
	t.Helper()
	aino := apiLogin(t, base, "140386-902R")
	var principals []struct{ ID, Name string }
	aino.call("GET", "/api/v1/me/principals", nil, 200, &principals)
	eetu := ""
	for _, p := range principals {
		if strings.HasPrefix(p.Name, "Eetu") {
			eetu = p.ID
		}
	}
	aino.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": eetu}, 200, nil)
	aino.readCSRF()
	var d struct {
		ID   string
		Data map[string]any
	}
	aino.call("POST", "/api/v1/drafts", map[string]any{"service": "early-education"}, 201, &d)
	aino.call("GET", "/api/v1/drafts/"+d.ID, nil, 200, &d)
	start := time.Now().AddDate(0, 5, 0).Format("2006-01-02")
	for k, v := range map[string]any{"specialNeeds": "", "startDate": start, "urgent": "no", "careNeed": "fullDay",
		"preferredUnits": []any{"satakieli", "metsatahti"}, "otherGuardianKnows": true} {
		d.Data[k] = v
	}
	aino.call("PUT", "/api/v1/drafts/"+d.ID, map[string]any{"version": 1, "data": d.Data}, 200, nil)
	var c struct{ ID string }
	aino.call("POST", "/api/v1/drafts/"+d.ID+"/submit", nil, 201, &c)
	return c.ID
}

// TestOfficialsHandleAnApplication: Kaisa takes a submitted
// early-education application and asks for a supplement; Aino sees the
// request, corrects the field and sends it; Kaisa sees the change and
// decides; Aino sees the decision and her bell shows it. Sara reads the
// same inbox in Swedish. Every staff page is axe-clean at 360 and 1280 px.
func TestOfficialsHandleAnApplication(t *testing.T) {
	srv := startServer(t)
	id := submitEarlyEducation(t, srv.URL)
	ctx := newBrowser(t, srv, browserOpts{})

	// Kaisa: the inbox, the case, take it, ask for a supplement.
	login(t, ctx, "fi", "kaisa")
	if p := curPath(t, ctx); p != "/fi/staff" {
		t.Fatalf("staff login landed on %s", p)
	}
	checkPage(t, ctx, "staff-inbox")
	click(t, ctx, fmt.Sprintf(`a[href="/fi/staff/cases/%s"]`, id))
	checkPage(t, ctx, "staff-case")
	click(t, ctx, `form[action$="/assign"] button`)
	if s := textOf(t, ctx, ".case-facts"); !strings.Contains(s, "Kaisa Käsittelijä") {
		t.Fatalf("after taking the case: %q", s)
	}
	due := time.Now().AddDate(0, 0, 14).Format("2006-01-02")
	act(t, ctx)
	eval[bool](t, ctx, fmt.Sprintf(`(() => { document.getElementById('s-message').value = 'Tarkista toivottu aloituspäivä.';
		document.querySelector('input[name="fields"][value="startDate"]').checked = true;
		document.getElementById('s-due').value = %q; return true })()`, due))
	click(t, ctx, `form[action$="/supplement-request"] button[type="submit"]`)
	if s := textOf(t, ctx, ".case-facts"); !strings.Contains(s, "lisätietoja") {
		t.Fatalf("status after the request: %q", s)
	}
	logout(t, ctx)

	// Aino: the request on her application; she corrects the date.
	login(t, ctx, "fi", "140386-902R")
	open(t, ctx, "/fi/cases/"+id)
	if s := textOf(t, ctx, ".supplement-request"); !strings.Contains(s, "Tarkista toivottu aloituspäivä.") || !strings.Contains(s, "Toivottu aloituspäivä") {
		t.Fatalf("the request on Aino's page: %q", s)
	}
	click(t, ctx, ".supplement-request a.btn")
	newStart := time.Now().AddDate(0, 6, 0).Format("2006-01-02") // a date input takes ISO dates
	eval[bool](t, ctx, fmt.Sprintf(`(() => { document.getElementById('startDate').value = %q; return true })()`, newStart))
	click(t, ctx, `main form button[type="submit"]`)
	if p := curPath(t, ctx); p != "/fi/cases/"+id {
		t.Fatalf("after sending the supplement: %s (%s)", p, textOf(t, ctx, "main"))
	}
	logout(t, ctx)

	// Kaisa sees what changed, and decides.
	login(t, ctx, "fi", "kaisa")
	open(t, ctx, "/fi/staff/cases/"+id)
	if s := textOf(t, ctx, ".changes"); !strings.Contains(s, "Toivottu aloituspäivä") || !strings.Contains(s, "→") {
		t.Fatalf("the change as Kaisa sees it: %q", s)
	}
	eval[bool](t, ctx, `(() => { document.querySelector('input[name="outcome"][value="approved"]').checked = true;
		document.getElementById('d-text').value = 'Paikka myönnetään Satakielen päiväkodista.'; return true })()`)
	click(t, ctx, `form[action$="/decision"] button[type="submit"]`)
	logout(t, ctx)

	// Aino: the decision, and the bell.
	login(t, ctx, "fi", "140386-902R")
	open(t, ctx, "/fi/cases/"+id)
	if s := textOf(t, ctx, ".decision-document"); !strings.Contains(s, "Myönnetty") || !strings.Contains(s, "Satakielen") {
		t.Fatalf("the decision on Aino's page: %q", s)
	}
	if b := textOf(t, ctx, "#bell"); !strings.ContainsAny(b, "123456789") {
		t.Errorf("Aino's bell shows no unread notification: %q", b)
	}
	open(t, ctx, "/fi/notifications")
	if s := textOf(t, ctx, "main"); !strings.Contains(s, "päätös") {
		t.Errorf("the decision is not among Aino's notifications: %q", s)
	}
	logout(t, ctx)

	// Sara: the inbox in Swedish; Aaro: the roles page.
	login(t, ctx, "sv", "sara")
	open(t, ctx, "/sv/staff?status=all")
	if s := textOf(t, ctx, "main"); !strings.Contains(s, "Inkomna ansökningar") || !strings.Contains(s, "Småbarnspedagogik") && !strings.Contains(s, "småbarnspedagogik") {
		t.Errorf("the Swedish inbox: %q", s)
	}
	checkPage(t, ctx, "staff-inbox-sv")
	logout(t, ctx)
	login(t, ctx, "en", "aaro")
	open(t, ctx, "/en/staff/roles")
	checkPage(t, ctx, "staff-roles")
}
