package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

type linregOpts struct {
	epochs int
	lr     float64
	batch  int // 0 → full batch
	seed   uint64
}

// runLinreg is the seed's example: X = rand(100, 1), y = 3X + rand(100, 1),
// nn.Linear(1, 1), MSE, Adam lr 0.01, 1000 full-batch epochs.
func runLinreg(ctx context.Context, w io.Writer, o linregOpts) error {
	start := time.Now()
	rng := rand.New(rand.NewPCG(o.seed, 1))
	const n = 100
	xs, ys := make([][]float64, n), make([][]float64, n)
	for i := range xs {
		x := rng.Float64()
		xs[i] = []float64{x}
		ys[i] = []float64{3*x + rng.Float64()}
	}
	ds, err := data.FromRows(xs, ys, tensor.Float32)
	if err != nil {
		return err
	}
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: o.seed})
	if err != nil {
		return err
	}
	batch := o.batch
	if batch == 0 {
		batch = n
	}
	tr, err := trainer.New(m, trainer.Config{
		Loss:      losses.MSE{},
		Optimizer: optimizers.Adam{},
		Schedule:  schedulers.Constant{LR: o.lr},
		Epochs:    o.epochs,
		BatchSize: batch,
		Seed:      o.seed,
		Quiet:     true, // 1000 tiny epochs: a bar per epoch would only flicker
	})
	if err != nil {
		return err
	}
	defer tr.Close()
	if _, err := tr.Fit(ctx, ds, nil); err != nil {
		return err
	}
	mse, _, err := tr.Evaluate(ctx, ds)
	if err != nil {
		return err
	}
	p := m.Params()
	weight := p[0].Value.Data().([]float32)[0]
	bias := p[1].Value.Data().([]float32)[0]
	fmt.Fprintf(w, "linreg: weight=%.4f bias=%.4f mse=%.4f epochs=%d seconds=%.2f\n", weight, bias, mse, o.epochs, time.Since(start).Seconds())
	return nil
}
