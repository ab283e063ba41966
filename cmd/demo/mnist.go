package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/trainer/progress"
)

type mnistOpts struct {
	epochs, batch int
	lr            float64
	seed          uint64
	dir           string
	quiet         bool
	out           string             // folder for the diagnostics report; "" → none
	state         string             // folder for the resume point (-state); "" → none
	extra         []trainer.Callback // more callbacks (tests interrupt the run with one)
}

// runMNIST trains a 784-256-128-10 ReLU MLP with Adam on the 60,000 MNIST
// training images (10 % held out for validation) and reports accuracy on the
// 10,000 test images.
func runMNIST(ctx context.Context, w io.Writer, o mnistOpts) error {
	start := time.Now()
	train, test, err := datasets.MNIST(data.MNISTConfig{Dir: o.dir, Dtype: tensor.Float32})
	if err != nil {
		return err
	}
	fit, val, err := train.Split(0.1, o.seed)
	if err != nil {
		return err
	}
	m, err := model.New(model.MLP{Hidden: []int{256, 128}, Out: 10}, model.Config{Inputs: 784, Seed: o.seed})
	if err != nil {
		return err
	}
	lrs, watchdog := &trainer.LRMonitor{}, &diagnose.Watchdog{}
	cfg := trainer.Config{
		Loss:      losses.CrossEntropy{},
		Optimizer: optimizers.Adam{},
		Schedule:  schedulers.Constant{LR: o.lr},
		Epochs:    o.epochs,
		BatchSize: o.batch,
		Seed:      o.seed,
		Metrics:   []metrics.Metric{metrics.Accuracy{}},
		Quiet:     o.quiet,
		Callbacks: []trainer.Callback{lrs, watchdog},
	}
	if !o.quiet {
		// A bar per epoch in a terminal, one line per epoch in a log.
		cfg.Callbacks = append(cfg.Callbacks, &progress.Bar{})
	}
	var rep *diagReport
	if o.out != "" {
		if rep, err = preflight(ctx, m, cfg, fit, val, o.seed); err != nil {
			return err
		}
	}
	statePath := ""
	if o.state != "" {
		// Interrupted (Ctrl-C, SIGTERM), the run saves its state here; a
		// rerun with the same flags resumes it exactly.
		statePath = filepath.Join(o.state, "mnist.state")
		cfg.Callbacks = append(cfg.Callbacks, trainer.SaveOnInterrupt{Path: statePath})
	}
	cfg.Callbacks = append(cfg.Callbacks, o.extra...)
	tr, err := trainer.New(m, cfg)
	if err != nil {
		return err
	}
	defer tr.Close()
	if statePath != "" {
		if err := resumeMNIST(w, tr, statePath); err != nil {
			return err
		}
	}
	hist, fitErr := tr.Fit(ctx, fit, val)
	if rep != nil {
		if err := rep.write(w, o.out, hist, lrs, watchdog, fitErr); err != nil {
			return err
		}
	}
	if statePath != "" && ctx.Err() != nil && errors.Is(fitErr, ctx.Err()) {
		fmt.Fprintf(w, "mnist: interrupted after %d epochs and %d steps; state saved in %s, rerun with -state %s to resume\n", tr.Epochs(), tr.Steps(), statePath, o.state)
		return nil
	}
	if fitErr != nil {
		return fitErr
	}
	if statePath != "" {
		// Done: a rerun trains anew.
		if err := os.Remove(statePath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	_, ms, err := tr.Evaluate(ctx, test)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "mnist: test_accuracy=%.4f epochs=%d seconds=%.0f\n", ms["accuracy"], o.epochs, time.Since(start).Seconds())
	return nil
}

// resumeMNIST loads the state at path into tr when there is one.
func resumeMNIST(w io.Writer, tr *trainer.Trainer, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := tr.LoadStateFile(path); err != nil {
		return fmt.Errorf("%w (delete it to start anew)", err)
	}
	fmt.Fprintf(w, "mnist: resuming from %s after %d epochs and %d steps\n", path, tr.Epochs(), tr.Steps())
	return nil
}
