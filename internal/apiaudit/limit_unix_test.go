//go:build unix

package apiaudit

import "syscall"

// limitMemory caps the child's address space at 16 GiB, so that a call that
// asks for more fails at once ("out of memory") instead of swapping a shared
// machine.
func limitMemory() {
	lim := syscall.Rlimit{Cur: 16 << 30, Max: 16 << 30}
	_ = syscall.Setrlimit(syscall.RLIMIT_AS, &lim)
}
