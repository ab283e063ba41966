package tuner_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// A reproducible study gives the same trials with 1 worker or 4: TPE and
// the pruner see, for trial k, only the trials before k−3 (a window of 4),
// and k's draws come from (Seed, k). Without ReproducibleWindow, the 4
// workers' trials would depend on which trials had finished when each
// started. A trial that runs past TrialTimeout fails as "timeout"; one that
// panics is run again, with the same parameters, up to MaxRetries times.
func ExampleConfig_reproducible() {
	objective := func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-4, 1e-1, tuner.Log())
		layers := t.Int("layers", 1, 4)
		// Seed the training's own randomness with t.Sequence(), not with
		// t.Number(), which a rerun of the same parameters changes.
		return math.Abs(math.Log10(lr)+2.5) + 0.1*float64(layers), nil
	}
	run := func(workers int) []tuner.FrozenTrial {
		ctx := context.Background()
		study, err := tuner.Open(ctx, tuner.Config{
			Seed:               42,
			Parallelism:        workers,
			ReproducibleWindow: 4,
			TrialTimeout:       time.Minute,
			MaxRetries:         2,
		})
		if err != nil {
			log.Fatal(err)
		}
		if err := study.Optimize(ctx, objective, tuner.Budget{Trials: 30}); err != nil {
			log.Fatal(err)
		}
		trials, err := study.Sequence(ctx)
		if err != nil {
			log.Fatal(err)
		}
		return trials
	}
	one, four := run(1), run(4)
	same := len(one) == len(four)
	for i := range min(len(one), len(four)) {
		same = same && fmt.Sprint(one[i].Params, one[i].Values) == fmt.Sprint(four[i].Params, four[i].Values)
	}
	fmt.Printf("%d trials, the same with 1 and 4 workers: %v\n", len(one), same)
	for _, t := range one[25:] {
		k, _ := t.Sequence()
		fmt.Printf("trial %d: lr=%.5f layers=%d value=%.3f\n", k, t.Params["lr"], t.Params["layers"], t.Value)
	}
	// Output:
	// 30 trials, the same with 1 and 4 workers: true
	// trial 25: lr=0.00245 layers=1 value=0.212
	// trial 26: lr=0.00229 layers=1 value=0.241
	// trial 27: lr=0.00070 layers=1 value=0.755
	// trial 28: lr=0.00068 layers=1 value=0.768
	// trial 29: lr=0.00068 layers=1 value=0.771
}
