// Command checkpoints is the program of docs/checkpoints.md: a run
// interrupted mid-epoch saves its whole training state, a new Trainer
// resumes it to the very weights of the run that was never interrupted,
// and the trained weights are loaded into a model elsewhere.
//
//	go run ./docs/tutorials/checkpoints
package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/trainer"
)

func main() {
	dir, err := os.MkdirTemp("", "checkpoints")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	if err := run(dir); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// run interrupts a run, resumes it, checks it against an uninterrupted
// one, and loads the weights elsewhere.
func run(dir string) error {
	train := blobs(200, 1)
	statePath := filepath.Join(dir, "run.state")
	if err := interrupted(train, statePath); err != nil {
		return err
	}
	resumedWeights, err := resume(train, statePath)
	if err != nil {
		return err
	}
	whole, _, err := newTrainer("")
	if err != nil {
		return err
	}
	defer whole.Close()
	if _, err := whole.Fit(context.Background(), train, nil); err != nil {
		return err
	}
	same := slices.EqualFunc(whole.Weights(), resumedWeights, func(a, b *tensor.Dense) bool {
		return slices.Equal(a.Data().([]float64), b.Data().([]float64))
	})
	fmt.Printf("resumed run == uninterrupted run, bit for bit: %v\n", same)
	return loadElsewhere(whole, filepath.Join(dir, "weights.json"))
}

// newTrainer builds the model and its Trainer, the same way every time:
// a state loads only into a Trainer configured as the one that saved it.
// Callbacks that keep no state (extra) may differ between the runs.
func newTrainer(statePath string, extra ...trainer.Callback) (*trainer.Trainer, *model.Model, error) {
	m, err := model.New(model.MLP{Hidden: []int{16}, Out: 3}, model.Config{Inputs: 2, Seed: 1, Dtype: tensor.Float64})
	if err != nil {
		return nil, nil, err
	}
	cfg := trainer.Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Epochs: 5, BatchSize: 16, Seed: 7, Quiet: true}
	if statePath != "" {
		cfg.Callbacks = []trainer.Callback{trainer.SaveOnInterrupt{Path: statePath}}
	}
	cfg.Callbacks = append(cfg.Callbacks, extra...)
	tr, err := trainer.New(m, cfg)
	return tr, m, err
}

// interrupted trains until epoch 3, step 5, where it cancels its context
// as Ctrl-C would with trainer.InterruptContext: Fit finishes the step,
// SaveOnInterrupt writes the state, and Fit returns context.Canceled.
func interrupted(train *data.Dataset, statePath string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctrlC := trainer.CallbackFunc(func(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd && e.Epoch == 3 && e.Batch == 5 {
			cancel()
		}
		return nil
	})
	tr, _, err := newTrainer(statePath, ctrlC)
	if err != nil {
		return err
	}
	defer tr.Close()
	hist, err := tr.Fit(ctx, train, nil)
	if !errors.Is(err, context.Canceled) {
		return fmt.Errorf("want an interrupted Fit, got %w", err)
	}
	fmt.Printf("interrupted after %d epochs, at step %d: state saved\n", len(hist.Epochs), tr.Steps())
	return nil
}

// resume loads the state into a new Trainer and finishes the run.
func resume(train *data.Dataset, statePath string) ([]*tensor.Dense, error) {
	tr, _, err := newTrainer(statePath)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	if err := tr.LoadStateFile(statePath); err != nil {
		return nil, err
	}
	fmt.Printf("resuming after %d epochs and step %d\n", tr.Epochs(), tr.Steps())
	if _, err := tr.Fit(context.Background(), train, nil); err != nil {
		return nil, err
	}
	return tr.Weights(), nil
}

// loadElsewhere saves the trained weights and loads them into a model
// built the same way, as another program would.
func loadElsewhere(tr *trainer.Trainer, path string) error {
	if err := tr.SaveFile(path); err != nil {
		return err
	}
	m, err := model.New(model.MLP{Hidden: []int{16}, Out: 3}, model.Config{Inputs: 2, Dtype: tensor.Float64})
	if err != nil {
		return err
	}
	if err := m.LoadFile(path); err != nil {
		return err
	}
	fmt.Printf("loaded %d weight tensors from %s\n", len(m.Params()), filepath.Base(path))
	return nil
}

// blobs is n points in three Gaussian clusters.
func blobs(n int, seed uint64) *data.Dataset {
	r := rand.New(rand.NewPCG(seed, 0))
	centers := [][2]float64{{0, 0}, {3, 3}, {0, 4}}
	x, y := make([][]float64, n), make([]int, n)
	for i := range x {
		c := i % 3
		x[i] = []float64{centers[c][0] + r.NormFloat64(), centers[c][1] + r.NormFloat64()}
		y[i] = c
	}
	ds, err := data.FromLabels(x, y, tensor.Float64)
	if err != nil {
		panic(err)
	}
	return ds
}
