package web

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"asiointi/server/config"
)

const mib = 1 << 20

// pdfOfSize is a file that reads as a PDF, n bytes long, different for
// every n (so that no two sizes share stored content).
func pdfOfSize(n int) []byte {
	b := make([]byte, n)
	copy(b, "%PDF-1.4\n")
	tail := fmt.Sprintf("\n%%%d%%%%EOF\n", n)
	copy(b[n-len(tail):], tail)
	return b
}

func noRateLimits(c *config.Config) { c.RateLimits = false }

// noQuota: the boundary tests store more than a person's default quota.
func noQuota(c *config.Config) { c.UploadQuota = 0 }

// storedSum is the SHA-256 of what the store holds for an attachment.
func (e *env) storedSum(t *testing.T, draft, att, owner string) ([32]byte, int) {
	t.Helper()
	_, body, err := e.cases.AttachmentContent(draft, att, owner)
	if err != nil {
		t.Fatalf("attachment %s: %v", att, err)
	}
	return sha256.Sum256(body), len(body)
}

// uploadSizes are the boundaries of a field limit and the 10–12 MiB band
// of the old limits (10 MiB + 1 read, 12 MiB body), for a field of limit
// bytes.
func uploadSizes(limit int) []int {
	sizes := []int{limit - 1, limit, limit + 1}
	for _, n := range []int{10*mib + 1, 10*mib + 2, 11_500_000, 12 * mib, 12*mib + 1} {
		if n != limit-1 && n != limit && n != limit+1 {
			sizes = append(sizes, n)
		}
	}
	return sizes
}

// TestUploadLimitsAPI: a file up to its field's limit is stored whole, one
// byte more is refused with 413 and a message that names the limit, and
// nothing is ever stored cut short (issue 6: an 11.5 MB PDF was stored as
// its first 10 MiB).
func TestUploadLimitsAPI(t *testing.T) {
	e := newEnv(t, noRateLimits, noQuota)
	e.overHTTP()
	for _, tc := range []struct {
		service, field string
		limit          int
		max            string // the limit as the message writes it
	}{
		{"building-notification", "sitePlan", 20 * mib, "20\u00a0MB"},
		{"sports-shift", "attachment", 10 * mib, "10\u00a0MB"},
	} {
		maria := e.client("030392-974H")
		_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": tc.service})
		id := out["id"].(string)
		stored := 0
		for _, n := range uploadSizes(tc.limit) {
			content := pdfOfSize(n)
			r := maria.upload(id, tc.field, "plan.pdf", content)
			if n > tc.limit {
				if r.StatusCode != 413 || !strings.Contains(r.body, `"too-large"`) || !strings.Contains(r.body, tc.max) {
					t.Errorf("%s %d bytes: %d %.300s, want 413 naming %s", tc.field, n, r.StatusCode, r.body, tc.max)
				}
				continue
			}
			if r.StatusCode != 201 {
				t.Errorf("%s %d bytes: %d %.300s, want 201", tc.field, n, r.StatusCode, r.body)
				continue
			}
			stored++
			var att struct {
				ID   string
				Size int
			}
			mustJSON(t, r.body, &att)
			sum, size := e.storedSum(t, id, att.ID, maria.session())
			if att.Size != n || size != n || sum != sha256.Sum256(content) {
				t.Errorf("%s %d bytes: stored %d bytes (answered %d), content differs: %v", tc.field, n, size, att.Size, sum != sha256.Sum256(content))
			}
		}
		atts, err := e.cases.Attachments(id, maria.session())
		if err != nil || len(atts) != stored {
			t.Errorf("%s: %d attachments stored, want %d (%v)", tc.field, len(atts), stored, err)
		}
	}
}

// session is the client's user id.
func (a *apiClient) session() string {
	a.e.t.Helper()
	_, out := a.call("GET", "/api/v1/session", nil)
	user, _ := out["user"].(map[string]any)
	id, _ := user["id"].(string)
	if id == "" {
		a.e.t.Fatalf("no user in session %v", out)
	}
	return id
}

