package noise

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// With 2 workers and a check every 2 trials, a worker that ends its trial
// starts the next at once instead of waiting for the other's to end the
// round: trial 0 waits for trial 2 to start, which rounds of 2 trials
// never let happen. And once the stopper decides, the other worker starts
// at most one more trial.
func TestOptimizeUntilPlateauKeepsWorkersBusy(t *testing.T) {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	const budget, patience = 40, 3
	var (
		mu           sync.Mutex
		startedTrial = map[int]chan struct{}{}
		ended        atomic.Int32
		startedAfter atomic.Int32 // trials started after the patience+1-th ended
	)
	startOf := func(n int) chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		if startedTrial[n] == nil {
			startedTrial[n] = make(chan struct{})
		}
		return startedTrial[n]
	}
	overlap := false
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		if ended.Load() >= patience+1 {
			startedAfter.Add(1)
		}
		close(startOf(tr.Number()))
		if tr.Number() == 0 {
			select {
			case <-startOf(2):
				overlap = true
			case <-time.After(10 * time.Second): // not a timing assert: rounds never start trial 2 here
			}
		}
		defer ended.Add(1)
		return 1, nil // flat from the start: the plateau is reached after patience+1 trials
	}
	res, err := OptimizeUntilPlateau(ctx, study, obj, tuner.Budget{Trials: budget}, PlateauStopper{Noise: 0.1, Patience: patience}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !overlap {
		t.Error("trial 2 did not start while trial 0 ran: the workers waited for each other at a check")
	}
	if !res.Stopped || res.Trials < patience+1 || res.Trials > patience+2 {
		t.Errorf("%+v, want stopped after %d or %d trials", res, patience+1, patience+2)
	}
	if n := startedAfter.Load(); n > 1 {
		t.Errorf("%d trials started after the trial that reached the plateau ended, want ≤ Parallelism−1 = 1", n)
	}
}

// The stopper's callback in the user's own Optimize call, beside another
// callback: it stops the study with 2 workers, its Plateau says why, and
// its errors stop the study.
func TestPlateauStopperCallback(t *testing.T) {
	ctx := context.Background()
	open := func(cfg tuner.Config) *tuner.Study {
		cfg.Sampler = tuner.RandomSampler{}
		s, err := tuner.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// 10 − n until trial 10, then flat at 0.
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		return math.Max(0, float64(10-tr.Number())), nil
	}
	study := open(tuner.Config{Parallelism: 2})
	var res Plateau
	var logged []int
	logger := func(_ context.Context, _ *tuner.Study, ft tuner.FrozenTrial) error {
		logged = append(logged, ft.Number)
		return nil
	}
	err := study.Optimize(ctx, obj, tuner.Budget{Trials: 100}, logger, PlateauStopper{Noise: 0.5, Patience: 4}.Callback(&res))
	if err != nil {
		t.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Trial 10 reaches 0; trials 11..14 bring nothing: the stop comes once
	// the four after the best are in, and trials 0..14 are all needed.
	if !res.Stopped || !strings.Contains(res.Reason, "last 4 trials improved the best value by 0") ||
		res.Trials != len(trials) || len(logged) != len(trials) || len(trials) < 15 || len(trials) > 16 {
		t.Errorf("%+v after %d trials (logged %d), want stopped after 15 or 16 trials, all seen", res, len(trials), len(logged))
	}
	// Without a Plateau, it still stops.
	study = open(tuner.Config{Parallelism: 1})
	if err := study.Optimize(ctx, obj, tuner.Budget{Trials: 100}, PlateauStopper{Noise: 0.5, Patience: 4}.Callback(nil)); err != nil {
		t.Fatal(err)
	}
	if trials, _ := study.Trials(ctx); len(trials) != 15 {
		t.Errorf("nil Plateau: %d trials, want 15", len(trials))
	}
	// An invalid stopper, or a study of several objectives, stops the study with ErrConfig.
	study = open(tuner.Config{Parallelism: 1})
	if err := study.Optimize(ctx, obj, tuner.Budget{Trials: 5}, PlateauStopper{}.Callback(nil)); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("invalid stopper: %v, want ErrConfig", err)
	}
	multi := open(tuner.Config{Parallelism: 1, Directions: []tuner.Direction{tuner.Minimize, tuner.Minimize}})
	err = multi.OptimizeMulti(ctx, func(context.Context, *tuner.Trial) ([]float64, error) { return []float64{1, 2}, nil },
		tuner.Budget{Trials: 5}, PlateauStopper{Noise: 1}.Callback(nil))
	if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), "2 objectives") {
		t.Errorf("several objectives: %v, want ErrConfig", err)
	}
	if trials, _ := multi.Trials(ctx); len(trials) != 1 {
		t.Errorf("several objectives: %d trials, want the study stopped after 1", len(trials))
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
