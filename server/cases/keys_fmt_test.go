package cases

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// TestKeysAsFmt: the keys and references written without fmt are the
// strings fmt.Sprintf made before (stored bytes: index keys, counters,
// references).
func TestKeysAsFmt(t *testing.T) {
	for _, n := range []uint64{0, 1, 42, 99999, 999999, 1000000, 123456789, math.MaxUint32, math.MaxInt64, math.MaxUint64} {
		for _, w := range []int{0, 1, 6, 10, 25} {
			if got, want := string(appendZeroPadded([]byte("x"), n, w)), fmt.Sprintf("x%0*d", w, n); got != want {
				t.Errorf("appendZeroPadded(%d, %d) = %q, want %q", n, w, got, want)
			}
		}
	}
	for _, tc := range []struct {
		prefix string
		year   int
		n      uint64
	}{
		{"ESI", 2027, 42}, {"ESI", 2027, 1000000}, {"", 0, 0}, {"LONGPREFIXLONGPREFIXLONGPREFIXLONGPREFIXLONGPREFIXLONGPREFIX", 12345, math.MaxUint64}, {"Ä", -1, 7},
	} {
		if got, want := caseReference(tc.prefix, tc.year, tc.n), fmt.Sprintf("%s-%d-%06d", tc.prefix, tc.year, tc.n); got != want {
			t.Errorf("caseReference%v = %q, want %q", tc, got, want)
		}
		if got, want := refCounter(tc.prefix, tc.year), fmt.Sprintf("ref/%s/%d", tc.prefix, tc.year); got != want {
			t.Errorf("refCounter(%q, %d) = %q, want %q", tc.prefix, tc.year, got, want)
		}
	}
	for _, at := range []time.Time{time.Unix(0, 0), time.Unix(-5, 0), time.Unix(1795000000, 0), time.Unix(99999999999, 0), {}} {
		if got, want := inboxDueKey(at), fmt.Sprintf("%010d", max(at.Unix(), 0)); got != want {
			t.Errorf("inboxDueKey(%v) = %q, want %q", at, got, want)
		}
	}
}
