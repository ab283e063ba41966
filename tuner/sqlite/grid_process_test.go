package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// The "grid" helper runs a shuffled grid of 8 × 5 = 40 points with
// gridWorkers trials at a time until the grid is exhausted.
var (
	gridA = []any{0, 1, 2, 3, 4, 5, 6, 7}
	gridB = []any{"v", "w", "x", "y", "z"}
)

const gridWorkers = 3

// gridValue is the grid objective's value, distinct for every point.
func gridValue(p map[string]any) float64 {
	a, _ := p["a"].(int)
	return float64(10*a + slices.Index(gridB, p["b"]))
}

// runGridHelper is the helper process's "grid" mode: every process uses
// the same seed, so without an atomic claim they would all walk the same
// order and collide on every point.
func runGridHelper(t *testing.T, rep *reporter) {
	g := &tuner.GridSampler{Space: map[string][]any{"a": gridA, "b": gridB}, Shuffle: true, Seed: 4}
	s, err := tuner.Open(ctx, tuner.Config{Name: helperStudy, Storage: rep, Sampler: g, Parallelism: gridWorkers})
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(os.Getpid())
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		tr.Int("a", 0, 7)
		tr.String("b", "v", "w", "x", "y", "z")
		if err := tr.SetAttr("pid", pid); err != nil {
			return 0, err
		}
		time.Sleep(time.Duration(5+tr.Number()*7%11) * time.Millisecond)
		return gridValue(tr.Params()), nil
	}
	waitForGo(t, rep)
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 1000}); err != nil {
		t.Fatal(err)
	}
	rep.say("done")
}

// TestGridPointsOnceAcrossProcesses: 3 processes with 3 trials at a time
// each run one grid study in one file until the grid is exhausted. Every
// point is completed exactly once, and no other trial is created.
//
// On a loaded machine one process may finish the grid before the others
// start a trial, which proves nothing about sharing: such a run is repeated
// (a few times at most), and every run must still be exactly once.
func TestGridPointsOnceAcrossProcesses(t *testing.T) {
	for attempt := 1; ; attempt++ {
		shared := gridRunAcrossProcesses(t)
		if shared || t.Failed() {
			return
		}
		if attempt == 4 {
			t.Fatalf("in %d runs, one process ran the whole grid each time: sharing was never exercised", attempt)
		}
		t.Logf("run %d: one process ran the whole grid; running again", attempt)
	}
}

// gridRunAcrossProcesses runs the grid study in 3 processes, checks every
// point ran exactly once, and says whether several processes ran trials.
func gridRunAcrossProcesses(t *testing.T) (shared bool) {
	t.Helper()
	const processes = 3
	points := len(gridA) * len(gridB)
	path := tempPath(t)
	var hs []*helper
	for range processes {
		hs = append(hs, startHelper(t, "grid", path, 0, 0))
	}
	runTogether(t, hs...)
	st := openAt(t, path)
	id := studyID(t, st, helperStudy)
	trials := allTrials(t, st, id)
	completed := map[string]int{}
	perPID := map[string]int{}
	for _, tr := range trials {
		if tr.State != tuner.Complete || tr.Value != gridValue(tr.Params) {
			t.Errorf("trial %d: %v %v %q with %v, want complete with %v", tr.Number, tr.State, tr.Value, tr.FailReason, tr.Params, gridValue(tr.Params))
			continue
		}
		completed[fmt.Sprint(tr.Params["a"], tr.Params["b"])]++
		perPID[tr.Attrs["pid"]]++
	}
	for _, a := range gridA {
		for _, b := range gridB {
			if n := completed[fmt.Sprint(a, b)]; n != 1 {
				t.Errorf("grid point a=%v b=%v completed %d times, want once", a, b, n)
			}
		}
	}
	if len(trials) != points {
		t.Errorf("%d trials, want the %d grid points and nothing else", len(trials), points)
	}
	return len(perPID) >= 2
}
