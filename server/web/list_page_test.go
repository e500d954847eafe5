package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestListsPage: the lists of cases, drafts and notifications come a page
// at a time; the API keeps answering an array and says where the next page
// is (Link, X-Next-Cursor), the pages link to it, and every entry is on
// exactly one page, newest first.
func TestListsPage(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	var caseIDs, draftIDs []string // oldest first
	for range 5 {
		_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
		id := out["id"].(string)
		maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 1, "data": validSportsShift()})
		r, out := maria.call("POST", "/api/v1/drafts/"+id+"/submit", nil)
		if r.StatusCode != 201 {
			t.Fatalf("submit: %d %s", r.StatusCode, r.body)
		}
		caseIDs = append(caseIDs, out["id"].(string))
		e.clock.Add(time.Minute)
	}
	for range 3 {
		_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
		draftIDs = append(draftIDs, out["id"].(string))
		e.clock.Add(time.Minute)
	}
	newestFirst := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[len(ids)-1-i] = id
		}
		return out
	}

	// walk follows the API's Link headers from first, returning the ids
	// page by page.
	walk := func(t *testing.T, first string) [][]string {
		var pages [][]string
		for next := first; next != ""; {
			r, _ := maria.call("GET", next, nil)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %s", next, r.StatusCode, r.body)
			}
			var list []struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal([]byte(r.body), &list); err != nil {
				t.Fatalf("GET %s: not an array: %s", next, r.body)
			}
			var ids []string
			for _, x := range list {
				ids = append(ids, x.ID)
			}
			pages = append(pages, ids)
			next = ""
			if link := r.Header.Get("Link"); link != "" {
				m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(link)
				if m == nil {
					t.Fatalf("Link %q", link)
				}
				next = m[1]
				if !strings.Contains(next, "cursor="+r.Header.Get("X-Next-Cursor")) {
					t.Errorf("Link %q and X-Next-Cursor %q differ", link, r.Header.Get("X-Next-Cursor"))
				}
			}
			if len(pages) > 10 {
				t.Fatal("pages do not end")
			}
		}
		return pages
	}
	cases := newestFirst(caseIDs)
	drafts := newestFirst(draftIDs)
	tests := []struct {
		name  string
		first string
		want  [][]string
	}{
		{"cases two at a time", "/api/v1/cases?limit=2", [][]string{cases[:2], cases[2:4], cases[4:]}},
		{"cases, no cursor asked: the first page is all there is", "/api/v1/cases", [][]string{cases}},
		{"drafts two at a time", "/api/v1/drafts?limit=2", [][]string{drafts[:2], drafts[2:]}},
		{"a limit over the most is the most", "/api/v1/drafts?limit=100000", [][]string{drafts}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := walk(t, tc.first)
			if len(got) != len(tc.want) || strings.Join(flat(got), " ") != strings.Join(flat(tc.want), " ") {
				t.Errorf("pages %v, want %v", got, tc.want)
			}
			for i := range got {
				if len(got[i]) != len(tc.want[i]) {
					t.Errorf("page %d has %d, want %d", i, len(got[i]), len(tc.want[i]))
				}
			}
		})
	}

	t.Run("notifications", func(t *testing.T) {
		helmi := e.client("050840-948K")
		for range 5 {
			e.proxySubmit("050840-948K", "Helmi Korhonen", caseIDs[0])
			e.clock.Add(time.Minute)
		}
		saved := maria
		maria = helmi
		defer func() { maria = saved }()
		all := walk(t, "/api/v1/notifications")
		if len(all) != 1 || len(all[0]) != 5 {
			t.Fatalf("notifications %v", all)
		}
		got := walk(t, "/api/v1/notifications?limit=2")
		want := [][]string{all[0][:2], all[0][2:4], all[0][4:]}
		if strings.Join(flat(got), " ") != strings.Join(flat(want), " ") || len(got) != 3 {
			t.Errorf("notification pages %v, want %v", got, want)
		}
		r := e.do(req{path: "/en/notifications?limit=4", cookies: []*http.Cookie{helmi.cookie}})
		if !strings.Contains(r.body, `rel="next"`) {
			t.Error("the notifications page does not link to the next")
		}
	})

	t.Run("refusals", func(t *testing.T) {
		for _, path := range []string{"/api/v1/cases?cursor=../../x", "/api/v1/cases?limit=0", "/api/v1/drafts?limit=x",
			"/api/v1/notifications?cursor=zz", "/fi/cases?cursor=nope", "/fi/drafts?limit=-1", "/fi/notifications?cursor=1"} {
			r, _ := maria.call("GET", path, nil)
			if r.StatusCode != http.StatusBadRequest {
				t.Errorf("GET %s: %d, want 400", path, r.StatusCode)
			}
		}
	})

	t.Run("pages link to the next", func(t *testing.T) {
		for _, tc := range []struct{ path, first, second string }{
			{"/fi/cases?limit=3", `href="/fi/cases/` + cases[2], `href="/fi/cases/` + cases[3]},
			{"/sv/drafts?limit=2", `href="/sv/drafts/` + drafts[1], `href="/sv/drafts/` + drafts[2]},
		} {
			r := e.do(req{path: tc.path, cookies: []*http.Cookie{maria.cookie}})
			m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(r.body)
			if r.StatusCode != 200 || m == nil || !strings.Contains(r.body, tc.first) || strings.Contains(r.body, tc.second) {
				t.Fatalf("GET %s: %d, next link %v", tc.path, r.StatusCode, m)
			}
			next := strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.HasPrefix(next, tc.path[:3]+"/") {
				t.Errorf("next page %s leaves the language", next)
			}
			r = e.do(req{path: next, cookies: []*http.Cookie{maria.cookie}})
			if r.StatusCode != 200 || !strings.Contains(r.body, tc.second) || strings.Contains(r.body, tc.first) {
				t.Errorf("GET %s: %d, want %s and not %s", next, r.StatusCode, tc.second, tc.first)
			}
			if strings.Contains(r.body, `rel="next"`) {
				t.Errorf("GET %s: the last page links on", next)
			}
		}
	})
	t.Run("my page shows the top three and says there are more", func(t *testing.T) {
		r := e.do(req{path: "/en/my", cookies: []*http.Cookie{maria.cookie}})
		for i, id := range cases {
			if strings.Contains(r.body, id) != (i < 3) {
				t.Errorf("case %d (%s) shown: %v", i, id, !(i < 3))
			}
		}
		if !strings.Contains(r.body, `href="/en/cases"`) {
			t.Error("no link to all applications")
		}
	})
}

func flat(pages [][]string) []string {
	var out []string
	for _, p := range pages {
		out = append(out, p...)
	}
	return out
}
