package cases_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/identity"
)

func staffRef(user, name string) cases.Ref {
	return cases.Ref{ID: user, Name: name, Kind: identity.Staff}
}

var (
	kaisa  = staffRef("kaisa", "Kaisa Käsittelijä")
	pertti = staffRef("pertti", "Pertti Päällikkö")
	sara   = staffRef("sara", "Sara Sjöberg")
	aaro   = staffRef("aaro", "Aaro Ylläpitäjä")
)

// TestTransitionTable: every pair of statuses, allowed exactly along
// submitted → in-progress → supplement-requested → in-progress → decided
// → closed, and cancelled from the open statuses.
func TestTransitionTable(t *testing.T) {
	allowed := map[[2]string]bool{
		{cases.StatusSubmitted, cases.StatusInProgress}:           true,
		{cases.StatusSubmitted, cases.StatusCancelled}:            true,
		{cases.StatusInProgress, cases.StatusSupplementRequested}: true,
		{cases.StatusInProgress, cases.StatusDecided}:             true,
		{cases.StatusInProgress, cases.StatusCancelled}:           true,
		{cases.StatusSupplementRequested, cases.StatusInProgress}: true,
		{cases.StatusSupplementRequested, cases.StatusCancelled}:  true,
		{cases.StatusDecided, cases.StatusClosed}:                 true,
	}
	all := append([]string{cases.StatusAwaitingSignatures}, cases.InboxStatuses...)
	for _, from := range all {
		for _, to := range all {
			if got := cases.CanTransition(from, to); got != allowed[[2]string{from, to}] {
				t.Errorf("%s → %s: %v", from, to, got)
			}
		}
	}
}

// TestTransitionsOnACase: the table applied through Transition, from
// each status a case can be brought to; illegal ones are refused and
// change nothing.
func TestTransitionsOnACase(t *testing.T) {
	e := newEnv(t)
	// reach brings a fresh case to a status through the actions.
	reach := func(status string) *cases.Case {
		_, c := e.fill("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"), earlyEducationAnswers())
		steps := map[string][]func(c *cases.Case) (*cases.Case, error){
			cases.StatusSubmitted: nil,
			cases.StatusInProgress: {func(c *cases.Case) (*cases.Case, error) {
				return e.svc.Transition(c.ID, kaisa, cases.AnyVersion, cases.StatusInProgress, "")
			}},
		}
		steps[cases.StatusSupplementRequested] = append(steps[cases.StatusInProgress], func(c *cases.Case) (*cases.Case, error) {
			return e.svc.RequestSupplement(c.ID, kaisa, cases.AnyVersion, "Tarkista aloituspäivä.", []string{"startDate"}, e.clk.Now().AddDate(0, 0, 14))
		})
		steps[cases.StatusDecided] = append(steps[cases.StatusInProgress], func(c *cases.Case) (*cases.Case, error) {
			return e.svc.Decide(c.ID, kaisa, cases.AnyVersion, cases.OutcomeApproved, "Paikka myönnetään.", nil)
		})
		steps[cases.StatusClosed] = append(steps[cases.StatusDecided], func(c *cases.Case) (*cases.Case, error) {
			return e.svc.Transition(c.ID, kaisa, cases.AnyVersion, cases.StatusClosed, "")
		})
		steps[cases.StatusCancelled] = []func(c *cases.Case) (*cases.Case, error){func(c *cases.Case) (*cases.Case, error) {
			return e.svc.Transition(c.ID, kaisa, cases.AnyVersion, cases.StatusCancelled, "")
		}}
		for _, f := range steps[status] {
			var err error
			if c, err = f(c); err != nil {
				t.Fatalf("reach %s: %v", status, err)
			}
		}
		return c
	}
	for _, from := range []string{cases.StatusSubmitted, cases.StatusInProgress, cases.StatusSupplementRequested, cases.StatusDecided, cases.StatusClosed, cases.StatusCancelled} {
		for _, to := range []string{cases.StatusInProgress, cases.StatusClosed, cases.StatusCancelled} {
			t.Run(from+"→"+to, func(t *testing.T) {
				c := reach(from)
				got, err := e.svc.Transition(c.ID, kaisa, c.Version, to, "")
				if cases.CanTransition(from, to) {
					if err != nil || got.Status != to || got.Version != c.Version+1 {
						t.Fatalf("allowed: %v %+v", err, got)
					}
					return
				}
				if !errors.Is(err, cases.ErrIllegalTransition) {
					t.Fatalf("illegal: err %v", err)
				}
				cur, _, _, _ := e.svc.HandlerCase(c.ID, kaisa)
				if cur.Status != from || cur.Version != c.Version {
					t.Errorf("a refused transition changed the case: %s v%d", cur.Status, cur.Version)
				}
			})
		}
	}
}

