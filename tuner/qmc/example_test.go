package qmc_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/qmc"
)

// Eight trials of a two-parameter space: the unscrambled Sobol sequence
// visits the corner, the centre, then fills the quarters and eighths
// evenly, where random draws would cluster.
func ExampleSampler() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: qmc.Sampler{Unscrambled: true}, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	err = study.Enqueue(ctx, map[string]any{"lr": 1e-2, "units": 64}, map[string]tuner.Distribution{
		"lr": tuner.FloatDist{Low: 1e-4, High: 1, Log: true}, "units": tuner.IntDist{Low: 16, High: 256},
	})
	if err != nil {
		log.Fatal(err)
	}
	objective := func(_ context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-4, 1, tuner.Log())
		units := t.Int("units", 16, 256)
		return lr * float64(units), nil
	}
	if err := study.Optimize(ctx, objective, tuner.Budget{Trials: 8}); err != nil {
		log.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range trials[1:] {
		fmt.Printf("trial %d: lr=%.4g units=%d\n", t.Number, t.Params["lr"], t.Params["units"])
	}
	// Output:
	// trial 1: lr=0.0001 units=16
	// trial 2: lr=0.01 units=136
	// trial 3: lr=0.1 units=76
	// trial 4: lr=0.001 units=196
	// trial 5: lr=0.003162 units=106
	// trial 6: lr=0.3162 units=226
	// trial 7: lr=0.03162 units=46
}
