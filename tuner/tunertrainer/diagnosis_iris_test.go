package tunertrainer_test

import (
	"context"
	"math"
	"os"
	"testing"

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
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
	"github.com/gradtune/gradtune/validation"
)

// irisSplit is the real Iris table (golearn's module, as the demo loads
// it), 30% held out, both parts scaled by the training part's statistics.
func irisSplit(t *testing.T) (train, val *data.Dataset) {
	t.Helper()
	path, err := datasets.GolearnFile("iris_headers.csv")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	full, _, err := data.LoadCSVClasses(f, data.CSVConfig{Header: true, Dtype: tensor.Float32})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if train, val, err = full.Split(0.3, 1); err != nil {
		t.Fatal(err)
	}
	st, err := validation.Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	if train, err = st.Transform(train); err != nil {
		t.Fatal(err)
	}
	if val, err = st.Transform(val); err != nil {
		t.Fatal(err)
	}
	return train, val
}

// A learning-rate sweep on Iris, an MLP of 16 ReLUs trained 30 epochs by
// SGD with momentum and by Adam, each rate from 1e-3 to 1e3 in half
// decades: the rates up to 0.316 train to the end, undiagnosed, and the
// best of them reaches 100% validation accuracy; from 3.16 up every trial
// is pruned as diverging or exploding, most at the second step. At 1, on
// the border, Adam's gradient norm explodes after 70 steps and SGD's
// updates kill most ReLUs (dead units): pruned either way.
func TestPruneOnDiagnosisIrisLRSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("may download the golearn module")
	}
	train, val := irisSplit(t)
	ctx := context.Background()
	var lrs []any
	for i := 0; i <= 12; i++ {
		lrs = append(lrs, math.Pow(10, -3+0.5*float64(i)))
	}
	s, err := tuner.Open(ctx, tuner.Config{Direction: tuner.Maximize, Parallelism: 1, Pruner: tuner.NopPruner{},
		Sampler: &tuner.GridSampler{Space: map[string][]any{"lr": lrs, "optimizer": {"sgd", "adam"}}}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Optimize(ctx, func(ctx context.Context, trial *tuner.Trial) (float64, error) {
		lr := trial.Categorical("lr", lrs...).(float64)
		var opt optimizers.Optimizer = optimizers.Adam{}
		if trial.String("optimizer", "sgd", "adam") == "sgd" {
			opt = optimizers.SGD{Momentum: 0.9}
		}
		m, err := model.New(model.MLP{Hidden: []int{16}, Out: 3}, model.Config{Inputs: 4, Seed: 1})
		if err != nil {
			return 0, err
		}
		tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Optimizer: opt, Schedule: schedulers.Constant{LR: lr},
			Epochs: 30, BatchSize: 16, Seed: 1, MonitorEvery: 5, Quiet: true, Metrics: []metrics.Metric{metrics.Accuracy{}},
			Callbacks: []trainer.Callback{tunertrainer.PruneOnDiagnosis(trial, diagnose.Options{Classes: 3})}})
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		h, err := tr.Fit(ctx, train, val)
		if err != nil {
			return 0, err
		}
		last, _ := h.Last()
		return last.ValMetrics["accuracy"], nil
	}, tuner.Budget{Trials: 2 * len(lrs)})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	best := 0.0
	for _, tr := range trials {
		lr, code := tr.Params["lr"].(float64), tr.Attrs[tunertrainer.AttrDiagnosis]
		t.Logf("%-4s lr %-7.3g %-8v %-10s %.90s", tr.Params["optimizer"], lr, tr.State, code, tr.Attrs[tunertrainer.AttrDiagnosisReason])
		switch {
		case lr < 0.5 && (tr.State != tuner.Complete || hasDiagnosis(tr)):
			t.Errorf("%s lr %v: %v, diagnosis %q; want Complete, undiagnosed", tr.Params["optimizer"], lr, tr.State, code)
		case lr > 2 && (tr.State != tuner.Pruned || code != "diverging" && code != "exploding"):
			t.Errorf("%s lr %v: %v, diagnosis %q; want Pruned as diverging or exploding", tr.Params["optimizer"], lr, tr.State, code)
		case lr == 1 && (tr.State != tuner.Pruned || code != "diverging" && code != "exploding" && code != "dead_units"):
			t.Errorf("%s lr 1: %v, diagnosis %q; want Pruned as diverging, exploding or with dead units (the high rate kills ReLUs)", tr.Params["optimizer"], tr.State, code)
		case tr.State == tuner.Complete:
			best = math.Max(best, tr.Value)
		}
	}
	if best != 1 {
		t.Errorf("best validation accuracy %v, want 1", best)
	}
}