// TestHandlingRefusals: who may act, and what input is refused.
func TestHandlingRefusals(t *testing.T) {
	e := newEnv(t)
	_, c := e.fill("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"), earlyEducationAnswers())
	due := e.clk.Now().AddDate(0, 0, 7)
	for _, tc := range []struct {
		name string
		run  func() error
		want error
	}{
		{"the resident of the case", func() error { _, err := e.svc.Assign(c.ID, e.ref(hetuAino), -1, "kaisa"); return err }, cases.ErrForbidden},
		{"another resident", func() error { _, err := e.svc.Assign(c.ID, e.ref(hetuMaria), -1, "kaisa"); return err }, cases.ErrNotFound},
		{"staff of another service", func() error {
			_, err := e.svc.Transition(c.ID, staffRef("nobody", "X"), -1, cases.StatusInProgress, "")
			return err
		}, cases.ErrNotFound},
		{"an admin does not handle", func() error {
			_, err := e.svc.Transition(c.ID, aaro, -1, cases.StatusInProgress, "")
			return err
		}, cases.ErrForbidden},
		{"assignee without a role", func() error { _, err := e.svc.Assign(c.ID, kaisa, -1, "aaro"); return err }, cases.ErrNotHandler},
		{"transition to decided", func() error {
			_, err := e.svc.Transition(c.ID, kaisa, -1, cases.StatusDecided, "")
			return err
		}, cases.ErrBadInput},
		{"supplement of a submitted case", func() error {
			_, err := e.svc.RequestSupplement(c.ID, kaisa, -1, "x", []string{"startDate"}, due)
			return err
		}, cases.ErrIllegalTransition},
		{"empty note", func() error { _, err := e.svc.AddNote(c.ID, kaisa, "  "); return err }, cases.ErrBadInput},
		{"note by an admin", func() error { _, err := e.svc.AddNote(c.ID, aaro, "x"); return err }, cases.ErrForbidden},
		{"no such case", func() error {
			_, err := e.svc.Assign("06h0fp9100ym94pk0t95p7g0njzrqwwe", kaisa, -1, "kaisa")
			return err
		}, cases.ErrNotFound},
	} {
		if err := tc.run(); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := e.svc.Transition(c.ID, kaisa, -1, cases.StatusInProgress, ""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		fields []string
		due    time.Time
	}{
		{"no fields", nil, due},
		{"unknown field", []string{"nope"}, due},
		{"due in the past", []string{"startDate"}, e.clk.Now().Add(-time.Hour)},
	} {
		if _, err := e.svc.RequestSupplement(c.ID, kaisa, -1, "x", tc.fields, tc.due); !errors.Is(err, cases.ErrBadInput) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := e.svc.Decide(c.ID, kaisa, -1, "maybe", "x", nil); !errors.Is(err, cases.ErrBadInput) {
		t.Errorf("unknown outcome: %v", err)
	}
}

// TestTwoHandlersAtOnce: two handlers act on the same version at once:
// exactly one wins, the other gets a conflict with the current case, and
// nothing is lost (one event per success).
func TestTwoHandlersAtOnce(t *testing.T) {
	e := newEnv(t)
	_, c := e.fill("early-education", e.ref(hetuAino), e.principal(hetuEetu, "guardian"), earlyEducationAnswers())
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, who := range []cases.Ref{kaisa, pertti} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.Assign(c.ID, who, c.Version, who.ID)
		}()
	}
	wg.Wait()
	var ce *cases.CaseConflictError
	wins, conflicts := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.As(err, &ce):
			conflicts++
			if ce.Current.Handler == nil || ce.Current.Version != c.Version+1 {
				t.Errorf("conflict's current case: %+v", ce.Current)
			}
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if wins != 1 || conflicts != 1 {
		t.Fatalf("wins %d, conflicts %d", wins, conflicts)
	}
	_, evs, _, _ := e.svc.HandlerCase(c.ID, kaisa)
	n := 0
	for _, ev := range evs {
		if ev.Type == "assigned" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d assigned events, want 1", n)
	}
}

