package web

import (
	"context"
	"net/url"

	"asiointi/server/config"
	"net/http"
	"strings"
	"testing"
	"time"

	"asiointi/server/notify"
	"asiointi/server/store"
)

// proxySubmit records what a submit by Juhani for the principal (a
// henkilötunnus) records, as cases.Submit does.
func (e *env) proxySubmit(principal, name, caseID string) {
	e.t.Helper()
	err := e.st.Update(func(tx *store.Tx) error {
		return notify.Submitted(tx, notify.Action{Case: caseID, Service: "home-help", At: e.clock.Now(),
			Actor: notify.Person{ID: e.personID("300468-951T"), Name: "Juhani Korhonen"}, Principal: &notify.Person{ID: e.personID(principal), Name: name}})
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func TestNotificationsAPI(t *testing.T) {
	e := newEnv(t)
	e.proxySubmit("050840-948K", "Helmi Korhonen", "case1")
	e.clock.Add(time.Minute)
	e.proxySubmit("171279-9677", "Sven Lindqvist", "case2")
	helmi, sven := e.client("050840-948K"), e.client("171279-9677")
	list := func(a *apiClient, lang string) []apiNotification {
		t.Helper()
		r := e.do(req{path: "/api/v1/notifications?lang=" + lang, cookies: []*http.Cookie{a.cookie}})
		var out []apiNotification
		mustJSON(t, r.body, &out)
		return out
	}
	hs := list(helmi, "fi")
	if len(hs) != 1 || hs[0].Read || hs[0].Kind != notify.KindProxySubmitted || hs[0].Link != "/fi/cases/case1" ||
		hs[0].Text != "Juhani Korhonen lähetti puolestasi hakemuksen: Kotipalvelun hakeminen." {
		t.Fatalf("Helmi's list %+v", hs)
	}
	ss := list(sven, "sv")
	if len(ss) != 1 || !strings.Contains(ss[0].Text, "för din räkning") {
		t.Fatalf("Sven's list %+v", ss)
	}
	for _, tc := range []struct {
		name, method, path string
		who                *apiClient
		noCSRF             bool
		want               int
	}{
		{"someone else's id", "POST", "/api/v1/notifications/" + ss[0].ID + "/read", helmi, false, 404},
		{"junk id", "POST", "/api/v1/notifications/nonsense/read", helmi, false, 404},
		{"without CSRF", "POST", "/api/v1/notifications/" + hs[0].ID + "/read", helmi, true, 403},
		{"own", "POST", "/api/v1/notifications/" + hs[0].ID + "/read", helmi, false, 200},
		{"read-all", "POST", "/api/v1/notifications/read-all", sven, false, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"X-CSRF-Token": tc.who.token}
			if tc.noCSRF {
				h = nil
			}
			r := e.do(req{method: tc.method, path: tc.path, cookies: []*http.Cookie{tc.who.cookie}, headers: h})
			if r.StatusCode != tc.want {
				t.Errorf("%d, want %d: %s", r.StatusCode, tc.want, r.body)
			}
		})
	}
	if !list(helmi, "fi")[0].Read || !list(sven, "sv")[0].Read {
		t.Errorf("not read")
	}
	if r := e.do(req{path: "/api/v1/notifications"}); r.StatusCode != 401 {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
}

// TestNotificationsPage works without JS: the bell counts, the page lists,
// one and all can be marked read with plain forms.
func TestNotificationsPage(t *testing.T) {
	e := newEnv(t)
	e.proxySubmit("050840-948K", "Helmi Korhonen", "case1")
	e.clock.Add(time.Minute)
	e.proxySubmit("050840-948K", "Helmi Korhonen", "case2")
	e.proxySubmit("171279-9677", "Sven Lindqvist", "case3")
	helmi := e.resident("050840-948K")
	must(t, helmi.get("/fi/my"), 200, `<span class="bell-count" aria-hidden="true">2</span>`, "2 lukematonta")
	r := helmi.get("/fi/notifications")
	must(t, r, 200, "<h1>Ilmoitukset</h1>", "Juhani Korhonen lähetti puolestasi hakemuksen: Kotipalvelun hakeminen.",
		`href="/fi/cases/case2"`, `href="/fi/cases/case1"`, "Merkitse kaikki luetuiksi")
	if strings.Index(r.body, "case2") > strings.Index(r.body, "case1") {
		t.Errorf("not newest first")
	}
	list, _ := e.s.inbox.List(e.personID("050840-948K"), 0)
	svens, _ := e.s.inbox.List(e.personID("171279-9677"), 0)
	r = helmi.post("/fi/notifications/"+svens[0].ID+"/read", nil)
	if r.StatusCode != 404 {
		t.Errorf("someone else's: %d", r.StatusCode)
	}
	redirectTo(t, helmi.post("/fi/notifications/"+list[0].ID+"/read", nil), "/fi/notifications")
	must(t, helmi.get("/sv/notifications"), 200, "1 oläst", "Juhani Korhonen skickade en ansökan för din räkning: Ansökan om hemservice.")
	redirectTo(t, helmi.post("/en/notifications/read-all", nil), "/en/notifications")
	r = helmi.get("/en/notifications")
	must(t, r, 200, `<span class="bell-count" aria-hidden="true" hidden>0</span>`)
	mustNot(t, r, "Mark all as read", "notification-unread")
	if n, _ := e.s.inbox.Unread(e.personID("171279-9677")); n != 1 {
		t.Errorf("Sven's count %d", n)
	}
	must(t, e.resident("030392-974H").get("/en/notifications"), 200, "You have no notifications.")
	redirectTo(t, e.do(req{path: "/fi/notifications"}), "/fi/login?next=%2Ffi%2Fnotifications")
}

func TestNotificationSettings(t *testing.T) {
	e := newEnv(t)
	helmi := e.resident("050840-948K")
	r := helmi.get("/fi/settings/notifications")
	must(t, r, 200, "<h1>Ilmoitusasetukset</h1>", `name="proxy-submitted" value="email" checked`, `name="draft-expiring" value="sms">`)
	mustNot(t, r, `value="push"`) // no push devices yet: not offered
	redirectTo(t, helmi.post("/fi/settings/notifications", form("draft-expiring", "sms", "draft-expiring", "email")), "/fi/settings/notifications?saved=1")
	r = helmi.get("/sv/settings/notifications?saved=1")
	must(t, r, 200, "Inställningarna har sparats.", `name="draft-expiring" value="sms" checked`, `name="draft-expiring" value="email" checked`, `name="proxy-submitted" value="email">`)
	p, _ := e.s.prefs.Get(e.personID("050840-948K"))
	if !p.Has(notify.KindProxySubmitted, notify.ChannelPush) || p.Has(notify.KindProxySubmitted, notify.ChannelEmail) {
		t.Errorf("saved %+v", p)
	}
	for _, bad := range []url.Values{form("draft-expiring", "fax"), form("draft-expiring", "push")} {
		if r := helmi.post("/fi/settings/notifications", bad); r.StatusCode != 400 {
			t.Errorf("%v: %d", bad, r.StatusCode)
		}
	}
	if r := e.do(req{method: "POST", path: "/fi/settings/notifications", body: "draft-expiring=sms", cookies: []*http.Cookie{helmi.cookie}}); r.StatusCode != 403 {
		t.Errorf("without CSRF: %d", r.StatusCode)
	}
}

func TestDevOutbox(t *testing.T) {
	e := newEnv(t)
	err := e.s.devOutbox.Send(context.Background(), notify.Message{Key: "n1.email", Channel: notify.ChannelEmail, To: "helmi@example.fi",
		Subject: "Uusi ilmoitus", Text: "Juhani Korhonen lähetti puolestasi hakemuksen.", Link: "http://localhost:8080/fi/cases/c1"})
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(req{path: "/api/v1/dev/outbox"})
	var list []map[string]any
	mustJSON(t, r.body, &list)
	if len(list) != 1 || list[0]["channel"] != "email" || list[0]["to"] != "helmi@example.fi" || list[0]["subject"] != "Uusi ilmoitus" ||
		list[0]["body"] != "Juhani Korhonen lähetti puolestasi hakemuksen." || list[0]["link"] != "http://localhost:8080/fi/cases/c1" || list[0]["at"] == nil {
		t.Errorf("outbox %s", r.body)
	}
	must(t, e.do(req{path: "/en/dev/outbox"}), 200, "Demo outbox", "helmi@example.fi", "E-mail", `href="http://localhost:8080/fi/cases/c1"`)

	prod := newEnv(t, func(c *config.Config) { c.Mode = config.Production })
	for _, p := range []string{"/api/v1/dev/outbox", "/en/dev/outbox"} {
		if r := prod.do(req{path: p}); r.StatusCode != 404 {
			t.Errorf("production %s: %d", p, r.StatusCode)
		}
	}
}
