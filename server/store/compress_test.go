package store

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestCompressedValues: a large value in a compressed bucket is stored
// compressed and smaller, and every way of reading gives the JSON back
// (Get, GetRaw, the scans, PageReverse, Iter); a plain value written
// before compression, a short one and one in another bucket read as they
// are.
func TestCompressedValues(t *testing.T) {
	s := open(t)
	big := fmt.Sprintf(`{"answers":{"notes":%q}}`, strings.Repeat("Toivomme samaa vuoroa kuin viime kaudella. ", 20))
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ids := []string{NewID(at), NewID(at.Add(1)), NewID(at.Add(2))}
	plain := `{"old":"` + strings.Repeat("a", 400) + `"}`
	err := s.UpdateAlone(func(tx *Tx) error {
		if err := tx.PutRaw(Cases, ids[0], []byte(big)); err != nil {
			return err
		}
		if err := tx.PutRaw(Cases, ids[1], []byte(`{"short":1}`)); err != nil {
			return err
		}
		if err := tx.b.putRaw(Cases, ids[2], []byte(plain)); err != nil { // as written before
			return err
		}
		return tx.PutRaw(Events, ids[0], []byte(big))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ids[0]: big, ids[1]: `{"short":1}`, ids[2]: plain}
	err = s.View(func(tx *Tx) error {
		stored, err := tx.b.getRaw(Cases, ids[0])
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(stored, zstdMagic) || len(stored) >= len(big)/2 {
			t.Errorf("stored %d bytes (of %d), compressed: %v", len(stored), len(big), bytes.HasPrefix(stored, zstdMagic))
		}
		if ev, _ := tx.b.getRaw(Events, ids[0]); string(ev) != big {
			t.Error("a value of a bucket that is not compressed was changed")
		}
		for id, w := range want {
			raw, err := tx.GetRaw(Cases, id)
			if err != nil || string(raw) != w {
				t.Errorf("GetRaw %s: %v %.40q", id, err, raw)
			}
		}
		var v struct {
			Answers struct{ Notes string }
		}
		if err := tx.Get(Cases, ids[0], &v); err != nil || !strings.HasPrefix(v.Answers.Notes, "Toivomme") {
			t.Errorf("Get: %v %+v", err, v)
		}
		seen := map[string]string{}
		collect := func(k string, raw []byte) error { seen[k] = string(raw); return nil }
		check := func(how string) {
			t.Helper()
			for id, w := range want {
				if seen[id] != w {
					t.Errorf("%s: %s reads %.40q", how, id, seen[id])
				}
			}
			clear(seen)
		}
		for how, scan := range map[string]func() error{
			"Scan":              func() error { return tx.Scan(Cases, "", collect) },
			"ScanReverse":       func() error { return tx.ScanReverse(Cases, "", collect) },
			"ScanFrom":          func() error { return tx.ScanFrom(Cases, "", "", collect) },
			"ScanReverseBefore": func() error { return tx.ScanReverseBefore(Cases, "", "", collect) },
			"PageReverse": func() error {
				_, err := tx.PageReverse(Cases, "", "", 0, func(k string, raw []byte) (bool, error) { return true, collect(k, raw) })
				return err
			},
			"Iter": func() error {
				it, err := tx.Iter(Cases, "", "", false)
				if err != nil {
					return err
				}
				for it.Next() {
					collect(string(it.Key()), it.Value())
				}
				return it.Err()
			},
		} {
			if err := scan(); err != nil {
				t.Errorf("%s: %v", how, err)
			}
			check(how)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
