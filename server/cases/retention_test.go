package cases_test

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// TestRetentionDeletesOnTheDay: answers go on their field's retention
// day, the whole application on the service's, only once nobody handles
// it; each deletion is a line in the destruction log without content; and
// after compaction the database file no longer holds the answers or the
// file.
func TestRetentionDeletesOnTheDay(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	const secret = "Salainen-muistiinpano-4711"
	d := e.create("sports-shift", aino, nil)
	att := e.upload(d, "attachment", "a.pdf", append(append([]byte{}, pdfFile...), []byte("TIEDOSTO-SISALTO-9876")...))
	d = e.save(d, merge(sportsShiftAnswers(), map[string]any{"notes": secret, "attachment": att.ID}))
	c := e.submit(d)
	if _, err := e.svc.ShareCase(c.ID, aino, "Maria Nieminen", hetuMaria); err != nil {
		t.Fatal(err)
	}
	open := e.create("sports-shift", aino, nil) // another case, still handled
	open = e.save(open, sportsShiftAnswers())
	other := e.submit(open)

	// Before the first field's day nothing goes.
	e.clk.Set(t0.AddDate(2, 0, -1))
	if a, n, err := e.svc.Retain(); err != nil || a+n != 0 {
		t.Fatalf("a day early: %d answers, %d cases, %v", a, n, err)
	}
	// Not finished: kept however late, looked at again a day later.
	e.clk.Set(t0.AddDate(2, 0, 1))
	if a, n, err := e.svc.Retain(); err != nil || a+n != 0 {
		t.Fatalf("while being handled: %d answers, %d cases, %v", a, n, err)
	}
	sara := cases.Ref{ID: "sara", Name: "Sara Sjöberg", Kind: "staff"}
	if _, err := e.svc.Assign(c.ID, sara, 0, "sara"); err != nil { // Aino is told, and of the withdrawal Sara
		t.Fatal(err)
	}
	if _, err := e.svc.Withdraw(c.ID, aino, ""); err != nil {
		t.Fatal(err)
	}
	notices := func() (n int) {
		e.st.View(func(tx *store.Tx) error {
			return tx.Scan(store.Notices, "", func(_ string, raw []byte) error {
				if bytes.Contains(raw, []byte(c.ID)) {
					n++
				}
				return nil
			})
		})
		return n
	}
	if notices() < 2 {
		t.Fatalf("%d notifications about the case", notices())
	}
	e.clk.Add(25 * time.Hour)
	a, n, err := e.svc.Retain()
	if err != nil || a == 0 || n != 0 {
		t.Fatalf("after two years: %d answers, %d cases, %v", a, n, err)
	}
	got, _, err := e.svc.Case(c.ID, aino.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Answers["notes"]; ok {
		t.Errorf("answers after two years: %v", got.Answers)
	}
	// The report counts went with the answers: only the case still being
	// handled counts its group type, and the counts equal a rebuild.
	maintained, rebuilt := e.maintainedAndRebuilt()
	if !reflect.DeepEqual(maintained, rebuilt) {
		t.Errorf("report aggregates after the answers' deletion differ from a rebuild:\n%v\n%v", maintained, rebuilt)
	}
	groupTypes := 0
	for k, v := range maintained {
		if strings.HasPrefix(k, "rep/ans/group.type/") {
			n, _ := strconv.Atoi(v)
			groupTypes += n
		}
	}
	if groupTypes != 1 {
		t.Errorf("%d group type answers counted after one was deleted, want 1", groupTypes)
	}

	// At the case's retention day (six years) all of it goes.
	e.clk.Set(c.RetainUntil.Add(time.Hour))
	if _, n, err := e.svc.Retain(); err != nil || n != 1 {
		t.Fatalf("after six years: %d cases, %v", n, err)
	}
	if _, _, err := e.svc.Case(c.ID, aino.ID); !isNotFound(err) {
		t.Errorf("the case is still there: %v", err)
	}
	if _, _, err := e.svc.Case(other.ID, aino.ID); err != nil {
		t.Errorf("the case still being handled went too: %v", err)
	}
	if n := notices(); n != 0 {
		t.Errorf("%d notifications about the case are left", n)
	}
	err = e.st.View(func(tx *store.Tx) error {
		for _, k := range []struct{ bucket, prefix string }{
			{store.Cases, c.ID}, {store.CasesByRef, c.Reference}, {store.CasesByUser, aino.ID + "/" + c.ID},
			{store.Events, c.ID + "/"}, {store.Drafts, d.ID}, {store.DraftsSent, d.ID}, {store.DraftData, d.ID}, {store.Attachments, d.ID + "/"},
			{store.CaseIndex, "r/" + c.ID}, {store.CaseIndex, "c/" + aino.ID + "/" + c.ID}, {store.CaseIndex, "a/" + c.ID},
			{store.Shares, "c/" + c.ID}, {store.Shares, "p/" + e.ref(hetuMaria).ID + "/"},
		} {
			if err := tx.Scan(k.bucket, k.prefix, func(key string, _ []byte) error {
				t.Errorf("%s still holds %s", k.bucket, key)
				return nil
			}); err != nil {
				return err
			}
		}
		return tx.Scan(store.Due, "", func(key string, _ []byte) error {
			if strings.HasSuffix(key, c.ID) {
				t.Errorf("due still holds %s", key)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if maintained, rebuilt := e.maintainedAndRebuilt(); !reflect.DeepEqual(maintained, rebuilt) {
		t.Errorf("report aggregates after the destruction differ from a rebuild:\n%v\n%v", maintained, rebuilt)
	}
	log, err := e.svc.Destructions()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, l := range log {
		kinds[l.Kind]++
		if l.Reference != c.Reference {
			t.Errorf("destruction of %q, want %q", l.Reference, c.Reference)
		}
	}
	if kinds[cases.DestroyedCase] != 1 || kinds[cases.DestroyedAnswer] != a {
		t.Errorf("destruction log: %+v", log)
	}

	// Nothing of it is left in the file once compacted (on PostgreSQL: in
	// any row).
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	if !storetest.Postgres() {
		if _, err := store.Compact(e.dir, e.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	raw := storetest.Contents(t, e.dir)
	for _, v := range []string{secret, "TIEDOSTO-SISALTO-9876"} {
		if bytes.Contains(raw, []byte(v)) {
			t.Errorf("the file still holds %q", v)
		}
	}
	e.reopen()
	// Nor any value as the store reads it (case records are stored
	// compressed, so the file's bytes do not show their answers).
	err = e.st.View(func(tx *store.Tx) error {
		for _, b := range store.Buckets() {
			err := tx.Scan(b, "", func(k string, v []byte) error {
				if bytes.Contains(v, []byte(secret)) {
					t.Errorf("%s/%s still holds the answer", b, k)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDraftExpiryIsLogged: an expired draft's deletion is in the
// destruction log, and the parties named on it go with it.
func TestDraftExpiryIsLogged(t *testing.T) {
	e := newEnv(t)
	d := e.create("sports-shift", e.ref(hetuAino), nil)
	e.clk.Set(d.ExpiresAt.Add(time.Minute))
	for range 2 { // the reminder, then the expiry
		if _, _, err := e.svc.Housekeep(); err != nil {
			t.Fatal(err)
		}
	}
	log, err := e.svc.Destructions()
	if err != nil || len(log) != 1 || log[0].Kind != cases.DestroyedDraft || log[0].Service != "sports-shift" {
		t.Fatalf("%+v %v", log, err)
	}
}
