package tunertrainer_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"strings"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
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

// Prune by diagnosis: SGD's learning rate on a 3-class problem, five rates
// on a grid. The training doctor stops the two largest rates at their
// second step (the loss blows up) and the smallest after three flat epochs
// above chance; each trial records the cause, and the other two train all
// 10 epochs.
func ExamplePruneOnDiagnosis() {
	rng := rand.New(rand.NewPCG(1, 2))
	xs, labels := make([][]float64, 300), make([]int, 300)
	for i := range xs {
		labels[i] = i % 3
		xs[i] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		xs[i][labels[i]] += 2 // class c lies along axis c
	}
	ds, err := data.FromLabels(xs, labels, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	rates := []any{1e-7, 0.01, 0.1, 10.0, 100.0}

	objective := func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Categorical("lr", rates...).(float64)
		m, err := model.New(model.MLP{Hidden: []int{16}, Out: 3}, model.Config{Inputs: 3, Seed: 1})
		if err != nil {
			return 0, err
		}
		tr, err := trainer.New(m, trainer.Config{
			Loss:         losses.CrossEntropy{},
			Optimizer:    optimizers.SGD{Momentum: 0.9},
			Schedule:     schedulers.Constant{LR: lr},
			Epochs:       10,
			BatchSize:    30,
			MonitorEvery: 5, // gradient norms and dead units every 5 steps
			Quiet:        true,
			Callbacks:    []trainer.Callback{tunertrainer.PruneOnDiagnosis(t, diagnose.Options{Classes: 3})},
		})
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		hist, err := tr.Fit(ctx, ds, nil)
		if err != nil {
			return 0, err // wraps tuner.ErrPruned when the doctor stops training
		}
		last, _ := hist.Last()
		return last.TrainLoss, nil
	}

	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: &tuner.GridSampler{Space: map[string][]any{"lr": rates}}, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	if err := study.Optimize(ctx, objective, tuner.Budget{Trials: len(rates)}); err != nil {
		log.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range trials {
		if t.State != tuner.Pruned {
			fmt.Printf("lr=%-5g %v, training loss %.3f\n", t.Params["lr"], t.State, t.Value)
			continue
		}
		first, _, _ := strings.Cut(t.Attrs[tunertrainer.AttrDiagnosisReason], ";") // the reason's first clause
		fmt.Printf("lr=%-5g pruned, %s: %s\n", t.Params["lr"], t.Attrs[tunertrainer.AttrDiagnosis], first)
	}
	// Output:
	// lr=1e-07 pruned, stuck_at_chance: epochs 1–3: training loss 1.413 after epoch 3 is 128.6% of ln 3 = 1.099, the loss of predicting every class with probability 1/3 (flagged above 95.0%)
	// lr=0.01  complete, training loss 0.344
	// lr=0.1   complete, training loss 0.320
	// lr=10    pruned, diverging: step 2 (epoch 1, batch 2), layer dense1/W: the smoothed loss 12.09 (this batch: 22.92) is 11.73× its running minimum 1.03 and above the first loss 1.03 (limit 4×)
	// lr=100   pruned, diverging: step 2 (epoch 1, batch 2), layer dense1/W: the smoothed loss 677.3 (this batch: 1340) is 657.5× its running minimum 1.03 and above the first loss 1.03 (limit 4×)
}
