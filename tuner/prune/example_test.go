package prune_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/prune"
)

// A Median pruner stops a trial whose learning curve so far is worse than
// the median of the completed trials' at the same epoch. Each trial here
// reports a validation loss per epoch that decays towards its own floor.
func ExampleMedian() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{
		Sampler:     tuner.RandomSampler{},
		Pruner:      prune.Median{StartupTrials: 3, WarmupSteps: 2},
		Seed:        1,
		Parallelism: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		floor := t.Float("floor", 0, 1) // what a configuration can reach
		valLoss := 0.0
		for epoch := 0; epoch < 10; epoch++ {
			valLoss = floor + math.Pow(0.7, float64(epoch)) // ... one epoch of training ...
			if err := t.Report(epoch, valLoss); err != nil {
				return 0, err
			}
			if t.ShouldPrune() {
				return 0, fmt.Errorf("epoch %d, val_loss %.3f: %w", epoch, valLoss, tuner.ErrPruned)
			}
		}
		return valLoss, nil
	}, tuner.Budget{Trials: 12})
	if err != nil { // a pruned trial is no error: the study goes on
		log.Fatal(err)
	}

	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range trials {
		step, _, _ := t.LastStep()
		fmt.Printf("trial %2d: %-8s floor=%.3f epochs=%2d val_loss=%.4f\n", t.Number, t.State, t.Params["floor"], step+1, t.Value)
	}
	// Output:
	// trial  0: complete floor=0.749 epochs=10 val_loss=0.7893
	// trial  1: complete floor=0.392 epochs=10 val_loss=0.4327
	// trial  2: complete floor=0.187 epochs=10 val_loss=0.2277
	// trial  3: pruned   floor=0.582 epochs= 3 val_loss=1.0722
	// trial  4: pruned   floor=0.989 epochs= 3 val_loss=1.4786
	// trial  5: complete floor=0.280 epochs=10 val_loss=0.3200
	// trial  6: complete floor=0.139 epochs=10 val_loss=0.1793
	// trial  7: pruned   floor=0.443 epochs= 3 val_loss=0.9332
	// trial  8: pruned   floor=0.806 epochs= 3 val_loss=1.2956
	// trial  9: complete floor=0.161 epochs=10 val_loss=0.2013
	// trial 10: pruned   floor=0.411 epochs= 3 val_loss=0.9012
	// trial 11: pruned   floor=0.643 epochs= 3 val_loss=1.1326
}
