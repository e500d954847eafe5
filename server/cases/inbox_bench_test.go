package cases

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"asiointi/server/catalog"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// BenchmarkInbox1M measures filtered inbox pages over a generated store
// of ASIOINTI_BENCH_CASES cases (default 1,000,000) in the index (the
// inbox reads nothing else). ASIOINTI_BENCH_DIR keeps the generated store
// for later runs. Goal (issue 13): a filtered page under 20 ms.
//
//	go test -run XXX -bench Inbox1M -benchtime 200x ./server/cases/
func BenchmarkInbox1M(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("ASIOINTI_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("ASIOINTI_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	now := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	st, err := storetest.Open(b, dir, store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := generateInbox(st, n, now); err != nil {
		b.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	s := &Service{Store: st, Catalog: cat, Now: func() time.Time { return now }}
	kaisa := Ref{ID: "kaisa", Name: "Kaisa Käsittelijä", Kind: identity.Staff}
	pertti := Ref{ID: "pertti", Name: "Pertti Päällikkö", Kind: identity.Staff}
	for _, tc := range []struct {
		name string
		who  Ref
		f    InboxFilter
	}{
		{"open, all services", pertti, InboxFilter{}},
		{"one service and status", kaisa, InboxFilter{Service: "early-education", Status: StatusSubmitted}},
		{"mine", kaisa, InboxFilter{Handler: HandlerMine}},
		{"unassigned, latest due first", pertti, InboxFilter{Handler: HandlerUnassigned, Desc: true}},
		{"overdue", pertti, InboxFilter{Overdue: true}},
		{"page 40", pertti, InboxFilter{Page: 40}},
		{"customer name, one word", pertti, InboxFilter{Customer: "virtanen"}},
		{"customer first and last name", pertti, InboxFilter{Customer: "Aino Virkor"}},
		{"all statuses", pertti, InboxFilter{Status: "all"}},
		// Submitted in a range (the t/ keys): a deviation's week of one
		// service, a month's open cases, the longest range taken.
		{"one service, a week, every status", pertti, week(now, -1, func(f *InboxFilter) { f.Service = "home-help"; f.Status = "all" })},
		{"open, submitted in a month", pertti, submittedIn(now, "2026-12-01", "2026-12-31")},
		{"every status, submitted in 366 days", pertti, year(now, func(f *InboxFilter) { f.Status = "all" })},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p, err := s.Inbox(tc.who, tc.f)
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 && len(p.Rows) == 0 && tc.f.Customer == "" {
					b.Fatalf("an empty page: %+v", p.Counts)
				}
			}
		})
	}
}

// generateInbox fills st with the demo staff and n indexed cases (once:
// a store that has them is kept). A tenth of the cases are open; the due
// dates spread over two years around now.
func generateInbox(st *store.Store, n int, now time.Time) error {
	d, err := population.Demo()
	if err != nil {
		return err
	}
	if _, err := identity.Seed(st, d, now); err != nil {
		return err
	}
	done := false
	st.View(func(tx *store.Tx) error { done = tx.Has(store.Settings, "bench-cases-"+strconv.Itoa(n)); return nil })
	if done {
		return nil
	}
	services := []string{"sports-shift", "early-education", "home-help", "building-notification", "summer-job-voucher", "association-grant"}
	handlers := []*Ref{nil, {ID: "kaisa", Name: "Kaisa Käsittelijä"}, {ID: "sara", Name: "Sara Sjöberg"}, {ID: "pertti", Name: "Pertti Päällikkö"}}
	first := []string{"Aino", "Eetu", "Ella", "Mikko", "Helmi", "Juhani", "Sven", "Maria", "Olavi", "Liisa", "Pekka", "Anna", "Matti", "Sofia", "Leo", "Aada"}
	syll := []string{"vir", "ta", "nen", "kor", "ho", "lin", "mä", "ki", "nie", "mi", "salo", "la", "hei", "kin", "lah", "ti"}
	rng := rand.New(rand.NewPCG(1, 2))
	const batch = 50000
	for start := 0; start < n; start += batch {
		err := st.UpdateAlone(func(tx *store.Tx) error {
			for i := start; i < min(n, start+batch); i++ {
				at := now.Add(-time.Duration(rng.Int64N(int64(730 * 24 * time.Hour))))
				person := rng.IntN(300000)
				last := syll[person%16] + syll[(person/16)%16] + syll[(person/256)%16]
				c := &Case{ID: store.NewID(at), Reference: fmt.Sprintf("ESI-%d-%07d", at.Year(), i), Service: services[rng.IntN(len(services))],
					Status: StatusClosed, Actor: Ref{ID: fmt.Sprintf("p%07d", person), Name: first[(person/4096)%16] + " " + last},
					SubmittedAt: at, DueAt: at.AddDate(0, 0, 14+rng.IntN(120)), Handler: handlers[rng.IntN(len(handlers))]}
				if rng.IntN(10) == 0 { // a tenth still open
					c.Status = OpenStatuses[rng.IntN(len(OpenStatuses))]
				}
				if err := indexCase(tx, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return st.Update(func(tx *store.Tx) error { return tx.Put(store.Settings, "bench-cases-"+strconv.Itoa(n), true) })
}
