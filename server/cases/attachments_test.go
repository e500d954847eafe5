package cases_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/forms"
	"asiointi/server/store"
)

const mib = 1 << 20

// pdfOfSize is a PDF-signed file of exactly n bytes.
func pdfOfSize(n int) []byte {
	b := bytes.Repeat([]byte("0"), n)
	copy(b, "%PDF-1.7\n")
	return b
}

// TestAddAttachment: types by content, size limits per field, file fields only.
func TestAddAttachment(t *testing.T) {
	html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
	tests := []struct {
		name     string
		service  string
		field    string
		file     string
		content  []byte
		wantErr  error
		wantMIME string
		wantName string
	}{
		{"pdf", "sports-shift", "attachment", "vuorolista.pdf", pdfFile, nil, "application/pdf", "vuorolista.pdf"},
		{"png", "sports-shift", "attachment", "kuva.png", pngFile, nil, "image/png", "kuva.png"},
		{"jpeg", "sports-shift", "attachment", "kuva.jpg", jpegFile, nil, "image/jpeg", "kuva.jpg"},
		{"type by content, not name: png named .pdf", "sports-shift", "attachment", "kuva.pdf", pngFile, nil, "image/png", "kuva.pdf"},
		{"text named .pdf", "sports-shift", "attachment", "lasku.pdf", textFile, cases.ErrBadType, "", ""},
		{"html named .png", "sports-shift", "attachment", "kuva.png", html, cases.ErrBadType, "", ""},
		{"empty file", "sports-shift", "attachment", "tyhja.pdf", nil, cases.ErrBadType, "", ""},
		{"png on a pdf-only field", "association-grant", "annualReport", "vuosikertomus.png", pngFile, cases.ErrBadType, "", ""},
		{"jpeg on a pdf-only field", "association-grant", "annualReport", "vuosikertomus.pdf", jpegFile, cases.ErrBadType, "", ""},
		{"exactly the limit", "sports-shift", "attachment", "iso.pdf", pdfOfSize(10 * mib), nil, "application/pdf", "iso.pdf"},
		{"one byte over the limit", "sports-shift", "attachment", "iso.pdf", pdfOfSize(10*mib + 1), cases.ErrTooLarge, "", ""},
		{"20 MB field takes 15 MB", "building-notification", "sitePlan", "asemapiirros.pdf", pdfOfSize(15 * mib), nil, "application/pdf", "asemapiirros.pdf"},
		{"20 MB field refuses more", "building-notification", "sitePlan", "asemapiirros.pdf", pdfOfSize(20*mib + 1), cases.ErrTooLarge, "", ""},
		{"text field", "sports-shift", "groupName", "a.pdf", pdfFile, cases.ErrNotFileFld, "", ""},
		{"checkbox field", "association-grant", "confirmCorrect", "a.pdf", pdfFile, cases.ErrNotFileFld, "", ""},
		{"info field", "association-grant", "reporting", "a.pdf", pdfFile, cases.ErrNotFileFld, "", ""},
		{"group field", "association-grant", "budget", "a.pdf", pdfFile, cases.ErrNotFileFld, "", ""},
		{"group sub-field that is no file", "association-grant", "budget.0.item", "a.pdf", pdfFile, cases.ErrNotFileFld, "", ""},
		{"unknown field", "sports-shift", "passport", "a.pdf", pdfFile, cases.ErrNotFileFld, "", ""},
		{"path below a file field", "sports-shift", "attachment.0.x", "a.pdf", pdfFile, cases.ErrNotFileFld, "", ""},
		{"windows path in the name", "sports-shift", "attachment", `C:\Users\aino\Documents\vuorolista.pdf`, pdfFile, nil, "application/pdf", "vuorolista.pdf"},
		{"traversal in the name", "sports-shift", "attachment", "../../etc/passwd", pdfFile, nil, "application/pdf", "passwd"},
		{"control characters in the name", "sports-shift", "attachment", "lasku\x00\r\n.pdf", pdfFile, nil, "application/pdf", "lasku.pdf"},
		{"no name", "sports-shift", "attachment", "", pdfFile, nil, "application/pdf", "file"},
		{"right-to-left override in the name", "sports-shift", "attachment", "lasku\u202efdp.exe", pdfFile, nil, "application/pdf", "laskufdp.exe"},
		{"isolates and marks in the name", "sports-shift", "attachment", "\u2067kuva\u2069\u200e.pdf", pdfFile, nil, "application/pdf", "kuva.pdf"},
		{"zero-width characters in the name", "sports-shift", "attachment", "\u200blas\u2060ku\ufeff.pdf", pdfFile, nil, "application/pdf", "lasku.pdf"},
		{"decomposed letters in the name", "sports-shift", "attachment", "A\u030angstro\u0308m.pdf", pdfFile, nil, "application/pdf", "\u00c5ngstr\u00f6m.pdf"},
		{"emoji sequence in the name stays", "sports-shift", "attachment", "\U0001F469\u200d\U0001F4BB.pdf", pdfFile, nil, "application/pdf", "\U0001F469\u200d\U0001F4BB.pdf"},
		{"only invisible characters in the name", "sports-shift", "attachment", "\u202e\u200b \u2066", pdfFile, nil, "application/pdf", "file"},
		{"white space runs in the name", "sports-shift", "attachment", "  oma\u00a0\u00a0kuva .pdf ", pdfFile, nil, "application/pdf", "oma kuva .pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			aino := e.ref(hetuAino)
			var principal *cases.Ref
			if tc.service == "association-grant" {
				principal = orgRef()
			}
			d := e.create(tc.service, aino, principal)
			a, err := e.svc.AddAttachment(d.ID, aino.ID, tc.field, fileUpload(tc.file, tc.content))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if n := countPrefix(t, e.st, store.Attachments, ""); n != 0 {
					t.Errorf("refused upload stored %d attachments", n)
				}
				if n := countPrefix(t, e.st, store.Blobs, ""); n != 0 {
					t.Errorf("refused upload stored %d blobs", n)
				}
				return
			}
			sum := sha256.Sum256(tc.content)
			if a.MIME != tc.wantMIME || a.Name != tc.wantName || a.Size != int64(len(tc.content)) ||
				a.SHA256 != hex.EncodeToString(sum[:]) || a.Field != tc.field || a.Draft != d.ID || a.Owner != aino.ID {
				t.Errorf("attachment %+v", a)
			}
			list, err := e.svc.Attachments(d.ID, aino.ID)
			if err != nil || len(list) != 1 || list[0] != *a {
				t.Errorf("Attachments = %+v, %v", list, err)
			}
			got, body, err := e.svc.AttachmentContent(d.ID, a.ID, aino.ID)
			if err != nil || !bytes.Equal(body, tc.content) || got.Name != a.Name {
				t.Errorf("content: %v, %d bytes", err, len(body))
			}
		})
	}
}

