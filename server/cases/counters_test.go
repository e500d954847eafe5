package cases_test

import (
	"testing"

	"asiointi/server/store"
)

// A damaged internal counter stops the write that needs it (issue 7
// item 15): a reference counter that cannot be read must not restart at 1
// and hand out a reference twice, and a file's reference count that
// cannot be read must not be taken for "no more references" and delete a
// file another draft still uses.
func TestDamagedCountersStopTheWrite(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	_, first := e.fill("sports-shift", aino, nil, sportsShiftAnswers())

	// The year's reference counter is damaged.
	damage := func(name string) {
		t.Helper()
		if err := e.st.Update(func(tx *store.Tx) error { return tx.PutRaw(store.Counters, name, []byte("x1")) }); err != nil {
			t.Fatal(err)
		}
	}
	damage("ref/esimerkkila/2027")
	d := e.save(e.create("sports-shift", aino, nil), sportsShiftAnswers())
	if res, err := e.svc.Submit(d.ID, aino); err == nil {
		t.Fatalf("submit with a damaged reference counter succeeded: %+v (first case %s)", res.Case, first.Reference)
	}
	if n := countPrefix(t, e.st, store.Cases, ""); n != 1 {
		t.Errorf("%d cases stored, want only the first", n)
	}

	// Two drafts share one file; its reference count is damaged.
	d1 := e.create("sports-shift", aino, nil)
	d2 := e.create("sports-shift", aino, nil)
	a := e.upload(d1, "attachment", "a.pdf", pdfFile)
	e.upload(d2, "attachment", "a.pdf", pdfFile)
	damage("blobref/" + a.Blob) // the content is keyed per owner
	if err := e.svc.Delete(d1.ID, aino.ID); err == nil {
		t.Fatal("deleting a draft with a damaged file reference count succeeded")
	}
	if _, body, err := e.svc.AttachmentContent(d1.ID, a.ID, aino.ID); err != nil || len(body) != len(pdfFile) {
		t.Errorf("the refused delete lost the file: %d bytes, %v", len(body), err)
	}
}
