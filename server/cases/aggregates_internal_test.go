package cases

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

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
