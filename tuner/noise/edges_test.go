package noise

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// constrainedStudy runs 20 trials of x in [0, 1] minimizing x + seed/1000,
// feasible only for x ≥ 0.5 (Trial.SetConstraints(0.5 − x)): the lowest
// values are all infeasible.
func constrainedStudy(t *testing.T) (*tuner.Study, func(seed int64) tuner.Objective) {
	t.Helper()
	ctx := context.Background()
	objective := func(seed int64) tuner.Objective {
		return func(ctx context.Context, tr *tuner.Trial) (float64, error) {
			x := tr.Float("x", 0, 1)
			if err := tr.SetConstraints(0.5 - x); err != nil {
				return 0, err
			}
			return x + float64(seed)/1000, nil
		}
	}
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Seed: 5, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := study.Optimize(ctx, objective(0), tuner.Budget{Trials: 20}); err != nil {
		t.Fatal(err)
	}
	return study, objective
}

// A study with constraints: the re-evaluation compares its best feasible
// trials, the ones Study.Best ranks, never an infeasible one.
func TestReevaluateSkipsInfeasibleTrials(t *testing.T) {
	ctx := context.Background()
	study, objective := constrainedStudy(t)
	best, err := study.Best(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReevaluateObjective(ctx, study, objective, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Configs[0].Number != best.Number {
		t.Errorf("re-evaluated best is trial %d, Study.Best is trial %d:\n%s", r.Configs[0].Number, best.Number, r)
	}
	for _, c := range r.Configs {
		if x := c.Params["x"].(float64); x < 0.5 {
			t.Errorf("trial %d with x = %.3f violates its constraint and was re-evaluated:\n%s", c.Number, x, r)
		}
	}
}

// PlateauStopper measures improvement on the feasible trials only: an
// infeasible trial's low value is no best to improve on.
func TestPlateauStopperIgnoresInfeasibleTrials(t *testing.T) {
	// Trial 0 is infeasible with the lowest value; the feasible best then
	// falls 5 → 2 within the last 3 trials: an improvement of 3, not 0.
	ts := trialsOf([]float64{0.1, 5, 4, 3, 2})
	ts[0].Constraints = []float64{1}
	for i := 1; i < len(ts); i++ {
		ts[i].Constraints = []float64{-1}
	}
	stop, why := PlateauStopper{Noise: 0.5, Patience: 3}.ShouldStop(ts, tuner.Minimize)
	if stop {
		t.Errorf("stopped (%q) while the feasible best improved by 3 > σ = 0.5", why)
	}
	// The same trials all feasible: trial 0's 0.1 was never beaten.
	ts[0].Constraints = []float64{0}
	if stop, _ := (PlateauStopper{Noise: 0.5, Patience: 3}).ShouldStop(ts, tuner.Minimize); !stop {
		t.Error("all feasible: did not stop, though trial 0 stayed the best")
	}
}

// An EvalFunc that returns NaN is a run that did not complete, as
// ReevaluateObjective's NaN is: no NaN is ranked or tested.
func TestReevaluateNaNIsAnError(t *testing.T) {
	ctx := context.Background()
	study, eval := noisyStudy(t, tuner.Minimize, map[string]float64{"a": 1, "b": 2, "c": 3}, 0.1)
	nan := func(ctx context.Context, p map[string]any, seed int64) (float64, error) {
		if p["cfg"] == "a" && seed == 3 {
			return math.NaN(), nil
		}
		return eval(ctx, p, seed)
	}
	r, err := Reevaluate(ctx, study, nan, Options{})
	if !errors.Is(err, ErrNotComplete) || !strings.Contains(err.Error(), "seed 3") || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("err = %v, want ErrNotComplete naming seed 3 and NaN; report:\n%s", err, r)
	}
}

// A run that diverged to an infinite value is a run like another: its
// configuration's mean is infinite and ranks it, the test ranks the
// difference, two runs that diverged alike on one seed differ by 0, and the
// noise σ pools the configurations whose runs are all finite.
func TestReevaluateInfiniteRuns(t *testing.T) {
	ctx := context.Background()
	study, eval := noisyStudy(t, tuner.Minimize, map[string]float64{"a": 1, "b": 2}, 0.1)
	// Both configurations diverge on seed 4; on the 5 others a beats b by
	// about 1 (10σ): without the tie on seed 4 the test would say so at
	// p = 1/32, and with it (a zero, its rank 1 split between the sides) at
	// the permutation p of R+ = 2+3+4+5+6 + 1/2 over 2⁶ sign flips, 2/64.
	diverging := func(ctx context.Context, p map[string]any, seed int64) (float64, error) {
		if seed == 4 {
			return math.Inf(1), nil
		}
		return eval(ctx, p, seed)
	}
	r, err := Reevaluate(ctx, study, diverging, Options{Repeats: 6})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.P-2.0/64) > 1e-12 || !r.Distinguishable || r.Configs[0].Params["cfg"] != "a" {
		t.Errorf("both diverged on seed 4: best %v, p = %v, want a, 2/64:\n%s", r.Configs[0].Params, r.P, r)
	}
	if !math.IsNaN(r.Noise()) {
		t.Errorf("Noise = %v with every configuration diverged once, want NaN", r.Noise())
	}
	// Only b diverges, on seed 1: a ranks first, b's mean is +Inf, and the
	// noise σ is a's spread alone.
	oneDiverges := func(ctx context.Context, p map[string]any, seed int64) (float64, error) {
		if seed == 1 && p["cfg"] == "b" {
			return math.Inf(1), nil
		}
		return eval(ctx, p, seed)
	}
	r, err = Reevaluate(ctx, study, oneDiverges, Options{Repeats: 6})
	if err != nil {
		t.Fatal(err)
	}
	if r.Configs[0].Params["cfg"] != "a" || !math.IsInf(r.Configs[1].Mean, 1) {
		t.Fatalf("b diverged once: order %v %v (mean %v), want a, then b with mean +Inf", r.Configs[0].Params, r.Configs[1].Params, r.Configs[1].Mean)
	}
	if got, want := r.Noise(), r.Configs[0].Std; got != want || !(want > 0) {
		t.Errorf("Noise = %v, want a's std %v (b's runs are not all finite)", got, want)
	}
	if err := (PlateauStopper{Noise: r.Noise()}).Validate(); err != nil {
		t.Errorf("a PlateauStopper with that noise: %v", err)
	}
}
