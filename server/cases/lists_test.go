package cases

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestDecodeListed: a case decoded for a list is the case without its
// answers and known values, field for field.
func TestDecodeListed(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c := Case{ID: "c1", Reference: "ESI-2026-000001", Service: "sports-shift", FormVersion: 2, Status: StatusSubmitted,
		Actor: Ref{ID: "a", Name: "Aino", Kind: "resident"}, Principal: &Ref{ID: "p", Name: "Eetu"},
		Answers: map[string]any{"x": []any{map[string]any{"y": "}"}}}, Municipality: "m1",
		Known: map[string]any{"email": "a@b.fi"}, Attachments: []Attachment{{ID: "f1", Name: "a.pdf", CreatedAt: at}},
		Parties: []Party{{ID: "s", Name: "Sven", Status: "signed"}}, DraftID: "d1",
		SubmittedAt: at, UpdatedAt: at.Add(time.Hour), DueAt: at.Add(48 * time.Hour), RetainUntil: at.AddDate(10, 0, 0)}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeListed(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.Answers, want.Known = nil, nil
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", *got, want)
	}
	if _, err := decodeListed([]byte(`{"id":"c1","answers":{`)); err == nil {
		t.Error("a cut record decoded")
	}
}
