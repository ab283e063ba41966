package trainer_test

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
)

// Fit a line y = 3x + noise, as in README.md's quickstart.
func Example() {
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

	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	tr, err := trainer.New(m, trainer.Config{
		Loss:      losses.MSE{},
		Schedule:  schedulers.Constant{LR: 0.01}, // Adam by default
		Epochs:    1000,
		BatchSize: 100, // the whole set: gradient descent
		Quiet:     true,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	hist, err := tr.Fit(context.Background(), ds, nil)
	if err != nil {
		log.Fatal(err)
	}

	last, _ := hist.Last()
	w := m.Params()[0].Value.Data().([]float32)[0]
	b := m.Params()[1].Value.Data().([]float32)[0]
	fmt.Printf("weight=%.1f bias=%.1f mse=%.2f\n", w, b, last.TrainLoss)
	// Output: weight=2.8 bias=0.7 mse=0.08
}
