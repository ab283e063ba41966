package tunertrainer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
)

// BenchmarkReproducibleTraining measures what tuner.Config.ReproducibleWindow
// costs a study of 12 trials of a small training (an MLP of 8 to 256 hidden
// units, 8 epochs over 1,536 rows: trials of unequal length, so a worker
// may wait for its window) under TPE at Parallelism 2: trials/s with the option
// off, and with windows of 2 and 4. Run it with -benchtime=2x; the numbers
// are in docs/tuning.md, beside tuner's BenchmarkReproducibleCheap.
func BenchmarkReproducibleTraining(b *testing.B) {
	objective := smallTraining(b)
	const trials = 12
	for _, w := range []int{0, 2, 4} {
		b.Run(fmt.Sprintf("window=%d", w), func(b *testing.B) {
			start := time.Now()
			for i := range b.N {
				s, err := tuner.Open(context.Background(), tuner.Config{Seed: uint64(i), Parallelism: 2, ReproducibleWindow: w,
					Sampler: &tuner.TPESampler{StartupTrials: 4}})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Optimize(context.Background(), objective, tuner.Budget{Trials: trials}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*trials)/time.Since(start).Seconds(), "trials/s")
		})
	}
}

// smallTraining is the benchmark's objective: it fits y = a·c + noise
// with an MLP whose learning rate and hidden units it tunes.
func smallTraining(b testing.TB) tuner.Objective {
	rng := rand.New(rand.NewPCG(3, 4))
	xs, ys := make([][]float64, 2048), make([][]float64, 2048)
	for i := range xs {
		a, c := rng.Float64(), rng.Float64()
		xs[i], ys[i] = []float64{a, c}, []float64{a*c + 0.1*rng.Float64()}
	}
	ds, err := data.FromRows(xs, ys, tensor.Float32)
	if err != nil {
		b.Fatal(err)
	}
	train, val, err := ds.Split(0.25, 1)
	if err != nil {
		b.Fatal(err)
	}
	objective := func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-3, 0.3, tuner.Log())
		hidden := t.Int("hidden", 8, 256, tuner.Log())
		seed, _ := t.Sequence() // 0 outside a reproducible study
		m, err := model.New(model.MLP{Hidden: []int{hidden}, Out: 1}, model.Config{Inputs: 2, Seed: uint64(seed)})
		if err != nil {
			return 0, err
		}
		tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: lr},
			Epochs: 8, BatchSize: 32, Quiet: true})
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		hist, err := tr.Fit(ctx, train, val)
		if err != nil {
			return 0, err
		}
		last, _ := hist.Last()
		return last.ValLoss, nil
	}
	return objective
}
