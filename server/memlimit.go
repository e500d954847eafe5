package main

import (
	"os"
	"strconv"
	"strings"
)

// The default soft memory limit follows the machine: a quarter of the
// memory the process may use (its cgroup's limit, else the machine's),
// between 64 MiB and 512 MiB. The rest is for the operating system, the
// page cache that holds the database file (bbolt maps it; those pages are
// not heap) and other programs. On a 1 GB VM that is 256 MiB; from 2 GB
// up, 512 MiB.
const (
	memFraction = 4
	memFloor    = 64 << 20
	memCeiling  = 512 << 20
)

// defaultMemoryLimit reads the limits of this machine.
func defaultMemoryLimit() int64 {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			return ""
		}
		return string(b)
	}
	return memoryLimit(read("/sys/fs/cgroup/memory.max"), read("/sys/fs/cgroup/memory/memory.limit_in_bytes"), read("/proc/meminfo"))
}

// memoryLimit is the soft limit for the given contents of cgroup v2's
// memory.max, cgroup v1's memory.limit_in_bytes and /proc/meminfo (each
// "" when absent). "max", and v1's huge "no limit" value, are no limit.
func memoryLimit(v2, v1, meminfo string) int64 {
	var avail int64
	if n, err := strconv.ParseInt(strings.TrimSpace(memTotalKB(meminfo)), 10, 64); err == nil && n > 0 {
		avail = n * 1024
	}
	for _, c := range []string{v2, v1} {
		n, err := strconv.ParseInt(strings.TrimSpace(c), 10, 64)
		if err == nil && n > 0 && (avail == 0 || n < avail) {
			avail = n
		}
	}
	if avail == 0 {
		return memCeiling
	}
	return min(max(avail/memFraction, memFloor), memCeiling)
}

// memTotalKB is the MemTotal of /proc/meminfo in kB, as text.
func memTotalKB(meminfo string) string {
	for _, line := range strings.Split(meminfo, "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			return strings.TrimSuffix(strings.TrimSpace(rest), " kB")
		}
	}
	return ""
}