// TestInbox: filters, counts, paging and customer search over the index.
func TestInbox(t *testing.T) {
	e := newEnv(t)
	// Four early-education cases (Aino for Eetu, Mikko for Ella), one
	// sports-shift (Maria), one home-help (Juhani for Helmi).
	var ee []*cases.Case
	for i := 0; i < 4; i++ {
		e.clk.Add(time.Hour)
		parent, child := hetuAino, hetuEetu // (Ella is past early-education age)
		if i%2 == 1 {
			parent = hetuMikko
		}
		_, c := e.fill("early-education", e.ref(parent), e.principal(child, "guardian"), earlyEducationAnswers())
		ee = append(ee, c)
	}
	e.fill("sports-shift", e.ref(hetuMaria), nil, merge(sportsShiftAnswers(), map[string]any{"contactPhone": "040 123 4567"}))
	e.fill("home-help", e.ref(hetuJuhani), e.principal(hetuHelmi, "mandate"), homeHelpAnswers())
	if _, err := e.svc.Assign(ee[1].ID, kaisa, -1, "kaisa"); err != nil {
		t.Fatal(err)
	}
	ids := func(p *cases.InboxPage) string {
		s := ""
		for _, r := range p.Rows {
			for i, c := range ee {
				if c.ID == r.ID {
					s += fmt.Sprint(i)
				}
			}
			if r.Service != "early-education" {
				s += "-" + r.Service
			}
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		who   cases.Ref
		f     cases.InboxFilter
		want  string
		total int
	}{
		{"kaisa: her services, by due date", kaisa, cases.InboxFilter{}, "-home-help0123", 5},
		{"sara: early education and sports", sara, cases.InboxFilter{}, "-sports-shift0123", 5},
		{"one service", kaisa, cases.InboxFilter{Service: "home-help"}, "-home-help", 1},
		{"a service kaisa has no role in", kaisa, cases.InboxFilter{Service: "sports-shift"}, "", 0},
		{"mine", kaisa, cases.InboxFilter{Handler: cases.HandlerMine}, "1", 1},
		{"unassigned", kaisa, cases.InboxFilter{Handler: cases.HandlerUnassigned}, "-home-help023", 4},
		{"another's", sara, cases.InboxFilter{Handler: "kaisa"}, "1", 1},
		{"status", kaisa, cases.InboxFilter{Status: cases.StatusInProgress}, "1", 1},
		{"latest due first", kaisa, cases.InboxFilter{Service: "early-education", Desc: true}, "3210", 4},
		{"paged", kaisa, cases.InboxFilter{Service: "early-education", PerPage: 3, Page: 2}, "3", 4},
		{"customer by name", sara, cases.InboxFilter{Customer: "mari"}, "-sports-shift", 1},
		{"customer by two names", kaisa, cases.InboxFilter{Customer: "Virt Eet"}, "0123", 4},
		{"no match of the second name", kaisa, cases.InboxFilter{Customer: "Virt Ell"}, "", 0},
		{"customer by hetu", kaisa, cases.InboxFilter{Customer: hetuEetu}, "0123", 4},
		{"a customer of a service without a role", kaisa, cases.InboxFilter{Customer: hetuMaria}, "", 0},
		{"no partial hetu", kaisa, cases.InboxFilter{Customer: "210620"}, "", 0},
		{"no near-miss hetu", kaisa, cases.InboxFilter{Customer: "210620A925D"}, "", 0},
		{"overdue", kaisa, cases.InboxFilter{Overdue: true}, "", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := e.svc.Inbox(tc.who, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p); got != tc.want || p.Total != tc.total {
				t.Errorf("%q total %d, want %q total %d", got, p.Total, tc.want, tc.total)
			}
		})
	}
	p, _ := e.svc.Inbox(kaisa, cases.InboxFilter{})
	if c := p.Counts; c.Mine != 1 || c.Unassigned != 4 || c.ByStatus[cases.StatusSubmitted] != 4 || c.ByStatus[cases.StatusInProgress] != 1 || c.Overdue != 0 {
		t.Errorf("counts: %+v", c)
	}
	// Past the processing time of home-help (30 days) but not early
	// education's (120): one overdue.
	e.clk.Add(40 * 24 * time.Hour)
	p, _ = e.svc.Inbox(kaisa, cases.InboxFilter{Overdue: true})
	if ids(p) != "-home-help" || p.Counts.Overdue != 1 {
		t.Errorf("overdue: %q %+v", ids(p), p.Counts)
	}
	// The counts at the boundaries of the home-help case's due time.
	hh, _ := e.svc.Inbox(kaisa, cases.InboxFilter{Service: "home-help", Status: "all"})
	due := hh.Rows[0].DueAt
	for _, tc := range []struct {
		name          string
		at            time.Time
		overdue, soon int
	}{
		{"a second before due", due.Add(-time.Second), 0, 1},
		{"at the due time", due, 0, 1},
		{"a second after", due.Add(time.Second), 1, 0},
		{"a week and a day before", due.AddDate(0, 0, -8), 0, 0},
		{"just inside the week", due.AddDate(0, 0, -7).Add(time.Second), 0, 1},
	} {
		e.clk.Set(tc.at)
		p, _ := e.svc.Inbox(kaisa, cases.InboxFilter{Service: "home-help"})
		if p.Counts.Overdue != tc.overdue || p.Counts.DueSoon != tc.soon {
			t.Errorf("%s: overdue %d, soon %d; want %d, %d", tc.name, p.Counts.Overdue, p.Counts.DueSoon, tc.overdue, tc.soon)
		}
	}
	if _, err := e.svc.Inbox(e.ref(hetuAino), cases.InboxFilter{}); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("a resident's inbox: %v", err)
	}
}
