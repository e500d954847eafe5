package cases

import (
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"asiointi/server/store"
)

func TestDueKey(t *testing.T) {
	at := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		ms   int64
		kind string
		id   string
	}{
		{at.UnixMilli(), dueDraft, "06h0fpgbc39nwmq3cktpg22ccd3w8ztw"},
		{0, dueFiles, "x"},
		{1<<62 + 5, dueDraft, "y"},
	}
	for _, tc := range tests {
		k := dueKey(tc.ms, tc.kind, tc.id)
		ms, kind, id, err := parseDueKey(k)
		if err != nil || ms != tc.ms || kind != tc.kind || id != tc.id {
			t.Errorf("%q parsed as %d %q %q %v", k, ms, kind, id, err)
		}
	}
	// Keys sort by time, whatever the kind and id.
	if !(dueKey(999, dueFiles, "zzz") < dueKey(1000, dueDraft, "000")) || !(dueKey(1000, dueFiles, "a") < dueKey(1000, "~", "")) {
		t.Error("due keys do not sort by time")
	}
	for _, bad := range []string{"", "1/d/x", "zzzzzzzzzzzzzzzz/d/x", "0000000000000001/d"} {
		if _, _, _, err := parseDueKey(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// benchDrafts is the size of the generated store of BenchmarkHousekeep:
// ASIOINTI_BENCH_DRAFTS drafts (default 100,000), two thirds of them
// submitted, each with its case.
func benchDrafts() int {
	if n, err := strconv.Atoi(os.Getenv("ASIOINTI_BENCH_DRAFTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var benchStore struct {
	once sync.Once
	dir  string
	err  error
}

// generatedStore writes benchDrafts drafts and their cases straight into
// a store (the records as the domain writes them, without the forms), once
// per test binary.
func generatedStore(b *testing.B, now time.Time) *store.Store {
	b.Helper()
	benchStore.once.Do(func() {
		benchStore.dir, benchStore.err = os.MkdirTemp("", "asiointi-housekeep-")
		if benchStore.err != nil {
			return
		}
		st, err := store.Open(benchStore.dir, store.Options{NoSync: true})
		if err != nil {
			benchStore.err = err
			return
		}
		defer st.Close()
		n := benchDrafts()
		const perTx = 20_000
		for from := 0; from < n && benchStore.err == nil; from += perTx {
			benchStore.err = st.UpdateAlone(func(tx *store.Tx) error {
				for i := from; i < min(n, from+perTx); i++ {
					created := now.Add(-time.Duration(n-i) * time.Minute)
					owner := Ref{ID: "p" + strconv.Itoa(i%5000), Name: "Aino Virtanen", Kind: "resident"}
					d := &Draft{ID: store.NewID(created), Service: "sports-shift", FormVersion: 1, Owner: owner,
						Municipality: "esimerkkila", CreatedAt: created, Version: 7, Step: 2, UpdatedAt: created,
						ExpiresAt: now.AddDate(0, 0, 10), // open ones come due in a week
						Locked:    map[string]any{"contactFirstName": "Aino"},
						Prefill:   map[string]PrefillSource{"contactFirstName": {Source: "population"}, "contactEmail": {Source: "population"}}}
					if i%3 == 0 {
						if err := fileDraftDue(tx, d); err != nil {
							return err
						}
						if err := tx.PutRaw(store.DraftsByUser, userKey(owner.ID, d.ID), nil); err != nil {
							return err
						}
					} else {
						c := &Case{ID: store.NewID(created), Reference: "ESI-2026-" + strconv.Itoa(i), Service: d.Service,
							FormVersion: 1, Status: StatusSubmitted, Actor: owner, Municipality: d.Municipality,
							Answers: map[string]any{"groupName": "Sählykerho", "participants": 12.0}, Parties: []Party{},
							DraftID: d.ID, SubmittedAt: created, UpdatedAt: created, DueAt: created, RetainUntil: created.AddDate(10, 0, 0)}
						d.CaseID = c.ID
						if err := tx.Put(store.Cases, c.ID, c); err != nil {
							return err
						}
						if err := tx.PutRaw(store.CasesByUser, userKey(owner.ID, c.ID), nil); err != nil {
							return err
						}
					}
					if err := tx.Put(store.Drafts, d.ID, d); err != nil {
						return err
					}
				}
				return nil
			})
		}
	})
	if benchStore.err != nil {
		b.Fatal(benchStore.err)
	}
	st, err := store.Open(benchStore.dir, store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchStore.dir != "" {
		os.RemoveAll(benchStore.dir)
	}
	os.Exit(code)
}

// BenchmarkHousekeep: a housekeeping pass (drafts and files) with nothing
// due, on a store of benchDrafts drafts and their cases, next to the scan
// that every pass made before the due index (decode every draft), on the
// same store in the same run:
//
//	go test -run xxx -bench Housekeep ./server/cases/
//	ASIOINTI_BENCH_DRAFTS=1000000 go test -run xxx -bench Housekeep -benchtime 20x -timeout 30m ./server/cases/
func BenchmarkHousekeep(b *testing.B) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	st := generatedStore(b, now)
	s := &Service{Store: st, Now: func() time.Time { return now }}
	b.Run("nothing-due", func(b *testing.B) {
		for b.Loop() {
			del, rem, err := s.Housekeep()
			if err != nil || del+rem != 0 {
				b.Fatal(del, rem, err)
			}
			if n, err := s.CollectOrphans(); err != nil || n != 0 {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("scan-every-draft", func(b *testing.B) {
		for b.Loop() {
			n := 0
			err := st.View(func(tx *store.Tx) error {
				return tx.Scan(store.Drafts, "", func(_ string, raw []byte) error {
					var d Draft
					if err := unmarshal(raw, &d); err != nil {
						return err
					}
					if d.CaseID == "" && now.Before(d.ExpiresAt) {
						n++
					}
					return nil
				})
			})
			if err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
	})
}
