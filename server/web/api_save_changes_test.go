package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestSaveDraftChangesAPI: PATCH /api/v1/drafts/{id} saves the answers
// that changed and keeps the others, with PUT's versions and answers.
func TestSaveDraftChangesAPI(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
	id := out["id"].(string)
	if r, _ := maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 1, "data": validSportsShift()}); r.StatusCode != 200 {
		t.Fatalf("put: %d %s", r.StatusCode, r.body)
	}
	r, out := maria.call("PATCH", "/api/v1/drafts/"+id, map[string]any{"version": 2, "changes": map[string]any{"groupName": "Uusi", "season": nil}, "step": 2})
	if r.StatusCode != 200 || out["version"] != 3.0 || out["updatedAt"] == nil || out["errors"] != nil {
		t.Fatalf("patch: %d %s", r.StatusCode, r.body)
	}
	_, got := maria.call("GET", "/api/v1/drafts/"+id, nil)
	want := validSportsShift()
	want["groupName"], want["participants"] = "Uusi", 12.0
	delete(want, "season")
	if !reflect.DeepEqual(got["data"], want) || got["step"] != 2.0 {
		t.Errorf("stored %v step %v\nwant %v", got["data"], got["step"], want)
	}
	// A stale version: 409 with the current draft, in the asked language.
	r, out = maria.call("PATCH", "/api/v1/drafts/"+id+"?lang=sv", map[string]any{"version": 2, "changes": map[string]any{"groupName": "x"}})
	if cur, _ := out["current"].(map[string]any); r.StatusCode != 409 || !strings.Contains(r.body, "har ändrats") ||
		!strings.Contains(r.body, `"stale-version"`) || cur["version"] != 3.0 || cur["data"].(map[string]any)["groupName"] != "Uusi" {
		t.Fatalf("stale patch: %d %s", r.StatusCode, r.body)
	}
	// Problems of shape are reported per field, in the asked language.
	r, out = maria.call("PATCH", "/api/v1/drafts/"+id+"?lang=en", map[string]any{"version": 3, "changes": map[string]any{"participants": "many"}})
	if errs, _ := out["errors"].([]any); r.StatusCode != 200 || len(errs) != 1 || errs[0].(map[string]any)["field"] != "participants" ||
		errs[0].(map[string]any)["message"] == "" {
		t.Errorf("bad shape: %d %s", r.StatusCode, r.body)
	}
}

