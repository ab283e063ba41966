package longrun

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/trainer"
)

// Batch is the minibatch of both runs, and StepsPerEpoch the length of an
// epoch of Steps (its training set has StepsPerEpoch·Batch rows).
const Batch, StepsPerEpoch = 32, 100

// StepsConfig sizes Steps. The zero value is the tests' run.
type StepsConfig struct {
	Steps int // optimizer steps, rounded up to whole epochs; 0 → 5000
	Every int // steps between samples; 0 → 100
	// Callbacks run after each step's sampling (a test injects a leak here).
	Callbacks []trainer.Callback
}

// Steps trains a small MLP (4-32-16-3 ReLU, Adam, cross-entropy, accuracy)
// on synthetic 3-class data in one Fit of cfg.Steps optimizer steps,
// validating after every epoch, with the trainer's defaults otherwise
// (gradient monitoring every 50 steps among them), and samples the process
// (Measure) at the start of Fit and after every cfg.Every-th step; Run.Kept
// is what its History holds. Errors: an invalid cfg, or the model's,
// the trainer's or ctx's.
func Steps(ctx context.Context, cfg StepsConfig) (*Run, error) {
	steps, every := cmp.Or(cfg.Steps, 5000), cmp.Or(cfg.Every, 100)
	if steps < 1 || every < 1 {
		return nil, fmt.Errorf("longrun: Steps %d, Every %d: want ≥ 1 each", steps, every)
	}
	epochs := (steps + StepsPerEpoch - 1) / StepsPerEpoch
	train, err := Blobs(StepsPerEpoch*Batch, 1)
	if err != nil {
		return nil, err
	}
	val, err := Blobs(10*Batch, 2)
	if err != nil {
		return nil, err
	}
	run := &Run{What: "step", Before: Measure(0), Points: make([]Point, 0, epochs*StepsPerEpoch/every+2)}
	hist, err := fitSampled(ctx, train, val, epochs, every, run, cfg.Callbacks)
	if err != nil {
		return nil, err
	}
	run.End = Measure(epochs * StepsPerEpoch)
	runtime.KeepAlive(hist)
	run.After = Measure(epochs * StepsPerEpoch)
	runtime.KeepAlive(train) // the data were made before Before: keep them to After too
	runtime.KeepAlive(val)
	return run, nil
}

// fitSampled builds the model and trainer, fits them, closes the trainer
// and returns only the History.
func fitSampled(ctx context.Context, train, val *data.Dataset, epochs, every int, run *Run, more []trainer.Callback) (*trainer.History, error) {
	m, err := model.New(model.MLP{Hidden: []int{32, 16}, Out: 3}, model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		return nil, err
	}
	sample := trainer.CallbackFunc(func(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
		if e.Kind == trainer.FitStart || e.Kind == trainer.BatchEnd && e.Step%every == 0 {
			run.Points = append(run.Points, Measure(e.Step))
		}
		return nil
	})
	tr, err := trainer.New(m, trainer.Config{
		Loss: losses.CrossEntropy{}, Epochs: epochs, BatchSize: Batch, Seed: 1, Quiet: true,
		Metrics:   []metrics.Metric{metrics.Accuracy{}},
		Callbacks: append([]trainer.Callback{sample}, more...),
	})
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	return tr.Fit(ctx, train, val)
}

// Blobs returns n rows of a 3-class problem, float32: Gaussian clusters in
// 4 dimensions, row i of class i mod 3, drawn from seed.
func Blobs(n int, seed uint64) (*data.Dataset, error) {
	rng := rand.New(rand.NewPCG(seed, 7))
	xs, labels := make([][]float64, n), make([]int, n)
	for i := range xs {
		c := i % 3
		xs[i] = []float64{float64(c) + 0.5*rng.NormFloat64(), -float64(c) + 0.5*rng.NormFloat64(), rng.NormFloat64(), float64(c * c)}
		labels[i] = c
	}
	return data.FromLabels(xs, labels, tensor.Float32)
}
