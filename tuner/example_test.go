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

// Trade a model's validation loss against its size: two objectives, both
// minimized, and a constraint (at most 40 units) that marks larger models
// infeasible. The objective stands in for a training run: more units fit
// better, and a learning rate near 0.003 trains best. BestTrials is the
// Pareto front of the feasible trials: no other trial is both smaller and
// better.
func ExampleStudy_OptimizeMulti() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{
		Name:        "size-vs-loss",
		Directions:  []tuner.Direction{tuner.Minimize, tuner.Minimize}, // val_loss, units
		Seed:        3,
		Parallelism: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	err = study.OptimizeMulti(ctx, func(ctx context.Context, t *tuner.Trial) ([]float64, error) {
		units := t.Int("units", 4, 64)
		lr := t.Float("lr", 1e-4, 1e-1, tuner.Log())
		if err := t.Err(); err != nil {
			return nil, err
		}
		if err := t.SetConstraints(float64(units - 40)); err != nil { // ≤ 0: feasible
			return nil, err
		}
		valLoss := 1/float64(units) + 0.05*math.Pow(math.Log10(lr/0.003), 2)
		return []float64{valLoss, float64(units)}, nil
	}, tuner.Budget{Trials: 30})
	if err != nil {
		log.Fatal(err)
	}

	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	infeasible := 0
	for _, t := range trials {
		if t.Constraints[0] > 0 {
			infeasible++
		}
	}
	front, err := study.BestTrials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d trials, %d infeasible (more than 40 units); the front:\n", len(trials), infeasible)
	for _, t := range front {
		fmt.Printf("trial %2d: val_loss=%.4f units=%2.0f\n", t.Number, t.Values[0], t.Values[1])
	}
	hv, err := study.Hypervolume(ctx, []float64{1, 64})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("hypervolume to (1, 64): %.2f\n", hv)
	// Output:
	// 30 trials, 15 infeasible (more than 40 units); the front:
	// trial  7: val_loss=0.0953 units=12
	// trial 15: val_loss=0.0499 units=34
	// trial 16: val_loss=0.0366 units=36
	// trial 17: val_loss=0.0410 units=35
	// trial 19: val_loss=0.2054 units= 5
	// trial 27: val_loss=0.1824 units=10
	// trial 29: val_loss=0.0891 units=14
	// hypervolume to (1, 64): 54.52
}
