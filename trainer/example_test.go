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

// A training loop of your own: TrainBatch is the step Fit runs on each
// minibatch, here on the points of y = 2x in order, 4 at a time.
func ExampleTrainer_TrainBatch() {
	var xs, ys [][]float64
	for i := range 12 {
		x := float64(i) / 12
		xs, ys = append(xs, []float64{x}), append(ys, []float64{2 * x})
	}
	ds, err := data.FromRows(xs, ys, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1, Dtype: tensor.Float64})
	if err != nil {
		log.Fatal(err)
	}
	tr, err := trainer.New(m, trainer.Config{
		Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: 0.1}, BatchSize: 4,
		Epochs: 1, // Fit's; TrainBatch does not use it
	})
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	ctx := context.Background()
	for epoch := 1; epoch <= 200; epoch++ {
		var sum float64
		for lo := 0; lo < ds.Len(); lo += 4 {
			batch, err := ds.Subset([]int{lo, lo + 1, lo + 2, lo + 3})
			if err != nil {
				log.Fatal(err)
			}
			st, err := tr.TrainBatch(ctx, batch)
			if err != nil {
				log.Fatal(err)
			}
			sum += st.Loss
		}
		if epoch == 1 || epoch == 20 || epoch == 200 {
			fmt.Printf("epoch %d: steps=%d mean batch loss=%.4f\n", epoch, tr.Steps(), sum/3)
		}
	}
	fmt.Printf("weight=%.2f\n", m.Params()[0].Value.Data().([]float64)[0])
	// Output:
	// epoch 1: steps=3 mean batch loss=0.3495
	// epoch 20: steps=60 mean batch loss=0.0008
	// epoch 200: steps=600 mean batch loss=0.0000
	// weight=2.00
}
