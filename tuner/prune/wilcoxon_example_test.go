package prune_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/prune"
)

// A Wilcoxon pruner compares a trial fold by fold with the best trial so
// far: each trial reports its loss on each of 10 folds (the step is the
// fold id, in a shuffled order) and stops once a signed-rank test says it
// is worse than the best on the folds both have seen. A pruned trial
// returns the mean of its folds so far, as Optuna's example does.
func ExampleWilcoxon() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{
		Sampler:     tuner.RandomSampler{},
		Pruner:      prune.Wilcoxon{PThreshold: 0.1},
		Seed:        3,
		Parallelism: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	hardness := []float64{0.9, 0.1, 0.5, 1.3, 0.2, 0.7, 1.1, 0.4, 0.8, 0.3} // per fold
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		x := t.Float("x", -2, 2)
		order := []int{3, 7, 0, 9, 5, 1, 8, 2, 6, 4}
		sum := 0.0
		for i, fold := range order {
			loss := (x-0.5)*(x-0.5) + hardness[fold] // ... train and score on this fold ...
			sum += loss
			if err := t.Report(fold, loss); err != nil {
				return 0, err
			}
			if t.ShouldPrune() {
				return sum / float64(i+1), nil // the mean so far still counts
			}
		}
		return sum / float64(len(order)), nil
	}, tuner.Budget{Trials: 8})
	if err != nil {
		log.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range trials {
		fmt.Printf("trial %d: x=%5.2f folds=%2d mean loss=%.3f\n", t.Number, t.Params["x"], len(t.Intermediate), t.Value)
	}
	// Four folds all worse than the best's give p = 1/16 < 0.1 (three
	// would give 1/8): every trial after trial 1 stops there.

	// Output:
	// trial 0: x=-0.67 folds=10 mean loss=2.010
	// trial 1: x= 0.61 folds=10 mean loss=0.643
	// trial 2: x= 0.65 folds= 4 mean loss=0.747
	// trial 3: x=-0.09 folds= 4 mean loss=1.068
	// trial 4: x=-0.86 folds= 4 mean loss=2.576
	// trial 5: x= 0.83 folds= 4 mean loss=0.832
	// trial 6: x= 0.69 folds= 4 mean loss=0.762
	// trial 7: x= 0.93 folds= 4 mean loss=0.910
}
