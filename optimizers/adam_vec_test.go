package optimizers_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/optimizers"
)

// adamReference is Adam's update written as a plain loop, in the order of
// operations the solver promises (torch.optim.Adam's): the vectorized step
// must equal it bit for bit, so that the AVX path changes no trajectory.
func adamReference[T float32 | float64](w, g, m, v []T, lr, wd float64, decoupled bool, t int) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	bc1, bc2 := 1-math.Pow(b1, float64(t)), 1-math.Pow(b2, float64(t))
	beta1, beta2 := 0.9, 0.999 // variables: 1 − β computed at run time, as the solver does
	decay := 1.0
	if decoupled {
		decay = 1 - lr*wd
	}
	negStep, bc2Sqrt := T(-(lr / bc1)), T(math.Sqrt(bc2))
	for i := range w {
		gi, wi := g[i], w[i]*T(decay)
		if !decoupled && wd != 0 {
			gi += T(wd) * wi
		}
		mi := T(b1)*m[i] + T(1-beta1)*gi
		vi := T(b2)*v[i] + T(1-beta2)*gi*gi
		m[i], v[i] = mi, vi
		w[i] = wi + negStep*mi/(T(math.Sqrt(float64(vi)))/bc2Sqrt+T(eps))
	}
}

func TestAdamStepEqualsReferenceLoop(t *testing.T) {
	testAdamEqualsReference[float32](t)
	testAdamEqualsReference[float64](t)
}

func testAdamEqualsReference[T float32 | float64](t *testing.T) {
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
		random := func() []T {
			x := make([]T, n)
			for i := range x {
				x[i] = T(rng.NormFloat64())
			}
			return x
		}
		w := random()
		want, m, v := slices.Clone(w), make([]T, n), make([]T, n)
		wt := tensor.New(tensor.WithShape(n), tensor.WithBacking(w))
		for step := 1; step <= 3; step++ {
			g := random()
			gt := tensor.New(tensor.WithShape(n), tensor.WithBacking(slices.Clone(g)))
			if err := solver.Step([]G.ValueGrad{vg{w: wt, g: gt}}); err != nil {
				t.Fatal(err)
			}
			adamReference(want, g, m, v, lr, tc.wd, tc.decoupled, step)
			for i := range w {
				if w[i] != want[i] {
					t.Fatalf("%T %s step %d: w[%d] = %v, want %v (the reference loop) bit for bit", T(0), tc.name, step, i, w[i], want[i])
				}
			}
		}
	}
}
