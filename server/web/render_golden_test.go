package web

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"asiointi/pwa"
	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/forms"
	"asiointi/server/forms/definitions"
	"asiointi/server/render"
)

// goldenFile holds a digest of every page TestRenderedPagesUnchanged
// renders. ASIOINTI_GOLDEN=update rewrites it.
const goldenFile = "testdata/rendered-pages.sha256"

// perRequest are the parts of a page that differ between two renders of
// the same input: the CSP nonce, the CSRF token, versions (the static
// files' too: a change of a script is no change of the render) and the ids
// of people (random when the demo register is seeded); they are replaced
// before hashing, and so are the drafts' ids.
var perRequest = []*regexp.Regexp{
	regexp.MustCompile(`/s/[0-9a-f]{12}/`),
	regexp.MustCompile(`nonce="[^"]*"`),
	regexp.MustCompile(`name="_csrf" value="[^"]*"`),
	regexp.MustCompile(`name="csrf-token" content="[^"]*"`),
	regexp.MustCompile(`name="version" value="[^"]*"`),
	regexp.MustCompile(`data-version="[^"]*"`),
	regexp.MustCompile(`name="for" value="[^"]*"`), // a person's id, random at seeding
}

// TestRenderedPagesUnchanged renders the front page, every service page
// and every step and the summary of every demo form's draft in fi, sv and
// en with the same answers, and compares each page's bytes (ids, nonces
// and tokens masked) with the digests recorded before: an optimisation of
// the render path must not change a byte of output. After an intended
// change to a page, rewrite the digests with ASIOINTI_GOLDEN=update and
// say why in the commit.
func TestRenderedPagesUnchanged(t *testing.T) {
	// Services that are for someone else: Aino applies for Eetu and for
	// her sports club (and then acts for herself again). The summer job voucher is
	// closed at the test clock: its refusal page is what is compared.
	forWhom := map[string]string{"early-education": "Eetu Virtanen", "association-grant": "Esimerkkilän Urheiluseura ry"}
	got := map[string]string{}
	var ids []string // the drafts' ids, masked wherever they appear
	hash := func(name, body string) {
		for _, re := range perRequest {
			body = re.ReplaceAllString(body, "MASKED")
		}
		for _, id := range ids {
			body = strings.ReplaceAll(body, id, "ID")
		}
		sum := sha256.Sum256([]byte(body))
		got[name] = hex.EncodeToString(sum[:])
	}
	names, err := fs.Glob(definitions.FS, "*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("definitions: %v %v", names, err)
	}
	for _, lang := range []string{"fi", "sv", "en"} {
		// A store of its own per language: no page lists another
		// language's drafts.
		e := newEnv(t)
		aino := e.resident(hetuAino)
		ids = ids[:0]
		r := e.do(req{path: "/" + lang + "/"})
		must(t, r, http.StatusOK)
		hash(lang+" front page", r.body)
		for _, name := range names {
			svc := strings.TrimSuffix(name, ".json")
			var form url.Values
			if p, ok := forWhom[svc]; ok {
				form = url.Values{"for": {aino.principalID(p)}}
			}
			r := aino.get("/" + lang + "/services/" + svc)
			must(t, r, http.StatusOK)
			hash(lang+" service "+svc, r.body)
			start := aino.post("/"+lang+"/services/"+svc+"/start", form)
			if start.StatusCode != http.StatusSeeOther || !strings.Contains(location(start), "/step/1") {
				// A service that first asks for whom: the page that asks.
				hash(fmt.Sprintf("%s start %s %d", lang, svc, start.StatusCode), start.body)
				continue
			}
			if form != nil {
				must(t, aino.post("/"+lang+"/acting-for", url.Values{"principal": {""}}), http.StatusSeeOther)
			}
			step := location(start)
			ids = append(ids, draftIDOf(step))
			def, ok := e.cases.Forms.Latest(svc)
			if !ok {
				t.Fatalf("no form %s", svc)
			}
			for i := range def.Steps {
				path := strings.TrimSuffix(step, "1") + fmt.Sprint(i+1)
				r := aino.get(path)
				must(t, r, http.StatusOK)
				hash(fmt.Sprintf("%s %s step %d", lang, svc, i+1), r.body)
				r = aino.get(path + "?check=1")
				must(t, r, http.StatusOK)
				hash(fmt.Sprintf("%s %s step %d checked", lang, svc, i+1), r.body)
			}
		}
		// A step of 200 fields of every kind a step page writes in a loop
		// (a new version of a demo form), answered, unanswered and with
		// texts to escape, plain and checked.
		raw, answers := wideForm(t, 9, 200)
		if _, err := cases.Import(e.st, e.s.catalog, e.cases.Forms, raw); err != nil {
			t.Fatal(err)
		}
		step := aino.start(lang, "sports-shift")
		ids = append(ids, draftIDOf(step))
		answers.Set("version", pageVersion(t, aino.get(step).body))
		answers.Set("action", "save")
		if r := aino.post(step, answers); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s wide form: save %d %.500s", lang, r.StatusCode, r.body)
		}
		r = aino.get(step)
		must(t, r, http.StatusOK)
		hash(lang+" wide form step 1", r.body)
		r = aino.get(step + "?check=1")
		must(t, r, http.StatusOK)
		hash(lang+" wide form step 1 checked", r.body)
	}
	if os.Getenv("ASIOINTI_GOLDEN") == "update" {
		var b strings.Builder
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s  %s\n", got[k], k)
		}
		if err := os.WriteFile(goldenFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("bad line %q", sc.Text())
		}
		want[name] = sum
	}
	for name, sum := range got {
		if want[name] != sum {
			t.Errorf("%s: rendered differently (digest %s, recorded %q)", name, sum, want[name])
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: recorded, not rendered", name)
		}
	}
}

