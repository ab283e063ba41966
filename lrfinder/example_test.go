package lrfinder_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/lrfinder"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/trainer"
)

// Find a learning rate for full-batch gradient descent on a linear
// regression before training: 100 steps with the rate growing from 1e-3 to
// 10, the loss recorded at each.
func ExampleRun() {
	rng := rand.New(rand.NewPCG(1, 2))
	xs, ys := make([][]float64, 200), make([][]float64, 200)
	for i := range xs {
		x := []float64{rng.Float64(), rng.Float64(), rng.Float64()}
		xs[i], ys[i] = x, []float64{3*x[0] - 2*x[1] + x[2] + 0.1*rng.NormFloat64()}
	}
	train, err := data.FromRows(xs, ys, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 3, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}

	cfg := trainer.Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, BatchSize: train.Len(), Quiet: true}
	res, err := lrfinder.Run(context.Background(), m, cfg, train, lrfinder.Config{MinLR: 1e-3, MaxLR: 10, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("steps=%d diverged=%v at lr=%.3g\n", len(res.LRs), res.Diverged, res.DivergedAt)
	fmt.Printf("trustworthy=%v suggested lr=%.3g\n", res.Trustworthy, res.Suggested)
	// Then train m (its weights are back as they were) with
	// cfg.Schedule = schedulers.Constant{LR: res.Suggested}.
	fmt.Println(res.Reason)
	// Output:
	// steps=86 diverged=true at lr=2.72
	// trustworthy=true suggested lr=0.673
	// suggested lr 0.673, the steepest descent of the smoothed loss between step 11 and its minimum, of 100 steps: the smoothed loss falls fastest (-0.424 per decade of lr) at step 71 (lr 0.673, smoothed loss 0.7479); it falls 53.9% from step 11 (lr 0.00254, smoothed loss 1.19) to step 84 (lr 2.26, smoothed loss 0.5487), net/total 1; the sweep diverged at step 86 (lr 2.72): smoothed loss 11.6 > DivergeFactor 4 × best 0.5487
}
