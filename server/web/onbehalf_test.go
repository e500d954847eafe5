package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
)

// Demo people (CONTRACT.md).
const (
	hetuAino   = "140386-902R" // guardian of Eetu and Ella, chair (PJ) of the sports club
	hetuEetu   = "210620A925C"
	hetuJuhani = "300468-951T" // mandate from Helmi on social and health care
	hetuMaria  = "030392-974H" // no relations
	hetuHelmi  = "050840-948K" // gave Juhani a mandate
)

// English texts of the on-behalf refusals (i18n).
const (
	msgNeedChild       = "This service is applied for on behalf of a child."
	msgNeedOrg         = "This service is applied for on behalf of an association or other organisation."
	msgNeedPrincipal   = "This service can only be applied for on behalf of another person with a mandate."
	msgNotForPrincipal = "You cannot apply for this service on behalf of the person or organisation you are now acting for."
	msgNoRelation      = "You cannot act for this person or organisation."
)

// onBehalfRefusals are the starts that cases.CreateDraft refuses, each
// with its typed refusal's message. (Staff never reach CreateDraft: the
// resident routes refuse them first.)
var onBehalfRefusals = []struct {
	name, who, actFor, service string
	setup                      func(e *env)
	message                    string
}{
	{"a child's service for oneself", hetuMaria, "", "early-education", nil, msgNeedChild},
	{"an organisation's service for oneself", hetuMaria, "", "association-grant", nil, msgNeedOrg},
	{"a mandate service for oneself", hetuMaria, "", "home-help", func(e *env) {
		svc, _ := e.cases.Catalog.Service("home-help")
		svc.ForSelf = false
	}, msgNeedPrincipal},
	{"a child on a mandate service", hetuAino, "Eetu Virtanen", "home-help", nil, msgNotForPrincipal},
	{"an organisation on a child's service", hetuAino, "Esimerkkilän Urheiluseura ry", "early-education", nil, msgNotForPrincipal},
	{"a mandator on a child's service", hetuJuhani, "Helmi Korhonen", "early-education", nil, msgNotForPrincipal},
	{"a relation that ended after the switch", hetuJuhani, "Helmi Korhonen", "home-help", func(e *env) {
		e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates = nil })
	}, msgNoRelation},
}

// TestStartRefusalsAPI: POST /api/v1/drafts answers each refusal of
// CreateDraft with 403, the code on-behalf-requirement and its message,
// and stores no draft.
func TestStartRefusalsAPI(t *testing.T) {
	for _, tc := range onBehalfRefusals {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.client(tc.who)
			if tc.actFor != "" {
				if r, _ := a.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": a.principal(tc.actFor)}); r.StatusCode != 200 {
					t.Fatalf("acting for %s: %d", tc.actFor, r.StatusCode)
				}
			}
			if tc.setup != nil {
				tc.setup(e)
			}
			r, out := a.call("POST", "/api/v1/drafts?lang=en", map[string]any{"service": tc.service})
			mustRefuse(t, r, out, tc.message)
			if n := e.count(store.Drafts); n != 0 {
				t.Errorf("%d drafts stored", n)
			}
		})
	}
}

// TestStartRefusalsPage: the start button answers each refusal of
// CreateDraft with the start page (403): the reason, and a link to choose
// whom to act for.
func TestStartRefusalsPage(t *testing.T) {
	for _, tc := range onBehalfRefusals {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			f := e.resident(tc.who)
			if tc.actFor != "" {
				f.actFor("en", tc.actFor)
			}
			if tc.setup != nil {
				tc.setup(e)
			}
			r := f.post("/en/services/"+tc.service+"/start", nil)
			must(t, r, http.StatusForbidden, "Choose who you are applying for", htmlEscape(tc.message),
				`href="/en/acting-for?next=%2Fen%2Fservices%2F`+tc.service+`"`)
			if n := e.count(store.Drafts); n != 0 {
				t.Errorf("%d drafts stored", n)
			}
			// The service page says the same before the button is pressed.
			r = f.get("/en/services/" + tc.service)
			must(t, r, http.StatusOK, htmlEscape(tc.message))
		})
	}
}

// relationEnds are the ways a relation ends after a draft was started
// for the principal.
var relationEnds = []struct {
	name, who, actFor, service string
	end                        func(e *env)
	message                    string
}{
	{"mandate revoked", hetuJuhani, "Helmi Korhonen", "home-help",
		func(e *env) { e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates = nil }) }, msgNoRelation},
	{"mandate narrowed to another issue", hetuJuhani, "Helmi Korhonen", "home-help",
		func(e *env) {
			e.editPerson(hetuJuhani, func(p *population.Person) { p.Mandates[0].Issues = []string{"http://example.fi/other"} })
		}, msgNotForPrincipal},
	{"guardianship ended", hetuAino, "Eetu Virtanen", "early-education",
		func(e *env) {
			aino := e.personID(hetuAino)
			e.editPerson(hetuEetu, func(p *population.Person) {
				p.Guardians = slices.DeleteFunc(p.Guardians, func(g string) bool { return g == aino })
			})
		}, msgNoRelation},
	{"role ended", hetuAino, "Esimerkkilän Urheiluseura ry", "association-grant",
		func(e *env) { e.editPerson(hetuAino, func(p *population.Person) { p.Roles = nil }) }, msgNoRelation},
}

