//go:build linux

package studyfiletest

import "syscall"

// peakRSS is the process's peak resident memory in bytes (Linux reports
// kilobytes), 0 where unknown.
func peakRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return int64(ru.Maxrss) << 10
}
