package noise

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

func trialsOf(values []float64, states ...tuner.TrialState) []tuner.FrozenTrial {
	var ts []tuner.FrozenTrial
	for i, v := range values {
		st := tuner.Complete
		if i < len(states) && states[i] != 0 {
			st = states[i]
		}
		ts = append(ts, tuner.FrozenTrial{Number: i, State: st, Value: v})
	}
	return ts
}

func TestPlateauStopperShouldStop(t *testing.T) {
	// Best 2.5 after trial 3; the next five reach 2.45 at best: a gain of 0.05.
	vals := []float64{5, 4, 3, 2.5, 2.6, 2.45, 2.7, 2.5, 2.9}
	cases := []struct {
		vals     []float64
		dir      tuner.Direction
		noise    float64
		patience int
		stop     bool
	}{
		{vals, tuner.Minimize, 0.1, 5, true},              // 0.05 ≤ σ
		{vals, tuner.Minimize, 0.01, 5, false},            // 0.05 > σ
		{vals, tuner.Minimize, 0.1, 6, false},             // window 3..8 holds the 3 → 2.45 drop of 0.55
		{vals[:5], tuner.Minimize, 0.1, 5, false},         // no trial before the window
		{neg(vals), tuner.Maximize, 0.1, 5, true},         // mirrored
		{neg(vals), tuner.Maximize, 0.01, 5, false},       // mirrored
		{vals, tuner.Maximize, 0.1, 5, true},              // maximizing 5 was best from the start
		{[]float64{1, 2, 3}, tuner.Minimize, 1, 0, false}, // Patience 0 → 10
	}
	for _, c := range cases {
		stop, why := PlateauStopper{Noise: c.noise, Patience: c.patience}.ShouldStop(trialsOf(c.vals), c.dir)
		if stop != c.stop || stop != (why != "") {
			t.Errorf("%v %v σ=%v N=%d: stop %v (%q), want %v", c.vals, c.dir, c.noise, c.patience, stop, why, c.stop)
		}
	}
	// Pruned and failed trials fill the window too, and never count as values.
	ts := trialsOf([]float64{3, 1, math.NaN(), 0.5, math.NaN()}, 0, 0, tuner.Failed, tuner.Pruned, tuner.Failed)
	if stop, why := (PlateauStopper{Noise: 0.1, Patience: 3}).ShouldStop(ts, tuner.Minimize); !stop || !strings.Contains(why, "improved the best value by 0") {
		t.Errorf("pruned/failed window: %v %q, want stop with gain 0", stop, why)
	}
	if stop, _ := (PlateauStopper{}).ShouldStop(trialsOf(vals), tuner.Minimize); stop {
		t.Error("invalid stopper stopped")
	}
}

func neg(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = -x
	}
	return out
}

// TestOptimizeUntilPlateau: a study that improves by 1 a trial until trial
// 10, then wobbles by 0.01, stops once Patience trials bring ≤ σ; a budget
// reached first is kept.
func TestOptimizeUntilPlateau(t *testing.T) {
	ctx := context.Background()
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		n := tr.Number()
		return math.Max(0, float64(10-n)) + 0.01*float64(n%3), nil
	}
	open := func() *tuner.Study {
		s, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Seed: 1, Parallelism: 1})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Trials 11..15 improve the best of trials 0..10 (0.01) to 0 (trial 12): 0.01 ≤ 0.1.
	res, err := OptimizeUntilPlateau(ctx, open(), obj, tuner.Budget{Trials: 100}, PlateauStopper{Noise: 0.1, Patience: 5}, 0)
	if err != nil || !res.Stopped || res.Trials != 16 || !strings.Contains(res.Reason, "last 5 trials") {
		t.Errorf("σ = 0.1: %+v, %v; want stopped after 16 trials", res, err)
	}
	// σ = 0.001: the 0.01 gain of trial 12 counts until it leaves the window.
	res, err = OptimizeUntilPlateau(ctx, open(), obj, tuner.Budget{Trials: 100}, PlateauStopper{Noise: 0.001, Patience: 5}, 0)
	if err != nil || !res.Stopped || res.Trials != 18 {
		t.Errorf("σ = 0.001: %+v, %v; want stopped after 18 trials", res, err)
	}
	res, err = OptimizeUntilPlateau(ctx, open(), obj, tuner.Budget{Trials: 12}, PlateauStopper{Noise: 0.1, Patience: 5}, 4)
	if err != nil || res.Stopped || res.Trials != 12 {
		t.Errorf("budget 12: %+v, %v; want 12 trials, not stopped", res, err)
	}
	res, err = OptimizeUntilPlateau(ctx, open(), obj, tuner.Budget{TotalTrials: 7}, PlateauStopper{Noise: 0.1, Patience: 5}, 3)
	if err != nil || res.Stopped || res.Trials != 7 {
		t.Errorf("TotalTrials 7: %+v, %v; want 7 trials, not stopped", res, err)
	}
	for _, s := range []PlateauStopper{{}, {Noise: math.Inf(1)}, {Noise: 1, Patience: -1}} {
		if _, err := OptimizeUntilPlateau(ctx, open(), obj, tuner.Budget{Trials: 3}, s, 0); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%+v: %v, want ErrConfig", s, err)
		}
	}
	if _, err := OptimizeUntilPlateau(ctx, nil, obj, tuner.Budget{Trials: 3}, PlateauStopper{Noise: 1}, 0); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("nil study: %v", err)
	}
}

func TestReportNoise(t *testing.T) {
	r := Report{Configs: []Config{{Std: 0.3}, {Std: 0.4}}}
	if got, want := r.Noise(), math.Sqrt((0.09+0.16)/2); math.Abs(got-want) > 1e-15 {
		t.Errorf("Noise = %v, want %v", got, want)
	}
	if !math.IsNaN((Report{}).Noise()) {
		t.Error("Noise of no configurations is not NaN")
	}
}