// wideForm is sports-shift.json as a new version whose first step has
// n fields: its own, then text, text area, e-mail, choice, radio, number
// and check box fields in turn, with and without help, required or not,
// some shown only when the check box before them is ticked; answers holds
// texts with characters to escape for most of them, and leaves some
// required ones unanswered.
func wideForm(t *testing.T, version, n int) ([]byte, url.Values) {
	t.Helper()
	m := map[string]any{}
	raw, err := fs.ReadFile(definitions.FS, "sports-shift.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["version"] = float64(version)
	step := m["steps"].([]any)[0].(map[string]any)
	fields := step["fields"].([]any)
	answers := url.Values{}
	text := func(fi, sv, en string) map[string]any { return map[string]any{"fi": fi, "sv": sv, "en": en} }
	options := []any{
		map[string]any{"value": "a", "label": text("Vaihtoehto <a>", "Alternativ <a>", "Option <a>")},
		map[string]any{"value": "b.c", "label": text("Vaihtoehto \"b\"", "Alternativ \"b\"", "Option \"b\"")},
	}
	for i := range n - len(fields) {
		id := "wide" + strconv.Itoa(i)
		f := map[string]any{
			"id": id, "required": i%3 != 1,
			"label":   text("Kenttä "+id+" <&>", "Fält "+id+" <&>", "Field "+id+" <&>"),
			"concept": "bench." + id, "legalBasis": "390/2015 5 §", "retention": "P2Y",
			"purpose": text("Mittaus.", "Mätning.", "Measuring."),
		}
		if i%2 == 0 {
			f["help"] = text("Ohje 'x' + \"y\"", "Hjälp 'x' + \"y\"", "Help 'x' + \"y\"")
		}
		if i%7 == 6 && i%2 == 0 { // after a check box (below)
			f["showIf"] = map[string]any{"field": "wide" + strconv.Itoa(i-1), "equals": true}
		}
		answer := "Vastaus " + id + ` <b>"&'+</b>`
		switch i % 7 {
		case 0:
			f["type"], f["maxLength"] = "text", 100.0
		case 1:
			f["type"], f["maxLength"] = "textarea", 1000.0
			answer = "Rivi 1\nRivi 2 & <3>"
		case 2:
			f["type"] = "email"
			answer = "aino+" + id + "@example.fi"
		case 3:
			f["type"], f["options"] = "select", options
			answer = "b.c"
		case 4:
			f["type"], f["options"] = "radio", options
			answer = "a"
		case 5:
			f["type"], f["min"], f["max"] = "number", 0.0, 1000.0
			answer = ""
		default:
			f["type"], f["maxLength"] = "text", 100.0
		}
		if i%11 == 10 { // left unanswered
			answer = ""
		}
		if i%7 == 5 && i%2 == 1 { // a check box instead, ticked; the field after it depends on it
			f["type"] = "checkbox"
			delete(f, "min")
			delete(f, "max")
			f["required"] = false
			answer = "true"
		}
		fields = append(fields, f)
		if answer != "" {
			answers.Set(id, answer)
		}
	}
	step["fields"] = fields
	raw, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw, answers
}

// TestErrorSummaryAsTemplate compares the error summary written in Go
// (the pages written in Go) with partials/errors.html's (the pages still
// written as templates), on summaries with and without an introduction,
// links to fields and to other pages, and texts and ids to escape.
func TestErrorSummaryAsTemplate(t *testing.T) {
	e := newEnv(t)
	tp := template.Must(template.ParseFS(pwa.Templates, "templates/partials/errors.html"))
	hostile := `<b>"x" & 'y' +1</b>`
	for i, p := range []*Page{
		{},
		{ErrorIntro: "Tarkista vastaukset."},
		{ErrorIntro: hostile, Errors: []FieldMessage{{Field: "email", Message: "Sähköposti: Täytä tämä kenttä."}}},
		{Errors: []FieldMessage{{Field: "budget.0.item", Message: hostile}, {Field: `a b#"<ä>%`, Message: "m"},
			{URL: "/fi/drafts/x/step/2?check=1#phone", Message: "Puhelin"}, {URL: "javascript:alert(1)", Message: "x"}}},
	} {
		for _, lang := range []string{"fi", "sv", "en"} {
			p.Lang, p.s = lang, e.s
			var want strings.Builder
			if err := tp.ExecuteTemplate(&want, "errorSummary", p); err != nil {
				t.Fatal(err)
			}
			var h render.HTML
			writeErrorSummary(&h, p)
			if h.String() != want.String() {
				t.Errorf("%d %s:\n got %s\nwant %s", i, lang, h.String(), want.String())
			}
		}
	}
}

// TestAvailabilityTextKept: the availability words kept for the service
// cards are the words made afresh, for every language, kind and
// availability, and two availabilities that differ only in a moment get
// their own words.
func TestAvailabilityTextKept(t *testing.T) {
	e := newEnv(t)
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	avails := []catalog.Availability{
		{Open: true, State: catalog.StateOpen},
		{Open: true, State: catalog.StateOpen, ClosesAt: at("2027-03-31T14:00:00Z")},
		{Open: true, State: catalog.StateOpen, ClosesAt: at("2027-03-31T15:00:00Z")},
		{State: catalog.StateNotYetOpen, OpensAt: at("2027-01-15T07:00:00Z")},
		{State: catalog.StateOutsideOfficeHours, OpensAt: at("2026-11-24T06:00:00Z")},
		{State: catalog.StateClosed, ClosesAt: at("2026-10-01T13:00:00Z")},
		{State: catalog.StateClosed},
	}
	for _, lang := range []string{"fi", "sv", "en"} {
		for _, kind := range []string{catalog.KindApplication, "notification", "unknown"} {
			for round := range 2 { // made, then kept
				for i, a := range avails {
					ws, wt := e.s.availabilityWords(lang, kind, a)
					gs, gt := e.s.availabilityText(lang, kind, a)
					if gs != ws || gt != wt {
						t.Errorf("%s %s %d (round %d): %q %q, want %q %q", lang, kind, i, round, gs, gt, ws, wt)
					}
				}
			}
		}
	}
	if a, b := avails[1], avails[2]; func() bool {
		_, x := e.s.availabilityText("fi", catalog.KindApplication, a)
		_, y := e.s.availabilityText("fi", catalog.KindApplication, b)
		return x == y
	}() {
		t.Error("two closing times, one text")
	}
}

// TestDatedRulesFollowTheDay: a field's data-rules with relative date
// bounds are kept for the day in Helsinki they were made on: the same as
// made afresh on that day, and made again on the next (a minute after
// midnight in Helsinki, still the day before in UTC).
func TestDatedRulesFollowTheDay(t *testing.T) {
	e := newEnv(t)
	f := &forms.Field{ID: "start", Type: forms.TypeDate, Required: true, DateMin: "today", DateMax: "today+P1Y"}
	day1 := time.Date(2026, 11, 23, 21, 30, 0, 0, time.UTC) // 23.11. 23.30 in Helsinki
	day2 := day1.Add(31 * time.Minute)                      // 24.11. 0.01 in Helsinki
	var seen []string
	for _, now := range []time.Time{day1, day1.Add(20 * time.Minute), day2, day2.Add(time.Hour)} {
		for _, lang := range []string{"fi", "sv", "en"} {
			b := &fieldBuilder{s: e.s, lang: lang, now: now}
			want := b.encodeRules(f)
			for range 2 { // made, then kept
				if got := b.rules(f).json; got != want {
					t.Fatalf("%v %s: %s, want %s", now, lang, got, want)
				}
			}
			if lang == "fi" {
				seen = append(seen, want)
			}
		}
	}
	if seen[0] != seen[1] || seen[1] == seen[2] || seen[2] != seen[3] {
		t.Fatalf("the rules did not follow the day: %q", seen)
	}
}

// TestStepPagesAtOnce: step pages of different sizes rendered at the same
// time (their field views come from one pool, fieldSlabs) are each the
// page rendered alone: no view is shared between two pages or kept from
// an earlier one.
func TestStepPagesAtOnce(t *testing.T) {
	e := newEnv(t)
	aino := e.resident(hetuAino)
	mask := func(body string) string {
		for _, re := range perRequest {
			body = re.ReplaceAllString(body, "MASKED")
		}
		return body
	}
	var paths []string
	for _, svc := range []string{"sports-shift", "home-help", "building-notification"} {
		step := aino.start("fi", svc)
		paths = append(paths, step, step+"?check=1", strings.TrimSuffix(step, "1")+"2")
	}
	want := map[string]string{}
	for _, p := range paths {
		r := aino.get(p)
		must(t, r, http.StatusOK)
		want[p] = mask(r.body)
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2 * len(paths) {
				p := paths[(g+i)%len(paths)]
				if r := aino.get(p); r.StatusCode != http.StatusOK || mask(r.body) != want[p] {
					t.Errorf("%s: %d, differs from the page rendered alone", p, r.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
}
