package optimizers_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/optimizers"
)

// one setting per solver type, with every buffer in use.
var allOptimizers = []optimizers.Optimizer{
	optimizers.SGD{},
	optimizers.SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 0.1},
	optimizers.Adam{AMSGrad: true, WeightDecay: 0.1},
	optimizers.AdamW{WeightDecay: 0.1},
	optimizers.RMSProp{Centered: true, Momentum: 0.5, WeightDecay: 0.1},
	optimizers.AdaGrad{LRDecay: 0.1, InitialAccumulatorValue: 0.1, WeightDecay: 0.1},
}

func newSolver(t testing.TB, opt optimizers.Optimizer) G.Solver {
	t.Helper()
	s, err := opt.Solver(0.1)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A parameter that cannot be updated is an error wrapping ErrParam that names
// it, and the Step changes nothing: not the good parameter before it, not its
// gradient.
func TestStepRejectsUnusableParameters(t *testing.T) {
	view, err := f64(1, 2, 3, 4).Slice(tensor.S(0, 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		bad  G.ValueGrad
		want string
	}{
		{"int dtype", vg{w: tensor.New(tensor.WithBacking([]int{1, 2})), g: tensor.New(tensor.WithBacking([]int{1, 2}))}, "parameter 1: gradient dtype is int, want float32 or float64"},
		{"grad shape differs", vg{w: f64(1, 2), g: f64(1, 2, 3)}, "parameter 1: value is float64 (2) but its gradient is float64 (3), want the same dtype and shape"},
		{"grad dtype differs", vg{w: f64(1, 2), g: f32(1, 2)}, "value is float64 (2) but its gradient is float32 (2)"},
		{"value is a scalar", vg{w: G.NewF64(1), g: f64(1)}, "parameter 1: value is *gorgonia.F64, want a *tensor.Dense"},
		{"gradient is a scalar", vg{w: f64(1), g: G.NewF64(1)}, "parameter 1: gradient is *gorgonia.F64, want a *tensor.Dense"},
		{"no value", vg{g: f64(1)}, "parameter 1: value is <nil>"},
		{"no gradient", vg{w: f64(1), err: errors.New("not differentiated")}, "parameter 1 has no gradient: not differentiated"},
		{"nil parameter", nil, "parameter 1 is nil"},
		{"view", vg{w: view.(*tensor.Dense), g: f64(1, 2)}, "parameter 1: value is a view"},
	} {
		for _, opt := range allOptimizers {
			t.Run(fmt.Sprintf("%s/%v", c.name, opt), func(t *testing.T) {
				good := vg{w: f64(1, -2), g: f64(0.5, 0.25)}
				err := newSolver(t, opt).Step([]G.ValueGrad{good, c.bad})
				if !errors.Is(err, optimizers.ErrParam) {
					t.Fatalf("Step = %v, want an error wrapping ErrParam", err)
				}
				if !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %q does not say %q", err, c.want)
				}
				if w, g := dense.Float64s(good.w), dense.Float64s(good.g); !slices.Equal(w, []float64{1, -2}) || !slices.Equal(g, []float64{0.5, 0.25}) {
					t.Errorf("the failed Step changed the good parameter to %v (gradient %v)", w, g)
				}
			})
		}
	}
}

// A solver keeps state per parameter: after its first Step it refuses a
// parameter list of another count, shape or dtype.
func TestStepRejectsAnotherParameterList(t *testing.T) {
	for _, c := range []struct {
		name string
		next func(a, b vg) []G.ValueGrad
		want string
	}{
		{"fewer", func(a, _ vg) []G.ValueGrad { return []G.ValueGrad{a} }, "Step got 1 parameters, but this solver's first Step had 2"},
		{"more", func(a, b vg) []G.ValueGrad { return []G.ValueGrad{a, b, b} }, "Step got 3 parameters"},
		{"shape", func(a, _ vg) []G.ValueGrad { return []G.ValueGrad{a, vg{w: f64(1, 2, 3, 4), g: f64(1, 2, 3, 4)}} },
			"parameter 1 is float64 (4), but was float64 (3) at this solver's first Step"},
		{"dtype", func(a, _ vg) []G.ValueGrad { return []G.ValueGrad{a, vg{w: f32(1, 2, 3), g: f32(1, 2, 3)}} },
			"parameter 1 is float32 (3), but was float64 (3)"},
	} {
		for _, opt := range allOptimizers {
			t.Run(fmt.Sprintf("%s/%v", c.name, opt), func(t *testing.T) {
				a, b := vg{w: f64(1, 2), g: f64(0.1, 0.2)}, vg{w: f64(1, 2, 3), g: f64(0.1, 0.2, 0.3)}
				s := newSolver(t, opt)
				if err := s.Step([]G.ValueGrad{a, b}); err != nil {
					t.Fatal(err)
				}
				err := s.Step(c.next(a, b))
				if !errors.Is(err, optimizers.ErrParam) {
					t.Fatalf("second Step = %v, want an error wrapping ErrParam", err)
				}
				if !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %q does not say %q", err, c.want)
				}
			})
		}
	}
}

