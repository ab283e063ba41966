package prune

import (
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// percentileFor maps Optuna's arguments onto our fields: Optuna's
// n_startup_trials=0 is StartupTrials 1 (0 means the default 5 here).
func percentileFor(s percentileScenario) tuner.Pruner {
	a := s.Args
	startup := a.NStartupTrials
	if startup == 0 {
		startup = 1
	}
	if s.Median {
		return Median{StartupTrials: startup, WarmupSteps: a.NWarmupSteps, IntervalSteps: a.IntervalSteps, MinTrials: a.NMinTrials}
	}
	return Percentile{Percentile: a.Percentile, StartupTrials: startup, WarmupSteps: a.NWarmupSteps,
		IntervalSteps: a.IntervalSteps, MinTrials: a.NMinTrials}
}

// Every decision of Optuna's MedianPruner and PercentilePruner in
// gen_pruners.py's scenarios, replayed exactly.
func TestPercentilePrunerMatchesOptuna(t *testing.T) {
	g := loadGolden(t)
	if len(g.Percentile) == 0 {
		t.Fatal("no percentile scenarios")
	}
	for _, s := range g.Percentile {
		t.Run(s.Name, func(t *testing.T) {
			if n := replay(t, s.scenario, percentileFor(s), nil); n == 0 {
				t.Fatal("no prune calls")
			}
		})
	}
}

// The zero value is Optuna's MedianPruner() and PercentilePruner(p)
// defaults: replaying the default scenario with explicit fields gives the
// same decisions as with zero fields.
func TestMedianPrunerZeroValueIsOptunaDefault(t *testing.T) {
	g := loadGolden(t)
	for _, s := range g.Percentile {
		if s.Name != "median_defaults_minimize" {
			continue
		}
		a := s.Args
		if a.NStartupTrials != 5 || a.NWarmupSteps != 0 || a.IntervalSteps != 1 || a.NMinTrials != 1 {
			t.Fatalf("scenario args %+v, want Optuna's defaults", a)
		}
		for _, pr := range []tuner.Pruner{Median{}, Percentile{Percentile: 50}, Median{StartupTrials: 5, IntervalSteps: 1, MinTrials: 1}} {
			replay(t, s.scenario, pr, nil)
		}
		return
	}
	t.Fatal("scenario median_defaults_minimize missing")
}

// nanPercentile equals numpy.nanpercentile bit for bit.
func TestNanPercentileMatchesNumpy(t *testing.T) {
	g := loadGolden(t)
	if len(g.NanPercentile) == 0 {
		t.Fatal("no nanpercentile cases")
	}
	for _, c := range g.NanPercentile {
		xs := make([]float64, len(c.Values))
		for i, v := range c.Values {
			xs[i] = float64(v)
		}
		got := nanPercentile(xs, c.Q)
		if !sameFloat(got, float64(c.Result)) {
			t.Errorf("nanpercentile(%v, %v) = %v, numpy %v", xs, c.Q, got, float64(c.Result))
		}
	}
}

func TestFirstInInterval(t *testing.T) {
	for _, c := range []struct {
		step             int
		steps            []int
		warmup, interval int
		want             bool
	}{
		{step: 0, steps: []int{0}, warmup: 0, interval: 1, want: true},
		{step: 5, steps: []int{4, 5}, warmup: 0, interval: 1, want: true},
		// Pruning steps 3, 5, 7: step 6 comes after 5 was reported.
		{step: 6, steps: []int{5, 6}, warmup: 3, interval: 2, want: false},
		// Step 5 was skipped: the check happens at 6.
		{step: 6, steps: []int{4, 6}, warmup: 3, interval: 2, want: true},
		{step: 7, steps: []int{6, 7}, warmup: 3, interval: 2, want: true},
		// Negative steps never count as earlier reports (Optuna starts at −1).
		{step: 0, steps: []int{-3, 0}, warmup: 0, interval: 5, want: true},
		{step: 9, steps: []int{0, 9}, warmup: 0, interval: 5, want: true},
		{step: 9, steps: []int{5, 9}, warmup: 0, interval: 5, want: false},
	} {
		m := map[int]float64{}
		for _, s := range c.steps {
			m[s] = 1
		}
		if got := firstInInterval(c.step, m, c.warmup, c.interval); got != c.want {
			t.Errorf("step %d after %v, warmup %d, interval %d: %v, want %v", c.step, c.steps, c.warmup, c.interval, got, c.want)
		}
	}
}

// PruneContext.Trials are the study's other trials: built by hand, without
// IDs (all zero, as the running trial's), they still count — they used to
// be dropped as "the asking trial", so nothing was ever pruned.
func TestPrunersUseHandBuiltTrialsWithoutIDs(t *testing.T) {
	var others []tuner.FrozenTrial
	for i := range 6 {
		others = append(others, tuner.FrozenTrial{Number: i, State: tuner.Complete, Value: 1, Intermediate: map[int]float64{0: 1}})
	}
	running := &tuner.FrozenTrial{Number: 6, State: tuner.Running, Intermediate: map[int]float64{0: 5}}
	c := &tuner.PruneContext{Trials: others, Trial: running, Direction: tuner.Minimize}
	if !(Median{}).Prune(c) {
		t.Error("Median: a trial at 5 when six others were at 1 is not pruned")
	}
}
