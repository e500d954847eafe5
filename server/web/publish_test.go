package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/config"
	"asiointi/server/publish"
)

// The published pages exist in every language, without login, and every
// page links to them from its footer.
func TestPublishedPages(t *testing.T) {
	e := newEnv(t)
	titles := map[string][]string{
		"fi": {"Saavutettavuusseloste", "Tietosuojaseloste", "Ohjeet ja tuki", "Saavutettavuuspalaute"},
		"sv": {"Tillgänglighetsutlåtande", "Dataskyddsbeskrivning", "Anvisningar och stöd", "Respons om tillgängligheten"},
		"en": {"Accessibility statement", "Privacy notice", "Help and support", "Accessibility feedback"},
	}
	for lang, want := range titles {
		p := pathsIn(lang)
		for i, path := range []string{p.Accessibility(), p.Privacy(), p.Help(), p.Feedback()} {
			res := e.do(req{path: path})
			if res.StatusCode != 200 || !strings.Contains(res.body, "<h1>"+want[i]+"</h1>") {
				t.Errorf("%s: %d %q", path, res.StatusCode, want[i])
			}
		}
		front := e.do(req{path: p.Home()})
		for _, link := range []string{p.Accessibility(), p.Privacy(), p.Help(), html.EscapeString(p.FeedbackAbout("/" + lang + "/"))} {
			if !strings.Contains(front.body, `href="`+link+`"`) {
				t.Errorf("%s: no footer link to %s", lang, link)
			}
		}
	}
	// The statement is the municipality's data: its date and problems show.
	res := e.do(req{path: "/sv/accessibility"})
	for _, s := range []string{"26.11.2026", "strukturtaggar", "Regionförvaltningsverket i Södra Finland", `href="mailto:saavutettavuus@avi.fi"`, `href="tel:0295%20016%20000"`} {
		if !strings.Contains(res.body, s) {
			t.Errorf("statement lacks %q", s)
		}
	}
}

// Each service's privacy notice names every purpose and legal basis of
// its current form version, in the page's language.
func TestServicePrivacyNotice(t *testing.T) {
	e := newEnv(t)
	for _, svc := range e.s.catalog.Services() {
		def, ok := e.cases.Forms.Latest(svc.ID)
		if !ok {
			continue
		}
		n := publish.NoticeFor(def)
		for _, lang := range []string{"fi", "sv", "en"} {
			res := e.do(req{path: pathsIn(lang).ServicePrivacy(svc.ID)})
			if res.StatusCode != 200 {
				t.Fatalf("%s %s: %d", svc.ID, lang, res.StatusCode)
			}
			for _, p := range n.Purposes {
				if !strings.Contains(res.body, html.EscapeString(p.Text.In(lang))) {
					t.Errorf("%s %s: purpose %q missing", svc.ID, lang, p.Text.In(lang))
				}
				for _, b := range p.Bases {
					if !strings.Contains(res.body, html.EscapeString(b.Title(lang))) {
						t.Errorf("%s %s: basis %q missing", svc.ID, lang, b.Title(lang))
					}
				}
			}
		}
		if res := e.do(req{path: pathsIn("fi").Service(svc.ID)}); !strings.Contains(res.body, `href="`+pathsIn("fi").ServicePrivacy(svc.ID)+`"`) {
			t.Errorf("%s: the service page does not link its privacy notice", svc.ID)
		}
	}
	if res := e.do(req{path: "/fi/services/no-such/privacy"}); res.StatusCode != 404 {
		t.Errorf("unknown service: %d", res.StatusCode)
	}
}

var hiddenRe = regexp.MustCompile(`name="(_csrf|t)" value="([^"]*)"`)

