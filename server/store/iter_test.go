package store

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func TestIter(t *testing.T) {
	s := open(t)
	err := s.Update(func(tx *Tx) error {
		for _, k := range []string{"a/9", "b/1", "b/2", "b/3", "b/4", "c/0"} { // neighbours must not leak in
			if err := tx.PutRaw(CaseIndex, k, []byte("v"+k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, prefix, from string
		reverse            bool
		want               []string
	}{
		{"forward", "b/", "", false, []string{"b/1", "b/2", "b/3", "b/4"}},
		{"forward from a key", "b/", "b/3", false, []string{"b/3", "b/4"}},
		{"forward from between keys", "b/", "b/25", false, []string{"b/3", "b/4"}},
		{"forward from outside the prefix", "b/", "a/", false, []string{"b/1", "b/2", "b/3", "b/4"}},
		{"reverse", "b/", "", true, []string{"b/4", "b/3", "b/2", "b/1"}},
		{"reverse below a key", "b/", "b/3", true, []string{"b/2", "b/1"}},
		{"reverse below the first", "b/", "b/1", true, nil},
		{"reverse from outside the prefix", "b/", "c/", true, []string{"b/4", "b/3", "b/2", "b/1"}},
		{"an empty range", "x/", "", false, nil},
		{"an empty range, reverse", "x/", "", true, nil},
		{"the last range, reverse", "c/", "", true, []string{"c/0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := s.View(func(tx *Tx) error {
				it, err := tx.Iter(CaseIndex, tc.prefix, tc.from, tc.reverse)
				if err != nil {
					return err
				}
				for it.Next() {
					if string(it.Value()) != "v"+string(it.Key()) {
						t.Errorf("value of %s: %s", it.Key(), it.Value())
					}
					got = append(got, string(it.Key()))
				}
				if it.Next() || it.Key() != nil {
					t.Error("Next after the end")
				}
				return nil
			})
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// A walk longer than a PostgreSQL read-ahead batch (iterBatch) sees every
// key once, in order, both ways.
func TestIterLongerThanABatch(t *testing.T) {
	s := open(t)
	var keys []string
	for i := range 2*iterBatch + 7 {
		keys = append(keys, fmt.Sprintf("d/%04d", i))
	}
	if err := s.Update(func(tx *Tx) error {
		for _, k := range append(keys, "d", "e/0") {
			if err := tx.PutRaw(CaseIndex, k, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, reverse := range []bool{false, true} {
		var got []string
		err := s.View(func(tx *Tx) error {
			it, err := tx.Iter(CaseIndex, "d/", "", reverse)
			if err != nil {
				return err
			}
			for it.Next() {
				got = append(got, string(it.Key()))
			}
			return it.Err()
		})
		want := slices.Clone(keys)
		if reverse {
			slices.Reverse(want)
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("reverse=%v: %d keys, %v; want %d", reverse, len(got), err, len(want))
		}
	}
}