// TestUploadLimitsPage: the same limits on the page without JavaScript. A
// file over its field's limit shows the step again (413) with the problem
// at the file field, still logged in, and every other answer of the step
// kept and saved.
func TestUploadLimitsPage(t *testing.T) {
	e := newEnv(t, noRateLimits, noQuota)
	e.overHTTP()
	for _, tc := range []struct {
		service, field string
		step           string
		other          []string // the step's other answers
		limit          int
		max            string
	}{
		{"building-notification", "sitePlan", "3", []string{"phone", "040 123 4567", "email", "maria@example.fi"}, 20 * mib, "20\u00a0MB"},
		{"sports-shift", "attachment", "3", []string{"hall", "sports-centre-main", "weekday", "tue", "startTime", "18:30",
			"duration", "90", "season", "full", "notes", "Tuomme omat pallot"}, 10 * mib, "10\u00a0MB"},
	} {
		maria := e.resident("030392-974H")
		step1 := maria.start("fi", tc.service)
		id := draftIDOf(step1)
		stepURL := "/fi/drafts/" + id + "/step/" + tc.step
		stored := 0
		for _, n := range uploadSizes(tc.limit) {
			r := maria.get(stepURL)
			must(t, r, 200)
			vals := form(append([]string{"version", pageVersion(t, r.body), "action", "later"}, tc.other...)...)
			content := pdfOfSize(n)
			r = maria.postFile(stepURL, vals, tc.field, "plan.pdf", content)
			if n <= tc.limit {
				if r.StatusCode != 303 {
					t.Errorf("%s %d bytes: %d %.500s, want 303", tc.field, n, r.StatusCode, r.body)
				}
				stored++
				continue
			}
			if r.StatusCode != 413 {
				t.Errorf("%s %d bytes: status %d, want 413 (%.300s)", tc.field, n, r.StatusCode, r.body)
				continue
			}
			for _, want := range []string{`id="` + tc.field + `-error"`, `<a href="#` + tc.field + `">`, tc.max,
				`action="/auth/logout`, `action="` + stepURL + `"`} {
				if !strings.Contains(r.body, want) {
					t.Errorf("%s %d bytes: the page lacks %q", tc.field, n, want)
				}
			}
			for i := 1; i < len(tc.other); i += 2 {
				if !strings.Contains(r.body, htmlEscape(tc.other[i])) {
					t.Errorf("%s %d bytes: the answer %q is not kept on the page", tc.field, n, tc.other[i])
				}
			}
		}
		d, err := e.cases.Draft(id, maria.user())
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(tc.other); i += 2 {
			if fmt.Sprint(d.Data[tc.other[i]]) != tc.other[i+1] {
				t.Errorf("%s: %s saved as %v, want %q", tc.service, tc.other[i], d.Data[tc.other[i]], tc.other[i+1])
			}
		}
		atts, err := e.cases.Attachments(id, maria.user())
		if err != nil || len(atts) != stored {
			t.Fatalf("%s: %d attachments stored, want %d (%v)", tc.field, len(atts), stored, err)
		}
		for _, a := range atts {
			sum, size := e.storedSum(t, id, a.ID, maria.user())
			if size != int(a.Size) || sum != sha256.Sum256(pdfOfSize(size)) {
				t.Errorf("%s: attachment of %d bytes stored as %d bytes or changed", tc.field, a.Size, size)
			}
		}
	}
}

// user is the form client's user id.
func (f *formClient) user() string {
	f.t.Helper()
	r := f.get("/api/v1/session")
	var out struct{ User struct{ ID string } }
	mustJSON(f.t, r.body, &out)
	if out.User.ID == "" {
		f.t.Fatalf("no user in %s", r.body)
	}
	return out.User.ID
}
