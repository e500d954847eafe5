package cases_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"asiointi/server/cases"
	"asiointi/server/forms"
	"asiointi/server/forms/definitions"
	"asiointi/server/store"
)

// definitionJSON is a shipped definition as a generic map, to edit.
func definitionJSON(t *testing.T, service string) map[string]any {
	t.Helper()
	raw, err := fs.ReadFile(definitions.FS, service+".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encode(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// field0 is the first field of the first step of a definition map.
func field0(m map[string]any) map[string]any {
	return m["steps"].([]any)[0].(map[string]any)["fields"].([]any)[0].(map[string]any)
}

// TestImportRefuses: bad definitions with the parser's message, unknown
// services, versions that are not newer. Nothing is stored.
func TestImportRefuses(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(m map[string]any)
		raw     []byte // instead of edit
		wantMsg func(raw []byte) string
		is      error
	}{
		{
			name: "missing purpose and legal basis",
			edit: func(m map[string]any) {
				m["version"] = 2.0
				delete(field0(m), "purpose")
				delete(field0(m), "legalBasis")
			},
			wantMsg: parserMessage,
		},
		{
			name:    "unknown key",
			edit:    func(m map[string]any) { m["version"] = 2.0; field0(m)["colour"] = "red" },
			wantMsg: parserMessage,
		},
		{
			name:    "not JSON",
			raw:     []byte(`{"service": "sports-shift", "version": 2, "steps": [`),
			wantMsg: parserMessage,
		},
		{
			name: "trailing data",
			raw:  nil, // built below from a valid v2 plus junk
			wantMsg: func(raw []byte) string {
				return parserMessage(raw)
			},
		},
		{
			name:    "unknown service",
			edit:    func(m map[string]any) { m["service"] = "dog-licence"; m["version"] = 1.0 },
			wantMsg: func([]byte) string { return `unknown service "dog-licence"` },
		},
		{
			name:    "same version",
			edit:    func(m map[string]any) {},
			wantMsg: func([]byte) string { return "sports-shift version 1: " + cases.ErrOldVersion.Error() + " (1)" },
			is:      cases.ErrOldVersion,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			raw := tc.raw
			if tc.edit != nil {
				m := definitionJSON(t, "sports-shift")
				tc.edit(m)
				raw = encode(t, m)
			}
			if raw == nil { // trailing data
				m := definitionJSON(t, "sports-shift")
				m["version"] = 2.0
				raw = append(encode(t, m), []byte(` {"service": "x"}`)...)
			}
			d, err := cases.Import(e.st, e.cat, e.svc.Forms, raw)
			if err == nil {
				t.Fatalf("imported %+v", d)
			}
			if want := tc.wantMsg(raw); err.Error() != want {
				t.Errorf("message %q, want %q", err, want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err %v is not %v", err, tc.is)
			}
			if n := countPrefix(t, e.st, store.Forms, ""); n != 0 {
				t.Errorf("%d forms stored", n)
			}
			if got, _ := e.svc.Forms.Latest("sports-shift"); got.Version != 1 {
				t.Errorf("latest is v%d", got.Version)
			}
		})
	}
}

// parserMessage is what forms.Parse says of raw; Import must pass it on.
func parserMessage(raw []byte) string {
	_, err := forms.Parse(raw)
	if err == nil {
		return "<parser accepted it>"
	}
	return err.Error()
}

// TestImportNewVersion: version+1 is accepted, becomes Latest for new
// drafts, old drafts keep theirs, a lower version is then refused, and a
// restart sees the imported version.
func TestImportNewVersion(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	old := e.create("sports-shift", aino, nil)

	m := definitionJSON(t, "sports-shift")
	m["version"] = 2.0
	// v2 asks for an extra note on the slot step.
	slot := m["steps"].([]any)[2].(map[string]any)
	extra := map[string]any{
		"id": "accessibility", "type": "textarea", "required": false, "maxLength": 500.0,
		"label":      map[string]any{"fi": "Esteettömyystarpeet", "sv": "Tillgänglighetsbehov", "en": "Accessibility needs"},
		"concept":    "booking.accessibility",
		"purpose":    map[string]any{"fi": "Varaamme sopivan tilan.", "sv": "Vi bokar en lämplig lokal.", "en": "We book a suitable space."},
		"legalBasis": "EU 2016/679 6(1)(e)", "retention": "P2Y",
	}
	slot["fields"] = append(slot["fields"].([]any), extra)
	raw := encode(t, m)

	d, err := cases.Import(e.st, e.cat, e.svc.Forms, raw)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 2 || d.Service != "sports-shift" {
		t.Errorf("imported %s v%d", d.Service, d.Version)
	}
	check := func(stage string) {
		t.Helper()
		latest, ok := e.svc.Forms.Latest("sports-shift")
		if !ok || latest.Version != 2 {
			t.Fatalf("%s: latest %+v", stage, latest)
		}
		if _, _, ok := latest.Lookup("accessibility"); !ok {
			t.Errorf("%s: v2 lacks its new field", stage)
		}
		if v1, ok := e.svc.Forms.Version("sports-shift", 1); !ok || v1.Version != 1 {
			t.Errorf("%s: v1 gone", stage)
		}
		if got := e.svc.Forms.Versions("sports-shift"); !reflect.DeepEqual(got, []int{1, 2}) {
			t.Errorf("%s: versions %v", stage, got)
		}
		if got := e.svc.Forms.Versions("early-education"); !reflect.DeepEqual(got, []int{1}) {
			t.Errorf("%s: early-education versions %v", stage, got)
		}
	}
	check("after import")

	// New drafts use v2; the old draft keeps v1 and can still be saved and submitted.
	nd := e.create("sports-shift", aino, nil)
	if nd.FormVersion != 2 {
		t.Errorf("new draft on v%d", nd.FormVersion)
	}
	nd = e.save(nd, merge(sportsShiftAnswers(), map[string]any{"accessibility": "Pyörätuoliluiska"}))
	if nd.Data["accessibility"] != "Pyörätuoliluiska" {
		t.Errorf("v2 field not saved")
	}
	old = e.save(old, merge(sportsShiftAnswers(), map[string]any{"accessibility": "ei v1:ssä"}))
	if _, ok := old.Data["accessibility"]; ok {
		t.Errorf("v1 draft kept a v2-only field")
	}
	if c := e.submit(old); c.FormVersion != 1 {
		t.Errorf("old draft's case on v%d", c.FormVersion)
	}

	// Not newer any more: v2 again, or v1.
	for _, v := range []float64{2, 1} {
		m["version"] = v
		if _, err := cases.Import(e.st, e.cat, e.svc.Forms, encode(t, m)); !errors.Is(err, cases.ErrOldVersion) {
			t.Errorf("re-import v%v: err = %v", v, err)
		} else if !strings.Contains(err.Error(), "(2)") {
			t.Errorf("message %q does not name the current version", err)
		}
	}

	// A restart loads it from the store.
	e.reopen()
	check("after restart")
	if d, err := e.svc.Draft(nd.ID, aino.ID); err != nil || d.FormVersion != 2 {
		t.Fatalf("v2 draft after restart: %v", err)
	}
	if c := e.submit(nd); c.FormVersion != 2 || c.Answers["accessibility"] != "Pyörätuoliluiska" {
		t.Errorf("v2 case: v%d %v", c.FormVersion, c.Answers["accessibility"])
	}
}
