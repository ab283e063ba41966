package tunertrainer_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/prune"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// Tune the learning rate of a line fit y = 3x + noise, pruning per epoch on
// the validation loss: the two rates tried first finish all 20 epochs, and
// the two far too small ones are stopped after their first epoch, whose
// val_loss is worse than the completed trials' median at that epoch.
func ExamplePruneOn() {
	rng := rand.New(rand.NewPCG(1, 2))
	xs, ys := make([][]float64, 100), make([][]float64, 100)
	for i := range xs {
		x := rng.Float64()
		xs[i], ys[i] = []float64{x}, []float64{3*x + rng.Float64()}
	}
	ds, err := data.FromRows(xs, ys, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	train, val, err := ds.Split(0.2, 1)
	if err != nil {
		log.Fatal(err)
	}

	objective := func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Categorical("lr", 0.1, 0.03, 0.0003, 0.0001).(float64)
		m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
		if err != nil {
			return 0, err
		}
		tr, err := trainer.New(m, trainer.Config{
			Loss:      losses.MSE{},
			Schedule:  schedulers.Constant{LR: lr},
			Epochs:    20,
			BatchSize: 16,
			Quiet:     true,
			Callbacks: []trainer.Callback{tunertrainer.PruneOn(t, "val_loss")},
		})
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		hist, err := tr.Fit(ctx, train, val)
		if err != nil {
			return 0, err // wraps tuner.ErrPruned when pruned: the trial ends Pruned
		}
		last, _ := hist.Last()
		return last.ValLoss, nil
	}

	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{
		Sampler:     &tuner.GridSampler{Space: map[string][]any{"lr": {0.1, 0.03, 0.0003, 0.0001}}},
		Pruner:      prune.Median{StartupTrials: 2},
		Parallelism: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := study.Optimize(ctx, objective, tuner.Budget{Trials: 4}); err != nil {
		log.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range trials {
		epoch, valLoss, _ := t.LastStep()
		fmt.Printf("lr=%-6g %-8v at epoch %2d: val_loss %.2f\n", t.Params["lr"], t.State, epoch, valLoss)
	}
	// Output:
	// lr=0.1    complete at epoch 20: val_loss 0.08
	// lr=0.03   complete at epoch 20: val_loss 0.18
	// lr=0.0003 pruned   at epoch  1: val_loss 2.41
	// lr=0.0001 pruned   at epoch  1: val_loss 2.41
}
