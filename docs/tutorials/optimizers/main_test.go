package main

import (
	"context"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
)

// Every run of the tutorial trains (its validation loss falls) on a small
// real-MNIST subset in two epochs.
func TestEveryRunLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 12 small models on MNIST")
	}
	all, _, err := datasets.MNIST(data.MNISTConfig{Dtype: tensor.Float32})
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, 1200)
	for i := range idx {
		idx[i] = i
	}
	train, _ := all.Subset(idx[:1000])
	val, _ := all.Subset(idx[1000:])
	const epochs, batch = 2, 50
	runs := append(optimizerRuns(), scheduleRuns(epochs, 1000/batch)...)
	rs, err := compare(context.Background(), runs, train, val, epochs, batch)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		e := r.History.Epochs
		if len(e) != epochs || math.IsNaN(e[1].ValLoss) || e[1].ValLoss >= math.Log(10) || e[1].ValMetrics["accuracy"] < 0.5 {
			t.Errorf("%s did not learn: %+v", r.Name, e)
		}
	}
	if got := len(curves(rs)); got != len(runs) {
		t.Errorf("%d curves for %d runs", got, len(runs))
	}
}
