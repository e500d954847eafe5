package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"asiointi/server/mandates/fake"
)

// principalID is the id of the principal named name among the user's.
func (u *apiUser) principalID(name string) string {
	u.t.Helper()
	var ps []struct{ ID, Name string }
	u.call("GET", "/api/v1/me/principals", nil, 200, &ps)
	for _, p := range ps {
		if p.Name == name {
			return p.ID
		}
	}
	u.t.Fatalf("no principal %s in %+v", name, ps)
	return ""
}

// actFor switches the session to act for the named principal.
func (u *apiUser) actFor(name string) {
	u.t.Helper()
	u.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": u.principalID(name)}, 200, nil)
	u.readCSRF()
}

// apply starts a draft of the service for whom the session acts for,
// uploads the files, saves the answers over the prefilled ones and
// submits it; it returns the case id and reference.
func (u *apiUser) apply(service string, answers map[string]any, files map[string]string) (string, string) {
	u.t.Helper()
	var d struct {
		ID      string
		Version int
		Data    map[string]any
	}
	u.call("POST", "/api/v1/drafts", map[string]any{"service": service}, 201, &d)
	u.call("GET", "/api/v1/drafts/"+d.ID, nil, 200, &d)
	for field, name := range files {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", name)
		fw.Write([]byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"))
		w.Close()
		req, _ := http.NewRequest("POST", u.base+"/api/v1/drafts/"+d.ID+"/attachments?field="+field, &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("X-CSRF-Token", u.csrf)
		res, err := u.hc.Do(req)
		if err != nil {
			u.t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var att struct{ ID string }
		if res.StatusCode != 201 || json.Unmarshal(raw, &att) != nil {
			u.t.Fatalf("upload %s: %d %s", field, res.StatusCode, raw)
		}
		answers[field] = att.ID
	}
	for k, v := range answers {
		d.Data[k] = v
	}
	u.call("PUT", "/api/v1/drafts/"+d.ID, map[string]any{"version": d.Version, "data": d.Data}, 200, nil)
	var c struct{ ID, Reference string }
	u.call("POST", "/api/v1/drafts/"+d.ID+"/submit", nil, 201, &c)
	return c.ID, c.Reference
}

// mustSee fails unless the page's text has every want.
func mustSee(t *testing.T, body, where string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q: %.600s", where, w, body)
		}
	}
}

// TestActingForOthers: the scenarios of acting for others, on one server
// and one browser: the principal sees what was done in her name and is
// notified; the other guardian sees a child's application read-only; a
// person without relations is told which mandate she would need; an
// association's application is seen only by its role holders (in Swedish
// for Sven, chair of another association); with Suomi.fi Mandates
// configured (the local fake), a person chooses her principal there and
// comes back acting for them.
func TestActingForOthers(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t, srv, browserOpts{})

	// The applications, made through the API.
	juhani := apiLogin(t, srv.URL, "300468-951T")
	juhani.actFor("Helmi Korhonen")
	_, helmiRef := juhani.apply("home-help", map[string]any{"checkDetails": true, "livesAlone": "yes",
		"helpWith": []string{"washing", "shopping"}, "situation": "Kaaduin keväällä.", "hasContactPerson": "no",
		"consentHealthInfo": true, "confirmCorrect": true}, nil)
	aino := apiLogin(t, srv.URL, "140386-902R")
	aino.actFor("Eetu Virtanen")
	eetuCase, eetuRef := aino.apply("early-education", map[string]any{"specialNeeds": "", "startDate": "2027-08-02",
		"urgent": "no", "careNeed": "fullDay", "preferredUnits": []string{"satakieli"}, "otherGuardianKnows": true}, nil)
	aino.actFor("Esimerkkilän Urheiluseura ry")
	grant := map[string]any{"iban": "FI49 5000 9420 0287 30", "members": 240, "grantPurpose": "Junioreiden harjoitukset.",
		"amount": "1500.00", "budget": []map[string]any{{"item": "Salivuokrat", "itemAmount": "1500.00"}},
		"otherFunding": "no", "confirmCorrect": true}
	grantCase, grantRef := aino.apply("association-grant", grant, map[string]string{"annualReport": "vuosikertomus.pdf"})
	sven := apiLogin(t, srv.URL, "171279-9677")
	sven.actFor("Exempelby Svenska Sångkör rf")
	grant2 := map[string]any{}
	for k, v := range grant {
		grant2[k] = v
	}
	_, svenRef := sven.apply("association-grant", grant2, map[string]string{"annualReport": "verksamhetsberattelse.pdf"})

	t.Run("Helmi sees what Juhani did in her name", func(t *testing.T) {
		login(t, ctx, "en", "050840-948K")
		open(t, ctx, "/en/cases")
		mustSee(t, bodyText(t, ctx), "my applications", helmiRef, "Sent on your behalf by Juhani Korhonen")
		open(t, ctx, "/en/done-for-me")
		mustSee(t, bodyText(t, ctx), "done in my name", "Juhani Korhonen sent the application Apply for home help ("+helmiRef+")",
			"Juhani Korhonen started an application: Apply for home help")
		if got := textOf(t, ctx, "#bell .bell-count"); got != "1" {
			t.Errorf("Helmi's bell %q, want 1", got)
		}
		logout(t, ctx)
	})
	t.Run("Mikko sees Eetu's application read-only", func(t *testing.T) {
		login(t, ctx, "en", "021184-9139")
		open(t, ctx, "/en/cases")
		mustSee(t, bodyText(t, ctx), "Mikko's applications", "My children's", eetuRef)
		if strings.Contains(bodyText(t, ctx), grantRef) {
			t.Errorf("Mikko (no role) sees the association's application %s", grantRef)
		}
		open(t, ctx, "/en/cases/"+eetuCase)
		mustSee(t, bodyText(t, ctx), "the case", "Aino Virtanen applied for this. It concerns you too, so you can view the application, but you cannot change it.")
		if r := open(t, ctx, "/en/cases/"+grantCase); r == nil || r.Status != 404 {
			t.Errorf("Mikko opening the association's application: %v", r)
		}
		logout(t, ctx)
	})
	t.Run("Maria is told which mandate she needs", func(t *testing.T) {
		login(t, ctx, "en", "030392-974H")
		open(t, ctx, "/en/acting-for")
		mustSee(t, bodyText(t, ctx), "acting-for", "There is nobody you can act for.")
		open(t, ctx, "/en/services/home-help")
		mustSee(t, bodyText(t, ctx), "home help", "you need a mandate for “Handling social and health care matters”", "Suomi.fi Mandates")
		if n := count(t, ctx, `a[href="https://www.suomi.fi/mandates"]`); n != 1 {
			t.Errorf("%d links to Suomi.fi Mandates", n)
		}
		logout(t, ctx)
	})
	t.Run("Sven sees his association's application, not Aino's", func(t *testing.T) {
		login(t, ctx, "sv", "171279-9677")
		open(t, ctx, "/sv/cases")
		body := bodyText(t, ctx)
		mustSee(t, body, "Svens ansökningar", "För organisationer", svenRef)
		if strings.Contains(body, grantRef) {
			t.Errorf("Sven sees the sports club's application %s", grantRef)
		}
		open(t, ctx, "/sv/acting-for")
		mustSee(t, bodyText(t, ctx), "acting-for", "Exempelby Svenska Sångkör rf", "ordförande", "Du kan ansöka om")
		logout(t, ctx)
	})
	t.Run("Maria chooses Helmi in Suomi.fi Mandates", func(t *testing.T) {
		f := fake.New("esimerkkila", "checksum-secret", "oauth-secret")
		f.Grant(fake.Mandate{Holder: "030392-974H", Principal: "050840-948K", PrincipalName: "Helmi Korhonen",
			Issues: []string{"http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito"}})
		api := httptest.NewServer(f)
		defer api.Close()
		addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
		withMandates := startServer(t, "ASIOINTI_ADDR="+addr, "ASIOINTI_BASE_URL=http://"+addr, "ASIOINTI_MANDATES=suomifi",
			"ASIOINTI_MANDATES_URL="+api.URL, "ASIOINTI_MANDATES_CLIENT_ID=esimerkkila",
			"ASIOINTI_MANDATES_SECRET=checksum-secret", "ASIOINTI_MANDATES_OAUTH_SECRET=oauth-secret")
		ctx := context.WithValue(ctx, serverKey{}, withMandates) // the same browser, the other server
		login(t, ctx, "en", "030392-974H")
		open(t, ctx, "/en/acting-for")
		click(t, ctx, "#mandates-choose")
		if !strings.HasPrefix(location(t, ctx), api.URL+"/oauth/authorize?") {
			t.Fatalf("not sent to Suomi.fi Mandates: %s", location(t, ctx))
		}
		click(t, ctx, "a.principal")
		if p := curPath(t, ctx); p != "/en/my" {
			t.Fatalf("came back to %s", p)
		}
		mustSee(t, bodyText(t, ctx), "my page after the choice", "Helmi Korhonen")
		if f.Count("token") != 1 || f.Count("delegate") != 1 {
			t.Errorf("calls to the service: %v", f.Calls)
		}
		logout(t, ctx)
		if f.Count("unregister") != 1 {
			t.Errorf("the Mandates session was not unregistered at logout: %v", f.Calls)
		}
	})
}
