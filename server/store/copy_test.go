package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"asiointi/server/internal/pgtest"
)

// TestCopyBothWays: a bbolt store copied into PostgreSQL and from there
// into a new bbolt file keeps every record (the copy verifies counts and
// hashes of every bucket); a copy into a store with data is refused, and
// a copy that differs from its source is reported.
func TestCopyBothWays(t *testing.T) {
	src := openBolt(t)
	err := src.Update(func(tx *Tx) error {
		for i := range 2*copyChunk + 7 { // more than one chunk
			if err := tx.PutRaw(Events, fmt.Sprintf("c/%06d", i), []byte(fmt.Sprint("event ", i))); err != nil {
				return err
			}
		}
		if _, err := tx.NextSeq("ref"); err != nil {
			return err
		}
		if err := tx.PutRaw(Drafts, "empty", nil); err != nil {
			return err
		}
		return tx.Put(People, "aino", map[string]string{"name": "Aino"})
	})
	if err != nil {
		t.Fatal(err)
	}
	pg := openPG(t, pgtest.URL(t))
	res, err := Copy(pg, src)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*copyChunk + 7 + 3 + 1; res.Keys != want { // + meta's schema
		t.Errorf("copied %d keys, want %d", res.Keys, want)
	}
	back := openBolt(t)
	if _, err := Copy(back, pg); err != nil {
		t.Fatal(err)
	}
	var name map[string]string
	if err := back.View(func(tx *Tx) error { return tx.Get(People, "aino", &name) }); err != nil || name["name"] != "Aino" {
		t.Errorf("after the round trip: %v %v", name, err)
	}
	if _, err := Copy(back, src); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("copy into a store with data: %v", err)
	}
	// The verification's sums see a record lost or changed.
	if !slices.Equal(mustSums(t, src), mustSums(t, back)) {
		t.Fatal("the round trip's sums differ from the source's")
	}
	for _, change := range []func(tx *Tx) error{
		func(tx *Tx) error { return tx.Delete(Events, "c/000005") },
		func(tx *Tx) error { return tx.PutRaw(Events, "c/000006", []byte("changed")) },
	} {
		if err := back.Update(change); err != nil {
			t.Fatal(err)
		}
		if slices.Equal(mustSums(t, src), mustSums(t, back)) {
			t.Error("the sums did not see a change")
		}
	}
}

func mustSums(t *testing.T, s *Store) []BucketSum {
	t.Helper()
	out, err := sums(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
