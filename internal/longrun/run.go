package longrun

import (
	"errors"
	"fmt"
)

// Run is a long run's memory: its curve and what was left afterwards.
type Run struct {
	What   string  // "step" or "trial": what Point.At counts
	Before Point   // before the model, trainer or study was made (the data already was)
	Points []Point // the curve, from At = 0
	// End is measured after the run with its results still held — the
	// History of its Fit, the study with its trials — and After once they
	// are dropped too (the trainers and the model are dropped at both).
	End, After Point
}

// Kept is the live heap that the run's results hold at its end (End −
// After): growth that is data the caller asked for, not a leak.
func (r *Run) Kept() int64 { return max(0, int64(r.End.Heap)-int64(r.After.Heap)) }

// KeptRSS is the resident set that the run's results hold at its end. It
// is several times Kept: the results' objects were allocated among the
// steps' short-lived ones, so each pins a partly used span of the heap
// (measured here: 0.92 MB of trials kept 5.4 MB resident after 500 trials).
func (r *Run) KeptRSS() int64 { return max(0, int64(r.End.RSS)-int64(r.After.RSS)) }

// Bounds are the growth a Run may show beyond what its results keep, in bytes.
type Bounds struct {
	Heap int64 // of the live heap, fitted by Trend past the warm-up, beyond Kept; and of After over Before
	// RSS of the resident set, fitted by Trend past the warm-up, beyond
	// KeptRSS; not checked where RSS is unknown, nor under the race
	// detector, whose shadow memory grows with what it has watched (5
	// MiB over the 100 trials of the tests, with a flat heap).
	RSS int64
}

// Flat is the growth the tests allow a Steps run of 5,000 steps and a
// Trials run of 100 trials beyond what their results keep, and the bound
// cmd/bench reports longer runs against.
//
// The live heap: 128 KiB. Measured on a 2-core VM (Go 1.26, amd64), the
// fitted growth stays 15 KiB (Steps) to 45 KiB (Trials) below Kept — the
// line past the warm-up spans ¾ of the run — and varies by under 2 KiB
// from run to run, with OpenBLAS and GOMAXPROCS=1 too; a leak of 35 B per
// step, or 1.7 KiB per trial (the weights of one small model), goes over.
//
// The resident set: 4 MiB, 3× the most it was seen above KeptRSS (1.3 MiB,
// 100 trials in a fresh process: code pages touched the first time, the
// GC's metadata growing with the heap's spans). It is there for what never
// reaches the heap — an OS thread, a C buffer, an mmap — as much as 55 KiB
// per trial or 1.1 KiB per step.
var Flat = Bounds{Heap: 128 << 10, RSS: 4 << 20}

// Check returns nil if r stayed flat, or an error naming every way it grew:
// the live heap's fitted growth past the warm-up (Trend) above Kept plus
// its bound, the resident set's above KeptRSS plus its bound, the heap left once everything is
// dropped above Before's plus the heap bound, or more goroutines left than
// there were before.
func (r *Run) Check(b Bounds) error {
	var errs []error
	if g := Trend(r.Points, HeapOf); g.Total > float64(r.Kept()+b.Heap) {
		errs = append(errs, fmt.Errorf("live heap grew %s from %s %d to %d (%.1f B per %s), more than the %s its results keep plus %s",
			size(g.Total), r.What, g.From, g.To, g.Slope, r.What, size(float64(r.Kept())), size(float64(b.Heap))))
	}
	if r.Before.RSS > 0 && !raceDetector {
		if g := Trend(r.Points, RSSOf); g.Total > float64(r.KeptRSS()+b.RSS) {
			errs = append(errs, fmt.Errorf("resident set grew %s from %s %d to %d (%.1f B per %s), more than the %s its results keep plus %s",
				size(g.Total), r.What, g.From, g.To, g.Slope, r.What, size(float64(r.KeptRSS())), size(float64(b.RSS))))
		}
	}
	if left := int64(r.After.Heap) - int64(r.Before.Heap); left > b.Heap {
		errs = append(errs, fmt.Errorf("live heap is %s above where it started once everything is dropped, more than %s",
			size(float64(left)), size(float64(b.Heap))))
	}
	if r.After.Goroutines > r.Before.Goroutines {
		errs = append(errs, fmt.Errorf("%d goroutines left running, %d before", r.After.Goroutines, r.Before.Goroutines))
	}
	return errors.Join(errs...)
}
