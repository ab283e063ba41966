package longrun

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/trainer"
)

func logRun(t *testing.T, r *Run) {
	t.Helper()
	h, s := Trend(r.Points, HeapOf), Trend(r.Points, RSSOf)
	t.Logf("%d points up to %s %d: live heap %s → %s, fitted growth past the warm-up %s (results keep %s); RSS %s → %s, fitted growth %s (results keep %s); all dropped: live heap %s, %d goroutines (%d before)",
		len(r.Points), r.What, r.End.At, size(HeapOf(r.Before)), size(HeapOf(r.End)), size(h.Total), size(float64(r.Kept())),
		size(RSSOf(r.Before)), size(RSSOf(r.End)), size(s.Total), size(float64(r.KeptRSS())), size(HeapOf(r.After)), r.After.Goroutines, r.Before.Goroutines)
}

// 5,000 steps of one Fit keep the heap and the resident set flat, once the
// History they return is allowed for (issue 13).
func TestStepsKeepMemoryFlat(t *testing.T) {
	r, err := Steps(context.Background(), StepsConfig{})
	checkFlat(t, r, err, 51, 5000)
}

// A study of 100 build–fit–close trials keeps the heap and the resident
// set flat, once the trials the study keeps are allowed for (issue 13).
func TestTrialsKeepMemoryFlat(t *testing.T) {
	r, err := Trials(context.Background(), TrialsConfig{})
	checkFlat(t, r, err, 21, 100)
}

// checkFlat fails t unless the run succeeded with points samples up to
// last and passes Check(Flat).
func checkFlat(t *testing.T, r *Run, err error, points, last int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	logRun(t, r)
	if n := len(r.Points); n != points || r.Points[n-1].At != last {
		t.Fatalf("%d points up to %s %d, want %d up to %d", n, r.What, r.Points[n-1].At, points, last)
	}
	if err := r.Check(Flat); err != nil {
		t.Error(err)
	}
}

// The checks above see a leak: a callback that keeps 256 B per step, or
// 16 KiB per trial, makes Check fail on the live heap.
func TestCheckCatchesALeak(t *testing.T) {
	var (
		mu     sync.Mutex // the study's trials run two at a time
		leaked [][]byte
	)
	leak := func(kind trainer.EventKind, size int) trainer.Callback {
		return trainer.CallbackFunc(func(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
			if e.Kind == kind {
				mu.Lock()
				leaked = append(leaked, make([]byte, size))
				mu.Unlock()
			}
			return nil
		})
	}
	steps, err := Steps(context.Background(), StepsConfig{Steps: 2000, Every: 50, Callbacks: []trainer.Callback{leak(trainer.BatchEnd, 256)}})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := Trials(context.Background(), TrialsConfig{Trials: 40, Every: 4, Callbacks: []trainer.Callback{leak(trainer.FitEnd, 16<<10)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Run{steps, trials} {
		err := r.Check(Flat)
		if err == nil || !strings.Contains(err.Error(), "live heap grew") {
			t.Errorf("%s leak: Check = %v, want an error saying the live heap grew", r.What, err)
		}
	}
	if len(leaked) < 2000+40 {
		t.Fatalf("the leak kept %d slices, want ≥ 2040: it did not run", len(leaked))
	}
}

// Trend fits the line through the points past the first quarter: a spike in
// the warm-up does not count, the slope and growth are the line's.
func TestTrend(t *testing.T) {
	var ps []Point
	for i := range 8 {
		ps = append(ps, Point{At: 10 * i, Heap: uint64(1000 + 3*10*i)})
	}
	ps[1].Heap = 1 << 30 // in the warm-up (the first 2 of 8)
	g := Trend(ps, HeapOf)
	if g.Slope != 3 || g.Total != 3*50 || g.From != 20 || g.To != 70 {
		t.Errorf("Trend = %+v, want slope 3, total 150 from 20 to 70", g)
	}
	for _, few := range [][]Point{ps[:1], {{At: 5, Heap: 1}, {At: 5, Heap: 9}}} {
		if g := Trend(few, HeapOf); g.Slope != 0 || g.Total != 0 {
			t.Errorf("Trend(%v) = %+v, want no slope (one point, or one At)", few, g)
		}
	}
}

// Check names each way a run grew, and passes a flat one.
func TestCheck(t *testing.T) {
	flat := &Run{What: "step", Before: Point{Heap: 100, RSS: 1000, Goroutines: 2},
		End: Point{Heap: 300, RSS: 5000}, After: Point{Heap: 120, RSS: 1100, Goroutines: 2}}
	for i := range 9 {
		flat.Points = append(flat.Points, Point{At: 100 * i, Heap: uint64(200 + 10*i), RSS: uint64(2000 + 300*i)})
	}
	b := Bounds{Heap: 50, RSS: 100}
	if err := flat.Check(b); err != nil {
		t.Errorf("flat run: %v", err)
	}
	grown := *flat
	grown.End.Heap = 100 // nothing kept: the heap's 60 B of growth count
	grown.End.RSS = 1100 // nor resident: its 1800 B count
	grown.After.Heap, grown.After.Goroutines = 200, 3
	err := grown.Check(b)
	wants := []string{
		"live heap grew 60 B from step 200 to 800 (0.1 B per step), more than the 0 B its results keep plus 50 B",
		"live heap is 100 B above where it started once everything is dropped, more than 50 B",
		"3 goroutines left running, 2 before",
	}
	if !raceDetector { // under -race the resident set is the detector's as much as ours
		wants = append(wants, "resident set grew 1.8 KiB from step 200 to 800 (3.0 B per step), more than the 0 B its results keep plus 100 B")
	}
	for _, want := range wants {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check = %v, want it to say %q", err, want)
		}
	}
	if err != nil && strings.Count(err.Error(), "\n") != len(wants)-1 {
		t.Errorf("Check = %v, want %d lines", err, len(wants))
	}
}
