package critic

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// With several objectives the best trials are the first Pareto fronts.
// Here the loss wants lr at 0.5, above its range, and the size wants as
// few units as the range allows: the best trials crowd lr's upper bound.
func TestMultiObjective(t *testing.T) {
	dirs := []tuner.Direction{tuner.Minimize, tuner.Minimize}
	found := 0
	for seed := uint64(1); seed <= 5; seed++ {
		trials := runMultiStudy(t, dirs, seed, 60, func(tr *tuner.Trial, rng *rand.Rand) ([]float64, error) {
			lr := tr.Float("lr", 1e-4, 1e-1, tuner.Log())
			units := tr.Int("units", 4, 64)
			_ = tr.Float("x", 0, 1)
			return []float64{sq(math.Log10(lr/0.5)) + 0.1*rng.NormFloat64(), float64(units)}, nil
		})
		fs, err := Review(trials, dirs, Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := find(fs, AtBound, "lr"); ok {
			found++
			if want := (tuner.FloatDist{Low: 1e-4, High: 0.3, Log: true}); f.Suggested != want {
				t.Errorf("seed %d: suggested %v, want %v", seed, f.Suggested, want)
			}
		}
		for _, f := range fs {
			if f.Param == "lr" && f.Kind != AtBound {
				t.Errorf("seed %d: %s finding for lr:\n%v", seed, f.Kind, f)
			}
		}
		// The one-objective reading of the same trials (the loss alone)
		// must fail on the second value.
		if _, err := Review(trials, dirs[:1], Options{}); err == nil {
			t.Errorf("seed %d: Review of a 2-objective study with 1 direction: no error", seed)
		}
	}
	if found < 4 {
		t.Errorf("at_bound for lr in %d of 5 studies, want ≥ 4", found)
	}
}
