package cases_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/reports"
	"asiointi/server/store"
)

// maintained and rebuilt are the report aggregates as the writes left
// them, and as RebuildAggregates recomputes them from the events.
func (e *env) maintainedAndRebuilt() (map[string]string, map[string]string) {
	e.t.Helper()
	var before, after map[string]string
	if err := e.st.View(func(tx *store.Tx) (err error) { before, err = cases.Aggregates(tx); return }); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Update(func(tx *store.Tx) error { return e.svc.RebuildAggregates(tx) }); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.View(func(tx *store.Tx) (err error) { after, err = cases.Aggregates(tx); return }); err != nil {
		e.t.Fatal(err)
	}
	return before, after
}

// TestAggregatesEqualRebuild: on a random store (cases submitted,
// taken, passed on, decided, closed, cancelled and withdrawn at random
// times over weeks), the aggregates the writes maintained equal a full
// recomputation from the events.
func TestAggregatesEqualRebuild(t *testing.T) {
	e := newEnvAt(t, t0, store.Options{NoSync: true})
	rng := rand.New(rand.NewPCG(14, uint64(time.Now().UnixNano())))
	aino := e.ref(hetuAino)
	var open []*cases.Case
	for i := 0; i < 60; i++ {
		e.clk.Add(time.Duration(rng.IntN(60)) * time.Hour)
		if len(open) == 0 || rng.IntN(3) == 0 {
			var c *cases.Case
			if rng.IntN(2) == 0 {
				_, c = e.fill("sports-shift", aino, nil, sportsShiftAnswers())
			} else {
				_, c = e.fill("early-education", aino, e.principal(hetuEetu, "guardian"), earlyEducationAnswers())
			}
			open = append(open, c)
			continue
		}
		c := open[rng.IntN(len(open))]
		handler := []cases.Ref{pertti, sara}[rng.IntN(2)]
		switch rng.IntN(6) {
		case 0:
			e.svc.Assign(c.ID, handler, cases.AnyVersion, handler.ID)
		case 1:
			e.svc.Transition(c.ID, handler, cases.AnyVersion, cases.StatusInProgress, "")
		case 2:
			e.svc.Decide(c.ID, handler, cases.AnyVersion, cases.OutcomeApproved, "Myönnetty.", nil)
		case 3:
			e.svc.Transition(c.ID, handler, cases.AnyVersion, cases.StatusClosed, "")
		case 4:
			e.svc.Transition(c.ID, handler, cases.AnyVersion, cases.StatusCancelled, "")
		case 5:
			e.svc.Withdraw(c.ID, aino, "")
		}
	}
	maintained, rebuilt := e.maintainedAndRebuilt()
	if len(maintained) == 0 {
		t.Fatal("no aggregates maintained")
	}
	if !reflect.DeepEqual(maintained, rebuilt) {
		for k, v := range maintained {
			if rebuilt[k] != v {
				t.Errorf("%s: maintained %q, rebuilt %q", k, v, rebuilt[k])
			}
		}
		for k, v := range rebuilt {
			if _, ok := maintained[k]; !ok {
				t.Errorf("%s: not maintained, rebuilt %q", k, v)
			}
		}
	}
}