// TestSaveDraftChangesHostile: whatever PUT of the whole answers refuses,
// drops or reports, PATCH of the changes refuses, drops or reports the
// same way. Each row saves a twin draft each way and compares the answers,
// and what is stored.
func TestSaveDraftChangesHostile(t *testing.T) {
	e := newEnv(t)
	maria := e.client("030392-974H")
	sven := e.client("171279-9677")
	draft := func() (string, map[string]any) {
		_, out := maria.call("POST", "/api/v1/drafts", map[string]any{"service": "sports-shift"})
		id := out["id"].(string)
		if r, _ := maria.call("PUT", "/api/v1/drafts/"+id, map[string]any{"version": 1, "data": validSportsShift()}); r.StatusCode != 200 {
			t.Fatalf("put: %d %s", r.StatusCode, r.body)
		}
		_, d := maria.call("GET", "/api/v1/drafts/"+id, nil)
		return id, d["data"].(map[string]any)
	}
	// A file of another draft, to name in this one.
	other, _ := draft()
	up := maria.upload(other, "attachment", "plan.pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"))
	var att struct{ ID string }
	if json.Unmarshal([]byte(up.body), &att); up.StatusCode != 201 || att.ID == "" {
		t.Fatalf("upload: %d %s", up.StatusCode, up.body)
	}
	huge := strings.Repeat("a", sessionBodyLimit+1)

	// Changes sent both ways: the whole answers with them merged in (PUT),
	// and the changes alone (PATCH).
	for _, tc := range []struct {
		name    string
		changes map[string]any
	}{
		{"unknown field ids", map[string]any{"isAdmin": true, "status": "decided", "__proto__": map[string]any{"x": 1}, "": "x", "owner": "sven", "version": 9}},
		{"wrong types", map[string]any{"participants": "many", "groupName": 5, "equipmentNeeded": "yes", "hall": []any{"a"}, "notes": map[string]any{"x": 1}}},
		{"too long", map[string]any{"notes": strings.Repeat("ä", 10001)}},
		{"fields of another step", map[string]any{"contactFirstName": "Toinen", "notes": "Viimeisen vaiheen kenttä"}},
		{"an attachment of another draft", map[string]any{"attachment": att.ID}},
		{"an attachment that is not there", map[string]any{"attachment": "01hzzzzzzzzzzzzzzzzzzzzzzz"}},
		{"null removes", map[string]any{"groupName": nil, "nope": nil}},
		{"group-like paths", map[string]any{"notes.0.x": "x", "weekday.x": "y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole, data := draft()
			part, _ := draft()
			merged := map[string]any{}
			for k, v := range data {
				merged[k] = v
			}
			for k, v := range tc.changes {
				merged[k] = v
			}
			rw, ow := maria.call("PUT", "/api/v1/drafts/"+whole+"?lang=en", map[string]any{"version": 2, "data": merged})
			rp, op := maria.call("PATCH", "/api/v1/drafts/"+part+"?lang=en", map[string]any{"version": 2, "changes": tc.changes})
			if rw.StatusCode != rp.StatusCode || !reflect.DeepEqual(ow["errors"], op["errors"]) {
				t.Errorf("PUT %d %s\nPATCH %d %s", rw.StatusCode, rw.body, rp.StatusCode, rp.body)
			}
			_, gw := maria.call("GET", "/api/v1/drafts/"+whole, nil)
			_, gp := maria.call("GET", "/api/v1/drafts/"+part, nil)
			if !reflect.DeepEqual(gw["data"], gp["data"]) || !reflect.DeepEqual(gw["prefill"], gp["prefill"]) {
				t.Errorf("stored\nPUT   %v\nPATCH %v", gw["data"], gp["data"])
			}
		})
	}

	// Requests refused before any answer is looked at: the same status and
	// code both ways, and nothing saved.
	id, _ := draft()
	for _, tc := range []struct {
		name       string
		who        *apiClient
		put, patch string // bodies
		headers    map[string]string
		want       int
	}{
		{"not JSON", maria, `{"version":2,"data":`, `{"version":2,"changes":`, nil, 400},
		{"no version", maria, `{"data":{}}`, `{"changes":{}}`, nil, 400},
		{"version 0", maria, `{"version":0,"data":{}}`, `{"version":0,"changes":{}}`, nil, 400},
		{"version not a number", maria, `{"version":"2","data":{}}`, `{"version":"2","changes":{}}`, nil, 400},
		{"no answers", maria, `{"version":2}`, `{"version":2}`, nil, 400},
		{"answers null", maria, `{"version":2,"data":null}`, `{"version":2,"changes":null}`, nil, 400},
		{"answers a list", maria, `{"version":2,"data":[]}`, `{"version":2,"changes":[]}`, nil, 400},
		{"answers a string", maria, `{"version":2,"data":"x"}`, `{"version":2,"changes":"x"}`, nil, 400},
		// The answers' map is made with room before the body is read
		// (NewAnswersFor): only a member named exactly so fills it.
		{"answers under another case", maria, `{"version":2,"Data":{"groupName":"a"}}`, `{"version":2,"Changes":{"groupName":"a"}}`, nil, 400},
		{"answers then null", maria, `{"version":2,"data":{"groupName":"a"},"data":null}`, `{"version":2,"changes":{"groupName":"a"},"changes":null}`, nil, 400},
		{"answers null then answers", maria, `{"version":2,"data":null,"data":{"groupName":"a"}}`, `{"version":2,"changes":null,"changes":{"groupName":"a"}}`, nil, 400},
		{"an id twice", maria, `{"version":2,"data":{"groupName":"a","groupName":"b"}}`, `{"version":2,"changes":{"groupName":"a","groupName":"b"}}`, nil, 400},
		{"invalid UTF-8", maria, "{\"version\":2,\"data\":{\"groupName\":\"\xff\"}}", "{\"version\":2,\"changes\":{\"groupName\":\"\xff\"}}", nil, 400},
		{"a huge body", maria, `{"version":2,"data":{"notes":"` + huge + `"}}`, `{"version":2,"changes":{"notes":"` + huge + `"}}`, nil, 413},
		{"without the CSRF token", maria, `{"version":2,"data":{}}`, `{"version":2,"changes":{}}`, map[string]string{"X-CSRF-Token": ""}, 403},
		{"another person's draft", sven, `{"version":2,"data":{}}`, `{"version":2,"changes":{}}`, nil, 404},
		{"a stale version", maria, `{"version":1,"data":{}}`, `{"version":1,"changes":{}}`, nil, 409},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var codes [2]string
			for i, m := range []string{"PUT", "PATCH"} {
				body := tc.put
				if m == "PATCH" {
					body = tc.patch
				}
				h := map[string]string{"X-CSRF-Token": tc.who.token}
				for k, v := range tc.headers {
					h[k] = v
				}
				r := e.do(req{method: m, path: "/api/v1/drafts/" + id, body: body, ctype: "application/json", cookies: []*http.Cookie{tc.who.cookie}, headers: h})
				var out struct {
					Error struct{ Code string } `json:"error"`
				}
				json.Unmarshal([]byte(r.body), &out)
				codes[i] = out.Error.Code
				if r.StatusCode != tc.want {
					t.Errorf("%s: %d %.200s, want %d", m, r.StatusCode, r.body, tc.want)
				}
			}
			if codes[0] != codes[1] {
				t.Errorf("codes PUT %q, PATCH %q", codes[0], codes[1])
			}
		})
	}
	if _, d := maria.call("GET", "/api/v1/drafts/"+id, nil); d["version"] != 2.0 {
		t.Errorf("a refused request saved: version %v", d["version"])
	}
	// A submitted draft is refused both ways alike.
	sent, _ := draft()
	if r, _ := maria.call("POST", "/api/v1/drafts/"+sent+"/submit", nil); r.StatusCode != 201 {
		t.Fatalf("submit: %d %s", r.StatusCode, r.body)
	}
	rw, _ := maria.call("PUT", "/api/v1/drafts/"+sent, map[string]any{"version": 2, "data": map[string]any{}})
	rp, _ := maria.call("PATCH", "/api/v1/drafts/"+sent, map[string]any{"version": 2, "changes": map[string]any{}})
	if rw.StatusCode != rp.StatusCode || rw.StatusCode < 400 {
		t.Errorf("submitted: PUT %d %s, PATCH %d %s", rw.StatusCode, rw.body, rp.StatusCode, rp.body)
	}
}