// A rate made invalid with SetLR is reported by the next Step, not applied.
func TestStepRejectsInvalidRate(t *testing.T) {
	for _, lr := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		for _, opt := range allOptimizers {
			s := newSolver(t, opt)
			s.(interface{ SetLR(float64) }).SetLR(lr)
			p := vg{w: f64(1, 2), g: f64(0.1, 0.2)}
			err := s.Step([]G.ValueGrad{p})
			if !errors.Is(err, optimizers.ErrConfig) || !strings.Contains(err.Error(), fmt.Sprintf("lr = %v", lr)) {
				t.Errorf("%v with SetLR(%v): Step = %v, want an ErrConfig naming lr", opt, lr, err)
			}
			if w := dense.Float64s(p.w); !slices.Equal(w, []float64{1, 2}) {
				t.Errorf("%v with SetLR(%v) changed w to %v", opt, lr, w)
			}
		}
	}
}

// Like Gorgonia's solvers, Step zeroes the gradients it used (the tape
// machine would otherwise add the next gradients to them).
func TestStepZeroesGradients(t *testing.T) {
	for _, opt := range allOptimizers {
		a, b := vg{w: f64(1, 2), g: f64(0.1, -0.2)}, vg{w: f32(3), g: f32(0.5)}
		if err := newSolver(t, opt).Step([]G.ValueGrad{a, b}); err != nil {
			t.Fatal(err)
		}
		if ga, gb := dense.Float64s(a.g), dense.Float64s(b.g); !slices.Equal(ga, []float64{0, 0}) || !slices.Equal(gb, []float64{0}) {
			t.Errorf("%v: gradients after Step = %v, %v, want zeros", opt, ga, gb)
		}
		if wa := dense.Float64s(a.w); slices.Equal(wa, []float64{1, 2}) {
			t.Errorf("%v: Step did not move w", opt)
		}
	}
}

// One solver can hold float32 and float64 parameters at once: each follows
// the same path, to float32 precision.
func TestMixedDtypes(t *testing.T) {
	for _, opt := range allOptimizers {
		p64, p32 := vg{w: f64(1, -2, 0.5), g: f64(0, 0, 0)}, vg{w: f32(1, -2, 0.5), g: f32(0, 0, 0)}
		s := newSolver(t, opt)
		for step := range 5 {
			grad := []float64{0.3 - float64(step)*0.1, -0.7, 0.05 * float64(step)}
			copy(p64.g.Data().([]float64), grad)
			for i, v := range grad {
				p32.g.Data().([]float32)[i] = float32(v)
			}
			if err := s.Step([]G.ValueGrad{p64, p32}); err != nil {
				t.Fatal(err)
			}
		}
		w64, w32 := dense.Float64s(p64.w), dense.Float64s(p32.w)
		for i := range w64 {
			if e := relErr(w32[i], w64[i], 1); e > 1e-6 {
				t.Errorf("%v: float32 w[%d] = %v, float64 %v (err %.2g)", opt, i, w32[i], w64[i], e)
			}
		}
	}
}

// After the first Step (which allocates the state), Step allocates nothing.
func TestStepDoesNotAllocate(t *testing.T) {
	for _, opt := range allOptimizers {
		ps := []G.ValueGrad{
			vg{w: f64(1, 2, 3), g: f64(0.1, 0.2, 0.3)},
			vg{w: f32(1, 2), g: f32(0.1, 0.2)},
		}
		s := newSolver(t, opt)
		if err := s.Step(ps); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() {
			if err := s.Step(ps); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%v: %v allocations per Step, want 0", opt, n)
		}
	}
}
