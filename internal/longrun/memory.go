// Package longrun runs gradtune for a long time — thousands of training
// steps on one trainer, a study of many build–fit–close trials — and samples
// the live heap, the resident set and the goroutines along the way: the
// curve cmd/bench prints (-jobs memory) and the bound this package's tests
// hold (issue 13).
package longrun

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
)

// Point is one sample of a run's memory.
type Point struct {
	At         int    // steps or trials completed
	Heap       uint64 // live heap, bytes: runtime.MemStats.HeapAlloc right after a full GC
	RSS        uint64 // resident set, bytes (/proc/self/statm); 0 where unknown (not Linux)
	Goroutines int
}

// Measure samples the process at At = at. It first collects garbage twice
// (the finalizers the first cycle queues, such as a dropped tape machine's,
// free more on the second) and returns freed pages to the OS, so that RSS
// says what the process keeps rather than how far the scavenger has got.
// It stops the world a few times: milliseconds on a small heap.
func Measure(at int) Point {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, _ := residentBytes()
	return Point{At: at, Heap: ms.HeapAlloc, RSS: rss, Goroutines: runtime.NumGoroutine()}
}

// residentBytes reads the resident set from /proc/self/statm (its second
// field, in pages; proc(5)). ok is false where there is no such file.
func residentBytes() (n uint64, ok bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * uint64(os.Getpagesize()), true
}

// HasRSS reports whether Measure can read the resident set here.
func HasRSS() bool {
	_, ok := residentBytes()
	return ok
}

// size formats b bytes in B, KiB or MiB.
func size(b float64) string {
	switch a := math.Abs(b); {
	case a >= 1<<20:
		return fmt.Sprintf("%.2f MiB", b/(1<<20))
	case a >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}
