//go:build unix

package web

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used (user and system, all
// threads): on a shared machine a steadier figure than the wall clock.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
