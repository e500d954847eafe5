package cases

import (
	"os"
	"strconv"
	"testing"
	"time"

	"asiointi/server/catalog"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
)

// benchReports opens (and fills once) a store of ASIOINTI_BENCH_CASES
// generated cases (default 100,000) over two years before now;
// ASIOINTI_BENCH_DIR keeps it for later runs.
func benchReports(b *testing.B, now time.Time) *Service {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ASIOINTI_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("ASIOINTI_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	st, err := store.Open(dir, store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	d, err := population.Demo()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := identity.Seed(st, d, now); err != nil {
		b.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	fs, err := LoadForms(st, cat)
	if err != nil {
		b.Fatal(err)
	}
	s := &Service{Store: st, Catalog: cat, Forms: fs, Now: func() time.Time { return now }}
	mark := "bench-history-" + strconv.Itoa(n)
	done := false
	st.View(func(tx *store.Tx) error { done = tx.Has(store.Settings, mark); return nil })
	if !done {
		start := time.Now()
		if err := s.GenerateHistory(n, 730, now, 1); err != nil {
			b.Fatal(err)
		}
		st.Update(func(tx *store.Tx) error { return tx.Put(store.Settings, mark, true) })
		b.Logf("generated %d cases in %v", n, time.Since(start).Round(time.Millisecond))
	}
	if fi, err := os.Stat(st.Path()); err == nil {
		b.Logf("store %d cases, %d MB", n, fi.Size()>>20)
	}
	return s
}

// BenchmarkReports measures each report over a generated store (goal,
// issue 14: each report under 200 ms at 1,000,000 cases, the live
// situation under 20 ms).
//
//	go test -run XXX -bench Reports -benchtime 20x ./server/cases/
//	ASIOINTI_BENCH_CASES=1000000 ASIOINTI_BENCH_DIR=/tmp/rep1m go test -run XXX -bench Reports -benchtime 20x -timeout 60m ./server/cases/
func BenchmarkReports(b *testing.B) {
	now := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	s := benchReports(b, now)
	pertti := Ref{ID: "pertti", Name: "Pertti Päällikkö", Kind: identity.Staff}
	year := ReportFilter{From: now.AddDate(-1, 0, 0), To: now}
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"situation, all services", func() error { _, err := s.Situation(pertti, ReportFilter{}); return err }},
		{"situation, one service", func() error { _, err := s.Situation(pertti, ReportFilter{Service: "early-education"}); return err }},
		{"trends, all services, 91 days", func() error { _, err := s.Trends(pertti, ReportFilter{}); return err }},
		{"trends, all services, a year", func() error { _, err := s.Trends(pertti, year); return err }},
		{"deviations, all services", func() error { _, err := s.Deviations(pertti, ReportFilter{}); return err }},
		{"answers, one service, a year", func() error {
			_, err := s.Answers(pertti, ReportFilter{Service: "early-education", From: year.From, To: year.To})
			return err
		}},
		{"answers, a shared concept, a year", func() error {
			_, err := s.Answers(pertti, ReportFilter{Concept: "person.hetu", From: year.From, To: year.To})
			return err
		}},
		{"answers, every concept, a year", func() error { _, err := s.Answers(pertti, year); return err }},
		{"answers crossed with a concept, a year", func() error {
			_, err := s.Answers(pertti, ReportFilter{Concept: "ecec.careNeed", By: "child.hetu", From: year.From, To: year.To})
			return err
		}},
		{"answers crossed with the service, a year", func() error {
			_, err := s.Answers(pertti, ReportFilter{Concept: "person.hetu", By: ByService, From: year.From, To: year.To})
			return err
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := tc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAggregateOnSubmit is what the aggregates add to the write of
// a new case, inside its transaction (the commit and its fsync, the same
// with or without them, are left out): the inbox index alone, and the
// index with the aggregates.
//
//	go test -run XXX -bench AggregateOnSubmit -benchtime 2000x ./server/cases/
func BenchmarkAggregateOnSubmit(b *testing.B) {
	now := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	s := benchReports(b, now)
	def, _ := s.Forms.Latest("early-education")
	mk := func(i int) *Case {
		at := now.Add(time.Duration(i) * time.Second)
		return &Case{ID: store.NewID(at), Reference: "B-" + strconv.Itoa(i), Service: "early-education", FormVersion: def.Version,
			Status: StatusSubmitted, Actor: Ref{ID: "bench", Name: "Aino Bench"}, SubmittedAt: at, UpdatedAt: at, DueAt: at.AddDate(0, 0, 120),
			Answers: map[string]any{"careNeed": "fullDay", "urgent": "no", "preferredUnits": []any{"satakieli"}, "startDate": "2027-08-01"}}
	}
	for _, withAggregates := range []bool{false, true} {
		name := "index only"
		if withAggregates {
			name = "index and aggregates"
		}
		b.Run(name, func(b *testing.B) {
			cs := make([]*Case, b.N)
			for i := range cs {
				cs[i] = mk(i)
			}
			err := s.Store.UpdateAlone(func(tx *store.Tx) error {
				b.ResetTimer()
				defer b.StopTimer()
				for _, c := range cs {
					if err := indexCase(tx, c); err != nil {
						return err
					}
					if withAggregates {
						if err := s.aggregate(tx, c, c.SubmittedAt); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
