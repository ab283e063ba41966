package trainer_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/trainer"
)

// One MNIST epoch of a 784-256-128-10 ReLU MLP, batch 128, Adam lr 1e-3,
// float32: our trainer beside a hand-written Gorgonia loop doing the same
// work (same graph, same initial weights, shuffled batches copied into reused
// tensors). Both use the first 468×128 = 59,904 images, so neither has a
// short batch.
//
//	go test ./trainer -run '^$' -bench MNISTEpoch -benchtime 1x -count 6
//
// The trainer uses our Adam (package optimizers); RawOurAdam is the raw loop
// with the same solver, so Trainer / RawOurAdam is the framework's overhead,
// and RawGorgonia / RawOurAdam what our solver saves.
const benchBatch, benchSteps = 128, 468

func mnistBench(b *testing.B) (*data.Dataset, *model.Model) {
	b.Helper()
	train, _, err := data.LoadMNIST(data.MNISTConfig{})
	if err != nil {
		b.Skip("MNIST not available:", err)
	}
	idx := make([]int, benchBatch*benchSteps)
	for i := range idx {
		idx[i] = i
	}
	if train, err = train.Subset(idx); err != nil {
		b.Fatal(err)
	}
	m, err := model.New(model.MLP{Hidden: []int{256, 128}, Out: 10}, model.Config{Inputs: 784, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return train, m
}

func report(b *testing.B, before runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	steps := float64(b.N * benchSteps)
	b.ReportMetric(float64(b.N*benchSteps*benchBatch)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/steps, "allocs/step")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/steps, "B/step")
}

func BenchmarkMNISTEpochTrainer(b *testing.B) {
	train, m := mnistBench(b)
	tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Epochs: 1, BatchSize: benchBatch, Quiet: true})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	// Build the graphs outside the timed region, as the raw loop does.
	if _, err := tr.Predict(context.Background(), tensor.New(tensor.WithShape(1, 784), tensor.Of(tensor.Float32))); err != nil {
		b.Fatal(err)
	}
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		if _, err := tr.Fit(context.Background(), train, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report(b, before)
}

// The raw loop with Gorgonia's AdamSolver, and with ours (the trainer's
// default): the trainer's overhead is measured against the second.
func BenchmarkMNISTEpochRawGorgonia(b *testing.B) {
	rawLoop(b, G.NewAdamSolver(G.WithLearnRate(1e-3)))
}

func BenchmarkMNISTEpochRawOurAdam(b *testing.B) {
	s, err := optimizers.Adam{}.Solver(1e-3)
	if err != nil {
		b.Fatal(err)
	}
	rawLoop(b, s)
}

func rawLoop(b *testing.B, solver G.Solver) {
	train, m := mnistBench(b)
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float32, G.WithShape(benchBatch, 784), G.WithName("x"))
	y := G.NewMatrix(g, G.Float32, G.WithShape(benchBatch, 10), G.WithName("y"))
	var learn G.Nodes
	for _, p := range m.Params() {
		learn = append(learn, G.NewMatrix(g, G.Float32, G.WithShape(p.Value.Shape()...), G.WithName(p.Name), G.WithValue(p.Value.Clone())))
	}
	h := x
	for l := 0; l < 3; l++ {
		h = G.Must(G.BroadcastAdd(G.Must(G.Mul(h, learn[2*l])), learn[2*l+1], nil, []byte{0}))
		if l < 2 {
			h = G.Must(G.Rectify(h))
		}
	}
	cost := G.Must(G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.LogSoftMax(h, 1)), y)), 1))))))
	if _, err := G.Grad(cost, learn...); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(learn...))
	defer vm.Close()

	n := train.Len()
	xs := train.X.Data().([]float32)
	labels, _ := train.Labels()
	bx := tensor.New(tensor.WithShape(benchBatch, 784), tensor.Of(tensor.Float32))
	by := tensor.New(tensor.WithShape(benchBatch, 10), tensor.Of(tensor.Float32))
	rng := rand.New(rand.NewPCG(1, 2))
	order := rng.Perm(n)

	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for s := 0; s < benchSteps; s++ {
			bxd, byd := bx.Data().([]float32), by.Data().([]float32)
			clear(byd)
			for r, i := range order[s*benchBatch : (s+1)*benchBatch] {
				copy(bxd[r*784:(r+1)*784], xs[i*784:(i+1)*784])
				byd[r*10+labels[i]] = 1
			}
			if err := G.Let(x, bx); err != nil {
				b.Fatal(err)
			}
			if err := G.Let(y, by); err != nil {
				b.Fatal(err)
			}
			if err := vm.RunAll(); err != nil {
				b.Fatal(err)
			}
			if err := solver.Step(G.NodesToValueGrads(learn)); err != nil {
				b.Fatal(err)
			}
			vm.Reset()
		}
	}
	b.StopTimer()
	report(b, before)
}
