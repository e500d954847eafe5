package cases_test

import (
	"errors"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/identity"
)

// TestSharedCaseRefusals: SharedCase goes through the one access decision
// (SharedRead): only the invitee of an active share of that very case
// reads it; a revoked or expired share, another person, another of the
// sharer's applications, a guessed id or a staff member get ErrNotFound.
func TestSharedCaseRefusals(t *testing.T) {
	e := newEnv(t)
	helmi, juhani := e.ref(hetuHelmi), e.ref(hetuJuhani)
	_, c := e.fill("home-help", helmi, nil, homeHelpAnswers())
	_, other := e.fill("home-help", helmi, nil, homeHelpAnswers()) // not shared
	share := func() *cases.Share {
		t.Helper()
		sh, err := e.svc.ShareCase(c.ID, helmi, juhani.Name, hetuJuhani)
		if err != nil {
			t.Fatal(err)
		}
		return sh
	}
	sh := share()
	if got, err := e.svc.SharedCase(c.ID, juhani); err != nil || got.ID != c.ID {
		t.Fatalf("the invitee: %v %v", got, err)
	}
	staff := cases.Ref{ID: "kaisa", Name: "Kaisa", Kind: identity.Staff}
	for _, tc := range []struct {
		name   string
		caseID string
		who    cases.Ref
	}{
		{"another person", c.ID, e.ref(hetuMaria)},
		{"the sharer's other application", other.ID, juhani},
		{"a guessed id", "06hq0nj900pk3b1c1cxwxr69nwreqthn", juhani},
		{"a bad id", "../x", juhani},
		{"staff with the same id", c.ID, cases.Ref{ID: juhani.ID, Name: juhani.Name, Kind: identity.Staff}},
		{"staff", c.ID, staff},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.svc.SharedCase(tc.caseID, tc.who); !errors.Is(err, cases.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	}
	t.Run("revoked", func(t *testing.T) {
		if err := e.svc.RevokeShare(c.ID, sh.ID, helmi); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SharedCase(c.ID, juhani); !errors.Is(err, cases.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		share()
		if _, err := e.svc.SharedCase(c.ID, juhani); err != nil {
			t.Fatalf("shared again: %v", err)
		}
		e.clk.Add((cases.ShareDays*24 + 1) * time.Hour)
		if _, err := e.svc.SharedCase(c.ID, juhani); !errors.Is(err, cases.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
	// The share gives nothing beyond the shared view.
	if _, _, err := e.svc.Case(c.ID, juhani.ID); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("Case for the invitee: %v", err)
	}
}
