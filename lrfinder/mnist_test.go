package lrfinder

import (
	"context"
	"testing"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/trainer"
)

// TestMNISTSuggestionTrains is issue 4's check: the range test on MNIST
// (784-128-10 ReLU MLP, Adam, batch 64, 3,000 images, default Config)
// suggests a rate at which one epoch on 5,000 other images reaches ≥ 0.85
// accuracy on 2,000 held-out ones.
func TestMNISTSuggestionTrains(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST; skipped with -short")
	}
	all, _, err := datasets.MNIST(data.MNISTConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rows := func(from, n int) *data.Dataset {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = from + i
		}
		ds, err := all.Subset(idx)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	sweepSet, fitSet, valSet := rows(0, 3000), rows(3000, 5000), rows(8000, 2000)
	for _, seed := range []uint64{1, 2, 3} {
		m, err := model.New(model.MLP{Hidden: []int{128}, Out: 10}, model.Config{Inputs: 784, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		cfg := trainer.Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, BatchSize: 64, Seed: seed, Quiet: true}
		res, err := Run(context.Background(), m, cfg, sweepSet, Config{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: %s", seed, res.Reason)
		if !res.Trustworthy {
			t.Fatalf("seed %d: no suggestion on MNIST: %s", seed, res.Reason)
		}
		cfg.Epochs, cfg.Metrics = 1, []metrics.Metric{metrics.Accuracy{}}
		tr, err := trainer.New(m, withRate(cfg, res.Suggested))
		if err != nil {
			t.Fatal(err)
		}
		hist, err := tr.Fit(context.Background(), fitSet, valSet)
		tr.Close()
		if err != nil {
			t.Fatal(err)
		}
		last, _ := hist.Last()
		acc := last.ValMetrics["accuracy"]
		t.Logf("seed %d: one epoch at lr %.3g: val accuracy %.4f", seed, res.Suggested, acc)
		if acc < 0.85 {
			t.Errorf("seed %d: one epoch at the suggested lr %.3g reaches val accuracy %.4f, want ≥ 0.85", seed, res.Suggested, acc)
		}
	}
}
