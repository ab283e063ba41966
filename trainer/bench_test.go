package trainer_test

import (
	"context"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/benchmlp"
)

// One MNIST epoch of a 784-256-128-10 ReLU MLP, batch 128, Adam lr 1e-3,
// float32: our trainer beside a hand-written Gorgonia loop doing the same
// work (same graph, same initial weights, shuffled batches copied into reused
// tensors, Gorgonia's AdamSolver, whatever BLAS is installed). Both use the
// first 468×128 = 59,904 images, so neither has a short batch.
//
//	go test ./trainer -run '^$' -bench MNISTEpoch -benchtime 1x -count 6
//
// cmd/bench runs the same jobs interleaved beside PyTorch and reports ratios.
func BenchmarkMNISTEpochTrainer(b *testing.B) {
	train, err := benchmlp.MNIST(G.Float32)
	if err != nil {
		b.Skip("MNIST not available:", err)
	}
	m, err := benchmlp.NewMLP(G.Float32)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := benchmlp.NewTrainer(m)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	measure(b, func() error {
		_, err := tr.Fit(context.Background(), train, nil)
		return err
	})
}

func BenchmarkMNISTEpochRawGorgonia(b *testing.B) {
	train, err := benchmlp.MNIST(G.Float32)
	if err != nil {
		b.Skip("MNIST not available:", err)
	}
	m, err := benchmlp.NewMLP(G.Float32)
	if err != nil {
		b.Fatal(err)
	}
	r, err := benchmlp.NewRaw(m, train)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	measure(b, r.Epoch)
}

// measure runs epoch b.N times and reports samples/s, allocations and bytes
// per step.
func measure(b *testing.B, epoch func() error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		if err := epoch(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	steps := float64(b.N * benchmlp.Steps)
	b.ReportMetric(steps*benchmlp.Batch/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/steps, "allocs/step")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/steps, "B/step")
}
