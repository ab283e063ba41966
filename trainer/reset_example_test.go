package trainer_test

import (
	"context"
	"fmt"
	"log"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// One model and one trainer for several cross-validation folds: each fold
// starts from fresh weights (Model.Reinit with the fold's seed) and a
// trainer that forgot the last fold (Reset), exactly as a new model and
// trainer would, without building and compiling the graphs again.
func ExampleTrainer_Reset() {
	var xs, ys [][]float64 // y = 2x + 1 on 10 points
	for i := range 10 {
		xs, ys = append(xs, []float64{float64(i) / 10}), append(ys, []float64{float64(i)/5 + 1})
	}
	ds, err := data.FromRows(xs, ys, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 0})
	if err != nil {
		log.Fatal(err)
	}
	tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: 0.01}, Epochs: 300, BatchSize: 10, Quiet: true})
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	for fold := range 3 {
		if fold > 0 {
			if err := m.Reinit(uint64(fold)); err != nil {
				log.Fatal(err)
			}
			if err := tr.Reset(); err != nil {
				log.Fatal(err)
			}
		}
		hist, err := tr.Fit(context.Background(), ds, nil)
		if err != nil {
			log.Fatal(err)
		}
		last, _ := hist.Last()
		fmt.Printf("fold %d: %d steps, mse %.3f\n", fold, tr.Steps(), last.TrainLoss)
	}
	// Output:
	// fold 0: 300 steps, mse 0.112
	// fold 1: 300 steps, mse 0.013
	// fold 2: 300 steps, mse 0.008
}
