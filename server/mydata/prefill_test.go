package mydata_test

import (
	"testing"

	"asiointi/server/identity"
	"asiointi/server/mydata"
)

// TestChangedPrefillIsYours: a prefilled, unlocked value the person
// changes is theirs in my data (draft and application), while one they
// kept still names the register it came from.
func TestChangedPrefillIsYours(t *testing.T) {
	w := newWorld(t)
	juhani := w.person("300468-951T")
	d := w.fill("home-help", ref(juhani, identity.Resident), nil, map[string]any{"phone": "+358 40 999 0000",
		"livesAlone": "yes", "helpWith": []any{"washing"}, "situation": "Kaaduin.", "hasContactPerson": "no", "confirmCorrect": true})
	if d.Prefill["phone"].Source == "" {
		t.Fatal("phone was not prefilled: the test needs a prefilled, unlocked field")
	}
	check := func(topic string) {
		t.Helper()
		data, err := w.col.Collect(juhani.ID, "en", nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"phone": mydata.SourceYou, "firstName": mydata.SourcePopulation}
		for _, it := range data.Items {
			if w, ok := want[it.Field]; ok && it.Topic == topic {
				if it.Source != w {
					t.Errorf("%s %s: source %q, want %q", topic, it.Field, it.Source, w)
				}
				delete(want, it.Field)
			}
		}
		if len(want) > 0 {
			t.Errorf("%s: no item for %v", topic, want)
		}
	}
	check(mydata.TopicDrafts)
	w.send(d)
	check(mydata.TopicApplications)
}
