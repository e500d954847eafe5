package cases

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"asiointi/server/catalog"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// TestWeeklyDecisionCounters: for random periods, reading whole weeks
// from the weekly counters gives what the daily counters alone give.
func TestWeeklyDecisionCounters(t *testing.T) {
	now := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	st, err := storetest.Open(t, t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, _ := population.Demo()
	if _, err := identity.Seed(st, d, now); err != nil {
		t.Fatal(err)
	}
	cat, _ := catalog.Load()
	fs, err := LoadForms(st, cat)
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Store: st, Catalog: cat, Forms: fs, Now: func() time.Time { return now }}
	if err := s.GenerateHistory(600, 200, now, 3); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type key struct {
		by     string
		days   int
		onTime bool
	}
	st.View(func(tx *store.Tx) error {
		for i := 0; i < 50; i++ {
			from := now.AddDate(0, 0, -rng.IntN(200))
			to := from.AddDate(0, 0, 1+rng.IntN(120))
			f, tt := hday(from), hday(to)
			for _, svc := range []string{"early-education", "sports-shift"} {
				got, want := map[key]int{}, map[key]int{}
				decisions(tx, svc, f, tt, func(by string, days, n int, ot bool) { got[key{by, days, ot}] += n })
				decisionCounters(tx, "dec", "ot", svc, f, tt, func(by string, days, n int, ot bool) { want[key{by, days, ot}] += n })
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s–%s: weekly %v, daily %v", svc, f, tt, got, want)
				}
			}
		}
		return nil
	})
}

// TestCounterKeys: the counters a case's facts add one to, key by key,
// as the reports read them (a write and RebuildAggregates both use
// counterKeys, so comparing them cannot catch a changed key).
func TestCounterKeys(t *testing.T) {
	tests := []struct {
		name  string
		facts reportFacts
		want  []string
	}{
		{"submitted", reportFacts{Service: "svc", Day: "20270105", Due: "20270120"},
			[]string{"rep/in/svc/20270105"}},
		{"opened, answers crossed", reportFacts{Service: "svc", Day: "20270105", Due: "20270120", Opened: "20270106",
			Answers: []string{"age=18-29", "hall=main", "hall=side", "zip=00100"}},
			[]string{"rep/in/svc/20270105", "rep/od+/svc/20270120",
				"rep/ans/age/svc/202701/18-29", "rep/ax/age/hall/svc/202701/18-29/main", "rep/ax/age/hall/svc/202701/18-29/side",
				"rep/ax/age/zip/svc/202701/18-29/00100",
				"rep/ans/hall/svc/202701/main", "rep/ax/hall/zip/svc/202701/main/00100",
				"rep/ans/hall/svc/202701/side", "rep/ax/hall/zip/svc/202701/side/00100",
				"rep/ans/zip/svc/202701/00100"}},
		{"concepts out of order", reportFacts{Service: "s", Day: "20270105", Due: "20270105", Answers: []string{"b=1", "a=2"}},
			[]string{"rep/in/s/20270105", "rep/ans/b/s/202701/1", "rep/ax/a/b/s/202701/2/1", "rep/ans/a/s/202701/2"}},
		{"decided on time, finished after due", reportFacts{Service: "svc", Day: "20270105", Due: "20270108", Opened: "20270106",
			Finished: "20270114", Decided: "20270114", DecidedBy: "h1", Days: 9, OnTime: true},
			[]string{"rep/in/svc/20270105", "rep/dec/svc/20270114/h1/0009", "rep/decw/svc/20270111/h1/0009",
				"rep/ot/svc/20270114/h1", "rep/otw/svc/20270111/h1", "rep/od+/svc/20270108", "rep/od-/svc/20270114"}},
		{"decided late after 12345 days, finished before due", reportFacts{Service: "svc", Day: "20270105", Due: "20270120",
			Opened: "20270106", Finished: "20270110", Decided: "20270110", DecidedBy: "h2", Days: 12345},
			[]string{"rep/in/svc/20270105", "rep/dec/svc/20270110/h2/9999", "rep/decw/svc/20270104/h2/9999",
				"rep/od+/svc/20270120", "rep/od-/svc/20270120"}},
		{"negative days as %04d", reportFacts{Service: "svc", Day: "20270105", Due: "20270120", Decided: "20270104",
			DecidedBy: "h", Days: -3},
			[]string{"rep/in/svc/20270105", "rep/dec/svc/20270104/h/-003", "rep/decw/svc/20270104/h/-003"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.facts.counterKeys(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("counterKeys\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestCounterKeysReused: the keys of facts counted before are the strings
// made then (a submit makes no string of a key the submits before it
// made), equal keys of other facts too; other keys are their own; and
// the names kept stay bounded however many keys are made.
func TestCounterKeysReused(t *testing.T) {
	f := reportFacts{Service: "svc", Day: "20270105", Due: "20270120", Opened: "20270106",
		Answers: []string{"age=6-12", "postal=00100", "hall=main"}}
	first, again := f.counterKeys(), f.counterKeys()
	if !reflect.DeepEqual(first, again) || len(first) < 7 {
		t.Fatalf("keys differ or too few: %q, %q", first, again)
	}
	for i := range first {
		if unsafe.StringData(first[i]) != unsafe.StringData(again[i]) {
			t.Errorf("key %q made again", first[i])
		}
	}
	other := f
	other.Answers = []string{"age=6-12", "postal=00200"}
	made := map[string]*byte{}
	for _, k := range first {
		made[k] = unsafe.StringData(k)
	}
	shared, own := 0, 0
	for _, k := range other.counterKeys() {
		if p, ok := made[k]; ok {
			shared++
			if p != unsafe.StringData(k) {
				t.Errorf("an equal key of other facts was made again: %q", k)
			}
		} else {
			own++
		}
	}
	if shared < 3 || own < 2 { // in, od+, the age answer; the postal answer and the pair
		t.Errorf("%d keys shared, %d others: want at least 3 and 2", shared, own)
	}
	for i := range maxCounterKeyNames + 10 {
		many := f
		many.Answers = []string{fmt.Sprint("n=", i)}
		if got := many.counterKeys(); got[len(got)-1] != fmt.Sprint("rep/ans/n/svc/202701/", i) {
			t.Fatalf("key %d: %q", i, got)
		}
	}
	counterKeyNames.mu.Lock()
	n := len(counterKeyNames.m)
	counterKeyNames.mu.Unlock()
	if n > maxCounterKeyNames {
		t.Errorf("%d names kept, want at most %d", n, maxCounterKeyNames)
	}
}