// TestAddAttachmentWho: only the owner, only before submit.
func TestAddAttachmentWho(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("sports-shift", aino, nil)
	for _, h := range []string{hetuMaria, hetuMikko} {
		if _, err := e.svc.AddAttachment(d.ID, e.ref(h).ID, "attachment", fileUpload("a.pdf", pdfFile)); err != cases.ErrNotFound {
			t.Errorf("%s: err = %v, want ErrNotFound", h, err)
		}
		if _, err := e.svc.Attachments(d.ID, e.ref(h).ID); err != cases.ErrNotFound {
			t.Errorf("%s Attachments: err = %v", h, err)
		}
	}
	d, _ = e.fill("sports-shift", aino, nil, sportsShiftAnswers())
	if _, err := e.svc.AddAttachment(d.ID, aino.ID, "attachment", fileUpload("a.pdf", pdfFile)); !errors.Is(err, cases.ErrSubmitted) {
		t.Errorf("after submit: err = %v, want ErrSubmitted", err)
	}
}

// TestAttachmentContentAccess: the owner always; the people of the case
// once submitted; nobody else, with the same answer as for a missing id.
func TestAttachmentContentAccess(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	eetu := e.principal(hetuEetu, "guardian")
	d := e.create("early-education", aino, eetu)
	proof := e.upload(d, "urgentProof", "tyotodistus.pdf", pdfFile)
	other := e.create("sports-shift", aino, nil)
	otherAtt := e.upload(other, "attachment", "kuva.png", pngFile)

	type probe struct {
		who     string // hetu
		draft   string
		att     string
		allowed bool
	}
	check := func(stage string, ps []probe) {
		t.Helper()
		for _, p := range ps {
			_, body, err := e.svc.AttachmentContent(p.draft, p.att, e.ref(p.who).ID)
			switch {
			case p.allowed && (err != nil || !bytes.Equal(body, pdfFile)):
				t.Errorf("%s: %s reading %s: %v", stage, p.who, p.att, err)
			case !p.allowed && err != cases.ErrNotFound:
				t.Errorf("%s: %s reading %s/%s: err = %v, want ErrNotFound", stage, p.who, p.draft, p.att, err)
			case !p.allowed && len(body) > 0:
				t.Errorf("%s: %s got %d bytes", stage, p.who, len(body))
			}
		}
	}
	junk := store.NewID(t0)
	check("draft", []probe{
		{hetuAino, d.ID, proof.ID, true},
		{hetuEetu, d.ID, proof.ID, false}, // not shared before submit
		{hetuMikko, d.ID, proof.ID, false},
		{hetuMaria, d.ID, proof.ID, false},
		{hetuAino, d.ID, junk, false},
		{hetuAino, junk, proof.ID, false},
		{hetuAino, other.ID, proof.ID, false}, // attachment of another draft
		{hetuAino, d.ID, otherAtt.ID, false},
		{hetuAino, "../" + d.ID, proof.ID, false},
		{hetuAino, d.ID, "", false},
	})

	d = e.save(d, merge(earlyEducationAnswers(), map[string]any{"urgent": "yes", "urgentProof": proof.ID}))
	c := e.submit(d)
	if len(c.Attachments) != 1 || c.Attachments[0].ID != proof.ID {
		t.Fatalf("case attachments %+v", c.Attachments)
	}
	check("submitted", []probe{
		{hetuAino, d.ID, proof.ID, true},
		{hetuEetu, d.ID, proof.ID, true},  // the principal sees the case
		{hetuMikko, d.ID, proof.ID, true}, // so does the other guardian, read-only
		{hetuMaria, d.ID, proof.ID, false},
		{hetuSven, d.ID, proof.ID, false},
	})
}

