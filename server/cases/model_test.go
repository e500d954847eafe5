package cases_test

import (
	"testing"
	"time"

	"asiointi/server/cases"
	"asiointi/server/forms"
)

func TestAttachmentLookup(t *testing.T) {
	atts := []cases.Attachment{
		{ID: "a1", Draft: "d1", Field: "sitePlan", Name: "plan.pdf", MIME: "application/pdf", Size: 1234,
			SHA256: "abc", Owner: "p1", CreatedAt: time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)},
		{ID: "a2", Draft: "d1", Field: "members.0.photo", Name: "me.jpg", MIME: "image/jpeg", Size: 99},
	}
	lookup := cases.AttachmentLookup(atts)
	for _, tc := range []struct {
		id   string
		want forms.Attachment
		ok   bool
	}{
		{"a1", forms.Attachment{ID: "a1", Field: "sitePlan", Name: "plan.pdf", MIME: "application/pdf", Size: 1234}, true},
		{"a2", forms.Attachment{ID: "a2", Field: "members.0.photo", Name: "me.jpg", MIME: "image/jpeg", Size: 99}, true},
		{"a3", forms.Attachment{}, false},
		{"", forms.Attachment{}, false},
	} {
		got, ok := lookup(tc.id)
		if got != tc.want || ok != tc.ok {
			t.Errorf("lookup(%q) = %+v, %v; want %+v, %v", tc.id, got, ok, tc.want, tc.ok)
		}
	}
	if got, ok := cases.AttachmentLookup(nil)("a1"); ok || got != (forms.Attachment{}) {
		t.Errorf("lookup in no files = %+v, %v", got, ok)
	}
}
