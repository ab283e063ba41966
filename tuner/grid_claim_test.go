package tuner

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Several Study handles on one storage (as several processes on one file)
// with 4 trials at a time each: every grid point is completed exactly once
// and no other trial is created.
func TestGridPointsOnceAcrossStudyHandles(t *testing.T) {
	const handles = 4
	space := map[string][]any{"a": {0, 1, 2, 3, 4, 5, 6, 7}, "b": {"v", "w", "x", "y", "z"}}
	st := NewMemoryStorage()
	obj := func(_ context.Context, t *Trial) (float64, error) {
		a, b := t.Int("a", 0, 7), t.String("b", "v", "w", "x", "y", "z")
		time.Sleep(time.Millisecond)
		return float64(10*a + int(b[0]-'v')), nil
	}
	var wg sync.WaitGroup
	errs := make([]error, handles)
	for h := range handles {
		s := open(t, Config{Name: "grid", Storage: st, Sampler: &GridSampler{Space: space, Shuffle: true, Seed: 4}, Parallelism: 4})
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[h] = s.Optimize(ctx, obj, Budget{Trials: 1000})
		}()
	}
	wg.Wait()
	for h, err := range errs {
		if err != nil {
			t.Errorf("handle %d: %v", h, err)
		}
	}
	id, _, _ := st.GetOrCreateStudy(ctx, "grid", []Direction{Minimize})
	trials, _ := st.Trials(ctx, id)
	completed := map[string]int{}
	for _, tr := range trials {
		if tr.State != Complete {
			t.Errorf("trial %d: %v %q, want complete", tr.Number, tr.State, tr.FailReason)
			continue
		}
		completed[fmt.Sprint(tr.Params["a"], tr.Params["b"])]++
	}
	for _, a := range space["a"] {
		for _, b := range space["b"] {
			if n := completed[fmt.Sprint(a, b)]; n != 1 {
				t.Errorf("grid point a=%v b=%v completed %d times, want once", a, b, n)
			}
		}
	}
	if len(trials) != 40 {
		t.Errorf("%d trials, want the 40 grid points and nothing else", len(trials))
	}
}

// A grid trial whose process died is re-queued with its parameters
// (RequeueStale) and keeps its grid point, even when an earlier point in
// the grid's order is free by then: the rerun completes every point exactly
// once.
func TestGridRequeuedStaleTrialKeepsItsPoint(t *testing.T) {
	space := map[string][]any{"x": {0.0, 1.0, 2.0, 3.0}, "c": {"a", "b"}}
	dists := map[string]Distribution{"x": FloatDist{Low: 0, High: 3}, "c": CategoricalDist{Choices: []any{"a", "b"}}}
	obj := func(_ context.Context, t *Trial) (float64, error) {
		return t.Float("x", 0, 3) + float64(len(t.String("c", "a", "b"))), nil
	}
	grid := &GridSampler{Space: space, Shuffle: true, Seed: 1}
	st := NewMemoryStorage()
	cfg := Config{Name: "g", Storage: st, Sampler: grid, Parallelism: 1, RequeueStale: true}
	s := open(t, cfg)
	// Trial 0 takes the first point and is then interrupted, which frees
	// it; trial 1, of a process that died after its suggestions, holds the
	// second point.
	first, err := st.CreateTrial(ctx, s.id, map[string]string{attrOwner: thisOwner}, grid.TrialClaim())
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	crashed, err := st.CreateTrial(ctx, s.id, map[string]string{attrOwner: fmt.Sprintf("%s/%d/dead", host, 1<<30)}, grid.TrialClaim())
	if err != nil {
		t.Fatal(err)
	}
	i, _ := strconv.Atoi(crashed.Attrs[attrSamplerSystemGrid])
	for name, v := range grid.point(i) {
		x, _ := dists[name].ToInternal(v)
		if err := st.SetTrialParam(ctx, crashed.ID, name, x, dists[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.FinishTrial(ctx, first.ID, Failed, nil, FailInterrupted, interruptedReason); err != nil {
		t.Fatal(err)
	}
	if err := open(t, cfg).Optimize(ctx, obj, Budget{Trials: 100}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	completed := map[string]int{}
	for _, tr := range trials {
		if tr.State == Complete {
			completed[fmt.Sprint(tr.Params["x"], tr.Params["c"])]++
		}
	}
	for _, x := range space["x"] {
		for _, c := range space["c"] {
			if n := completed[fmt.Sprint(x, c)]; n != 1 {
				t.Errorf("grid point x=%v c=%v completed %d times, want once", x, c, n)
			}
		}
	}
	if tr := trials[1]; tr.State != Failed || tr.FailKind != FailStale {
		t.Errorf("crashed trial: %v %q, want failed as stale", tr.State, tr.FailKind)
	}
	if tr := trials[2]; tr.Attrs[attrSamplerSystemGrid] != crashed.Attrs[attrSamplerSystemGrid] {
		t.Errorf("re-queued trial has grid point %s, want the crashed trial's %s", tr.Attrs[attrSamplerSystemGrid], crashed.Attrs[attrSamplerSystemGrid])
	}
	if len(trials) != 10 {
		t.Errorf("%d trials, want 8 points, the interrupted and the stale trial", len(trials))
	}
}