// TestRelationEndedAPI: after the relation ends, PUT /drafts/{id} and
// POST /drafts/{id}/submit are refused (403 on-behalf-requirement) and
// the draft stays as it was.
func TestRelationEndedAPI(t *testing.T) {
	for _, tc := range relationEnds {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.client(tc.who)
			a.call("PUT", "/api/v1/session/acting-for", map[string]any{"principal": a.principal(tc.actFor)})
			r, out := a.call("POST", "/api/v1/drafts", map[string]any{"service": tc.service})
			if r.StatusCode != 201 {
				t.Fatalf("create: %d %s", r.StatusCode, r.body)
			}
			id := out["id"].(string)
			if r, _ = a.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 1, "data": map[string]any{}}); r.StatusCode != 200 {
				t.Fatalf("save while the relation holds: %d %s", r.StatusCode, r.body)
			}
			tc.end(e)
			for _, call := range []struct {
				method, path string
				body         any
			}{
				{"PUT", "/api/v1/drafts/" + id + "?lang=en", map[string]any{"version": 2, "data": map[string]any{}}},
				{"POST", "/api/v1/drafts/" + id + "/submit?lang=en", nil},
			} {
				r, out := a.call(call.method, call.path, call.body)
				mustRefuse(t, r, out, tc.message)
			}
			if _, out = a.call("GET", "/api/v1/drafts/"+id, nil); out["version"] != 2.0 || out["submitted"] != false {
				t.Errorf("draft after the refusals: %v", out)
			}
			if n := e.count(store.Cases); n != 0 {
				t.Errorf("%d cases stored", n)
			}
		})
	}
}

// TestRelationEndedPage: the same without JavaScript: a step post and the
// send button answer 403 with the reason, and nothing is saved or sent.
func TestRelationEndedPage(t *testing.T) {
	for _, tc := range relationEnds {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			f := e.resident(tc.who)
			f.actFor("en", tc.actFor)
			step1 := f.start("en", tc.service)
			base := "/en/drafts/" + draftIDOf(step1)
			v := pageVersion(t, f.get(step1).body)
			tc.end(e)
			r := f.post(step1, form("version", v, "action", "later"))
			must(t, r, http.StatusForbidden, htmlEscape(tc.message))
			r = f.post(base+"/submit", nil)
			must(t, r, http.StatusForbidden, htmlEscape(tc.message))
			d, err := e.cases.Draft(draftIDOf(step1), f.userID())
			if err != nil {
				t.Fatal(err)
			}
			if d.Version != 1 || d.CaseID != "" {
				t.Errorf("draft after the refusals: version %d, case %q", d.Version, d.CaseID)
			}
		})
	}
}

// mustRefuse checks an API answer of an on-behalf refusal: 403, its code
// and the message that starts with message.
func mustRefuse(t *testing.T, r resp, out map[string]any, message string) {
	t.Helper()
	apiErr, _ := out["error"].(map[string]any)
	if msg, _ := apiErr["message"].(string); r.StatusCode != 403 || apiErr["code"] != "on-behalf-requirement" || !strings.HasPrefix(msg, message) {
		t.Errorf("%d %s, want 403 on-behalf-requirement %q", r.StatusCode, r.body, message)
	}
}

// editPerson changes a person's register record (a relation ends).
func (e *env) editPerson(hetu string, edit func(p *population.Person)) {
	e.t.Helper()
	err := e.st.UpdateAlone(func(tx *store.Tx) error {
		var p population.Person
		if err := tx.Get(store.People, e.personID(hetu), &p); err != nil {
			return err
		}
		edit(&p)
		return tx.Put(store.People, p.ID, p)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// personID is the register id of a person.
func (e *env) personID(hetu string) string {
	e.t.Helper()
	p, err := (&identity.Directory{Store: e.st}).PersonByHetu(hetu)
	if err != nil {
		e.t.Fatalf("person %s: %v", hetu, err)
	}
	return p.ID
}

// count is the number of keys in a bucket.
func (e *env) count(bucket string) int {
	e.t.Helper()
	var n int
	if err := e.st.View(func(tx *store.Tx) (err error) { n, err = tx.Count(bucket); return err }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// userID is the id of the logged-in person.
func (f *formClient) userID() string {
	f.t.Helper()
	r := f.get("/api/v1/session")
	var out struct {
		User struct{ ID string } `json:"user"`
	}
	mustJSON(f.t, r.body, &out)
	return out.User.ID
}

// htmlEscape is s as html/template writes it in text.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
