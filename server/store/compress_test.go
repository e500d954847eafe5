package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// TestCompressedValues: a large value in a compressed bucket is stored
// compressed and smaller, and every way of reading gives the JSON back
// (Get, GetRaw, the scans, PageReverse, Iter); a plain value written
// before compression, a short one and one in another bucket read as they
// are, and so does one compressed before the dictionary.
func TestCompressedValues(t *testing.T) {
	s := open(t)
	big := fmt.Sprintf(`{"answers":{"notes":%q}}`, strings.Repeat("Toivomme samaa vuoroa kuin viime kaudella. ", 20))
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ids := []string{NewID(at), NewID(at.Add(1)), NewID(at.Add(2)), NewID(at.Add(3))}
	plain := `{"old":"` + strings.Repeat("a", 400) + `"}`
	noDict, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	older := `{"older":"` + strings.Repeat("b", 400) + `"}`
	err = s.UpdateAlone(func(tx *Tx) error {
		if err := tx.b.putRaw(Cases, ids[3], noDict.EncodeAll([]byte(older), nil)); err != nil { // compressed before the dictionary
			return err
		}
		if err := tx.PutRaw(Cases, ids[0], []byte(big)); err != nil {
			return err
		}
		if err := tx.PutRaw(Cases, ids[1], []byte(`{"short":1}`)); err != nil {
			return err
		}
		if err := tx.b.putRaw(Cases, ids[2], []byte(plain)); err != nil { // as written before
			return err
		}
		return tx.PutRaw(Drafts, ids[0], []byte(big))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ids[0]: big, ids[1]: `{"short":1}`, ids[2]: plain, ids[3]: older}
	err = s.View(func(tx *Tx) error {
		stored, err := tx.b.getRaw(Cases, ids[0])
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(stored, zstdMagic) || len(stored) >= len(big)/2 {
			t.Errorf("stored %d bytes (of %d), compressed: %v", len(stored), len(big), bytes.HasPrefix(stored, zstdMagic))
		}
		if ev, _ := tx.b.getRaw(Drafts, ids[0]); string(ev) != big {
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

// TestDictionaryUnchanged: values compressed with a dictionary name its
// id and read only with the same bytes: a dictionary is never edited (a
// better one is added with a new id, and the decoder keeps the old).
func TestDictionaryUnchanged(t *testing.T) {
	sum := sha256.Sum256(dict1)
	if got := hex.EncodeToString(sum[:]); got != "2d9ffb1e3133574310a16f5c473f39cde8b8886a00a7d1ebec41f7baa1aab018" {
		t.Errorf("zdict/asiointi-1.txt changed (sha256 %s): the values compressed with it would no longer read", got)
	}
}

// TestDictionaryShrinksShortRecords: a short record of the kinds the
// dictionary was made for is stored in clearly fewer bytes than plain
// zstd gives (an inbox row: about half of its JSON).
func TestDictionaryShrinksShortRecords(t *testing.T) {
	row := `{"id":"06h1nkpwxrqbr53txj2t8ssndvxxvg5g","reference":"ESI-2026-000001","service":"sports-shift","status":"decided","handler":{"id":"pertti","name":"Pertti Päällikkö","kind":"staff"},"customer":{"id":"06h1nkpt939ehdppqy3nazatdz44ja2p","name":"Aino Virtanen","kind":"resident"},"submittedAt":"2026-11-27T02:21:34.318218519Z","dueAt":"2026-12-18T23:59:59+02:00","version":2}`
	noDict, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	plain, packed := len(noDict.EncodeAll([]byte(row), nil)), len(pack(CaseIndex, []byte(row)))
	if packed > len(row)*6/10 || packed >= plain*8/10 {
		t.Errorf("an inbox row of %d bytes: %d with the dictionary, %d without", len(row), packed, plain)
	}
	back, err := unpack(CaseIndex, "r/x", pack(CaseIndex, []byte(row)))
	if err != nil || string(back) != row {
		t.Errorf("unpack: %v %q", err, back)
	}
}

// TestPutStoresWhatMarshalGives: Put stores json.Marshal's bytes (through
// a pooled buffer, compressed in the compressed buckets), each value in
// memory of its own: the values of one transaction, in both kinds of
// bucket, small and large (past what the pool keeps), read back as
// written, on both backends.
func TestPutStoresWhatMarshalGives(t *testing.T) {
	s := open(t)
	type rec struct {
		Name  string         `json:"name"`
		Notes string         `json:"notes,omitempty"`
		N     int            `json:"n"`
		M     map[string]any `json:"m,omitempty"`
	}
	values := []any{
		rec{Name: "<b>Aino & Eino</b>", N: 1},
		rec{Name: "long", Notes: strings.Repeat("Toivomme samaa vuoroa kuin viime kaudella. ", 20), N: 2},
		rec{Name: "other", Notes: strings.Repeat("Ryhmässä on 8–12-vuotiaita lapsia. ", 15), N: 3, M: map[string]any{"b": true, "a": 1.5}},
		map[string]string{"huge": strings.Repeat("x", writeBufKeep+100)},
		"plain string",
		42,
	}
	err := s.Update(func(tx *Tx) error {
		for i, v := range values {
			for _, b := range []string{Settings, Cases} {
				if err := tx.Put(b, fmt.Sprint(i), v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		for i, v := range values {
			want, _ := json.Marshal(v)
			for _, b := range []string{Settings, Cases} {
				got, err := tx.GetRaw(b, fmt.Sprint(i))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s/%d: %.80q (%v), want %.80q", b, i, got, err, want)
				}
			}
		}
		return nil
	})
	if err := s.View(func(tx *Tx) error { return tx.Put(Settings, "x", 1) }); err == nil {
		t.Error("a Put in a View succeeded")
	}
	if err := s.Update(func(tx *Tx) error { return tx.Put(Settings, "x", func() {}) }); err == nil {
		t.Error("a value JSON cannot encode was stored")
	}
}

// TestGetOfCompressedValues: Get decompresses into a pooled buffer; the
// values it decodes one after another in one transaction, longer and
// shorter, stay whole (also one read inside a scan of the bucket, and
// with readers side by side), and a damaged value is an error. On both
// backends.
func TestGetOfCompressedValues(t *testing.T) {
	s := open(t)
	type rec struct {
		Notes string          `json:"notes"`
		Raw   json.RawMessage `json:"raw"`
	}
	var want []rec
	for i, n := range []int{40, 200, 10, 120, 3} {
		want = append(want, rec{Notes: strings.Repeat(fmt.Sprintf("Huomio %d. ", i), n), Raw: json.RawMessage(fmt.Sprintf(`{"k":%d}`, i))})
	}
	err := s.Update(func(tx *Tx) error {
		for i, r := range want {
			if err := tx.Put(Events, fmt.Sprint(i), r); err != nil {
				return err
			}
		}
		return tx.b.putRaw(Events, "bad", append(append([]byte{}, zstdMagic...), "not a frame"...))
	})
	if err != nil {
		t.Fatal(err)
	}
	expect := append(slices.Clone(want), want[1]) // the last: read inside the scan
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.View(func(tx *Tx) error {
				raw, _ := tx.b.getRaw(Events, "0")
				if !compressed(Events, raw) {
					t.Error("the test's values are not stored compressed")
				}
				got := make([]rec, len(want)+1)
				for i := range want {
					if err := tx.Get(Events, fmt.Sprint(i), &got[i]); err != nil {
						t.Error(err)
					}
				}
				err := tx.Scan(Events, "3", func(string, []byte) error { return tx.Get(Events, "1", &got[len(want)]) })
				if err != nil {
					t.Error(err)
				}
				for i, w := range expect {
					if got[i].Notes != w.Notes || string(got[i].Raw) != string(w.Raw) {
						t.Errorf("value %d: %.40q %s, want %.40q %s", i, got[i].Notes, got[i].Raw, w.Notes, w.Raw)
					}
				}
				if err := tx.Get(Events, "bad", new(rec)); err == nil {
					t.Error("a damaged value decoded")
				}
				return nil
			})
		}()
	}
	wg.Wait()
}

// TestKeptValuesOfOneTransaction: the values a transaction stores are
// cut from shared chunks (Tx.keep) and released when it ends. Many values
// of mixed sizes in one transaction (several chunks, some values larger
// than keep cuts), compressed and not, read back the same inside it,
// after its commit, and after later transactions reused its chunks; and
// so do those of concurrent writers committed in one group.
func TestKeptValuesOfOneTransaction(t *testing.T) {
	s := open(t)
	value := func(round, i int) string {
		n := (i*i*37 + round*101) % 7000 // 0 to ~7 KB: some above valueChunk/4
		return fmt.Sprintf("%d/%d %s", round, i, strings.Repeat(fmt.Sprintf("arvo %d ", i%13), n/8))
	}
	check := func(tx *Tx, round, n int) error {
		for i := range n {
			for _, b := range []string{Settings, Cases} {
				var got string
				if err := tx.Get(b, fmt.Sprintf("%d/%04d", round, i), &got); err != nil {
					return err
				}
				if got != value(round, i) {
					return fmt.Errorf("%s %d/%d: read back %.40q…, want %.40q…", b, round, i, got, value(round, i))
				}
				raw, err := tx.GetRaw(Blobs, fmt.Sprintf("%d/%04d", round, i))
				if err != nil {
					return err
				}
				if string(raw) != `"`+value(round, i)+`"` {
					return fmt.Errorf("blobs %d/%d: read back different bytes", round, i)
				}
			}
		}
		return nil
	}
	const n = 120
	put := func(round int) error {
		return s.Update(func(tx *Tx) error {
			for i := range n {
				k := fmt.Sprintf("%d/%04d", round, i)
				for _, b := range []string{Settings, Cases} {
					if err := tx.Put(b, k, value(round, i)); err != nil {
						return err
					}
				}
				raw, _ := json.Marshal(value(round, i))
				if err := tx.PutRaw(Blobs, k, raw); err != nil {
					return err
				}
			}
			return check(tx, round, n) // inside: bbolt reads them from its nodes
		})
	}
	if err := put(0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for round := 1; round <= 4; round++ { // concurrent writers: group commits
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- put(round)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for round := 0; round <= 4; round++ {
		if err := s.View(func(tx *Tx) error { return check(tx, round, n) }); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGetRawInto reads what GetRaw reads, compressed or not, pending
// counters and absent keys included, and decompresses into the buffer it
// is given: with room enough, a read allocates nothing.
func TestGetRawInto(t *testing.T) {
	s := open(t)
	long := strings.Repeat("Toivomme samaa vuoroa kuin viime kaudella. ", 20)
	err := s.Update(func(tx *Tx) error {
		for _, b := range []string{Cases, Settings} {
			if err := tx.Put(b, "long", long); err != nil {
				return err
			}
			if err := tx.Put(b, "short", "lyhyt"); err != nil {
				return err
			}
		}
		_, err := tx.AddCount("n", 3)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		var buf []byte
		for _, c := range []struct{ bucket, key string }{{Cases, "long"}, {Cases, "short"}, {Settings, "long"}, {Settings, "short"}, {Counters, "n"}, {Cases, "absent"}} {
			want, werr := tx.GetRaw(c.bucket, c.key)
			got, grown, err := tx.GetRawInto(c.bucket, c.key, buf)
			buf = grown
			if !bytes.Equal(got, want) || !errors.Is(err, werr) || (err == nil) != (werr == nil) {
				t.Errorf("%s/%s: GetRawInto %q, %v; GetRaw %q, %v", c.bucket, c.key, got, err, want, werr)
			}
		}
		if s.pg != nil || raceDetector {
			return nil // a PostgreSQL read allocates its query's; zstd's decoders are pooled
		}
		if n := testing.AllocsPerRun(50, func() {
			_, buf, _ = tx.GetRawInto(Cases, "long", buf)
		}); n != 0 {
			t.Errorf("a read into a buffer with room allocates %v times", n)
		}
		return nil
	})
}
