package main

import (
	"bufio"
	"strings"
	"testing"
)

func TestParseRuntime(t *testing.T) {
	const page = `# HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 2.1e-05
go_gc_duration_seconds_sum 0.0125
go_gc_duration_seconds_count 42
go_memstats_alloc_bytes 1.2e+07
go_memstats_alloc_bytes_total 8.5e+09
go_memstats_mallocs_total 1.25e+08
`
	for _, tc := range []struct {
		name string
		page string
		want runtimeCounts
	}{
		{"all four", page, runtimeCounts{ok: true, bytes: 8.5e9, objects: 1.25e8, gcs: 42, pause: 0.0125}},
		{"one missing", strings.Replace(page, "go_memstats_mallocs_total 1.25e+08\n", "", 1), runtimeCounts{}},
		{"not a number", strings.Replace(page, "42", "x", 1), runtimeCounts{}},
		{"empty", "", runtimeCounts{}},
	} {
		got := parseRuntime(bufio.NewScanner(strings.NewReader(tc.page)))
		if tc.want.ok != got.ok || (got.ok && got != tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	a := runtimeCounts{ok: true, bytes: 10, objects: 4, gcs: 3, pause: 1}
	b := runtimeCounts{ok: true, bytes: 4, objects: 1, gcs: 1, pause: 0.5}
	if d, ok := a.since(b); !ok || d.bytes != 6 || d.objects != 3 || d.gcs != 2 || d.pause != 0.5 {
		t.Errorf("since: %+v %v", d, ok)
	}
	if _, ok := a.since(runtimeCounts{}); ok {
		t.Error("since an unread count is not a difference")
	}
}
