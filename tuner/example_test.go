package tuner_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/gradtune/gradtune/tuner"
)

// Search a learning rate (log scale), an optimizer and a batch size with
// TPE, Optuna's default sampler. The objective stands in for a training run
// that returns its validation loss: it is lowest at lr = 0.003 with Adam.
func Example() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{
		Name:        "mlp",
		Direction:   tuner.Minimize,
		Seed:        1,
		Parallelism: 1, // one trial at a time: the same trials on every run
	})
	if err != nil {
		log.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-5, 1e-1, tuner.Log())
		optimizer := t.String("optimizer", "adam", "sgd")
		batchSize := t.Categorical("batch_size", 16, 32, 64).(int)
		if err := t.Err(); err != nil {
			return 0, err
		}
		valLoss := 0.1 + math.Pow(math.Log10(lr/0.003), 2) + float64(batchSize)/1000
		if optimizer == "sgd" {
			valLoss += 0.2
		}
		return valLoss, nil
	}, tuner.Budget{Trials: 40})
	if err != nil {
		log.Fatal(err)
	}

	best, err := study.Best(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("best trial %d: val_loss=%.4f lr=%.4f optimizer=%s batch_size=%d\n",
		best.Number, best.Value, best.Params["lr"], best.Params["optimizer"], best.Params["batch_size"])
	// Output:
	// best trial 31: val_loss=0.1160 lr=0.0030 optimizer=adam batch_size=16
}

// A MedianPruner stops a trial whose learning curve so far is worse than
// the median of the completed trials' at the same epoch. Each trial here
// reports a validation loss per epoch that decays towards its own floor.
func ExampleMedianPruner() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{
		Sampler:     tuner.RandomSampler{},
		Pruner:      tuner.MedianPruner{StartupTrials: 3, WarmupSteps: 2},
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
