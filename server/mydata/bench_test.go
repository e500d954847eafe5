package mydata_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/identity"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// BenchmarkCollectAmongMany builds Aino's data (every kind, as
// TestEveryBucketIsCovered) on a store that also holds the records of
// many other people in the buckets my data reads: the cost of one
// person's data should follow their data, not the store's size
// (go test -bench CollectAmongMany -run '^$' ./server/mydata/).
func BenchmarkCollectAmongMany(b *testing.B) {
	for _, others := range []int{0, 2000} {
		b.Run(fmt.Sprintf("others=%d", others), func(b *testing.B) {
			w := newWorld(b)
			w.build()
			at := w.clk.Now()
			if err := w.st.Update(func(tx *store.Tx) error {
				put := func(bucket, key string, v any) error {
					raw, err := json.Marshal(v)
					if err != nil {
						return err
					}
					return tx.PutRaw(bucket, key, raw)
				}
				for i := range others {
					who := fmt.Sprintf("other-%06d", i)
					id := store.NewID(at.Add(time.Duration(i) * time.Millisecond))
					for _, r := range []struct {
						bucket, key string
						v           any
					}{
						{store.Sessions, "bench-" + id, identity.Session{UserID: who, CreatedAt: at}},
						{store.Shares, "s/" + id, cases.Share{ID: id, Case: id, By: cases.Ref{ID: who}, Invitee: cases.Ref{ID: who + "x"}}},
						{store.Shares, "p/" + who + "x/" + id, nil},
						{store.DraftParties, id + "/" + id, cases.DraftParty{Person: who}},
						{store.Outbox, id, notify.Delivery{User: who}},
						{store.DevOutbox, id, notify.Recorded{To: who, At: at}},
						{store.Invitations, id, cases.Invitation{ID: id}},
					} {
						if err := put(r.bucket, r.key, r.v); err != nil {
							return err
						}
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			aino := w.person("140386-902R")
			b.ResetTimer()
			for range b.N {
				if _, err := w.col.Collect(aino.ID, "fi", nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
