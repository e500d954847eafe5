package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestValues: on both backends; the long values are stored compressed
// (and decompressed into one reused buffer).
func TestValues(t *testing.T) {
	type item struct {
		N int    `json:"n"`
		T string `json:"t,omitempty"`
	}
	long := []item{{1, strings.Repeat("pitkä teksti ", 40)}, {2, "lyhyt"}, {3, strings.Repeat("vielä pidempi teksti ", 60)}, {4, strings.Repeat("x", 120)}}
	s := open(t)
	err := s.Update(func(tx *Tx) error {
		for k, n := range map[string]int{"a/1": 1, "a/2": 2, "a/3": 3, "ab/9": 9, "b/1": 10} {
			if err := tx.Put(Notices, k, item{N: n}); err != nil {
				return err
			}
		}
		for _, it := range long {
			if err := tx.Put(Events, fmt.Sprintf("long/%d", it.N), it); err != nil {
				return err
			}
		}
		if err := tx.b.putRaw(Cases, "badz/1", append(append([]byte{}, zstdMagic...), "not a frame"...)); err != nil {
			return err
		}
		return tx.PutRaw(Events, "bad/1", []byte(`{"n":`))
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		scan    func(tx *Tx, bucket, prefix string) ([]item, error)
		bucket  string
		prefix  string
		want    []item
		wantErr bool
	}{
		{"in key order", Values[item], Notices, "a/", []item{{N: 1}, {N: 2}, {N: 3}}, false},
		{"reversed", ValuesReverse[item], Notices, "a/", []item{{N: 3}, {N: 2}, {N: 1}}, false},
		{"prefix is not a key range beyond itself", Values[item], Notices, "ab/", []item{{N: 9}}, false},
		{"every key", Values[item], Notices, "", []item{{N: 1}, {N: 2}, {N: 3}, {N: 9}, {N: 10}}, false},
		{"no match is nil", Values[item], Notices, "c/", nil, false},
		{"no match reversed is nil", ValuesReverse[item], Notices, "c/", nil, false},
		{"a value that does not decode", Values[item], Events, "bad/", nil, true},
		{"reversed, a value that does not decode", ValuesReverse[item], Events, "", nil, true},
		{"unknown bucket", Values[item], "nope", "", nil, true},
		{"compressed values", Values[item], Events, "long/", long, false},
		{"compressed values reversed", ValuesReverse[item], Events, "long/", []item{long[3], long[2], long[1], long[0]}, false},
		{"a compressed value that does not decompress", Values[item], Cases, "badz/", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []item
			err := s.View(func(tx *Tx) error {
				var err error
				got, err = tc.scan(tx, tc.bucket, tc.prefix)
				return err
			})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				var se *json.SyntaxError
				if tc.bucket == Events && !errors.As(err, &se) {
					t.Errorf("err %T %v, want the decoder's error", err, err)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestScanRanges: ScanFrom and ScanReverseBefore keep to the prefix and
// start at the given key.
func TestScanRanges(t *testing.T) {
	st, err := openWith(t, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys := []string{"a/1", "a/2", "a/3", "b/1"}
	if err := st.Update(func(tx *Tx) error {
		for _, k := range keys {
			if err := tx.PutRaw(Settings, k, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	collect := func(f func(tx *Tx, fn func(string, []byte) error) error) string {
		var out []string
		st.View(func(tx *Tx) error {
			return f(tx, func(k string, _ []byte) error { out = append(out, k); return nil })
		})
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name string
		f    func(tx *Tx, fn func(string, []byte) error) error
		want string
	}{
		{"from the middle", func(tx *Tx, fn func(string, []byte) error) error { return tx.ScanFrom(Settings, "a/", "a/2", fn) }, "a/2 a/3"},
		{"from before the prefix", func(tx *Tx, fn func(string, []byte) error) error { return tx.ScanFrom(Settings, "a/", "", fn) }, "a/1 a/2 a/3"},
		{"from past the end", func(tx *Tx, fn func(string, []byte) error) error { return tx.ScanFrom(Settings, "a/", "a/9", fn) }, ""},
		{"back from the middle", func(tx *Tx, fn func(string, []byte) error) error {
			return tx.ScanReverseBefore(Settings, "a/", "a/3", fn)
		}, "a/2 a/1"},
		{"back from between keys", func(tx *Tx, fn func(string, []byte) error) error {
			return tx.ScanReverseBefore(Settings, "a/", "a/25", fn)
		}, "a/2 a/1"},
		{"back from the whole prefix", func(tx *Tx, fn func(string, []byte) error) error {
			return tx.ScanReverseBefore(Settings, "a/", "", fn)
		}, "a/3 a/2 a/1"},
	} {
		if got := collect(tc.f); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
