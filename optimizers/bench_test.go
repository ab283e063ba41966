package optimizers_test

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/optimizers"
)

// mlpParams are float32 parameters of the MNIST MLP 784-256-128-10 (weights
// and 1×n biases, 235,146 values), with gradients; grads holds a copy of the
// gradients to restore before each step (both solvers zero them).
func mlpParams() (ps []G.ValueGrad, grads [][]float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][2]int{{784, 256}, {1, 256}, {256, 128}, {1, 128}, {128, 10}, {1, 10}} {
		w, g := make([]float32, s[0]*s[1]), make([]float32, s[0]*s[1])
		for i := range w {
			w[i] = rng.Float32() - 0.5
			g[i] = (rng.Float32() - 0.5) * 0.01
		}
		ps = append(ps, vg{
			w: tensor.New(tensor.WithShape(s[0], s[1]), tensor.WithBacking(w)),
			g: tensor.New(tensor.WithShape(s[0], s[1]), tensor.WithBacking(append([]float32(nil), g...))),
		})
		grads = append(grads, g)
	}
	return ps, grads
}

// One Adam step (lr 1e-3, β 0.9/0.999, eps 1e-8) on MNIST-MLP-sized float32
// parameters: ours against Gorgonia v0.9.18's AdamSolver. Restoring the
// gradients is not timed.
//
//	go test ./optimizers -run '^$' -bench AdamStep -benchmem
func BenchmarkAdamStepMNIST(b *testing.B) {
	ours, err := optimizers.Adam{}.Solver(1e-3)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		solver G.Solver
	}{
		{"gradtune", ours},
		{"gorgonia", G.NewAdamSolver(G.WithLearnRate(1e-3), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-8))},
	} {
		b.Run(c.name, func(b *testing.B) {
			ps, grads := mlpParams()
			restore := func() {
				for i, p := range ps {
					g, _ := p.Grad()
					copy(g.Data().([]float32), grads[i])
				}
			}
			if err := c.solver.Step(ps); err != nil { // allocates the moments
				b.Fatal(err)
			}
			restore()
			b.ReportAllocs()
			for b.Loop() {
				if err := c.solver.Step(ps); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				restore()
				b.StartTimer()
			}
		})
	}
}
