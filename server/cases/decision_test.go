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
