//go:build unix

// Package cputime reads the CPU time this process has used, for
// benchmarks and load generators: on a shared machine a steadier figure
// than the wall clock.
package cputime

import (
	"syscall"
	"time"
)

// Process is the user and system CPU time of this process, all threads
// (0 when unknown).
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
