package optimizers_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/optimizers"
)

// StepSnapshot is Step, bit for bit, plus the weights from before it in
// prev and whether the new ones are finite; for every solver, both dtypes,
// over steps with state carried between them. A prev that does not fit is
// an error wrapping ErrParam that changes nothing.
func TestStepSnapshotIsStepWithACopy(t *testing.T) {
	opts := []optimizers.Optimizer{optimizers.SGD{Momentum: 0.9, Nesterov: true}, optimizers.Adam{WeightDecay: 0.01},
		optimizers.Adam{AMSGrad: true}, optimizers.AdamW{}, optimizers.RMSProp{Centered: true, Momentum: 0.5}, optimizers.AdaGrad{}}
	for _, opt := range opts {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			rng := rand.New(rand.NewPCG(7, 8))
			const n = 37 // a vector body and a scalar tail
			w0, g0 := random(rng, dt, n), make([]*tensor.Dense, 3)
			for i := range g0 {
				g0[i] = random(rng, dt, n)
			}
			plain, err := opt.Solver(0.01)
			if err != nil {
				t.Fatal(err)
			}
			snap, _ := opt.Solver(0.01)
			wPlain, wSnap := w0.Clone().(*tensor.Dense), w0.Clone().(*tensor.Dense)
			prev := []*tensor.Dense{tensor.New(tensor.Of(dt), tensor.WithShape(n))}
			for step, g := range g0 {
				before := wSnap.Clone().(*tensor.Dense)
				if err := plain.Step([]G.ValueGrad{vg{w: wPlain, g: g.Clone().(*tensor.Dense)}}); err != nil {
					t.Fatal(err)
				}
				finite, err := snap.(optimizers.SnapshotStepper).StepSnapshot([]G.ValueGrad{vg{w: wSnap, g: g.Clone().(*tensor.Dense)}}, prev)
				if err != nil || !finite {
					t.Fatalf("%v %v step %d: StepSnapshot = %v, %v; want true, nil", opt, dt, step, finite, err)
				}
				if !wPlain.Eq(wSnap) {
					t.Fatalf("%v %v step %d: weights %v, Step gives %v", opt, dt, step, wSnap, wPlain)
				}
				if !prev[0].Eq(before) {
					t.Fatalf("%v %v step %d: prev %v, want the weights before %v", opt, dt, step, prev[0], before)
				}
			}
			other := tensor.Float64
			if dt == tensor.Float64 {
				other = tensor.Float32
			}
			kept := wSnap.Clone().(*tensor.Dense)
			for _, bad := range [][]*tensor.Dense{{}, {nil}, {tensor.New(tensor.Of(other), tensor.WithShape(n))}, {tensor.New(tensor.Of(dt), tensor.WithShape(n-1))}} {
				_, err := snap.(optimizers.SnapshotStepper).StepSnapshot([]G.ValueGrad{vg{w: wSnap, g: g0[0].Clone().(*tensor.Dense)}}, bad)
				if !errors.Is(err, optimizers.ErrParam) || !wSnap.Eq(kept) {
					t.Errorf("%v %v: prev %v: error %v, weights changed %v; want ErrParam and no change", opt, dt, bad, err, !wSnap.Eq(kept))
				}
			}
		}
	}
}

// A step that overflows reports finite = false, with prev still the
// weights from before it.
func TestStepSnapshotReportsOverflow(t *testing.T) {
	for _, opt := range []optimizers.Optimizer{optimizers.SGD{}, optimizers.Adam{}} {
		s, _ := opt.Solver(1e39) // +Inf in float32
		w := tensor.New(tensor.WithShape(10), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}))
		g := tensor.New(tensor.WithShape(10), tensor.WithBacking([]float32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}))
		prev := []*tensor.Dense{tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(10))}
		finite, err := s.(optimizers.SnapshotStepper).StepSnapshot([]G.ValueGrad{vg{w: w, g: g}}, prev)
		if err != nil || finite {
			t.Errorf("%v: StepSnapshot = %v, %v; want false, nil", opt, finite, err)
		}
		if p := prev[0].Data().([]float32); p[9] != 10 || !math.IsInf(float64(w.Data().([]float32)[9]), -1) {
			t.Errorf("%v: prev %v, new weights %v; want the old weights and -Inf", opt, p, w.Data())
		}
	}
}

func random(rng *rand.Rand, dt tensor.Dtype, n int) *tensor.Dense {
	t := tensor.New(tensor.Of(dt), tensor.WithShape(n))
	for i := range n {
		v := rng.NormFloat64()
		if dt == tensor.Float32 {
			t.Data().([]float32)[i] = float32(v)
		} else {
			t.Data().([]float64)[i] = v
		}
	}
	return t
}
