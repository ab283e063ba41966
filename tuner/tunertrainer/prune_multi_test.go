package tunertrainer_test

import (
	"context"
	"errors"
	"slices"
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

// bigAtEpochOne prunes, at epoch 1, a trial whose objective 1 (its size)
// is above limit.
type bigAtEpochOne struct{ limit float64 }

func (bigAtEpochOne) ValidateDirections([]tuner.Direction) error { return nil }
func (p bigAtEpochOne) Prune(c *tuner.PruneContext) bool {
	step, v, ok := c.Trial.LastVector()
	return ok && step == 1 && v[1] > p.limit
}

// PruneOnMulti reports, after each epoch, one value per monitor: the
// epoch's statistic and the model's size; the pruner sees them and a
// trial it stops ends Pruned with its last vector.
func TestPruneOnMultiReportsVectors(t *testing.T) {
	ctx := context.Background()
	xs := [][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {2, 3}}
	ds, err := data.FromLabels(xs, []int{0, 0, 0, 0, 1, 1}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	// Hidden units 2 and 8: 2·2+2 + 2·2+2 = 12 and 8·2+8 + 8·2+2 = 42 parameters.
	units, sizes := []int{2, 8}, []float64{12, 42}
	histories := make([]*trainer.History, len(units))
	fitErrs := make([]error, len(units))
	s, err := tuner.Open(ctx, tuner.Config{Directions: []tuner.Direction{tuner.Maximize, tuner.Minimize}, Parallelism: 1,
		Pruner: bigAtEpochOne{limit: 20}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.OptimizeMulti(ctx, func(ctx context.Context, trial *tuner.Trial) ([]float64, error) {
		n := trial.Number()
		m, err := model.New(model.MLP{Hidden: []int{units[n]}, Out: 2}, model.Config{Inputs: 2, Dtype: tensor.Float64, Seed: 1})
		if err != nil {
			return nil, err
		}
		tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Epochs: 3, BatchSize: 3, Quiet: true, Seed: 1,
			Metrics:   []metrics.Metric{metrics.Accuracy{}},
			Callbacks: []trainer.Callback{tunertrainer.PruneOnMulti(trial, "val_accuracy", tunertrainer.MonitorParams)}})
		if err != nil {
			return nil, err
		}
		defer tr.Close()
		histories[n], fitErrs[n] = tr.Fit(ctx, ds, ds)
		if fitErrs[n] != nil {
			return nil, fitErrs[n]
		}
		last, _ := histories[n].Last()
		return []float64{last.ValMetrics["accuracy"], sizes[n]}, nil
	}, tuner.Budget{Trials: 2})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fitErrs[0] != nil || trials[0].State != tuner.Complete || !errors.Is(fitErrs[1], tuner.ErrPruned) ||
		!strings.Contains(fitErrs[1].Error(), "epoch 1 (val_accuracy = ") || trials[1].State != tuner.Pruned {
		t.Fatalf("trials %v and %v, Fit errors %v and %v; want the small one complete, the big one pruned at epoch 1",
			trials[0].State, trials[1].State, fitErrs[0], fitErrs[1])
	}
	for n, tr := range trials {
		if len(tr.IntermediateVectors) != len(histories[n].Epochs) {
			t.Errorf("trial %d: %d vectors for %d epochs", n, len(tr.IntermediateVectors), len(histories[n].Epochs))
		}
		for _, e := range histories[n].Epochs {
			want := []float64{e.ValMetrics["accuracy"], sizes[n]}
			if got := tr.IntermediateVectors[e.Epoch]; !slices.Equal(got, want) || tr.Intermediate[e.Epoch] != want[0] {
				t.Errorf("trial %d epoch %d: reported %v (intermediate %v), want %v", n, e.Epoch, got, tr.Intermediate[e.Epoch], want)
			}
		}
	}
	if h := histories[1].Epochs; len(h) != 1 || !slices.Equal(trials[1].Values, []float64{h[0].ValMetrics["accuracy"], 42}) {
		t.Errorf("pruned trial's values %v after %d epochs, want its epoch 1 vector", trials[1].Values, len(h))
	}
}

// PruneOnMulti refuses at FitStart monitors that do not fit the study: of
// another number, improving the other way, unknown; PruneOn on a study of
// several objectives names PruneOnMulti.
func TestPruneOnMultiChecksMonitors(t *testing.T) {
	ctx := context.Background()
	ds, err := data.FromLabels([][]float64{{0, 0}, {1, 1}, {0, 1}, {2, 2}}, []int{0, 1, 0, 1}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	maxMin := []tuner.Direction{tuner.Maximize, tuner.Minimize}
	for _, c := range []struct {
		dirs     []tuner.Direction
		monitors []string
		want     string // "" for no error
	}{
		{maxMin, []string{"val_accuracy", "params"}, ""},
		{maxMin, []string{"val_accuracy", "val_loss"}, ""},
		{[]tuner.Direction{tuner.Minimize}, []string{"val_loss"}, ""},
		{maxMin, []string{"val_accuracy"}, `1 values, for a study of 2 objectives`},
		{maxMin, []string{"val_loss", "params"}, `"val_loss", whose direction is minimize, as objective 0, whose direction is maximize`},
		{[]tuner.Direction{tuner.Maximize, tuner.Maximize}, []string{"val_accuracy", "params"}, `"params", whose direction is minimize, as objective 1`},
		{maxMin, []string{"val_accuracy", "lr"}, `monitor "lr" is neither a loss nor one of Config.Metrics`},
		{maxMin, []string{"val_accuracy"}, "several objectives (or no study): monitor one per objective with PruneOnMulti"}, // PruneOn
	} {
		var fitErr error
		epochs := 0
		pruneOn := tunertrainer.PruneOnMulti
		if strings.Contains(c.want, "PruneOnMulti") {
			pruneOn = func(t *tuner.Trial, monitors ...string) trainer.Callback { return tunertrainer.PruneOn(t, monitors[0]) }
		}
		s, err := tuner.Open(ctx, tuner.Config{Directions: c.dirs, Parallelism: 1})
		if err != nil {
			t.Fatal(err)
		}
		err = s.OptimizeMulti(ctx, func(ctx context.Context, trial *tuner.Trial) ([]float64, error) {
			m, err := model.New(model.Linear{Out: 2}, model.Config{Inputs: 2, Dtype: tensor.Float64})
			if err != nil {
				return nil, err
			}
			tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Epochs: 2, BatchSize: 2, Quiet: true,
				Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: []trainer.Callback{pruneOn(trial, c.monitors...)}})
			if err != nil {
				return nil, err
			}
			defer tr.Close()
			h, err := tr.Fit(ctx, ds, ds)
			fitErr, epochs = err, len(h.Epochs)
			return make([]float64, len(c.dirs)), err
		}, tuner.Budget{Trials: 1})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.want == "" && (fitErr != nil || epochs != 2):
			t.Errorf("%v %q: Fit = %d epochs, %v; want 2 epochs, no error", c.dirs, c.monitors, epochs, fitErr)
		case c.want != "" && (!errors.Is(fitErr, tuner.ErrConfig) || !strings.Contains(fitErr.Error(), c.want) || epochs != 0):
			t.Errorf("%v %q: Fit = %d epochs, %v; want ErrConfig containing %q before any epoch", c.dirs, c.monitors, epochs, fitErr, c.want)
		}
	}
}
