package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPageReverse(t *testing.T) {
	s := open(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string // oldest first
	for i := range 7 {
		ids = append(ids, NewID(base.Add(time.Duration(i)*time.Minute)))
	}
	err := s.Update(func(tx *Tx) error {
		for i, id := range ids {
			v := "keep"
			if i == 2 {
				v = "skip"
			}
			if err := tx.PutRaw(Notices, "u/"+id, []byte(v)); err != nil {
				return err
			}
			// Neighbours on both sides of the prefix must not leak in.
			if err := tx.PutRaw(Notices, "t/"+id, []byte("keep")); err != nil {
				return err
			}
			if err := tx.PutRaw(Notices, "v/"+id, []byte("keep")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page := func(cursor string, limit int) (got []string, next string, err error) {
		err = s.View(func(tx *Tx) error {
			var err error
			next, err = tx.PageReverse(Notices, "u/", cursor, limit, func(k string, raw []byte) (bool, error) {
				if string(raw) == "skip" {
					return false, nil
				}
				got = append(got, strings.TrimPrefix(k, "u/"))
				return true, nil
			})
			return err
		})
		return got, next, err
	}
	// Newest first, skipping ids[2], three at a time.
	want := [][]string{{ids[6], ids[5], ids[4]}, {ids[3], ids[1], ids[0]}}
	cursor := ""
	for i, w := range want {
		got, next, err := page(cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("page %d = %v, want %v", i, got, w)
		}
		if i == len(want)-1 && next != "" {
			t.Errorf("last page: next = %q, want none", next)
		}
		if i < len(want)-1 && next != w[len(w)-1] {
			t.Errorf("page %d: next = %q, want the last id taken %q", i, next, w[len(w)-1])
		}
		cursor = next
	}
	tests := []struct {
		name     string
		cursor   string
		limit    int
		want     []string
		wantNext string
		wantErr  error
	}{
		{"all when no limit", "", 0, []string{ids[6], ids[5], ids[4], ids[3], ids[1], ids[0]}, "", nil},
		{"a cursor whose key is gone starts below it", NewID(base.Add(150 * time.Second)), 1, []string{ids[1]}, ids[1], nil},
		{"a cursor older than every key is an empty last page", NewID(base.Add(-time.Hour)), 5, nil, "", nil},
		{"a cursor newer than every key is the first page", NewID(base.Add(time.Hour)), 1, []string{ids[6]}, ids[6], nil},
		{"junk cursor", "../x", 3, nil, "", ErrBadCursor},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, next, err := page(tc.cursor, tc.limit)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) || next != tc.wantNext {
				t.Errorf("got %v next %q, want %v next %q", got, next, tc.want, tc.wantNext)
			}
		})
	}
}
