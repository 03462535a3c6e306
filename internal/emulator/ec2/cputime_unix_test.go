//go:build unix

package ec2

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the test process has used, GC
// workers included; benchmarks report it because wall time on a shared
// machine measures the neighbours.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
