package optimizers_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/optimizers"
)

// twoParams is a float64 and a float32 parameter with their gradients,
// outside any graph.
type twoParams struct {
	w64, g64 []float64
	w32, g32 []float32
}

func newTwoParams() *twoParams {
	return &twoParams{w64: []float64{0.5, -1, 2}, g64: make([]float64, 3), w32: []float32{1.5, -0.25}, g32: make([]float32, 2)}
}

func (p *twoParams) clone() *twoParams {
	return &twoParams{w64: slices.Clone(p.w64), g64: make([]float64, 3), w32: slices.Clone(p.w32), g32: make([]float32, 2)}
}

// step sets gradients that depend on the weights and the step number k,
// then steps s.
func (p *twoParams) step(t *testing.T, s G.Solver, k int) {
	t.Helper()
	for i, w := range p.w64 {
		p.g64[i] = math.Sin(w*float64(k+i)) + 0.1*float64(k)
	}
	for i, w := range p.w32 {
		p.g32[i] = float32(math.Cos(float64(w)*float64(k-i))) - 0.3
	}
	vgs := []G.ValueGrad{
		vg{w: tensor.New(tensor.WithShape(3), tensor.WithBacking(p.w64)), g: tensor.New(tensor.WithShape(3), tensor.WithBacking(p.g64))},
		vg{w: tensor.New(tensor.WithShape(1, 2), tensor.WithBacking(p.w32)), g: tensor.New(tensor.WithShape(1, 2), tensor.WithBacking(p.g32))},
	}
	if err := s.Step(vgs); err != nil {
		t.Fatal(err)
	}
}

// A fresh solver given another's State (taken before any Step, or after 3)
// then steps bit for bit as the original: every solver, both dtypes.
func TestSetStateResumesExactly(t *testing.T) {
	for _, opt := range allOptimizers {
		for _, at := range []int{0, 3} {
			t.Run(opt.String(), func(t *testing.T) {
				orig, p := newSolver(t, opt), newTwoParams()
				for k := 1; k <= at; k++ {
					p.step(t, orig, k)
				}
				st := orig.(optimizers.Stateful).State()
				if at > 0 && len(st.Params) != 2 {
					t.Fatalf("State after %d steps has %d parameters, want 2", at, len(st.Params))
				}
				resumed, q := newSolver(t, opt), p.clone()
				if err := resumed.(optimizers.Stateful).SetState(st); err != nil {
					t.Fatal(err)
				}
				for k := at + 1; k <= at+4; k++ {
					p.step(t, orig, k)
					q.step(t, resumed, k)
				}
				for i := range p.w64 {
					if math.Float64bits(p.w64[i]) != math.Float64bits(q.w64[i]) {
						t.Errorf("float64 w[%d] = %v resumed, %v uninterrupted", i, q.w64[i], p.w64[i])
					}
				}
				for i := range p.w32 {
					if math.Float32bits(p.w32[i]) != math.Float32bits(q.w32[i]) {
						t.Errorf("float32 w[%d] = %v resumed, %v uninterrupted", i, q.w32[i], p.w32[i])
					}
				}
			})
		}
	}
}

// State is a copy: stepping on does not change a State taken before.
func TestStateIsACopy(t *testing.T) {
	s, p := newSolver(t, optimizers.Adam{}), newTwoParams()
	p.step(t, s, 1)
	st := s.(optimizers.Stateful).State()
	m := slices.Clone(st.Params[0].Buffers[0].F64)
	p.step(t, s, 2)
	if !slices.Equal(m, st.Params[0].Buffers[0].F64) || st.Steps != 1 {
		t.Errorf("State changed by a later Step: m %v → %v, steps %d", m, st.Params[0].Buffers[0].F64, st.Steps)
	}
}

// A State that does not fit is refused with ErrState, naming the problem,
// and the solver keeps its own state.
func TestSetStateRefusesMismatches(t *testing.T) {
	src, p := newSolver(t, optimizers.Adam{AMSGrad: true}), newTwoParams()
	p.step(t, src, 1)
	good := src.(optimizers.Stateful).State()
	edit := func(f func(st *optimizers.State)) optimizers.State {
		st := src.(optimizers.Stateful).State()
		f(&st)
		return st
	}
	cases := []struct {
		name string
		opt  optimizers.Optimizer
		st   optimizers.State
		want string
	}{
		{"other solver", optimizers.SGD{Momentum: 0.9}, good, `"adam" solver`},
		{"no AMSGrad", optimizers.Adam{}, good, "buffer 2 has 3 elements"},
		{"bad dtype", optimizers.Adam{AMSGrad: true}, edit(func(st *optimizers.State) { st.Params[0].Dtype = "int8" }), `dtype "int8"`},
		{"bad shape", optimizers.Adam{AMSGrad: true}, edit(func(st *optimizers.State) { st.Params[1].Shape = []int{0, 2} }), "shape [0 2]"},
		{"huge shape", optimizers.Adam{AMSGrad: true}, edit(func(st *optimizers.State) { st.Params[1].Shape = []int{1 << 40, 1 << 40} }), "positive sizes"},
		{"short buffer", optimizers.Adam{AMSGrad: true}, edit(func(st *optimizers.State) { st.Params[0].Buffers[1].F64 = st.Params[0].Buffers[1].F64[:2] }), "buffer 1 has 2"},
		{"wrong dtype buffer", optimizers.Adam{AMSGrad: true}, edit(func(st *optimizers.State) {
			st.Params[1].Buffers[0] = optimizers.Buffer{F64: []float64{1, 2}}
		}), "buffer 0 has 0 elements (2 of the other dtype)"},
		{"negative steps", optimizers.Adam{AMSGrad: true}, edit(func(st *optimizers.State) { st.Steps = -1 }), "step count -1"},
		{"steps for sgd", optimizers.SGD{}, optimizers.State{Solver: "sgd", Steps: 2}, "step count 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSolver(t, c.opt)
			q := newTwoParams()
			q.step(t, s, 1)
			before := s.(optimizers.Stateful).State()
			err := s.(optimizers.Stateful).SetState(c.st)
			if !errors.Is(err, optimizers.ErrState) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("SetState = %v, want ErrState mentioning %q", err, c.want)
			}
			after := s.(optimizers.Stateful).State()
			if after.Steps != before.Steps || !slices.Equal(after.Params[0].Buffers[0].F64, before.Params[0].Buffers[0].F64) {
				t.Errorf("a refused SetState changed the solver's state")
			}
		})
	}
}
