package vec

import (
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/optimizers"
)

// valueGrad is a parameter for optimizers' solvers: a value and its gradient.
type valueGrad struct{ w, g *tensor.Dense }

func (p valueGrad) Value() G.Value         { return p.w }
func (p valueGrad) Grad() (G.Value, error) { return p.g, nil }

// TestAdamStepMatchesOptimizers checks AdamStep against the Adam and AdamW
// solvers of package optimizers, bit for bit over three steps, so that
// swapping one for the other changes no trajectory.
func TestAdamStepMatchesOptimizers(t *testing.T) {
	testAdamMatchesOptimizers[float32](t)
	testAdamMatchesOptimizers[float64](t)
}

func testAdamMatchesOptimizers[T Float](t *testing.T) {
	const n, lr = 101, 3e-3 // 101: whole registers and a scalar tail
	for _, tc := range []struct {
		name      string
		opt       optimizers.Optimizer
		wd        float64
		decoupled bool
	}{
		{"adam", optimizers.Adam{}, 0, false},
		{"adam-l2", optimizers.Adam{WeightDecay: 0.05}, 0.05, false},
		{"adamw", optimizers.AdamW{WeightDecay: 0.05}, 0.05, true},
	} {
		solver, err := tc.opt.Solver(lr)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, 8))
		w := randomSlice[T](rng, n, false)
		ours, m, v := slices.Clone(w), make([]T, n), make([]T, n)
		wt := tensor.New(tensor.WithShape(n), tensor.WithBacking(w))
		for step := 1; step <= 3; step++ {
			g := randomSlice[T](rng, n, false)
			gt := tensor.New(tensor.WithShape(n), tensor.WithBacking(slices.Clone(g)))
			if err := solver.Step([]G.ValueGrad{valueGrad{wt, gt}}); err != nil {
				t.Fatal(err)
			}
			AdamStep(ours, g, m, v, adamConsts[T](step, lr, tc.wd, tc.decoupled))
			if err := sameValues(ours, w); err != nil {
				t.Fatalf("%T %s step %d: AdamStep vs optimizers: %v", T(0), tc.name, step, err)
			}
		}
	}
}
