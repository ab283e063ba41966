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

// Successive halving on two objectives: each trial reports its validation
// loss and its model's size after every epoch (tuner.Trial.ReportValues),
// and at each rung (steps 1 and 3: epochs 2 and 4) the trials are ranked by Pareto
// dominance, then by crowding distance, keeping a third. Here larger
// models always reach lower losses, so no trial dominates another, and
// while only a few share a rung the ends of the front go on (the smallest
// and the largest model): trial 3, 17 units, is the middle of four at
// epoch 2 and stops there.
func ExampleSuccessiveHalving_severalObjectives() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{
		Directions:  []tuner.Direction{tuner.Minimize, tuner.Minimize}, // val_loss, units
		Pruner:      &prune.SuccessiveHalving{MinResource: 1, ReductionFactor: 3},
		Sampler:     tuner.RandomSampler{}, // NSGA-II's first generation is random too
		Seed:        1,
		Parallelism: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	err = study.OptimizeMulti(ctx, func(ctx context.Context, t *tuner.Trial) ([]float64, error) {
		units := t.Int("units", 4, 256, tuner.Log())
		floor := 1 / math.Sqrt(float64(units)) // larger models reach lower losses
		var values []float64
		for epoch := 0; epoch < 9; epoch++ {
			values = []float64{floor + math.Pow(0.7, float64(epoch)), float64(units)} // ... one epoch of training ...
			if err := t.ReportValues(epoch, values); err != nil {
				return nil, err
			}
			if t.ShouldPrune() {
				return nil, fmt.Errorf("epoch %d: %w", epoch, tuner.ErrPruned)
			}
		}
		return values, nil
	}, tuner.Budget{Trials: 12})
	if err != nil {
		log.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range trials {
		step, v, _ := t.LastVector()
		fmt.Printf("trial %2d: %-8s units=%3d epochs=%d val_loss=%.4f\n", t.Number, t.State, t.Params["units"], step+1, v[0])
	}
	front, err := study.BestTrials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range front {
		fmt.Printf("front: trial %d\n", t.Number)
	}
	// Output:
	// trial  0: complete units=212 epochs=9 val_loss=0.1263
	// trial  1: complete units=  7 epochs=9 val_loss=0.4356
	// trial  2: complete units=  4 epochs=9 val_loss=0.5576
	// trial  3: pruned   units= 17 epochs=2 val_loss=0.9425
	// trial  4: pruned   units= 10 epochs=2 val_loss=1.0162
	// trial  5: pruned   units=  7 epochs=2 val_loss=1.0780
	// trial  6: pruned   units= 53 epochs=2 val_loss=0.8374
	// trial  7: pruned   units= 81 epochs=2 val_loss=0.8111
	// trial  8: pruned   units=  5 epochs=2 val_loss=1.1472
	// trial  9: pruned   units=  6 epochs=2 val_loss=1.1082
	// trial 10: pruned   units=  9 epochs=2 val_loss=1.0333
	// trial 11: complete units=225 epochs=9 val_loss=0.1243
	// front: trial 0
	// front: trial 1
	// front: trial 2
	// front: trial 11
}
