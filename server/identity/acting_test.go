package identity

import (
	"errors"
	"testing"
	"time"
)

// TestSwitchActingFor is the acting-for check both the API and the pages
// use: who may act for whom on which day, the refusals it gives, and the
// rotation that follows an allowed change.
func TestSwitchActingFor(t *testing.T) {
	d := demoDir(t)
	ids := map[string]string{}
	for _, hetu := range []string{"140386-902R", "021184-9139", "210620A925C", "090111A936M", "050840-948K", "300468-951T", "030392-974H"} {
		p := mustPerson(t, d, hetu)
		ids[p.FirstName] = p.ID
	}
	ids["Seura"] = "2345678-0"
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	for _, tc := range []struct {
		name      string
		who       Session
		principal string // a first name (or "Seura"), "" = oneself, else taken as an id
		on        time.Time
		err       error
		as        string
	}{
		{"guardian for a child", Session{UserID: ids["Aino"], Kind: Resident}, "Eetu", day("2026-11-23"), nil, PrincipalGuardian},
		{"the other guardian", Session{UserID: ids["Mikko"], Kind: Resident}, "Ella", day("2026-11-23"), nil, PrincipalGuardian},
		{"chair for the association", Session{UserID: ids["Aino"], Kind: Resident}, "Seura", day("2026-11-23"), nil, PrincipalOrganization},
		{"mandate holder", Session{UserID: ids["Juhani"], Kind: Resident}, "Helmi", day("2026-11-23"), nil, PrincipalMandate},
		{"back to oneself", Session{UserID: ids["Aino"], Kind: Resident, ActingFor: "x", ActingAs: PrincipalGuardian, ActingName: "X"}, "", day("2026-11-23"), nil, ""},
		{"no relation", Session{UserID: ids["Maria"], Kind: Resident}, "Eetu", day("2026-11-23"), ErrNoRelation, ""},
		{"not the other way round", Session{UserID: ids["Eetu"], Kind: Resident}, "Aino", day("2026-11-23"), ErrNoRelation, ""},
		{"child come of age", Session{UserID: ids["Mikko"], Kind: Resident}, "Ella", day("2029-01-09"), ErrNoRelation, ""},
		{"mandate not yet valid", Session{UserID: ids["Juhani"], Kind: Resident}, "Helmi", day("2023-12-31"), ErrNoRelation, ""},
		{"not for oneself by id", Session{UserID: ids["Aino"], Kind: Resident}, "Aino", day("2026-11-23"), ErrNoRelation, ""},
		{"unknown principal", Session{UserID: ids["Aino"], Kind: Resident}, "nobody", day("2026-11-23"), ErrNoRelation, ""},
		{"staff never", Session{UserID: "kaisa", Kind: Staff}, "Eetu", day("2026-11-23"), ErrNotResident, ""},
		{"staff not even for themselves", Session{UserID: "kaisa", Kind: Staff}, "", day("2026-11-23"), ErrNotResident, ""},
		{"person gone from the register", Session{UserID: "gone", Kind: Resident}, "Eetu", day("2026-11-23"), ErrUnknown, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: tc.on}
			m := newSessions(d.Store, clk.Now, time.Minute)
			tok, s, err := m.Create(tc.who)
			if err != nil {
				t.Fatal(err)
			}
			principal := tc.principal
			if id, ok := ids[principal]; ok {
				principal = id
			}
			ntok, next, err := m.SwitchActingFor(d, s, principal)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				var r *Refusal
				if errors.As(tc.err, &r) && !errors.As(err, &r) {
					t.Errorf("refusal %v is not a *Refusal", err)
				}
				if _, err := m.Get(tok); err != nil {
					t.Errorf("a refused switch ended the session: %v", err)
				}
				return
			}
			if next.ActingAs != tc.as || next.ActingFor != principal || (principal != "" && next.ActingName == "") {
				t.Errorf("acting for %q as %q (%q), want %q as %q", next.ActingFor, next.ActingAs, next.ActingName, principal, tc.as)
			}
			if _, err := m.Get(tok); !errors.Is(err, ErrNoSession) {
				t.Errorf("old token after the switch: %v", err)
			}
			if got, err := m.Get(ntok); err != nil || got.ActingFor != principal || got.UserID != tc.who.UserID {
				t.Errorf("new token: %+v %v", got, err)
			}
		})
	}
}

// TestMayActFor is the check alone, for callers that re-check a relation
// (a draft saved or submitted on someone's behalf).
func TestMayActFor(t *testing.T) {
	d := demoDir(t)
	aino := mustPerson(t, d, "140386-902R")
	eetu := mustPerson(t, d, "210620A925C")
	on := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	p, err := d.MayActFor(Session{UserID: aino.ID, Kind: Resident}, eetu.ID, on)
	if err != nil || p.Kind != PrincipalGuardian || p.Name != "Eetu Virtanen" {
		t.Errorf("Aino for Eetu: %+v %v", p, err)
	}
	if _, err := d.MayActFor(Session{UserID: eetu.ID, Kind: Resident}, aino.ID, on); !errors.Is(err, ErrNoRelation) {
		t.Errorf("Eetu for Aino: %v", err)
	}
	if _, err := d.PrincipalsOf(Session{UserID: "kaisa", Kind: Staff}, on); !errors.Is(err, ErrNotResident) {
		t.Errorf("staff principals: %v", err)
	}
}
