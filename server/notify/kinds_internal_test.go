package notify

import "testing"

// TestEveryKindIsComplete: each kind has a default choice of channels
// (prefs.go), a sentence and a name in settings (render.go), and these
// tables name no kind that Kinds (the settings list) leaves out.
func TestEveryKindIsComplete(t *testing.T) {
	known := map[string]bool{}
	for _, k := range Kinds {
		known[k] = true
		if _, ok := defaults[k]; !ok {
			t.Errorf("%s has no default channels", k)
		}
		if kindMessages[k] == "" || kindNames[k] == "" {
			t.Errorf("%s has no sentence or no name in settings", k)
		}
	}
	for name, table := range map[string]map[string]string{"kindMessages": kindMessages, "kindNames": kindNames} {
		for k := range table {
			if !known[k] {
				t.Errorf("%s names %s, which is not in Kinds", name, k)
			}
		}
	}
	for k := range defaults {
		if !known[k] {
			t.Errorf("defaults name %s, which is not in Kinds", k)
		}
	}
}