// TestSubmitFileAnswerMustMatchUpload: a file answer must name an
// attachment of this draft uploaded for that very field.
func TestSubmitFileAnswerMustMatchUpload(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(e *env, d, other *cases.Draft) string
		wantErr bool
	}{
		{"uploaded for this field", func(e *env, d, _ *cases.Draft) string {
			return e.upload(d, "sitePlan", "asemapiirros.pdf", pdfFile).ID
		}, false},
		{"uploaded for another field", func(e *env, d, _ *cases.Draft) string {
			return e.upload(d, "elevation", "julkisivu.pdf", pdfFile).ID
		}, true},
		{"uploaded to another draft of the same person", func(e *env, _, other *cases.Draft) string {
			return e.upload(other, "sitePlan", "asemapiirros.pdf", pdfFile).ID
		}, true},
		{"made-up id", func(*env, *cases.Draft, *cases.Draft) string { return store.NewID(t0) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newSoleOwnerEnv(t)
			aino := e.ref(hetuAino)
			d := e.create("building-notification", aino, nil)
			other := e.create("building-notification", aino, nil)
			unused := e.upload(d, "elevation", "luonnos.jpg", jpegFile) // uploaded, never answered
			d = e.save(d, buildingAnswers(tc.answer(e, d, other)))
			res, err := e.svc.Submit(d.ID, aino)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.wantErr {
				if res.Case == nil || len(res.Case.Attachments) != 1 || res.Case.Attachments[0].ID != d.Data["sitePlan"] {
					t.Errorf("case attachments: %+v", res)
				}
				if res.Case != nil && res.Case.Attachments[0].ID == unused.ID {
					t.Errorf("unused attachment in the case")
				}
				return
			}
			if res.Case != nil || len(res.Errors) != 1 || res.Errors[0].Field != "sitePlan" || res.Errors[0].Code != forms.ErrFileMissing {
				t.Errorf("result %+v, want one %s error on sitePlan", res, forms.ErrFileMissing)
			}
		})
	}
}

// TestAddAttachmentWholeOrNothing: a file is stored whole or not at all,
// whatever size the caller was told.
func TestAddAttachmentWholeOrNothing(t *testing.T) {
	content := pdfOfSize(1000)
	for _, tc := range []struct {
		name    string
		size    int64
		wantErr error
	}{
		{"longer than said", 999, cases.ErrTooLarge},
		{"shorter than said", 1001, io.ErrUnexpectedEOF},
		{"size over the limit", 10*mib + 1, cases.ErrTooLarge},
		{"size unknown", -1, cases.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			aino := e.ref(hetuAino)
			d := e.create("sports-shift", aino, nil)
			_, err := e.svc.AddAttachment(d.ID, aino.ID, "attachment", cases.Upload{Name: "a.pdf", Size: tc.size, Content: bytes.NewReader(content)})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			var le *cases.LimitError
			if errors.Is(err, cases.ErrTooLarge) && (!errors.As(err, &le) || le.Limit != 10*mib) {
				t.Errorf("err %v does not tell the field's limit", err)
			}
			if n := countPrefix(t, e.st, store.Attachments, "") + countPrefix(t, e.st, store.Blobs, ""); n != 0 {
				t.Errorf("%d records stored", n)
			}
		})
	}
}

