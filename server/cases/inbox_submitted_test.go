package cases

import (
	"errors"
	"slices"
	"testing"
	"time"

	"asiointi/server/catalog"
	"asiointi/server/identity"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// TestSubmittedRange: the days a submitted filter takes, and its bounds
// at Helsinki midnight (also across the change to summer time).
func TestSubmittedRange(t *testing.T) {
	now := time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC) // Friday 27.11. 01.30 in Helsinki
	utc := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		from, to   string
		start, end time.Time // zero: none
		err        *RangeError
	}{
		{"", "", time.Time{}, time.Time{}, nil},
		{"2026-03-23", "2026-03-29", utc("2026-03-22T22:00:00Z"), utc("2026-03-29T21:00:00Z"), nil}, // EET → EEST
		{"2026-10-19", "2026-10-25", utc("2026-10-18T21:00:00Z"), utc("2026-10-25T22:00:00Z"), nil}, // EEST → EET
		{"2026-11-27", "2026-11-27", utc("2026-11-26T22:00:00Z"), utc("2026-11-27T22:00:00Z"), nil},
		{"2026-11-20", "", utc("2026-11-19T22:00:00Z"), utc("2026-11-27T22:00:00Z"), nil},           // through today in Helsinki
		{"2026-12-24", "", utc("2026-12-23T22:00:00Z"), utc("2026-12-24T22:00:00Z"), nil},           // a later first day: that day
		{"2025-11-27", "2026-11-27", utc("2025-11-26T22:00:00Z"), utc("2026-11-27T22:00:00Z"), nil}, // 366 days
		{"2025-11-26", "2026-11-27", time.Time{}, time.Time{}, &RangeError{"to", RangeTooLong}},
		{"2025-11-26", "", time.Time{}, time.Time{}, &RangeError{"from", RangeTooLong}},
		{"2026-11-27", "2026-11-26", time.Time{}, time.Time{}, &RangeError{"to", RangeOrder}},
		{"", "2026-11-26", time.Time{}, time.Time{}, &RangeError{"from", RangeNoStart}},
		{"", "26.11.2026", time.Time{}, time.Time{}, &RangeError{"to", RangeBadDate}},
		{"2026-02-30", "2026-03-01", time.Time{}, time.Time{}, &RangeError{"from", RangeBadDate}},
		{"2026-11-01", "yesterday", time.Time{}, time.Time{}, &RangeError{"to", RangeBadDate}},
		{"0001-01-01", "9999-12-31", time.Time{}, time.Time{}, &RangeError{"from", RangeBadDate}},
		{"1999-12-31", "2000-01-01", time.Time{}, time.Time{}, &RangeError{"from", RangeBadDate}},
		{"2099-12-31", "2100-01-01", time.Time{}, time.Time{}, &RangeError{"to", RangeBadDate}},
		{"2026-11-27T00:00:00Z", "", time.Time{}, time.Time{}, &RangeError{"from", RangeBadDate}},
		{"<script>", "", time.Time{}, time.Time{}, &RangeError{"from", RangeBadDate}},
	}
	for _, tc := range tests {
		t.Run(tc.from+"…"+tc.to, func(t *testing.T) {
			start, end, err := SubmittedRange(tc.from, tc.to, now)
			var re *RangeError
			switch {
			case tc.err == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err != nil && (!errors.As(err, &re) || *re != *tc.err):
				t.Fatalf("err %v, want %+v", err, *tc.err)
			case !start.Equal(tc.start) || !end.Equal(tc.end):
				t.Errorf("[%s, %s), want [%s, %s)", start.UTC(), end.UTC(), tc.start.UTC(), tc.end.UTC())
			}
		})
	}
	// The domain call refuses bounds that SubmittedRange would not make.
	s := &Service{Now: func() time.Time { return now }}
	kaisa := Ref{ID: "kaisa", Kind: identity.Staff}
	for _, f := range []InboxFilter{
		{SubmittedFrom: utc("2026-01-01T00:00:00Z")},
		{SubmittedTo: utc("2026-01-01T00:00:00Z")},
		{SubmittedFrom: utc("2026-01-02T00:00:00Z"), SubmittedTo: utc("2026-01-01T00:00:00Z")},
		{SubmittedFrom: utc("2020-01-01T00:00:00Z"), SubmittedTo: utc("2026-01-01T00:00:00Z")},
	} {
		if _, err := s.Inbox(kaisa, f); !errors.As(err, new(*RangeError)) {
			t.Errorf("%+v: %v", f, err)
		}
	}
}

