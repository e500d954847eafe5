package cases_test

import (
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/notify"
)

// TestDueAfter: deadlines are the end of a Helsinki day, across the
// daylight-saving changes and, for working days, over weekends.
func TestDueAfter(t *testing.T) {
	hel := datefmt.Helsinki()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, hel)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name    string
		from    string
		days    int
		working bool
		want    string // Helsinki day of the deadline
	}{
		{"plain", "2027-02-01 10:00", 14, false, "2027-02-15"},
		{"late evening is still that day", "2027-02-01 23:30", 1, false, "2027-02-02"},
		{"across the spring change", "2027-03-27 12:00", 1, false, "2027-03-28"},
		{"from the spring-change day", "2027-03-28 03:30", 1, false, "2027-03-29"},
		{"across the autumn change", "2026-10-24 23:59", 2, false, "2026-10-26"},
		{"from just after local midnight (UTC still the day before)", "2026-11-02 00:30", 1, false, "2026-11-03"},
		{"working days from a Friday", "2026-11-27 10:00", 1, true, "2026-11-30"},
		{"working days over a weekend", "2026-11-26 10:00", 5, true, "2026-12-03"},
		{"working days from a Saturday", "2026-11-28 10:00", 1, true, "2026-11-30"},
		{"zero days", "2026-11-28 10:00", 0, true, "2026-11-28"},
	} {
		got := cases.DueAfter(at(tc.from), tc.days, tc.working).In(hel)
		if got.Format("2006-01-02 15:04:05") != tc.want+" 23:59:59" {
			t.Errorf("%s: %s, want %s 23:59:59", tc.name, got.Format("2006-01-02 15:04:05 MST"), tc.want)
		}
	}
}

// TestDeadlineJobs: the supplement reminder goes once, when the due date
// is within two days; the digest goes once a Helsinki day from 07:00, one
// message per handler or manager with something overdue or due soon.
func TestDeadlineJobs(t *testing.T) {
	e := newEnv(t)
	_, c := e.fill("home-help", e.ref(hetuJuhani), e.principal(hetuHelmi, "mandate"), homeHelpAnswers())
	if _, err := e.svc.Assign(c.ID, kaisa, -1, "kaisa"); err != nil {
		t.Fatal(err)
	}
	due := e.clk.Now().AddDate(0, 0, 10)
	if _, err := e.svc.RequestSupplement(c.ID, kaisa, -1, "Liitä lääkärinlausunto.", []string{"situation"}, due); err != nil {
		t.Fatal(err)
	}
	count := func(user, kind string) int {
		list, err := (&notify.Inbox{Store: e.st}).List(user, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range list {
			if x.Kind == kind {
				n++
			}
		}
		return n
	}
	juhani, helmi := e.person(hetuJuhani).ID, e.person(hetuHelmi).ID
	for _, tc := range []struct {
		name    string
		at      time.Time
		reminds int
	}{
		{"a second before the window", due.AddDate(0, 0, -2), 0},
		{"in the window", due.AddDate(0, 0, -2).Add(time.Second), 1},
		{"not twice", due.AddDate(0, 0, -1), 1},
	} {
		e.clk.Set(tc.at)
		if _, _, err := e.svc.Deadlines(); err != nil {
			t.Fatal(err)
		}
		if got := count(juhani, notify.KindSupplementDue); got != tc.reminds || count(helmi, notify.KindSupplementDue) != tc.reminds {
			t.Errorf("%s: %d reminders to Juhani, want %d (Helmi too)", tc.name, got, tc.reminds)
		}
	}

	// The case is due in 30 days: past that, it is overdue for its
	// handler (kaisa) and manager (pertti); sara handles no home help.
	hel := datefmt.Helsinki()
	overdue := c.DueAt.AddDate(0, 0, 3).In(hel)
	day := time.Date(overdue.Year(), overdue.Month(), overdue.Day(), 0, 0, 0, 0, hel)
	for _, tc := range []struct {
		name   string
		at     time.Time
		digest int
	}{
		{"before 07:00 Helsinki", day.Add(7*time.Hour - time.Second), 0},
		{"at 07:00", day.Add(7 * time.Hour), 1},
		{"later the same day", day.Add(20 * time.Hour), 1},
		{"the next day", day.AddDate(0, 0, 1).Add(8 * time.Hour), 2},
	} {
		e.clk.Set(tc.at)
		if _, _, err := e.svc.Deadlines(); err != nil {
			t.Fatal(err)
		}
		for _, user := range []string{"kaisa", "pertti"} {
			if got := count(user, notify.KindDigest); got != tc.digest {
				t.Errorf("%s: %s has %d digests, want %d", tc.name, user, got, tc.digest)
			}
		}
		if count("sara", notify.KindDigest) != 0 {
			t.Errorf("%s: sara got a digest", tc.name)
		}
	}
}
