package store

import (
	"bytes"
	"strings"
	"testing"
)

// TestTake: Take removes a key that is there (also one written earlier in
// the same transaction) and reports it; a key that is not there, or only
// a key it is a prefix of or that sorts after it, is left alone and
// reported absent; on both backends.
func TestTake(t *testing.T) {
	s := open(t)
	if err := s.Update(func(tx *Tx) error {
		for _, k := range []string{"a", "ab", "c"} {
			if err := tx.PutRaw(Outbox, k, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	err := s.Update(func(tx *Tx) error {
		if err := tx.PutRaw(Outbox, "d", []byte("d")); err != nil {
			return err
		}
		for _, c := range []struct {
			key  string
			want bool
		}{{"a", true}, {"a", false}, {"b", false}, {"aa", false}, {"d", true}, {"e", false}} {
			got, err := tx.Take(Outbox, c.key)
			if err != nil {
				return err
			}
			if got != c.want {
				t.Errorf("Take(%q) = %v, want %v", c.key, got, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	s.View(func(tx *Tx) error {
		return tx.Scan(Outbox, "", func(k string, _ []byte) error { left = append(left, k); return nil })
	})
	if got, want := strings.Join(left, " "), "ab c"; got != want {
		t.Errorf("left %q, want %q", got, want)
	}
	if err := s.View(func(tx *Tx) error { _, err := tx.Take(Outbox, "c"); return err }); err == nil {
		t.Error("Take in a View succeeded")
	}
}

// TestPutPlain: a value PutPlain writes in a compressed bucket is stored
// as it is and reads back through Get and Scan like any other.
func TestPutPlain(t *testing.T) {
	s := open(t)
	val := bytes.Repeat([]byte(`{"id":"x","type":"proxy-submitted","params":{"service":"home-help"}}`), 4)
	if err := s.Update(func(tx *Tx) error { return tx.PutPlain(Notices, "u/1", val) }); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(pack(Notices, val), val) {
		t.Fatal("the test value does not compress: it tests nothing")
	}
	err := s.View(func(tx *Tx) error {
		stored, err := tx.b.getRaw(Notices, "u/1")
		if err != nil {
			return err
		}
		if !bytes.Equal(stored, val) {
			t.Errorf("stored %q, want the value as it is", stored)
		}
		got, err := tx.GetRaw(Notices, "u/1")
		if err != nil || !bytes.Equal(got, val) {
			t.Errorf("GetRaw = %q, %v", got, err)
		}
		return tx.Scan(Notices, "u/", func(_ string, raw []byte) error {
			if !bytes.Equal(raw, val) {
				t.Errorf("Scan gave %q", raw)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