// TestInboxSubmittedBoundaries: the cases submitted in a Helsinki week
// are exactly those from Monday 00.00 up to (not including) the next
// Monday 00.00 in Helsinki — here the week the clocks go forward, so a
// week is 167 hours — of the services the person holds a role in.
func TestInboxSubmittedBoundaries(t *testing.T) {
	now := time.Date(2026, 4, 15, 9, 0, 0, 0, time.UTC)
	st, err := storetest.Open(t, t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := population.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity.Seed(st, d, now); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Store: st, Catalog: cat, Now: func() time.Time { return now }}
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	cs := []struct{ id, service, status, at string }{
		{"before", "early-education", StatusSubmitted, "2026-03-22T21:59:59Z"},           // Sunday 23.59.59 EET
		{"first", "early-education", StatusDecided, "2026-03-22T22:00:00Z"},              // Monday 00.00 EET
		{"last", "early-education", StatusInProgress, "2026-03-29T20:59:59Z"},            // Sunday 23.59.59 EEST
		{"after", "early-education", StatusSubmitted, "2026-03-29T21:00:00Z"},            // Monday 00.00 EEST
		{"naive", "early-education", StatusSubmitted, "2026-03-29T21:30:00Z"},            // inside 7×24 hours from Monday
		{"other", "home-help", StatusSubmitted, "2026-03-25T12:00:00Z"},                  // kaisa's other service
		{"refused", "sports-shift", StatusSubmitted, "2026-03-25T12:00:00Z"},             // not kaisa's
		{"waiting", "early-education", StatusAwaitingSignatures, "2026-03-25T12:00:00Z"}, // not sent to handling
	}
	err = st.Update(func(tx *store.Tx) error {
		for _, c := range cs {
			sub := at(c.at)
			if err := indexCase(tx, &Case{ID: c.id, Reference: "R-" + c.id, Service: c.service, Status: c.status,
				Actor: Ref{ID: "p-" + c.id, Name: "Aino Virtanen"}, SubmittedAt: sub, DueAt: sub.AddDate(0, 0, 30)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	from, to, err := SubmittedRange("2026-03-23", "2026-03-29", now)
	if err != nil {
		t.Fatal(err)
	}
	kaisa := Ref{ID: "kaisa", Kind: identity.Staff}
	pertti := Ref{ID: "pertti", Kind: identity.Staff}
	tests := []struct {
		who  Ref
		f    InboxFilter
		want []string
	}{
		{kaisa, InboxFilter{Service: "early-education", Status: "all"}, []string{"first", "last"}},
		{kaisa, InboxFilter{Service: "early-education"}, []string{"last"}}, // open only
		{kaisa, InboxFilter{Status: "all"}, []string{"first", "last", "other"}},
		{kaisa, InboxFilter{Status: "all", Customer: "virtanen"}, []string{"first", "last", "other"}},
		{kaisa, InboxFilter{Service: "sports-shift", Status: "all"}, nil}, // not hers: nothing
		{pertti, InboxFilter{Status: "all"}, []string{"first", "last", "other", "refused"}},
		{Ref{ID: "aino"}, InboxFilter{Status: "all"}, nil}, // a resident: refused
	}
	for _, tc := range tests {
		tc.f.SubmittedFrom, tc.f.SubmittedTo = from, to
		pg, err := s.Inbox(tc.who, tc.f)
		if tc.who.Kind != identity.Staff {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("resident: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range pg.Rows {
			got = append(got, r.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) || pg.Total != len(tc.want) {
			t.Errorf("%s %+v: %v (total %d), want %v", tc.who.ID, tc.f, got, pg.Total, tc.want)
		}
	}
}

// TestIndexExistingAddsSubmittedKeys: a store indexed before the
// submitted keys gets them at start from the rows (read in batches), and
// a store never indexed gets its whole index from the cases; a store
// with the keys by customer and of the open cases (c/, o/) loses them,
// as the others do; either way the index, its counts and the report
// aggregates end as the writes would have left them (a case awaiting
// signatures keeps its report facts).
func TestIndexExistingAddsSubmittedKeys(t *testing.T) {
	now := time.Date(2026, 4, 15, 9, 0, 0, 0, time.UTC)
	defer func(n int) { submittedBatch = n }(submittedBatch)
	for _, tc := range []struct {
		name  string
		mark  string // the mark an older version left; "": none
		batch int
	}{
		{"rows, batches of one", indexedBeforeSubmitted, 1},
		{"rows, one batch of all", indexedBeforeSubmitted, 2},
		{"rows, one short batch", indexedBeforeSubmitted, 3},
		{"cases", "", 10000},
		{"customer keys, batches of one", indexedWithCustomers, 1},
		{"customer keys", indexedWithCustomers, 10000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			submittedBatch = tc.batch
			st, err := storetest.Open(t, t.TempDir(), store.Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			s := &Service{Store: st, Now: func() time.Time { return now }}
			snapshot := func() map[string]string {
				out := map[string]string{}
				st.View(func(tx *store.Tx) error {
					for _, b := range []string{store.CaseIndex, store.Counters} {
						tx.Scan(b, "", func(k string, v []byte) error { out[b+":"+k] = string(v); return nil })
					}
					return nil
				})
				return out
			}
			err = st.Update(func(tx *store.Tx) error {
				for i, status := range []string{StatusSubmitted, StatusDecided, StatusAwaitingSignatures} {
					sub := now.AddDate(0, 0, -i)
					c := &Case{ID: "c" + string(rune('a'+i)), Service: "home-help", Status: status, Actor: Ref{ID: "p", Name: "Aino"},
						SubmittedAt: sub, DueAt: sub.AddDate(0, 0, 30)}
					if err := tx.Put(store.Cases, c.ID, c); err != nil {
						return err
					}
					if err := indexCase(tx, c); err != nil {
						return err
					}
					if err := s.aggregate(tx, c, now); err != nil {
						return err
					}
				}
				return tx.Put(store.Settings, inboxIndexed, true)
			})
			if err != nil {
				t.Fatal(err)
			}
			want := snapshot()
			// As an older version left it: the keys by customer and of the
			// open cases; before indexedWithCustomers no t/ keys; the
			// older mark or none.
			err = st.Update(func(tx *store.Tx) error {
				for _, k := range []string{"c/p/ca", "c/p/cb", "o/home-help/" + inboxDueKey(now) + "/ca"} {
					if err := tx.PutRaw(store.CaseIndex, k, nil); err != nil {
						return err
					}
				}
				var drop []string
				tx.Scan(store.CaseIndex, "t/", func(k string, _ []byte) error { drop = append(drop, k); return nil })
				if len(drop) != 2 {
					t.Errorf("t/ keys %v", drop)
				}
				for _, k := range drop {
					if tc.mark == indexedWithCustomers {
						break
					}
					if err := tx.Delete(store.CaseIndex, k); err != nil {
						return err
					}
				}
				if err := tx.Delete(store.Settings, inboxIndexed); err != nil {
					return err
				}
				if tc.mark != "" {
					return tx.Put(store.Settings, tc.mark, true)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Update(IndexExisting); err != nil {
				t.Fatal(err)
			}
			got := snapshot()
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("new key %s", k)
				}
			}
			st.View(func(tx *store.Tx) error {
				if !tx.Has(store.Settings, inboxIndexed) {
					t.Error("not marked")
				}
				return nil
			})
		})
	}
}

// TestOldestOpenAcrossStatuses: the oldest open case of a service is
// the one submitted first among all open statuses (from the t/ keys),
// whatever its status; a case no longer open, or of another service,
// does not count; none open: nil.
func TestOldestOpenAcrossStatuses(t *testing.T) {
	now := time.Date(2026, 4, 15, 9, 0, 0, 0, time.UTC)
	st, err := storetest.Open(t, t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	put := func(id, service, status string, daysAgo int) {
		t.Helper()
		sub := now.AddDate(0, 0, -daysAgo)
		c := &Case{ID: id, Service: service, Status: status, Actor: Ref{ID: "p", Name: "Aino"}, SubmittedAt: sub, DueAt: sub.AddDate(0, 0, 30)}
		if err := st.Update(func(tx *store.Tx) error { return indexCase(tx, c) }); err != nil {
			t.Fatal(err)
		}
	}
	oldest := func() string {
		var id string
		st.View(func(tx *store.Tx) error {
			r, err := oldestOpen(tx, "home-help")
			if err != nil {
				t.Fatal(err)
			}
			if r != nil {
				id = r.ID
			}
			return nil
		})
		return id
	}
	if got := oldest(); got != "" {
		t.Errorf("no cases: %q", got)
	}
	put("c1", "home-help", StatusSubmitted, 1)
	put("c2", "home-help", StatusSupplementRequested, 3)
	put("c3", "home-help", StatusInProgress, 2)
	put("c4", "home-help", StatusDecided, 9)
	put("c5", "early-education", StatusSubmitted, 8)
	put("c0", "home-help", StatusInProgress, 3) // submitted with c2: the lesser id
	if got := oldest(); got != "c0" {
		t.Errorf("oldest open %q, want c0", got)
	}
	put("c0", "home-help", StatusClosed, 3)
	if got := oldest(); got != "c2" {
		t.Errorf("oldest open %q, want c2", got)
	}
}
