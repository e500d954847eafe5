package cases_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

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
			a, err := e.svc.AddAttachment(d.ID, aino.ID, tc.field, tc.file, tc.content)
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
		if _, err := e.svc.AddAttachment(d.ID, e.ref(h).ID, "attachment", "a.pdf", pdfFile); err != cases.ErrNotFound {
			t.Errorf("%s: err = %v, want ErrNotFound", h, err)
		}
		if _, err := e.svc.Attachments(d.ID, e.ref(h).ID); err != cases.ErrNotFound {
			t.Errorf("%s Attachments: err = %v", h, err)
		}
	}
	d, _ = e.fill("sports-shift", aino, nil, sportsShiftAnswers())
	if _, err := e.svc.AddAttachment(d.ID, aino.ID, "attachment", "a.pdf", pdfFile); !errors.Is(err, cases.ErrSubmitted) {
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
		{hetuEetu, d.ID, proof.ID, true}, // the principal sees the case
		{hetuMikko, d.ID, proof.ID, false},
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
			e := newEnv(t)
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
