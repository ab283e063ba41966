package progress_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/trainer/progress"
)

// Show training progress with a Bar: in a terminal a bar per epoch, in a
// log (here a strings.Builder) one line per epoch. The lines end in the
// epoch's seconds, cut here because they vary.
func ExampleBar() {
	ds, err := data.FromRows([][]float64{{0}, {1}, {2}, {3}}, [][]float64{{1}, {3}, {5}, {7}}, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	var out strings.Builder
	tr, err := trainer.New(m, trainer.Config{
		Loss:      losses.MSE{},
		Schedule:  schedulers.Constant{LR: 0.1},
		Epochs:    3,
		BatchSize: 2,
		Callbacks: []trainer.Callback{&progress.Bar{W: &out}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Fit(context.Background(), ds, nil); err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		line, _, _ = strings.Cut(line, " seconds=")
		fmt.Println(line)
	}
	// Output:
	// epoch 1: loss=10.3458 lr=0.1 steps=2
	// epoch 2: loss=6.75098 lr=0.1 steps=2
	// epoch 3: loss=5.12659 lr=0.1 steps=2
}
