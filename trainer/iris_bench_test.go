package trainer_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// The demo's tuning trial in miniature (internal/iristune): a 4-16-3 ELU
// MLP on 120 Iris-sized rows, batch 16 (8 steps an epoch, the last short),
// Adam, L2, cross-entropy, float32. The step benchmark times Fit's steps on
// a built trainer; the fold benchmark a whole fold as a trial runs it:
// model, trainer, 40 epochs, an evaluation; BenchmarkIrisFoldReset the
// same on a model and trainer reused (Reinit, Reset), as a trial's later
// folds run it.
//
//	go test ./trainer -run '^$' -bench Iris -benchmem
const irisRows, irisBatch, irisEpochs = 120, 16, 40

func irisLike(b testing.TB) (train, val *data.Dataset) {
	rng := rand.New(rand.NewPCG(1, 2))
	rows := func(n int) *data.Dataset {
		xs, labels := make([][]float64, n), make([]int, n)
		for i := range xs {
			labels[i] = i % 3
			xs[i] = []float64{rng.NormFloat64() + float64(labels[i]), rng.NormFloat64(), rng.NormFloat64() - float64(labels[i]), rng.NormFloat64()}
		}
		d, err := data.FromLabels(xs, labels, tensor.Float32)
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	return rows(irisRows), rows(30)
}

func irisTrainer(b testing.TB, epochs int) *trainer.Trainer {
	m, err := model.New(model.MLP{Hidden: []int{16}, Out: 3, Activation: model.ELU{}}, model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	tr, err := trainer.New(m, trainer.Config{
		Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: 1e-2},
		Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: 1e-4}},
		Epochs:       epochs, BatchSize: irisBatch, Seed: 1, Quiet: true, MonitorEvery: -1,
		Metrics: []metrics.Metric{metrics.Accuracy{}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

func BenchmarkIrisStep(b *testing.B) {
	train, _ := irisLike(b)
	const epochs = 10 // a Fit's own costs (checks, history) spread over 80 steps, as in a trial
	tr := irisTrainer(b, epochs)
	defer tr.Close()
	ctx := context.Background()
	if _, err := tr.Fit(ctx, train, nil); err != nil { // builds the graph
		b.Fatal(err)
	}
	perFit := epochs * ((irisRows + irisBatch - 1) / irisBatch)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		if _, err := tr.Fit(ctx, train, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	steps := float64(b.N * perFit)
	b.ReportMetric(b.Elapsed().Seconds()*1e6/steps, "µs/step")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/steps, "allocs/step")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/steps, "B/step")
}

func BenchmarkIrisFold(b *testing.B) {
	train, val := irisLike(b)
	ctx := context.Background()
	b.ReportAllocs()
	for range b.N {
		tr := irisTrainer(b, irisEpochs)
		if _, err := tr.Fit(ctx, train, nil); err != nil {
			b.Fatal(err)
		}
		if _, _, err := tr.Evaluate(ctx, val); err != nil {
			b.Fatal(err)
		}
		tr.Close()
	}
}

// BenchmarkIrisFoldReset is BenchmarkIrisFold as a trial's later folds run
// it: the model reinitialized and the trainer reset, their graphs kept.
func BenchmarkIrisFoldReset(b *testing.B) {
	train, val := irisLike(b)
	ctx := context.Background()
	tr := irisTrainer(b, irisEpochs)
	defer tr.Close()
	b.ReportAllocs()
	for i := range b.N {
		if err := tr.Model().Reinit(uint64(i)); err != nil {
			b.Fatal(err)
		}
		if err := tr.Reset(); err != nil {
			b.Fatal(err)
		}
		if _, err := tr.Fit(ctx, train, nil); err != nil {
			b.Fatal(err)
		}
		if _, _, err := tr.Evaluate(ctx, val); err != nil {
			b.Fatal(err)
		}
	}
}
