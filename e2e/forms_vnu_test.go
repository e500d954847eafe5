package e2e

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The form pages have ids in their paths (drafts, cases), so they cannot
// be plain entries of validatedPages: TestFormPagesHTMLIsValid makes the
// drafts and cases over HTTP and validates the pages it gets.

var (
	versionField = regexp.MustCompile(`name="version" value="(\d+)"`)
	baseField    = regexp.MustCompile(`name="_base" value="([^"]*)"`)
)

// formPage is a fetched page to validate.
type formPage struct {
	name, body string
}

// stepPost posts answers to a step page as its form would (with its CSRF
// token, version and base) and returns the answer.
func stepPost(t testing.TB, c *httpClient, path string, answers url.Values) response {
	t.Helper()
	page := c.get(t, path)
	if page.Status != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d", path, page.Status)
	}
	v := url.Values{"_csrf": {csrfFrom(t, page.Body)}}
	if m := versionField.FindStringSubmatch(page.Body); m != nil {
		v.Set("version", m[1])
	}
	if m := baseField.FindStringSubmatch(page.Body); m != nil {
		v.Set("_base", m[1])
	}
	for k, xs := range answers {
		v[k] = xs
	}
	return c.postForm(t, path, v)
}

// startDraftHTTP starts a service's application and returns the draft id.
func startDraftHTTP(t testing.TB, c *httpClient, lang, service string) string {
	t.Helper()
	page := c.get(t, "/"+lang+"/services/"+service)
	r := c.postForm(t, "/"+lang+"/services/"+service+"/start", url.Values{"_csrf": {csrfFrom(t, page.Body)}})
	m := draftPath.FindStringSubmatch(strings.TrimPrefix(r.Header.Get("Location"), c.srv.URL))
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("start %s: HTTP %d to %q", service, r.Status, r.Header.Get("Location"))
	}
	return m[2]
}

