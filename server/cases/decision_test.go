package cases_test

import (
	"bytes"
	"errors"
	"testing"

	"asiointi/server/audit"
	"asiointi/server/cases"
)

// TestDecisionFile: a handler attaches a file to a decision; whoever may
// see the case downloads it, and every read of someone else's decision
// is in the access log; bad files are refused and nothing is decided.
func TestDecisionFile(t *testing.T) {
	e := newEnv(t)
	aino, eetu := e.ref(hetuAino), e.principal(hetuEetu, "guardian")
	_, c := e.fill("early-education", aino, eetu, earlyEducationAnswers())
	if _, err := e.svc.Transition(c.ID, kaisa, cases.AnyVersion, cases.StatusInProgress, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.DecisionFile(c.ID, aino); !isNotFound(err) {
		t.Errorf("before the decision: %v", err)
	}
	for _, tc := range []struct {
		name string
		up   cases.Upload
		want error
	}{
		{"too large", cases.Upload{Name: "big.pdf", Size: cases.DecisionFileLimit + 1, Content: bytes.NewReader(pdfOfSize(cases.DecisionFileLimit + 1))}, cases.ErrTooLarge},
		{"longer than it says", cases.Upload{Name: "p.pdf", Size: int64(len(pdfFile)) - 1, Content: bytes.NewReader(pdfFile)}, cases.ErrTooLarge},
		{"not a PDF or an image", fileUpload("paatos.pdf", textFile), cases.ErrBadType},
		{"empty", fileUpload("paatos.pdf", nil), cases.ErrTooLarge},
	} {
		up := tc.up
		if _, err := e.svc.Decide(c.ID, kaisa, cases.AnyVersion, cases.OutcomeApproved, "Paikka myönnetään.", &up); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if got, _, _ := e.svc.Case(c.ID, aino.ID); got.Status != cases.StatusInProgress {
		t.Fatalf("decided by a refused file: %s", got.Status)
	}
	up := fileUpload("päätös.pdf", pdfFile)
	d, err := e.svc.Decide(c.ID, kaisa, cases.AnyVersion, cases.OutcomeApproved, "Paikka myönnetään.", &up)
	if err != nil || d.Decision.Attachment == nil || d.Decision.Attachment.Name != "päätös.pdf" || d.Decision.Attachment.MIME != "application/pdf" {
		t.Fatalf("Decide: %v %+v", err, d)
	}
	for _, who := range []cases.Ref{aino, kaisa, pertti} {
		a, body, err := e.svc.DecisionFile(c.ID, who)
		if err != nil || !bytes.Equal(body, pdfFile) || a.Name != "päätös.pdf" {
			t.Errorf("%s downloads: %v %d bytes", who.ID, err, len(body))
		}
	}
	for _, who := range []cases.Ref{e.ref(hetuMaria), staffRef("nobody", "X")} {
		if _, _, err := e.svc.DecisionFile(c.ID, who); !isNotFound(err) {
			t.Errorf("%s downloads another's decision: %v", who.ID, err)
		}
	}
	log, _, err := audit.Of(e.st, eetu.ID, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	reads := map[string]string{}
	for _, a := range log {
		if a.Kind == audit.KindAttachment && a.Case == c.ID {
			reads[a.Actor.ID] = a.Purpose
		}
	}
	if reads[aino.ID] != audit.PurposeProxy || reads["kaisa"] != audit.PurposeHandling || reads["pertti"] != audit.PurposeHandling || len(reads) != 3 {
		t.Errorf("access log of the decision's file: %v", reads)
	}
}

// TestSupplementFile: a resident asked for a missing attachment sends a
// file for exactly that field; the case then uses it instead of the old
// one, for the resident and the handler alike.
func TestSupplementFile(t *testing.T) {
	e := newEnv(t)
	aino := e.ref(hetuAino)
	d := e.create("association-grant", aino, orgRef())
	old := e.upload(d, "annualReport", "vuosikertomus.pdf", pdfFile)
	d = e.save(d, associationGrantAnswers(old.ID))
	c := e.submit(d)
	if _, err := e.svc.Transition(c.ID, pertti, cases.AnyVersion, cases.StatusInProgress, ""); err != nil {
		t.Fatal(err)
	}
	signed := pdfOfSize(3000)
	if _, err := e.svc.AddSupplementFile(c.ID, aino, "annualReport", fileUpload("a.pdf", signed)); !errors.Is(err, cases.ErrIllegalTransition) {
		t.Errorf("before a request: %v", err)
	}
	if _, err := e.svc.RequestSupplement(c.ID, pertti, cases.AnyVersion, "Liitä allekirjoitettu vuosikertomus.", []string{"annualReport"}, e.clk.Now().AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		who   cases.Ref
		field string
		up    cases.Upload
		want  error
	}{
		{"a field not asked for", aino, "iban", fileUpload("a.pdf", signed), cases.ErrNotFileFld},
		{"someone else", e.ref(hetuMaria), "annualReport", fileUpload("a.pdf", signed), cases.ErrNotFound},
		{"the handler", pertti, "annualReport", fileUpload("a.pdf", signed), cases.ErrForbidden},
		{"not a PDF", aino, "annualReport", fileUpload("a.pdf", textFile), cases.ErrBadType},
	} {
		if _, err := e.svc.AddSupplementFile(c.ID, tc.who, tc.field, tc.up); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// A file of another draft is not the case's.
	other := e.create("association-grant", aino, orgRef())
	foreign := e.upload(other, "annualReport", "muu.pdf", pdfFile)
	if res, err := e.svc.SendSupplement(c.ID, aino, map[string]any{"annualReport": foreign.ID}); err != nil || len(res.Errors) != 1 {
		t.Errorf("another draft's file: %+v %v", res, err)
	}
	a, err := e.svc.AddSupplementFile(c.ID, aino, "annualReport", fileUpload("allekirjoitettu.pdf", signed))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.SendSupplement(c.ID, aino, map[string]any{"annualReport": a.ID})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("SendSupplement: %+v %v", res, err)
	}
	if atts := res.Case.Attachments; len(atts) != 1 || atts[0].ID != a.ID {
		t.Errorf("the case's files: %+v", atts)
	}
	if _, body, err := e.svc.HandlerAttachment(c.ID, a.ID, pertti); err != nil || !bytes.Equal(body, signed) {
		t.Errorf("the handler's download: %v", err)
	}
	if _, _, err := e.svc.HandlerAttachment(c.ID, old.ID, pertti); !isNotFound(err) {
		t.Errorf("the replaced file is still the case's: %v", err)
	}
	if _, body, err := e.svc.AttachmentContent(a.Draft, a.ID, aino.ID); err != nil || !bytes.Equal(body, signed) {
		t.Errorf("the resident's download: %v", err)
	}
}
