package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// validatedPage is one page whose server-rendered HTML the W3C Nu Html
// Checker validates. Add the pages of new features here.
type validatedPage struct {
	Name   string
	As     string // "" anonymous, "resident", "staff", "kiosk" (kiosk device, anonymous), "kiosk-resident"
	Path   string
	Status int // expected HTTP status; 0 means 200
}

var validatedPages = []validatedPage{
	{Name: "front-fi", Path: "/fi/"},
	{Name: "front-sv", Path: "/sv/"},
	{Name: "front-en", Path: "/en/"},
	{Name: "login-fi", Path: "/fi/login"},
	{Name: "login-sv", Path: "/sv/login"},
	{Name: "login-en", Path: "/en/login"},
	{Name: "test-login-fi", Path: "/auth/test-login?lang=fi"},
	{Name: "test-login-sv", Path: "/auth/test-login?lang=sv"},
	{Name: "test-login-en", Path: "/auth/test-login?lang=en&next=%2Fen%2Fmy"},
	{Name: "test-login-error", Path: "/auth/test-login?lang=fi&error=1"},
	{Name: "offline-fi", Path: "/fi/offline"},
	{Name: "offline-sv", Path: "/sv/offline"},
	{Name: "offline-en", Path: "/en/offline"},
	{Name: "logged-out-fi", Path: "/fi/logged-out"},
	{Name: "timed-out-sv", Path: "/sv/timed-out"},
	{Name: "not-found-fi", Path: "/fi/no-such-page", Status: http.StatusNotFound},
	{Name: "my-fi", As: "resident", Path: "/fi/my"},
	{Name: "my-sv", As: "resident", Path: "/sv/my"},
	{Name: "my-en", As: "resident", Path: "/en/my"},
	{Name: "front-fi-resident", As: "resident", Path: "/fi/"},
	{Name: "forbidden-fi", As: "resident", Path: "/fi/staff/kiosk", Status: http.StatusForbidden},
	{Name: "front-fi-staff", As: "staff", Path: "/fi/"},
	{Name: "kiosk-fi-staff", As: "staff", Path: "/fi/staff/kiosk"},
	{Name: "login-fi-kiosk", As: "kiosk", Path: "/fi/login"},
	{Name: "test-login-fi-kiosk", As: "kiosk", Path: "/auth/test-login?lang=fi"},
	{Name: "my-fi-kiosk", As: "kiosk-resident", Path: "/fi/my"},
	{Name: "my-data-fi", As: "resident", Path: "/fi/my/data"},
	{Name: "my-data-sv-print", As: "resident", Path: "/sv/my/data?view=print"},
	{Name: "shared-empty-en", As: "resident", Path: "/en/shared"},
	// Form pages with a draft or case in the path: TestFormPagesHTMLIsValid.
	{Name: "drafts-empty-fi", As: "resident", Path: "/fi/drafts"},
	{Name: "drafts-empty-en", As: "resident", Path: "/en/drafts"},
	{Name: "cases-empty-fi", As: "resident", Path: "/fi/cases"},
	{Name: "acting-for-fi", As: "resident", Path: "/fi/acting-for"},
	{Name: "done-for-me-en", As: "resident", Path: "/en/done-for-me"},
	{Name: "service-home-help-en", As: "resident", Path: "/en/services/home-help"},
	{Name: "cases-empty-sv", As: "resident", Path: "/sv/cases"},
	// The published statements.
	{Name: "accessibility-fi", Path: "/fi/accessibility"},
	{Name: "accessibility-sv", Path: "/sv/accessibility"},
	{Name: "feedback-en", Path: "/en/accessibility/feedback?page=%2Fen%2Fservices"},
	{Name: "privacy-sv", Path: "/sv/privacy"},
	{Name: "privacy-home-help-fi", Path: "/fi/services/home-help/privacy"},
	{Name: "privacy-building-en", As: "resident", Path: "/en/services/building-notification/privacy"},
	{Name: "help-fi", Path: "/fi/help"},
	{Name: "help-en", As: "resident", Path: "/en/help"},
	{Name: "staff-feedback-fi", As: "staff", Path: "/fi/staff/feedback"},
	{Name: "staff-mandates-sv", As: "staff", Path: "/sv/staff/mandates"},
}

// TestHTMLIsValid fetches every page of validatedPages as the right person
// and runs the W3C Nu Html Checker (node_modules/vnu-jar) over them: no
// error is allowed.
func TestHTMLIsValid(t *testing.T) {
	srv := startServer(t)
	jar := nodeModule(t, "vnu-jar/build/dist/vnu.jar")
	java := requireCommand(t, "java", "install a Java runtime, 11 or later (Debian: apt-get install -y --no-install-recommends default-jre-headless)")

	clients := map[string]*httpClient{"": newHTTPClient(t, srv)}
	clients["resident"] = newHTTPClient(t, srv)
	clients["resident"].login(t, "fi", hetuAino)
	clients["staff"] = newHTTPClient(t, srv)
	clients["staff"].login(t, "fi", userKaisa)
	// A kiosk device: staff marks it, which also logs the staff member out.
	kiosk := newHTTPClient(t, srv)
	kiosk.login(t, "fi", userKaisa)
	page := kiosk.get(t, "/fi/staff/kiosk")
	if r := kiosk.postForm(t, "/fi/staff/kiosk", url.Values{"_csrf": {csrfFrom(t, page.Body)}, "kiosk": {"on"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("marking a kiosk: HTTP %d", r.Status)
	}
	clients["kiosk"] = kiosk
	kioskRes := newHTTPClient(t, srv)
	kioskRes.Jar.SetCookies(mustURL(t, srv.URL), kiosk.Jar.Cookies(mustURL(t, srv.URL)))
	kioskRes.login(t, "fi", hetuAino)
	clients["kiosk-resident"] = kioskRes

	dir := t.TempDir()
	var files []string
	for _, p := range validatedPages {
		c := clients[p.As]
		if c == nil {
			t.Fatalf("%s: unknown client %q", p.Name, p.As)
		}
		r := c.get(t, p.Path)
		want := p.Status
		if want == 0 {
			want = http.StatusOK
		}
		if r.Status != want {
			t.Errorf("%s: GET %s as %q: HTTP %d, want %d", p.Name, p.Path, p.As, r.Status, want)
			continue
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: GET %s: Content-Type %q, want text/html", p.Name, p.Path, r.Header.Get("Content-Type"))
			continue
		}
		f := filepath.Join(dir, p.Name+".html")
		if err := os.WriteFile(f, []byte(r.Body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}

	runVNU(t, java, jar, dir, files, "pages")
}

// runVNU runs the Nu Html Checker over files in dir and fails the test on
// any error it reports.
func runVNU(t *testing.T, java, jar, dir string, files []string, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"-jar", jar, "--errors-only", "--stdout", "--format", "gnu"}, files...)
	cmd := exec.CommandContext(ctx, java, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	report := strings.TrimSpace(strings.ReplaceAll(out.String(), dir+string(filepath.Separator), ""))
	if err != nil || report != "" {
		t.Errorf("Nu Html Checker found errors in %d %s (%v):\n%s", len(files), what, err, report)
		return
	}
	t.Logf("Nu Html Checker: %d %s, no errors (%s)", len(files), what, time.Since(start).Round(time.Millisecond))
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