// TestReportFigures checks each figure of the situation, trends and
// answers reports against a hand-computed fixture.
//
// Early education (due in 120 days), t0 = Mon 2027-02-01 12:00 Helsinki:
// c1 Mon 1.2., c2 Tue 2.2., c3 Wed 3.2.; Kaisa takes c1 on 3.2. and
// decides it on Sat 6.2. (5 days); Sara takes c2 and decides it on Fri
// 12.2. (10 days); c4 and c5 come on Sat 13.2. (today), c5 asking part
// days. Open: c3 submitted, c4, c5 submitted → 3; oldest open c3.
// Processing 1.2.–14.2.: {5, 10} → median 7.5, p90 5 + 0.9·5 = 9.5, both
// on time. Inflow: week of 1.2. 3, week of 8.2. 2.
func TestReportFigures(t *testing.T) {
	e := newEnvAt(t, t0, store.Options{NoSync: true})
	aino, eetu := e.ref(hetuAino), e.principal(hetuEetu, "guardian")
	submit := func(answers map[string]any) *cases.Case {
		_, c := e.fill("early-education", aino, eetu, answers)
		return c
	}
	c1 := submit(earlyEducationAnswers())
	e.clk.Add(24 * time.Hour)
	c2 := submit(earlyEducationAnswers())
	e.clk.Add(24 * time.Hour)
	c3 := submit(earlyEducationAnswers())
	must := func(_ *cases.Case, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.svc.Assign(c1.ID, kaisa, cases.AnyVersion, "kaisa"))
	must(e.svc.Assign(c2.ID, sara, cases.AnyVersion, "sara"))
	e.clk.Set(t0.AddDate(0, 0, 5))
	must(e.svc.Decide(c1.ID, kaisa, cases.AnyVersion, cases.OutcomeApproved, "Paikka myönnetty.", nil))
	e.clk.Set(t0.AddDate(0, 0, 11))
	must(e.svc.Decide(c2.ID, sara, cases.AnyVersion, cases.OutcomeApproved, "Paikka myönnetty.", nil))
	e.clk.Set(t0.AddDate(0, 0, 12))
	submit(earlyEducationAnswers())

	// Four persons: the answers would point at someone.
	if _, err := e.svc.Answers(pertti, cases.ReportFilter{Service: "early-education"}); !errors.Is(err, cases.ErrSinglesOut) {
		t.Fatalf("answers of 4 persons: %v, want ErrSinglesOut", err)
	}
	submit(merge(earlyEducationAnswers(), map[string]any{"careNeed": "partDay"}))

	sit, err := e.svc.Situation(pertti, cases.ReportFilter{Service: "early-education"})
	if err != nil {
		t.Fatal(err)
	}
	got := sit.Total
	if got.Open != 3 || got.ByStatus[cases.StatusSubmitted] != 3 || got.Today != 2 || got.Week != 2 || got.Overdue != 0 ||
		got.Awaiting != 0 || got.Oldest == nil || got.Oldest.ID != c3.ID {
		t.Errorf("situation: %+v", got)
	}

	tr, err := e.svc.Trends(pertti, cases.ReportFilter{Service: "early-education",
		From: time.Date(2027, 2, 1, 0, 0, 0, 0, hel()), To: time.Date(2027, 2, 14, 0, 0, 0, 0, hel())})
	if err != nil {
		t.Fatal(err)
	}
	p := tr.ByService[0].Now
	if p.Decided != 2 || p.Median != 7.5 || math.Abs(float64(p.P90)-9.5) > 1e-9 || p.OnTime != 2 || p.Share != 1 {
		t.Errorf("processing: %+v", p)
	}
	if b := tr.ByService[0].Before; b.Decided != 0 || !math.IsNaN(float64(b.Median)) {
		t.Errorf("the period before: %+v", b)
	}
	if len(tr.ByHandler) != 2 || tr.ByHandler[0].Now.Key != "kaisa" || tr.ByHandler[0].Now.Median != 5 || tr.ByHandler[1].Now.Median != 10 {
		t.Errorf("by handler: %+v", tr.ByHandler)
	}
	w := tr.Weekly
	if w[10].Total != 3 || w[11].Total != 2 || !w[11].Start.Equal(time.Date(2027, 2, 8, 0, 0, 0, 0, hel())) {
		t.Errorf("weekly: %+v %+v", w[10], w[11])
	}
	if m := tr.Monthly[11]; m.Total != 5 || m.Start.Month() != time.February {
		t.Errorf("monthly: %+v", m)
	}
	if tr.Inflow != (cases.InflowComparison{Now: 5}) {
		t.Errorf("inflow compared: %+v", tr.Inflow)
	}

	ans, err := e.svc.Answers(pertti, cases.ReportFilter{Service: "early-education"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Persons != 5 {
		t.Errorf("persons %d, want 5", ans.Persons)
	}
	want := map[string][]cases.AnswerCount{
		"ecec.careNeed":       {{Value: "fullDay", Count: reports.Cell{N: 0, Suppressed: true}}, {Value: "partDay", Count: reports.Cell{Suppressed: true}}},
		"ecec.urgent":         {{Value: "no", Count: reports.Cell{N: 5}}},
		"ecec.preferredUnits": {{Value: "satakieli", Count: reports.Cell{N: 5}}, {Value: "metsatahti", Count: reports.Cell{N: 5}}},
		"ecec.startDate":      {{Value: "2027-08", Count: reports.Cell{N: 5}}},
		"child.hetu":          {{Value: "6-12", Count: reports.Cell{N: 5}}},
	}
	for _, r := range ans.Reports {
		if w, ok := want[r.Concept]; ok && !reflect.DeepEqual(r.Values, w) {
			t.Errorf("%s: %+v, want %+v", r.Concept, r.Values, w)
		}
		delete(want, r.Concept)
	}
	if len(want) > 0 {
		t.Errorf("concepts missing: %v", want)
	}

	// Crossed with another concept (both orders of the two concepts'
	// counters) or with the service; every cell under 5 shows as "< 5".
	five, under5 := reports.Cell{N: 5}, reports.Cell{Suppressed: true}
	for _, tc := range []struct {
		concept, by string
		byValues    []string
		cross       []cases.CrossCount
	}{
		{"ecec.urgent", "ecec.preferredUnits", []string{"satakieli", "metsatahti"},
			[]cases.CrossCount{{Value: "no", By: "satakieli", Count: five}, {Value: "no", By: "metsatahti", Count: five}}},
		{"ecec.preferredUnits", "ecec.urgent", []string{"no"},
			[]cases.CrossCount{{Value: "satakieli", By: "no", Count: five}, {Value: "metsatahti", By: "no", Count: five}}},
		{"ecec.careNeed", "ecec.urgent", []string{"no"},
			[]cases.CrossCount{{Value: "fullDay", By: "no", Count: under5}, {Value: "partDay", By: "no", Count: under5}}},
		{"ecec.careNeed", cases.ByService, []string{"early-education"},
			[]cases.CrossCount{{Value: "fullDay", By: "early-education", Count: under5}, {Value: "partDay", By: "early-education", Count: under5}}},
	} {
		ans, err := e.svc.Answers(pertti, cases.ReportFilter{Concept: tc.concept, By: tc.by})
		if err != nil {
			t.Fatalf("%s by %s: %v", tc.concept, tc.by, err)
		}
		if r := ans.Reports[0]; len(ans.Reports) != 1 || r.By != tc.by || !reflect.DeepEqual(r.ByValues, tc.byValues) || !reflect.DeepEqual(r.Cross, tc.cross) {
			t.Errorf("%s by %s: %+v", tc.concept, tc.by, ans.Reports)
		}
	}
	for _, f := range []cases.ReportFilter{
		{By: "ecec.urgent"},                         // nothing to cross
		{Concept: "ecec.urgent", By: "ecec.urgent"}, // with itself
		{Concept: "ecec.urgent", By: "no.such"},     // no such concept
		{Concept: "ecec.urgent", By: "group.type"},  // asked by no service that asks the other
	} {
		if _, err := e.svc.Answers(pertti, f); !errors.Is(err, cases.ErrNotFound) {
			t.Errorf("%+v: %v, want ErrNotFound", f, err)
		}
	}
}

func hel() *time.Location {
	l, _ := time.LoadLocation("Europe/Helsinki")
	return l
}

// TestReportAccess: a manager sees the services they manage, a handler
// their own; another service's report, a resident and an administrator
// are refused.
func TestReportAccess(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name    string
		who     cases.Ref
		service string
		want    error
	}{
		{"manager, a managed service", pertti, "sports-shift", nil},
		{"handler, own service", kaisa, "early-education", nil},
		{"handler, all own services", kaisa, "", nil},
		{"handler, another service", kaisa, "sports-shift", cases.ErrForbidden},
		{"administrator", aaro, "", cases.ErrForbidden},
		{"resident", e.ref(hetuAino), "", cases.ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := cases.ReportFilter{Service: tc.service}
			_, err1 := e.svc.Situation(tc.who, f)
			_, err2 := e.svc.Trends(tc.who, f)
			_, err3 := e.svc.Deviations(tc.who, f)
			for _, err := range []error{err1, err2, err3} {
				if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
					t.Errorf("%v, want %v", err, tc.want)
				}
			}
		})
	}
	sit, err := e.svc.Situation(kaisa, cases.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sit.Services {
		got = append(got, s.Service)
	}
	if want := []string{"early-education", "home-help", "building-notification"}; !reflect.DeepEqual(got, want) {
		t.Errorf("kaisa's services %v, want %v", got, want)
	}
}

