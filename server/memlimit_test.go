package main

import "testing"

func TestMemoryLimit(t *testing.T) {
	const mi = 1 << 20
	meminfo := func(kb string) string { return "MemFree:  100 kB\nMemTotal:       " + kb + " kB\nSwapTotal: 0 kB\n" }
	tests := []struct {
		name         string
		v2, v1, info string
		want         int64
	}{
		{"1 GB VM, no cgroup limit", "max\n", "", meminfo("1048576"), 256 * mi},
		{"24 GB machine: the ceiling", "max\n", "", meminfo("24683620"), 512 * mi},
		{"cgroup v2 limit of 768 MiB on a big machine", "805306368\n", "", meminfo("24683620"), 192 * mi},
		{"cgroup v1 limit", "", "536870912\n", meminfo("24683620"), 128 * mi},
		{"cgroup v1 without a limit", "", "9223372036854771712\n", meminfo("2097152"), 512 * mi},
		{"tiny container: the floor", "134217728", "", meminfo("24683620"), 64 * mi},
		{"nothing readable", "", "", "", 512 * mi},
		{"junk", "lots", "?", "MemTotal: many kB", 512 * mi},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := memoryLimit(tc.v2, tc.v1, tc.info); got != tc.want {
				t.Errorf("got %d MiB, want %d MiB", got/mi, tc.want/mi)
			}
		})
	}
}
