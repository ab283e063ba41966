// Package benchmlp holds the jobs that gradtune's speed is measured on, shared
// by the trainer's benchmarks and cmd/bench: one MNIST epoch of a
// 784-256-128-10 ReLU MLP (batch 128, Adam lr 1e-3) through the trainer and
// through a hand-written Gorgonia loop, and the seed's linear regression.
package benchmlp

import (
	"context"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// Batch and Steps size an epoch: the first Batch·Steps = 59,904 training
// images, so no batch is short.
const Batch, Steps = 128, 468

// Hidden are the MLP's hidden widths.
var Hidden = []int{256, 128}

// MNIST returns the first Batch·Steps training images in dt.
func MNIST(dt tensor.Dtype) (*data.Dataset, error) {
	train, _, err := datasets.MNIST(data.MNISTConfig{Dtype: dt})
	if err != nil {
		return nil, err
	}
	idx := make([]int, Batch*Steps)
	for i := range idx {
		idx[i] = i
	}
	return train.Subset(idx)
}

// NewMLP returns the benchmark's MLP in dt with seeded weights.
func NewMLP(dt tensor.Dtype) (*model.Model, error) {
	return model.New(model.MLP{Hidden: Hidden, Out: 10}, model.Config{Inputs: 784, Dtype: dt, Seed: 1})
}

// NewTrainer returns a quiet trainer of m for one epoch, its graphs already
// built (as the raw loop's are) so that an epoch times only training.
func NewTrainer(m *model.Model) (*trainer.Trainer, error) {
	tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Epochs: 1, BatchSize: Batch, Quiet: true})
	if err != nil {
		return nil, err
	}
	in := tensor.New(tensor.WithShape(1, 784), tensor.Of(m.Dtype()))
	if _, err := tr.Predict(context.Background(), in); err != nil {
		tr.Close()
		return nil, err
	}
	return tr, nil
}

// Raw is the loop a Gorgonia user writes by hand: the same MLP as one graph
// (Mul, BroadcastAdd, Rectify, LogSoftMax), G.Grad, a TapeMachine, batches
// copied into reused tensors, a Solver step per batch.
type Raw struct {
	vm     G.VM
	x, y   *G.Node
	learn  G.Nodes
	solver G.Solver
	bx, by *tensor.Dense
	xs     any   // the data set's images, []float32 or []float64
	labels []int // digit by row
	order  []int
	rng    *rand.Rand
}

// NewRaw builds the raw loop over train from m's initial weights with
// Gorgonia's own AdamSolver (lr 1e-3). Close releases it.
func NewRaw(m *model.Model, train *data.Dataset) (r *Raw, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = gerr.RecoveredAs("benchmlp: building the raw loop", panics.ErrGorgonia, p)
		}
	}()
	dt := m.Dtype()
	g := G.NewGraph()
	r = &Raw{solver: G.NewAdamSolver(G.WithLearnRate(1e-3))}
	r.x = G.NewMatrix(g, dt, G.WithShape(Batch, 784), G.WithName("x"))
	r.y = G.NewMatrix(g, dt, G.WithShape(Batch, 10), G.WithName("y"))
	for _, p := range m.Params() {
		r.learn = append(r.learn, G.NewMatrix(g, dt, G.WithShape(p.Value.Shape()...), G.WithName(p.Name), G.WithValue(p.Value.Clone())))
	}
	h := r.x
	for l := 0; l <= len(Hidden); l++ {
		h = G.Must(G.BroadcastAdd(G.Must(G.Mul(h, r.learn[2*l])), r.learn[2*l+1], nil, []byte{0}))
		if l < len(Hidden) {
			h = G.Must(G.Rectify(h))
		}
	}
	cost := G.Must(G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.LogSoftMax(h, 1)), r.y)), 1))))))
	if _, err := G.Grad(cost, r.learn...); err != nil {
		return nil, err
	}
	r.vm = G.NewTapeMachine(g, G.BindDualValues(r.learn...))
	if r.labels, err = train.Labels(); err != nil {
		r.Close()
		return nil, err
	}
	r.xs = train.X.Data()
	r.bx = tensor.New(tensor.WithShape(Batch, 784), tensor.Of(dt))
	r.by = tensor.New(tensor.WithShape(Batch, 10), tensor.Of(dt))
	r.rng = rand.New(rand.NewPCG(1, 2))
	r.order = r.rng.Perm(train.Len())
	return r, nil
}

// Epoch trains one shuffled epoch of Steps batches.
func (r *Raw) Epoch() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = gerr.RecoveredAs("benchmlp: raw loop", panics.ErrGorgonia, p)
		}
	}()
	r.rng.Shuffle(len(r.order), func(i, j int) { r.order[i], r.order[j] = r.order[j], r.order[i] })
	for s := 0; s < Steps; s++ {
		rows := r.order[s*Batch : (s+1)*Batch]
		switch xs := r.xs.(type) {
		case []float32:
			gather(r.bx.Data().([]float32), r.by.Data().([]float32), xs, r.labels, rows)
		case []float64:
			gather(r.bx.Data().([]float64), r.by.Data().([]float64), xs, r.labels, rows)
		}
		if err := G.Let(r.x, r.bx); err != nil {
			return err
		}
		if err := G.Let(r.y, r.by); err != nil {
			return err
		}
		if err := r.vm.RunAll(); err != nil {
			return err
		}
		if err := r.solver.Step(G.NodesToValueGrads(r.learn)); err != nil {
			return err
		}
		r.vm.Reset()
	}
	return nil
}

// gather copies the images of rows into bx and their one-hot labels into by.
func gather[T float32 | float64](bx, by, xs []T, labels, rows []int) {
	clear(by)
	for r, i := range rows {
		copy(bx[r*784:(r+1)*784], xs[i*784:(i+1)*784])
		by[r*10+labels[i]] = 1
	}
}

// Close releases the tape machine.
func (r *Raw) Close() {
	if r.vm != nil {
		r.vm.Close()
	}
}

// LinregData is the seed's data: X = rand(100, 1), y = 3X + rand(100, 1),
// float32, from a PCG seeded with (seed, 1). The demo's linreg part trains on it.
func LinregData(seed uint64) (*data.Dataset, error) {
	rng := rand.New(rand.NewPCG(seed, 1))
	const n = 100
	xs, ys := make([][]float64, n), make([][]float64, n)
	for i := range xs {
		x := rng.Float64()
		xs[i] = []float64{x}
		ys[i] = []float64{3*x + rng.Float64()}
	}
	return data.FromRows(xs, ys, tensor.Float32)
}

// Linreg is the seed's example on LinregData(1): a Linear(1, 1) model, MSE,
// Adam lr 0.01, epochs full-batch epochs (one step each). It returns the
// trained model.
func Linreg(ctx context.Context, epochs int) (*model.Model, error) {
	ds, err := LinregData(1)
	if err != nil {
		return nil, err
	}
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		return nil, err
	}
	tr, err := trainer.New(m, trainer.Config{
		Loss: losses.MSE{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: 0.01},
		Epochs: epochs, BatchSize: ds.Len(), Seed: 1, Quiet: true,
	})
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	_, err = tr.Fit(ctx, ds, nil)
	return m, err
}
