package trainer_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// Keep the two latest epochs and the best one by the training loss
// (Lightning's save_top_k=1 with save_last), besides last.json and
// best.json. The loss falls every epoch here, so the best is the latest.
func ExampleModelCheckpoint() {
	dir, err := os.MkdirTemp("", "ckpt")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ds, err := data.FromRows([][]float64{{0}, {1}, {2}, {3}}, [][]float64{{1}, {3}, {5}, {7}}, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	ckpt := &trainer.ModelCheckpoint{Dir: dir, Monitor: "loss", KeepLast: 2, KeepBest: 1}
	tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: 0.01},
		Epochs: 5, BatchSize: 2, Quiet: true, Callbacks: []trainer.Callback{ckpt}})
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Fit(context.Background(), ds, nil); err != nil {
		log.Fatal(err)
	}

	files, _ := os.ReadDir(dir)
	for _, f := range files {
		fmt.Println(f.Name())
	}
	fmt.Println("best epoch:", ckpt.BestEpoch)
	for _, p := range ckpt.Checkpoints() {
		fmt.Println("kept:", filepath.Base(p))
	}
	// Output:
	// best.json
	// epoch-0004-step-00000008.json
	// epoch-0005-step-00000010.json
	// last.json
	// best epoch: 5
	// kept: epoch-0004-step-00000008.json
	// kept: epoch-0005-step-00000010.json
}