// TestDeviations: sports shifts, now Mon 2027-05-03 12:00. Weeks
// 1.2.–19.4. (12 weeks) have 3 applications each, cancelled at once
// except those of the week of 5.4., which are due 26.–28.4. and still
// open: overdue now 3, a week ago 0 → overdue growth. The week of 26.4.
// has 10: the usual range is 3 ± max(3·1.4826·0, 3) = [0, 6] → a spike.
// Early education: Kaisa has 6 open cases, Sara and Pertti none: median
// 0, MAD 0, 6 > 5 → Kaisa's queue is far above the others.
func TestDeviations(t *testing.T) {
	e := newEnvAt(t, t0, store.Options{NoSync: true})
	aino := e.ref(hetuAino)
	monday := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	behind := map[string][]string{} // the cases behind each flag
	for w := 0; w < 13; w++ {
		n := 3
		if w == 12 {
			n = 10
		}
		for i := 0; i < n; i++ {
			e.clk.Set(monday.AddDate(0, 0, 7*w+i%5))
			_, c := e.fill("sports-shift", aino, nil, sportsShiftAnswers())
			switch w {
			case 9:
				behind[cases.DeviationOverdue] = append(behind[cases.DeviationOverdue], c.ID)
			case 12:
				behind[cases.DeviationSpike] = append(behind[cases.DeviationSpike], c.ID)
			}
			if w != 9 && w != 12 {
				if _, err := e.svc.Transition(c.ID, pertti, cases.AnyVersion, cases.StatusCancelled, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	e.clk.Set(time.Date(2027, 5, 3, 8, 0, 0, 0, time.UTC))
	for i := 0; i < 6; i++ {
		_, c := e.fill("early-education", aino, e.principal(hetuEetu, "guardian"), earlyEducationAnswers())
		if _, err := e.svc.Assign(c.ID, kaisa, cases.AnyVersion, "kaisa"); err != nil {
			t.Fatal(err)
		}
		behind[cases.DeviationQueue] = append(behind[cases.DeviationQueue], c.ID)
	}
	// Not behind any flag: a case of the spike's week of another
	// service, and one of the next week (this week).
	e.clk.Set(time.Date(2027, 4, 28, 10, 0, 0, 0, time.UTC))
	e.fill("early-education", aino, e.principal(hetuEetu, "guardian"), earlyEducationAnswers())
	e.clk.Set(time.Date(2027, 5, 2, 21, 0, 0, 0, time.UTC)) // Monday 3.5. 00.00 in Helsinki
	e.fill("sports-shift", aino, nil, sportsShiftAnswers())
	e.clk.Set(time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC))
	got, err := e.svc.Deviations(pertti, cases.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []cases.Deviation{
		{Kind: cases.DeviationSpike, Service: "sports-shift", Week: "2027-04-26", Value: 10, Low: 0, High: 6, Median: 3},
		{Kind: cases.DeviationOverdue, Service: "sports-shift", Value: 3, Before: 0},
		{Kind: cases.DeviationQueue, Service: "early-education", Handler: "kaisa", Value: 6, Median: 0},
	}
	// Each flag's inbox view lists exactly the cases behind it.
	for i := range got {
		f := got[i].Behind
		got[i].Behind = cases.InboxFilter{}
		f.PerPage = 100
		pg, err := e.svc.Inbox(pertti, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range pg.Rows {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		slices.Sort(behind[got[i].Kind])
		if !slices.Equal(ids, behind[got[i].Kind]) || float64(len(ids)) != got[i].Value {
			t.Errorf("%s: the inbox view %+v lists %v, want %v", got[i].Kind, f, ids, behind[got[i].Kind])
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("deviations\n got %+v\nwant %+v", got, want)
	}
	if sit, _ := e.svc.Situation(pertti, cases.ReportFilter{Service: "sports-shift"}); sit.Total.Overdue != 3 {
		t.Errorf("overdue in the situation %d, want 3 (the same as the deviation's)", sit.Total.Overdue)
	}
	maintained, rebuilt := e.maintainedAndRebuilt()
	if !reflect.DeepEqual(maintained, rebuilt) {
		t.Error("the aggregates differ from a rebuild")
	}
}

// TestGenerateHistory: the demo's made-up history has something in each
// report, its children's ages come from valid henkilötunnus answers, and
// its aggregates equal a rebuild from its events.
func TestGenerateHistory(t *testing.T) {
	e := newEnvAt(t, t0, store.Options{NoSync: true})
	if err := e.svc.GenerateHistory(400, 400, t0, 7); err != nil {
		t.Fatal(err)
	}
	sit, err := e.svc.Situation(pertti, cases.ReportFilter{})
	if err != nil || sit.Total.Open == 0 {
		t.Fatalf("situation: %v %+v", err, sit)
	}
	year := cases.ReportFilter{From: t0.AddDate(-1, 0, 0), To: t0}
	tr, err := e.svc.Trends(pertti, year)
	if err != nil || len(tr.ByService) == 0 || tr.ByService[0].Now.Decided == 0 || len(tr.ByHandler) == 0 {
		t.Fatalf("trends: %v %+v", err, tr)
	}
	ans, err := e.svc.Answers(pertti, cases.ReportFilter{Concept: "child.hetu", From: year.From, To: year.To})
	if err != nil || len(ans.Reports) != 1 || len(ans.Reports[0].Values) == 0 {
		t.Fatalf("answers: %v %+v", err, ans)
	}
	for _, v := range ans.Reports[0].Values {
		if v.Value != "0-2" && v.Value != "3-5" && v.Value != "6-12" {
			t.Errorf("a child aged %s", v.Value)
		}
	}
	maintained, rebuilt := e.maintainedAndRebuilt()
	if !reflect.DeepEqual(maintained, rebuilt) {
		t.Error("the generated aggregates differ from a rebuild")
	}

}

// TestGeneratedRetention: each made-up case has its retention entry, as
// a submitted one: two years on, the sports shifts' answers (kept two
// years) go, and the aggregates still equal a rebuild.
func TestGeneratedRetention(t *testing.T) {
	e := newEnvAt(t, t0, store.Options{NoSync: true})
	if err := e.svc.GenerateHistory(60, 400, t0, 7); err != nil {
		t.Fatal(err)
	}
	entries := 0
	if err := e.st.View(func(tx *store.Tx) error {
		return tx.Scan(store.Due, "", func(k string, _ []byte) error {
			if strings.Contains(k, "/c/") {
				entries++
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if entries != 60 {
		t.Errorf("%d retention entries for 60 cases", entries)
	}
	e.clk.Set(t0.AddDate(2, 0, 1))
	if a, _, err := e.svc.Retain(); err != nil || a == 0 {
		t.Errorf("retention two years on: %d answers deleted, %v", a, err)
	}
	if maintained, rebuilt := e.maintainedAndRebuilt(); !reflect.DeepEqual(maintained, rebuilt) {
		t.Error("the aggregates after retention differ from a rebuild")
	}
}