// TestBlobsPerOwner: identical bytes from another person are stored as
// their own content, so that uploading them takes the same path as any
// new file (issue 7 item 9: a shared store answered faster for bytes that
// someone else had uploaded); deleting or orphaning one person's copy
// leaves the other's.
func TestBlobsPerOwner(t *testing.T) {
	e := newEnv(t)
	aino, maria := e.ref(hetuAino), e.ref(hetuMaria)
	d := e.create("sports-shift", aino, nil)
	a := e.upload(d, "attachment", "todistus.pdf", pdfFile)
	d = e.save(d, map[string]any{"attachment": a.ID})
	blobs := countPrefix(t, e.st, store.Blobs, "")
	m := e.create("sports-shift", maria, nil)
	b := e.upload(m, "attachment", "todistus.pdf", pdfFile)
	if a.SHA256 != b.SHA256 || a.Blob == b.Blob || countPrefix(t, e.st, store.Blobs, "") != blobs+1 {
		t.Fatalf("Maria's identical file did not get its own content: %q %q", a.Blob, b.Blob)
	}
	// Orphaned: Maria replaces her file; the old one is collected.
	m = e.save(m, map[string]any{"attachment": b.ID})
	c := e.upload(m, "attachment", "toinen.png", pngFile)
	m = e.save(m, map[string]any{"attachment": c.ID})
	e.clk.Add(cases.OrphanGrace)
	if n, err := e.svc.CollectOrphans(); err != nil || n != 1 {
		t.Fatalf("collected %d, %v", n, err)
	}
	if _, _, err := e.svc.AttachmentContent(m.ID, b.ID, maria.ID); err != cases.ErrNotFound {
		t.Errorf("Maria's orphaned file: %v", err)
	}
	if _, body, err := e.svc.AttachmentContent(d.ID, a.ID, aino.ID); err != nil || !bytes.Equal(body, pdfFile) {
		t.Errorf("Aino's file after Maria's was collected: %v", err)
	}
	// Deleted: Aino's draft goes; Maria's own copy of the bytes stays.
	b2 := e.upload(m, "attachment", "todistus.pdf", pdfFile)
	if err := e.svc.Delete(d.ID, aino.ID); err != nil {
		t.Fatal(err)
	}
	if _, body, err := e.svc.AttachmentContent(m.ID, b2.ID, maria.ID); err != nil || !bytes.Equal(body, pdfFile) {
		t.Errorf("Maria's file after Aino's draft was deleted: %v", err)
	}
}