func TestFormPagesHTMLIsValid(t *testing.T) {
	srv := startServer(t)
	jar := nodeModule(t, "vnu-jar/build/dist/vnu.jar")
	java := requireCommand(t, "java", "install a Java runtime, 11 or later (Debian: apt-get install -y --no-install-recommends default-jre-headless)")

	var pages []formPage
	get := func(c *httpClient, name, path string, want int) {
		t.Helper()
		r := c.get(t, path)
		if r.Status != want {
			t.Errorf("%s: GET %s: HTTP %d, want %d", name, path, r.Status, want)
			return
		}
		pages = append(pages, formPage{name, r.Body})
	}
	keep := func(name string, r response, want int) {
		t.Helper()
		if r.Status != want {
			t.Errorf("%s: HTTP %d, want %d", name, r.Status, want)
			return
		}
		pages = append(pages, formPage{name, r.Body})
	}
	step := func(lang, id string, n string) string { return "/" + lang + "/drafts/" + id + "/step/" + n }
	wantRedirect := func(what string, r response, prefix string) string {
		t.Helper()
		loc := strings.TrimPrefix(r.Header.Get("Location"), srv.URL)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
			t.Fatalf("%s: HTTP %d to %q, want 303 to %s…\n%s", what, r.Status, loc, prefix, tail(r.Body, 600))
		}
		return loc
	}

	// Maria sends one sports hall application and leaves another unfinished.
	maria := newHTTPClient(t, srv)
	maria.login(t, "fi", formsMaria)
	id := startDraftHTTP(t, maria, "fi", "sports-shift")
	get(maria, "step1-fi", step("fi", id, "1"), 200)
	wantRedirect("step 1", stepPost(t, maria, step("fi", id, "1"), url.Values{
		"contactFirstName": {"Maria"}, "contactLastName": {"Nieminen"}, "contactEmail": {"maria.nieminen@example.fi"},
		"contactPhone": {"040 123 4567"}, "action": {"next"}}), step("fi", id, "2"))
	// A wrong number and a missing business id: 422 with the error summary.
	keep("step2-errors-fi", stepPost(t, maria, step("fi", id, "2"), url.Values{
		"groupName": {"Sählyporukka"}, "groupType": {"association"}, "ageGroup": {"adults"}, "participants": {"100"}, "action": {"next"}}),
		http.StatusUnprocessableEntity)
	wantRedirect("step 2", stepPost(t, maria, step("fi", id, "2"), url.Values{
		"groupName": {"Sählyporukka"}, "groupType": {"informal"}, "ageGroup": {"adults"}, "participants": {"12"}, "action": {"next"}}),
		step("fi", id, "3"))
	get(maria, "step3-fi", step("fi", id, "3"), 200)
	get(maria, "step3-check-fi", step("fi", id, "3")+"?check=1", 200)
	wantRedirect("step 3", stepPost(t, maria, step("fi", id, "3"), url.Values{
		"hall": {"sports-centre-main"}, "weekday": {"wed"}, "startTime": {"18.30"}, "duration": {"60"}, "season": {"full"},
		"equipmentNeeded": {"true"}, "equipment": {"Verkko"}, "notes": {"Kiitos!"}, "action": {"next"}}),
		"/fi/drafts/"+id+"/summary")
	get(maria, "summary-fi", "/fi/drafts/"+id+"/summary", 200)
	get(maria, "summary-sv", "/sv/drafts/"+id+"/summary", 200)
	sum := maria.get(t, "/fi/drafts/"+id+"/summary")
	caseLoc := wantRedirect("submit", maria.postForm(t, "/fi/drafts/"+id+"/submit", url.Values{"_csrf": {csrfFrom(t, sum.Body)}}), "/fi/cases/")
	caseID := casePath.FindStringSubmatch(caseLoc)[2]
	get(maria, "receipt-fi", caseLoc, 200)
	get(maria, "case-fi", "/fi/cases/"+caseID, 200)
	get(maria, "case-en", "/en/cases/"+caseID, 200)
	get(maria, "cases-fi", "/fi/cases", 200)
	get(maria, "cases-sv", "/sv/cases", 200)

	open2 := startDraftHTTP(t, maria, "sv", "sports-shift")
	get(maria, "step1-sv", step("sv", open2, "1"), 200)
	get(maria, "step2-en", step("en", open2, "2"), 200)
	get(maria, "step3-sv", step("sv", open2, "3"), 200)
	get(maria, "summary-incomplete-en", "/en/drafts/"+open2+"/summary", 200)
	sum = maria.get(t, "/en/drafts/"+open2+"/summary")
	problems := wantRedirect("submit with problems", maria.postForm(t, "/en/drafts/"+open2+"/submit", url.Values{"_csrf": {csrfFrom(t, sum.Body)}}), "/en/drafts/"+open2+"/summary?check=1")
	get(maria, "submit-problems-en", problems, 200)
	// A stale post that clashes with a newer save: the conflict page.
	stale := maria.get(t, step("fi", open2, "1"))
	wantRedirect("save", stepPost(t, maria, step("fi", open2, "1"), url.Values{"contactPhone": {"040 111 1111"}, "action": {"later"}}), "/fi/drafts")
	conflict := maria.postForm(t, step("fi", open2, "1"), url.Values{
		"_csrf": {csrfFrom(t, stale.Body)}, "version": {versionField.FindStringSubmatch(stale.Body)[1]},
		"_base": {baseField.FindStringSubmatch(stale.Body)[1]}, "contactPhone": {"040 222 2222"}, "action": {"next"}})
	if strings.HasPrefix(conflict.Header.Get("Content-Type"), "text/html") && strings.Contains(conflict.Body, "compare") {
		pages = append(pages, formPage{"conflict-fi", conflict.Body})
	} else {
		t.Errorf("a stale post of a changed answer: HTTP %d, no conflict page", conflict.Status)
	}
	get(maria, "drafts-fi", "/fi/drafts", 200)
	get(maria, "drafts-saved-fi", "/fi/drafts?saved="+open2, 200)
	get(maria, "draft-delete-sv", "/sv/drafts/"+open2+"/delete", 200)

	// Aino applies for early childhood education for Eetu: locked fields,
	// a date, a conditional upload, checkboxes.
	aino := newHTTPClient(t, srv)
	aino.login(t, "fi", hetuAino)
	principals, err := aino.api(t).Principals()
	if err != nil {
		t.Fatal(err)
	}
	eetu := ""
	for _, p := range principals {
		if strings.HasPrefix(p.Name, "Eetu") {
			eetu = p.ID
		}
	}
	acting := aino.get(t, "/fi/acting-for")
	if r := aino.postForm(t, "/fi/acting-for", url.Values{"_csrf": {csrfFrom(t, acting.Body)}, "principal": {eetu}}); r.Status != http.StatusSeeOther {
		t.Fatalf("acting for Eetu (%q): HTTP %d", eetu, r.Status)
	}
	ee := startDraftHTTP(t, aino, "fi", "early-education")
	for _, n := range []string{"1", "2", "3", "4"} {
		get(aino, "early-step"+n+"-fi", step("fi", ee, n), 200)
	}
	get(aino, "early-step1-sv", step("sv", ee, "1"), 200)
	get(aino, "early-step2-check-en", step("en", ee, "2")+"?check=1", 200)
	get(aino, "early-summary-fi", "/fi/drafts/"+ee+"/summary", 200)
	get(aino, "drafts-acting-fi", "/fi/drafts", 200)

	dir := t.TempDir()
	var files []string
	for _, p := range pages {
		f := filepath.Join(dir, "form-"+p.name+".html")
		if err := os.WriteFile(f, []byte(p.body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	runVNU(t, java, jar, dir, files, "form pages")
}