// feedbackForm opens the feedback form as an anonymous visitor: its
// cookie and hidden values.
func (e *env) feedbackForm(lang string) (*http.Cookie, url.Values) {
	e.t.Helper()
	res := e.do(req{path: pathsIn(lang).Feedback()})
	c := cookie(res, cookiePre)
	if res.StatusCode != 200 || c == nil {
		e.t.Fatalf("feedback form: %d, cookie %v", res.StatusCode, c)
	}
	v := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(res.body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return c, v
}

func TestAccessibilityFeedbackReachesStaff(t *testing.T) {
	e := newEnv(t)
	c, v := e.feedbackForm("sv")
	e.clock.Add(20 * time.Second)
	v.Set("message", "Knappen \"Skicka\" läses inte av skärmläsaren.")
	v.Set("contact", "sven@example.fi")
	v.Set("page", "/sv/services/home-help")
	res := e.do(req{method: "POST", path: "/sv/accessibility/feedback", body: v.Encode(), cookies: []*http.Cookie{c}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pathsIn("sv").FeedbackSent() {
		t.Fatalf("send: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := e.do(req{path: pathsIn("sv").FeedbackSent(), cookies: []*http.Cookie{c}}); !strings.Contains(res.body, "Tack för din respons") {
		t.Error("no thanks")
	}

	// Nobody but staff sees the list.
	aino := e.login("140386-902R")
	for name, cookies := range map[string][]*http.Cookie{"anonymous": nil, "resident": {aino}} {
		res := e.do(req{path: "/fi/staff/feedback", cookies: cookies})
		if res.StatusCode == 200 || strings.Contains(res.body, "skärmläsaren") {
			t.Errorf("%s sees the feedback: %d", name, res.StatusCode)
		}
		res = e.do(req{method: "POST", path: "/fi/staff/feedback/x", body: "status=answered&answer=x", cookies: cookies})
		if res.StatusCode == 200 || res.StatusCode == http.StatusSeeOther {
			t.Errorf("%s answers: %d", name, res.StatusCode)
		}
	}

	kaisa := e.login("kaisa")
	list := e.do(req{path: "/fi/staff/feedback", cookies: []*http.Cookie{kaisa}})
	if !strings.Contains(list.body, "skärmläsaren") || !strings.Contains(list.body, "sven@example.fi") || !strings.Contains(list.body, "Vastattava viimeistään 7.12.2026") {
		t.Fatalf("staff list: %s", list.body)
	}
	fb, _ := e.s.feedback.List(e.s.muni.ID, "")
	id := fb[0].ID
	tok := e.csrf(kaisa)
	post := func(body string) resp {
		return e.do(req{method: "POST", path: "/fi/staff/feedback/" + id, body: body + "&_csrf=" + url.QueryEscape(tok), cookies: []*http.Cookie{kaisa}})
	}
	// Answered without an answer: the form comes back with the problem.
	if res := post("status=answered&answer=+"); res.StatusCode != 422 || !strings.Contains(res.body, "Kirjoita vastaus") {
		t.Errorf("empty answer: %d", res.StatusCode)
	}
	if res := e.do(req{method: "POST", path: "/fi/staff/feedback/" + strings.Repeat("z", 26), body: "status=new&_csrf=" + url.QueryEscape(tok), cookies: []*http.Cookie{kaisa}}); res.StatusCode != 404 {
		t.Errorf("unknown feedback: %d", res.StatusCode)
	}
	res = post("status=answered&answer=" + url.QueryEscape("Korjattu, kiitos!"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", res.StatusCode, res.body)
	}
	list = e.do(req{path: res.Header.Get("Location"), cookies: []*http.Cookie{kaisa}})
	if !strings.Contains(list.body, "Korjattu, kiitos!") || !strings.Contains(list.body, "Tallennettu.") {
		t.Error("the answer is not shown")
	}
	if got, _ := e.s.feedback.List(e.s.muni.ID, publish.StatusAnswered); len(got) != 1 || got[0].AnsweredBy == "" {
		t.Errorf("answered: %+v", got)
	}
}

// Hostile input at the feedback boundary: each refused with a clear
// message, nothing stored, what the person wrote kept.
func TestFeedbackHostileInput(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.RateLimits = false })
	tests := []struct {
		name   string
		edit   func(v url.Values)
		status int
		says   string
	}{
		{"script", func(v url.Values) { v.Set("message", `<script>alert("x")</script>`) }, 422, "without HTML"},
		{"img onerror", func(v url.Values) { v.Set("message", `hi <img src=x onerror=alert(1)>`) }, 422, "without HTML"},
		{"oversized", func(v url.Values) { v.Set("message", strings.Repeat("å", publish.MaxMessage+1)) }, 422, "too long"},
		{"empty", func(v url.Values) { v.Set("message", "\u200b\u00a0") }, 422, "Write your feedback"},
		{"name markup", func(v url.Values) { v.Set("message", "ok"); v.Set("name", "<b>x</b>") }, 422, "without HTML"},
		{"trap filled", func(v url.Values) { v.Set("message", "ok"); v.Set("website", "http://spam") }, 422, "could not accept"},
		{"forged token", func(v url.Values) { v.Set("message", "ok"); v.Set("t", "1.abc") }, 422, "could not accept"},
		{"no csrf", func(v url.Values) { v.Set("message", "ok"); v.Del("_csrf") }, 403, ""},
		{"open redirect page", func(v url.Values) { v.Set("message", strings.Repeat("x", 10)); v.Set("page", "//evil.example/") }, 303, ""},
	}
	// A corrected form is sent again at once: it keeps the time it was
	// first shown, so the person is not taken for a bot.
	c, v := e.feedbackForm("en")
	e.clock.Add(10 * time.Second)
	v.Set("message", "<i>x</i>")
	res := e.do(req{method: "POST", path: "/en/accessibility/feedback", body: v.Encode(), cookies: []*http.Cookie{c}})
	tok := hiddenRe.FindAllStringSubmatch(res.body, -1)
	for _, m := range tok {
		if m[1] == "t" {
			v.Set("t", html.UnescapeString(m[2]))
		}
	}
	v.Set("message", "Corrected at once.")
	if res := e.do(req{method: "POST", path: "/en/accessibility/feedback", body: v.Encode(), cookies: []*http.Cookie{c}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a corrected form sent at once: %d", res.StatusCode)
	}
	stored := 1
	for _, tt := range tests {
		c, v := e.feedbackForm("en")
		e.clock.Add(10 * time.Second)
		tt.edit(v)
		res := e.do(req{method: "POST", path: "/en/accessibility/feedback", body: v.Encode(), cookies: []*http.Cookie{c}})
		if res.StatusCode != tt.status || !strings.Contains(res.body, tt.says) {
			t.Errorf("%s: %d, want %d with %q", tt.name, res.StatusCode, tt.status, tt.says)
		}
		if tt.status == 422 {
			if !strings.Contains(res.body, `id="error-summary"`) {
				t.Errorf("%s: no error summary", tt.name)
			}
			if m := v.Get("message"); len(m) < 100 && m != "\u200b\u00a0" && !strings.Contains(res.body, html.EscapeString(m)) {
				t.Errorf("%s: the message was not kept", tt.name)
			}
		}
		if res.StatusCode == 303 {
			stored++
		}
	}
	got, _ := e.s.feedback.List(e.s.muni.ID, "")
	if len(got) != stored {
		t.Errorf("stored %d, want %d", len(got), stored)
	}
	for _, f := range got {
		if f.Page != "" {
			t.Errorf("a foreign page was kept: %q", f.Page)
		}
	}
}

func TestFeedbackRateLimit(t *testing.T) {
	e := newEnv(t) // rate limits are on by default
	c, v := e.feedbackForm("fi")
	e.clock.Add(10 * time.Second)
	v.Set("message", "Liian pieni teksti.")
	var last int
	for i := 0; i < 6; i++ {
		last = e.do(req{method: "POST", path: "/fi/accessibility/feedback", body: v.Encode(), cookies: []*http.Cookie{c}}).StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("sixth feedback at once: %d", last)
	}
}

// A consent checkbox tells where to read how to withdraw the consent; other
// fields, consent-based or not, carry no such link.
func TestConsentFieldLinksToWithdrawal(t *testing.T) {
	e := newEnv(t)
	def, _ := e.cases.Forms.Latest("home-help")
	links := map[string]string{}
	for si := range def.Steps {
		b := e.s.newFieldBuilder("sv", &cases.Draft{Service: "home-help"}, def, si, map[string]any{}, false, nil)
		for _, f := range def.Steps[si].Fields {
			links[f.ID] = b.field(&f, f.ID, map[string]any{}).ConsentURL
		}
	}
	if got := links["consentHealthInfo"]; got != "/sv/services/home-help/privacy#consent" {
		t.Errorf("consent checkbox: %q", got)
	}
	for id, l := range links {
		if id != "consentHealthInfo" && l != "" {
			t.Errorf("%s links %q", id, l)
		}
	}
	if res := e.do(req{path: "/sv/services/home-help/privacy"}); !strings.Contains(res.body, `<h2 id="consent">`) {
		t.Error("the notice has no consent section to link to")
	}
}
