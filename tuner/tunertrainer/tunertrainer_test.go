package tunertrainer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// PruneOn refuses, at FitStart, a monitor that improves the other way than
// the study: reporting val_loss to a maximizing study would prune the best
// trials.
func TestPruneOnChecksDirection(t *testing.T) {
	ctx := context.Background()
	xs := [][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {2, 3}}
	ds, err := data.FromLabels(xs, []int{0, 0, 0, 0, 1, 1}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir     tuner.Direction
		monitor string
		noVal   bool   // Fit without a validation set
		want    string // "" for no error
		dirs    []tuner.Direction
	}{
		{tuner.Maximize, "val_accuracy", false, "", nil},
		{tuner.Minimize, "val_loss", false, "", nil},
		{tuner.Minimize, "loss", true, "", nil},
		{tuner.Maximize, "val_loss", false, `"val_loss", whose direction is minimize, in a study whose direction is maximize`, nil},
		{tuner.Minimize, "val_accuracy", false, `"val_accuracy", whose direction is maximize, in a study whose direction is minimize`, nil},
		{tuner.Minimize, "lr", false, `monitor "lr" is neither a loss nor one of Config.Metrics`, nil},
		{tuner.Minimize, "val_loss", true, `"val_loss", which needs a validation set, and Fit has none`, nil},
		{0, "val_loss", false, "several objectives", []tuner.Direction{tuner.Minimize, tuner.Maximize}},
	} {
		var fitErr error
		var epochs int
		obj := func(ctx context.Context, trial *tuner.Trial) (float64, error) {
			m, err := model.New(model.Linear{Out: 2}, model.Config{Inputs: 2, Dtype: tensor.Float64})
			if err != nil {
				return 0, err
			}
			tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Epochs: 2, BatchSize: 3, Quiet: true,
				Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: []trainer.Callback{tunertrainer.PruneOn(trial, c.monitor)}})
			if err != nil {
				return 0, err
			}
			defer tr.Close()
			val := ds
			if c.noVal {
				val = nil
			}
			h, err := tr.Fit(ctx, ds, val)
			fitErr, epochs = err, len(h.Epochs)
			return 0, err
		}
		s, err := tuner.Open(ctx, tuner.Config{Direction: c.dir, Directions: c.dirs, Parallelism: 1, Pruner: tuner.NopPruner{}})
		if err != nil {
			t.Fatal(err)
		}
		multi := func(ctx context.Context, trial *tuner.Trial) ([]float64, error) {
			v, err := obj(ctx, trial)
			return []float64{v, v}, err
		}
		if c.dirs == nil {
			err = s.Optimize(ctx, obj, tuner.Budget{Trials: 1})
		} else {
			err = s.OptimizeMulti(ctx, multi, tuner.Budget{Trials: 1})
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.want == "" && (fitErr != nil || epochs != 2):
			t.Errorf("%v study, PruneOn(%q): Fit = %d epochs, %v; want 2 epochs, no error", c.dir, c.monitor, epochs, fitErr)
		case c.want != "" && (!errors.Is(fitErr, tuner.ErrConfig) || !strings.Contains(fitErr.Error(), c.want) || epochs != 0):
			t.Errorf("%v study, PruneOn(%q): Fit = %d epochs, %v; want ErrConfig containing %q before any epoch", c.dir, c.monitor, epochs, fitErr, c.want)
		}
	}
}
