package audit

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := storetest.Open(t, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// record writes n entries, one per transaction, alternating subjects and
// actors (kaisa reads aino's and helmi's data; aino reads her own).
func record(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		a := Access{At: t0.Add(time.Duration(i) * time.Hour), Actor: Actor{ID: "kaisa", Name: "Kaisa Käsittelijä", Role: "handler"},
			Subject: "aino", Kind: KindCase, Purpose: PurposeHandling, Case: "c1", Reference: "ESI-2026-000001"}
		switch i % 3 {
		case 1:
			a.Subject = "helmi"
		case 2:
			a.Actor = Actor{ID: "aino", Name: "Aino Virtanen", Role: "resident"}
			a.Kind, a.Purpose = KindAccessLog, PurposeOversight
		}
		if err := st.Update(func(tx *store.Tx) error { return RecordAccess(tx, t0, a) }); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChainVerifies(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	if n, err := Verify(st); n != 0 || err != nil {
		t.Fatalf("empty log: %d %v", n, err)
	}
	record(t, st, 30)
	// Several entries in one transaction chain too.
	err := st.Update(func(tx *store.Tx) error {
		return RecordAccess(tx, t0, Access{Actor: Actor{ID: "mikko"}, Subject: "eetu", Kind: KindCase, Purpose: PurposeGuardian},
			Access{Actor: Actor{ID: "mikko"}, Subject: "aino", Kind: KindCase, Purpose: PurposeGuardian})
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := Verify(st)
	if n != 32 || err != nil {
		t.Fatalf("verify: %d %v", n, err)
	}
	if h, _ := HeadOf(st); h.Seq != 32 || len(h.Hash) != 64 {
		t.Errorf("head %+v", h)
	}
}

func TestRecordRefusesIncompleteEntries(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	for _, a := range []Access{
		{Actor: Actor{ID: "k"}, Kind: KindCase, Purpose: PurposeHandling},
		{Subject: "s", Kind: KindCase, Purpose: PurposeHandling},
		{Actor: Actor{ID: "k"}, Subject: "s", Purpose: PurposeHandling},
		{Actor: Actor{ID: "k"}, Subject: "s", Kind: KindCase},
	} {
		if err := st.Update(func(tx *store.Tx) error { return RecordAccess(tx, t0, a) }); err == nil {
			t.Errorf("%+v was recorded", a)
		}
	}
}

// Tampering with the stored entries from outside the audit package (on
// bbolt: the file; on PostgreSQL: the table), each way: the verifier
// names the first broken link.
func TestTamperingIsFound(t *testing.T) {
	get := func(tx *store.Tx, seq uint64) (a Access) {
		raw, _ := tx.GetRaw(store.AccessLog, seqKey(seq))
		json.Unmarshal(raw, &a)
		return a
	}
	put := func(tx *store.Tx, seq uint64, a Access) error {
		raw, _ := json.Marshal(a)
		return tx.PutRaw(store.AccessLog, seqKey(seq), raw)
	}
	tests := []struct {
		name   string
		tamper func(tx *store.Tx) error
		seq    uint64
		says   string
	}{
		{"content changed", func(tx *store.Tx) error {
			a := get(tx, 7)
			a.Actor.Name = "Someone Else"
			return put(tx, 7, a)
		}, 7, "changed"},
		{"content and hash changed", func(tx *store.Tx) error {
			a := get(tx, 5)
			a.Subject = "maria"
			a.Hash = hash(a)
			return put(tx, 5, a)
		}, 6, "does not point"},
		{"entry removed", func(tx *store.Tx) error { return tx.Delete(store.AccessLog, seqKey(4)) }, 4, "removed or inserted"},
		{"last entries removed", func(tx *store.Tx) error {
			tx.Delete(store.AccessLog, seqKey(10))
			return tx.Delete(store.AccessLog, seqKey(9))
		}, 9, "removed from the end"},
		{"garbage", func(tx *store.Tx) error { return tx.PutRaw(store.AccessLog, seqKey(2), []byte("{")) }, 2, "not readable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			st := openStore(t, dir)
			record(t, st, 10)
			if err := st.UpdateAlone(tt.tamper); err != nil {
				t.Fatal(err)
			}
			st.Close()
			st = openStore(t, dir)
			defer st.Close()
			_, err := Verify(st)
			var b *Broken
			if !errors.As(err, &b) || b.Seq != tt.seq || !strings.Contains(b.Reason, tt.says) {
				t.Errorf("got %v, want entry %d %q", err, tt.seq, tt.says)
			}
		})
	}
}

func TestOfListsOthersReadsNewestFirst(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	record(t, st, 30) // aino: seq 1,4,7,…,28 by kaisa (10), 3,6,…,30 her own (10)
	all, next, err := Of(st, "aino", Filter{})
	if err != nil || len(all) != 10 || next != 0 {
		t.Fatalf("%d entries, next %d, %v", len(all), next, err)
	}
	for i, a := range all {
		if a.Actor.ID != "kaisa" || a.Subject != "aino" || (i > 0 && a.Seq >= all[i-1].Seq) {
			t.Fatalf("entry %d: %+v", i, a)
		}
	}
	page, next, _ := Of(st, "aino", Filter{Limit: 4})
	if len(page) != 4 || next != page[3].Seq {
		t.Fatalf("page 1: %d next %d", len(page), next)
	}
	page2, _, _ := Of(st, "aino", Filter{Limit: 4, Before: next})
	if len(page2) != 4 || page2[0].Seq >= page[3].Seq {
		t.Fatalf("page 2 overlaps: %v", page2)
	}
	period, _, _ := Of(st, "aino", Filter{From: t0.Add(6 * time.Hour), To: t0.Add(13 * time.Hour)})
	if len(period) != 3 { // hours 6, 9, 12
		t.Errorf("period: %d entries", len(period))
	}
	if none, _, _ := Of(st, "aino", Filter{Actor: "mikko"}); len(none) != 0 {
		t.Errorf("filter by actor: %d", len(none))
	}
	if helmi, _, _ := Of(st, "helmi", Filter{}); len(helmi) != 10 {
		t.Errorf("helmi: %d", len(helmi))
	}
}
