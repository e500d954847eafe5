package app_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/app"
	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/config"
	"asiointi/server/forms/definitions"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
)

var now = time.Date(2027, 2, 1, 10, 5, 0, 0, time.UTC)

func open(t *testing.T, dir string, cats *catalog.Set) *app.Main {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return map[string]string{"ASIOINTI_DATA": dir}[k] })
	if err != nil {
		t.Fatal(err)
	}
	m := &app.Main{Config: cfg, Now: func() time.Time { return now }, Catalogs: cats}
	if err := m.Open(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	return m
}

// TestOpenUpgradesADataFileOfAnEarlierVersion opens testdata/v1-demo.db.gz,
// a data file written by the version before municipalities had ids
// (commit 4458cc4): the demo seed, Aino's submitted case ESI-2027-000001,
// a saved but unsubmitted draft of hers, and version 2 of the sports-shift
// form imported; all on 1 February 2027. It opens in today's layout, and
// the draft goes on to a case numbered after the old one.
func TestOpenUpgradesADataFileOfAnEarlierVersion(t *testing.T) {
	dir := t.TempDir()
	gunzip(t, "testdata/v1-demo.db.gz", filepath.Join(dir, store.FileName))
	for round := 1; round <= 2; round++ { // the second open finds today's layout
		m := open(t, dir, nil)
		muni, err := identity.Municipality(m.Store)
		if err != nil || muni.ID != "esimerkkila" || muni.RefPrefix != "ESI" || muni.ShortName.In("sv") != "Exempelby" || muni.Logo == nil {
			t.Errorf("round %d: municipality %+v, %v", round, muni, err)
		}
		dir := &identity.Directory{Store: m.Store}
		if kaisa, err := dir.StaffMember("kaisa"); err != nil || kaisa.Municipality != "esimerkkila" || kaisa.Role != "handler" {
			t.Errorf("round %d: staff %+v, %v", round, kaisa, err)
		}
		if d, ok := m.Cases.Forms.Latest("sports-shift"); !ok || d.Version != 2 {
			t.Errorf("round %d: the imported form is lost: %+v", round, d)
		}
		aino, err := dir.PersonByHetu("140386-902R")
		if err != nil {
			t.Fatal(err)
		}
		if round == 1 {
			drafts, err := m.Cases.Drafts(aino.ID)
			if err != nil || len(drafts) != 1 || drafts[0].Municipality != "" {
				t.Fatalf("the old draft: %+v, %v", drafts, err)
			}
			// Housekeeping's due index is built: the open draft has its
			// entry, and the old case its retention entry.
			if got := dueEntries(t, m.Store); len(got) != 2 || !strings.HasSuffix(got[0], "/d/"+drafts[0].ID) || !strings.Contains(got[1], "/c/") {
				t.Errorf("due entries %v, want the old draft's and the old case's retention", got)
			}
			res, err := m.Cases.Submit(drafts[0].ID, cases.Ref{ID: aino.ID, Name: aino.Name(), Kind: "resident"})
			if err != nil || len(res.Errors) > 0 {
				t.Fatalf("submitting the old draft: %+v, %v", res, err)
			}
			if res.Case.Reference != "ESI-2027-000002" || res.Case.Municipality != "esimerkkila" {
				t.Errorf("the old draft's case: %s of %q; want ESI-2027-000002 of esimerkkila", res.Case.Reference, res.Case.Municipality)
			}
		}
		list, err := m.Cases.Cases(aino.ID)
		var refs []string
		for _, c := range list {
			refs = append(refs, c.Reference)
		}
		if err != nil || !slices.Equal(refs, []string{"ESI-2027-000002", "ESI-2027-000001"}) {
			t.Fatalf("round %d: cases %v, %v", round, refs, err)
		}
		// The old case's draft record is among the sent ones (its answers,
		// which the old version kept, are gone), and still leads to it.
		sent := list[1].DraftID
		m.Store.View(func(tx *store.Tx) error {
			if tx.Has(store.Drafts, sent) || !tx.Has(store.DraftsSent, sent) || tx.Has(store.DraftData, sent) {
				t.Errorf("round %d: the old sent draft is in drafts %v, drafts_sent %v, its answers kept %v", round,
					tx.Has(store.Drafts, sent), tx.Has(store.DraftsSent, sent), tx.Has(store.DraftData, sent))
			}
			return nil
		})
		if d, err := m.Cases.Draft(sent, aino.ID); err != nil || d.CaseID != list[1].ID || d.Data["groupName"] != list[1].Answers["groupName"] {
			t.Errorf("round %d: the old sent draft reads %+v, %v", round, d, err)
		}
		if got := dueEntries(t, m.Store); len(got) != 2 || !strings.Contains(got[0], "/c/") || !strings.Contains(got[1], "/c/") {
			t.Errorf("round %d: due entries %v after the submit, want the two cases' retention", round, got)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// dueEntries are the keys of housekeeping's due index.
func dueEntries(t *testing.T, st *store.Store) []string {
	t.Helper()
	var out []string
	err := st.View(func(tx *store.Tx) error {
		return tx.Scan(store.Due, "", func(k string, _ []byte) error {
			out = append(out, k)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gunzip(t *testing.T, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, z); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSecondMunicipalityStaysOutOfTheFirst seeds a second municipality,
// Naapurila, into the installation: its record, its catalogue (a service
// of its own, library-card, and a sports-shift of its own) and their
// forms. The server, serving the first municipality, shows none of it: not
// in its listings, not in its search, and not by id on the service page,
// the form API or when starting a draft (404).
func TestSecondMunicipalityStaysOutOfTheFirst(t *testing.T) {
	dir := t.TempDir()
	embedded, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../catalog/testdata/second-municipality.json")
	if err != nil {
		t.Fatal(err)
	}
	second, err := catalog.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	cats, err := catalog.NewSet(embedded, second)
	if err != nil {
		t.Fatal(err)
	}

	m := open(t, dir, cats)
	naapurila := population.Municipality{ID: "naapurila", RefPrefix: "NAA",
		Name:      i18n.Text{"fi": "Naapurilan kunta", "sv": "Naapurila kommun", "en": "Municipality of Naapurila"},
		ShortName: i18n.Text{"fi": "Naapurila", "sv": "Naapurila", "en": "Naapurila"}}
	if err := identity.AddMunicipality(m.Store, naapurila); err != nil {
		t.Fatal(err)
	}
	def, err := definitions.FS.ReadFile("sports-shift.json")
	if err != nil {
		t.Fatal(err)
	}
	err = m.Store.UpdateAlone(func(tx *store.Tx) error { // as cases.Import stores Naapurila's forms
		for _, svc := range []string{"library-card", "sports-shift"} {
			f := strings.Replace(string(def), `"service": "sports-shift"`, `"service": "`+svc+`"`, 1)
			f = strings.Replace(f, `"version": 1`, `"version": 5`, 1)
			if err := tx.PutRaw(store.Forms, "naapurila/"+svc+"/000005", []byte(f)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	m = open(t, dir, cats)
	defer m.Close()
	// The second municipality's services and forms are there to be found.
	theirs, err := cases.LoadForms(m.Store, second)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := theirs.Latest("library-card"); !ok || d.Version != 5 {
		t.Fatalf("Naapurila's library-card form: %+v", d)
	}
	if got := second.Search("kirjastokortti", "fi"); len(got) == 0 {
		t.Fatal("Naapurila's own search does not find its library card")
	}

	do := func(method, path, body string, cookies []*http.Cookie, headers ...string) (int, string, []*http.Cookie) {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Host = "localhost:8080"
		switch {
		case strings.HasPrefix(body, "{"):
			r.Header.Set("Content-Type", "application/json")
		case body != "":
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		for _, c := range cookies {
			r.AddCookie(c)
		}
		res, err := m.Web.App().Test(r, -1)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Cookies()
	}
	// What only Naapurila's services carry (not the search words, which a
	// search page repeats).
	theirWords := []string{"library-card", "Kirjastokortin hakeminen", "Ansök om lånekort", "Apply for a library card",
		"Uimahallin kausikortti", "Säsongskort till simhallen", "Swimming hall season ticket", "Naapurilan"}
	for _, path := range []string{
		"/api/v1/services", "/fi/", "/fi/services", "/sv/services", "/en/services",
		"/fi/services?q=kirjastokortti", "/sv/services?q=l%C3%A5nekort", "/en/services?q=library+card",
		"/fi/services?q=uimahalli", "/en/services?q=swimming", "/fi/services?q=naapurila",
		"/fi/services/sports-shift", "/api/v1/services/sports-shift/form",
	} {
		code, body, _ := do("GET", path, "", nil)
		if code != http.StatusOK {
			t.Errorf("GET %s: %d", path, code)
		}
		for _, w := range theirWords {
			if strings.Contains(body, w) {
				t.Errorf("GET %s shows %q of the second municipality", path, w)
			}
		}
	}
	code, body, _ := do("GET", "/api/v1/services", "", nil)
	var list []struct {
		ID   string    `json:"id"`
		Name i18n.Text `json:"name"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || code != 200 || len(list) != len(embedded.Services()) {
		t.Errorf("GET /api/v1/services: %d, %d services, %v", code, len(list), err)
	}
	for _, s := range list {
		if s.ID == "sports-shift" && s.Name.In("fi") != "Liikuntavuoron hakeminen" {
			t.Errorf("sports-shift is called %q", s.Name.In("fi"))
		}
	}
	for _, path := range []string{"/fi/services/library-card", "/api/v1/services/library-card/form"} {
		if code, _, _ := do("GET", path, "", nil); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, code)
		}
	}

	// Logged in, a draft of the second municipality's service cannot be
	// started; one of the first's can.
	code, _, session := do("POST", "/auth/test-login", "user="+url.QueryEscape("140386-902R"), nil)
	if code != http.StatusSeeOther {
		t.Fatalf("test login: %d", code)
	}
	_, body, _ = do("GET", "/api/v1/session", "", session)
	var sess struct {
		CSRFToken string `json:"csrfToken"`
	}
	if err := json.Unmarshal([]byte(body), &sess); err != nil || sess.CSRFToken == "" {
		t.Fatalf("session: %s, %v", body, err)
	}
	for _, tc := range []struct {
		service string
		want    int
	}{{"library-card", http.StatusNotFound}, {"sports-shift", http.StatusCreated}} {
		code, body, _ := do("POST", "/api/v1/drafts", `{"service":"`+tc.service+`"}`, session, "X-CSRF-Token", sess.CSRFToken)
		if code != tc.want {
			t.Errorf("POST /api/v1/drafts %s: %d %s, want %d", tc.service, code, body, tc.want)
		}
	}
}
