package web

import (
	"testing"
	"unsafe"

	"asiointi/i18n"
)

// TestKnownLangOwnsItsString: the language a request names is given back
// as i18n.Languages has it, not as the request's bytes (which Fiber
// reuses): it keys what the server keeps across requests, and a key that
// changed under a sync.Map once panicked it ("ran out of hash bits").
func TestKnownLangOwnsItsString(t *testing.T) {
	for i, want := range i18n.Languages {
		buf := []byte(want)
		req := unsafe.String(&buf[0], len(buf)) // as Fiber hands it out
		got, ok := knownLang(req)
		if !ok || got != want || unsafe.StringData(got) != unsafe.StringData(i18n.Languages[i]) {
			t.Errorf("knownLang(%q) = %q, %v: not i18n's own string", req, got, ok)
		}
	}
	for _, l := range []string{"", "de", "FI", "fi "} {
		if _, ok := knownLang(l); ok {
			t.Errorf("knownLang(%q) accepted", l)
		}
	}
}