// TestLegacyBlob: an attachment stored before per-owner keys (content
// under its bare hash) is still read and deleted with its content.
func TestLegacyBlob(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("sports-shift", aino, nil)
	a := e.upload(d, "attachment", "vanha.pdf", pdfFile)
	err := e.st.Update(func(tx *store.Tx) error { // as the old code stored it
		if err := tx.Delete(store.Blobs, a.Blob); err != nil {
			return err
		}
		if _, err := tx.AddCount("blobref/"+a.Blob, -1); err != nil {
			return err
		}
		if err := tx.PutRaw(store.Blobs, a.SHA256, pdfFile); err != nil {
			return err
		}
		if _, err := tx.AddCount("blobref/"+a.SHA256, 1); err != nil {
			return err
		}
		old := *a
		old.Blob = ""
		return tx.Put(store.Attachments, d.ID+"/"+a.ID, old)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, body, err := e.svc.AttachmentContent(d.ID, a.ID, aino.ID); err != nil || !bytes.Equal(body, pdfFile) {
		t.Fatalf("legacy content: %v", err)
	}
	if err := e.svc.Delete(d.ID, aino.ID); err != nil {
		t.Fatal(err)
	}
	if n := countPrefix(t, e.st, store.Blobs, ""); n != 0 {
		t.Errorf("%d blobs left after deleting the draft", n)
	}
}

// TestUploadQuota: a person's files waiting in drafts stay within the
// quota; files that no answer refers to count for OrphanGrace, then not
// (and housekeeping collects them); submitted files do not count.
func TestUploadQuota(t *testing.T) {
	e := newSoleOwnerEnv(t)
	e.svc.UploadQuota = 25 * mib
	aino, maria := e.ref(hetuAino), e.ref(hetuMaria)
	d := e.create("building-notification", aino, nil)
	first := e.upload(d, "sitePlan", "a.pdf", pdfOfSize(10*mib))
	d = e.save(d, map[string]any{"sitePlan": first.ID})
	second := e.upload(d, "elevation", "b.pdf", pdfOfSize(15*mib)) // exactly the quota
	_, err := e.svc.AddAttachment(d.ID, aino.ID, "elevation", fileUpload("c.pdf", pdfOfSize(1000)))
	var le *cases.LimitError
	if !errors.Is(err, cases.ErrQuota) || !errors.As(err, &le) || le.Limit != 25*mib {
		t.Fatalf("over the quota: err = %v", err)
	}
	other := e.create("sports-shift", aino, nil) // the quota is per person, not per draft
	if _, err := e.svc.AddAttachment(other.ID, aino.ID, "attachment", fileUpload("c.pdf", pdfFile)); !errors.Is(err, cases.ErrQuota) {
		t.Errorf("another draft of the same person: err = %v", err)
	}
	m := e.create("sports-shift", maria, nil) // another person has their own
	e.save(m, map[string]any{"attachment": e.upload(m, "attachment", "c.pdf", pdfOfSize(10*mib)).ID})

	// The unreferenced second file counts for the grace period only.
	e.clk.Add(cases.OrphanGrace - time.Second)
	if _, err := e.svc.AddAttachment(other.ID, aino.ID, "attachment", fileUpload("c.pdf", pdfFile)); !errors.Is(err, cases.ErrQuota) {
		t.Errorf("within the grace period: err = %v", err)
	}
	e.clk.Add(time.Second)
	e.upload(other, "attachment", "c.pdf", pdfFile)
	if n, err := e.svc.CollectOrphans(); err != nil || n != 1 {
		t.Fatalf("collected %d, %v", n, err)
	}
	if _, _, err := e.svc.AttachmentContent(d.ID, second.ID, aino.ID); err != cases.ErrNotFound {
		t.Errorf("orphan still there: %v", err)
	}
	if _, _, err := e.svc.AttachmentContent(d.ID, first.ID, aino.ID); err != nil {
		t.Errorf("referenced file collected: %v", err)
	}

	// Submitted files no longer count.
	d = e.save(d, buildingAnswers(first.ID))
	e.submit(d)
	d2 := e.create("building-notification", aino, nil)
	e.upload(d2, "sitePlan", "d.pdf", pdfOfSize(20*mib))
}

// TestCollectOrphans: only files nothing refers to, only after the grace
// period; a submitted draft's files the case does not use go too.
func TestCollectOrphans(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("sports-shift", aino, nil)
	kept := e.upload(d, "attachment", "a.pdf", pdfFile)
	replaced := e.upload(d, "attachment", "b.png", pngFile)
	d = e.save(d, map[string]any{"attachment": replaced.ID})
	d = e.save(d, merge(sportsShiftAnswers(), map[string]any{"attachment": kept.ID}))
	never := e.upload(d, "attachment", "c.pdf", pdfOfSize(2000)) // uploaded, never answered
	open := e.create("sports-shift", aino, nil)
	waiting := e.upload(open, "attachment", "d.pdf", pdfOfSize(3000))
	open = e.save(open, map[string]any{"attachment": waiting.ID})
	young := e.upload(open, "attachment", "e.pdf", pdfOfSize(4000))

	if n, err := e.svc.CollectOrphans(); err != nil || n != 0 {
		t.Fatalf("within the grace period: collected %d, %v", n, err)
	}
	e.submit(d)
	e.clk.Add(cases.OrphanGrace)
	young2 := e.upload(open, "attachment", "f.pdf", pdfOfSize(5000))
	if n, err := e.svc.CollectOrphans(); err != nil || n != 3 {
		t.Fatalf("collected %d, %v; want 3", n, err)
	}
	for _, c := range []struct {
		draft *cases.Draft
		a     *cases.Attachment
		gone  bool
	}{{d, kept, false}, {d, replaced, true}, {d, never, true}, {open, waiting, false}, {open, young, true}, {open, young2, false}} {
		_, _, err := e.svc.AttachmentContent(c.draft.ID, c.a.ID, aino.ID)
		if gone := err == cases.ErrNotFound; gone != c.gone || (err != nil && !gone) {
			t.Errorf("%s: err = %v, want gone = %v", c.a.Name, err, c.gone)
		}
	}
	if n, err := e.svc.CollectOrphans(); err != nil || n != 0 {
		t.Errorf("second run: collected %d, %v", n, err)
	}
}
