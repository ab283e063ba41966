package optimizers

import (
	"errors"
	"fmt"
	"slices"

	"gorgonia.org/tensor"
)

// ErrState is wrapped by every error of SetState: a State from another
// optimizer, or one whose parameters or buffers do not fit this solver.
var ErrState = errors.New("optimizers: unusable solver state")

// Stateful is a solver whose state — what its next Step depends on besides
// the rate: moments, momentum buffers, sums of squares, AMSGrad maxima, the
// step count — can be read and put back, so that a run resumed in another
// process steps exactly as the uninterrupted one. Every solver of this
// package implements it; Gorgonia's own solvers do not.
type Stateful interface {
	// State returns a copy of the state (sharing nothing with the solver).
	State() State
	// SetState replaces the state with st, as returned by State of a solver
	// made by the same Optimizer. On error (wrapping ErrState; on a nil
	// solver also ErrConfig) it changes nothing.
	SetState(st State) error
}

// State is a solver's state as plain values. Params is empty before the
// first Step.
type State struct {
	Solver string       // the optimizer's name: "sgd", "adam", "adamw", "rmsprop" or "adagrad"
	Steps  int          // the step count the solver keeps (Adam, AdamW, AdaGrad); 0 for the others
	Params []ParamState // one per parameter, in Step's order
}

// ParamState is one parameter's buffers. Buffers come in an order fixed
// per solver (Adam: m, v, v̂; SGD: momentum; RMSProp: v, ḡ, momentum;
// AdaGrad: Σ g²); one the settings do not use is empty.
type ParamState struct {
	Dtype   string // "float32" or "float64"
	Shape   []int
	Buffers []Buffer
}

// Buffer holds one buffer's elements in the parameter's dtype: F32 for
// float32 parameters, F64 for float64 ones.
type Buffer struct {
	F32 []float32
	F64 []float64
}

// buffered is a per-parameter state whose buffers can be saved: pointers to
// its slices in a fixed order, nil slices for buffers the settings omit.
type buffered[T float] interface{ buffers() []*[]T }

func (s *adamState[T]) buffers() []*[]T    { return []*[]T{&s.m, &s.v, &s.vmax} }
func (s *sgdState[T]) buffers() []*[]T     { return []*[]T{&s.buf} }
func (s *adagradState[T]) buffers() []*[]T { return []*[]T{&s.sum} }
func (s *rmspropState[T]) buffers() []*[]T { return []*[]T{&s.v, &s.gAvg, &s.buf} }

// State implements Stateful.
func (s *AdamSolver) State() State { return exportState(s.cfg.name, s.t, &s.params, s.state) }

// SetState implements Stateful.
func (s *AdamSolver) SetState(st State) error {
	if s == nil {
		return fmt.Errorf("%w: %w", ErrState, errNilSolver("AdamSolver"))
	}
	return importState(st, s.cfg.name, s.newState, &s.t, &s.params, &s.state)
}

// State implements Stateful.
func (s *SGDSolver) State() State { return exportState("sgd", 0, &s.params, s.state) }

// SetState implements Stateful.
func (s *SGDSolver) SetState(st State) error {
	if s == nil {
		return fmt.Errorf("%w: %w", ErrState, errNilSolver("SGDSolver"))
	}
	return importState(st, "sgd", s.newState, nil, &s.params, &s.state)
}

// State implements Stateful.
func (s *RMSPropSolver) State() State { return exportState("rmsprop", 0, &s.params, s.state) }

// SetState implements Stateful.
func (s *RMSPropSolver) SetState(st State) error {
	if s == nil {
		return fmt.Errorf("%w: %w", ErrState, errNilSolver("RMSPropSolver"))
	}
	return importState(st, "rmsprop", s.newState, nil, &s.params, &s.state)
}

// State implements Stateful.
func (s *AdaGradSolver) State() State { return exportState("adagrad", s.t, &s.params, s.state) }

// SetState implements Stateful.
func (s *AdaGradSolver) SetState(st State) error {
	if s == nil {
		return fmt.Errorf("%w: %w", ErrState, errNilSolver("AdaGradSolver"))
	}
	return importState(st, "adagrad", s.newState, &s.t, &s.params, &s.state)
}

// exportState copies a solver's binding and per-parameter state.
func exportState(name string, steps int, b *binding, state []any) State {
	st := State{Solver: name, Steps: steps}
	if !b.bound {
		return st
	}
	for i, ps := range state {
		p := ParamState{Dtype: b.dtypes[i].String(), Shape: slices.Clone([]int(b.shapes[i]))}
		switch ps := ps.(type) {
		case buffered[float32]:
			for _, buf := range ps.buffers() {
				p.Buffers = append(p.Buffers, Buffer{F32: slices.Clone(*buf)})
			}
		case buffered[float64]:
			for _, buf := range ps.buffers() {
				p.Buffers = append(p.Buffers, Buffer{F64: slices.Clone(*buf)})
			}
		}
		st.Params = append(st.Params, p)
	}
	return st
}

// importState checks st against the solver and, if it fits, installs it:
// a binding to the saved shapes (so the next Step is not a first one) and
// per-parameter states holding the saved buffers. newState shows which
// buffers the solver's settings use; steps is nil for a solver that keeps
// no step count. Nothing changes on error.
func importState(st State, name string, newState func([]paramSize) []any, steps *int, b *binding, state *[]any) error {
	if st.Solver != name {
		return fmt.Errorf("%w: state of a %q solver, this one is %q", ErrState, st.Solver, name)
	}
	if st.Steps < 0 || steps == nil && st.Steps != 0 {
		return fmt.Errorf("%w: %s step count %d", ErrState, name, st.Steps)
	}
	if len(st.Params) == 0 {
		*b, *state = binding{}, nil
		if steps != nil {
			*steps = st.Steps
		}
		return nil
	}
	nb := binding{bound: true}
	sizes := make([]paramSize, len(st.Params))
	for i, p := range st.Params {
		dt, n, err := checkParamState(p)
		if err != nil {
			return fmt.Errorf("%w: %s parameter %d: %w", ErrState, name, i, err)
		}
		nb.shapes = append(nb.shapes, tensor.Shape(slices.Clone(p.Shape)))
		nb.dtypes = append(nb.dtypes, dt)
		sizes[i] = paramSize{dtype: dt, n: n}
	}
	// States made for 0 elements say which buffers exist, allocating
	// nothing: the saved slices become the buffers.
	zero := make([]paramSize, len(sizes))
	for i, s := range sizes {
		zero[i] = paramSize{dtype: s.dtype}
	}
	ns := newState(zero)
	for i, p := range st.Params {
		var err error
		switch ps := ns[i].(type) {
		case buffered[float32]:
			err = fillBuffers(ps.buffers(), p.Buffers, sizes[i].n, func(b Buffer) ([]float32, int) { return b.F32, len(b.F64) })
		case buffered[float64]:
			err = fillBuffers(ps.buffers(), p.Buffers, sizes[i].n, func(b Buffer) ([]float64, int) { return b.F64, len(b.F32) })
		}
		if err != nil {
			return fmt.Errorf("%w: %s parameter %d %s %v: %w", ErrState, name, i, p.Dtype, p.Shape, err)
		}
	}
	*b, *state = nb, ns
	if steps != nil {
		*steps = st.Steps
	}
	return nil
}

// checkParamState returns a saved parameter's dtype and element count.
func checkParamState(p ParamState) (tensor.Dtype, int, error) {
	var dt tensor.Dtype
	switch p.Dtype {
	case "float32":
		dt = tensor.Float32
	case "float64":
		dt = tensor.Float64
	default:
		return dt, 0, fmt.Errorf("dtype %q, want float32 or float64", p.Dtype)
	}
	n := 1
	for _, d := range p.Shape {
		if d < 1 || n > int(^uint(0)>>1)/d {
			return dt, 0, fmt.Errorf("shape %v, want positive sizes", p.Shape)
		}
		n *= d
	}
	return dt, n, nil
}

// fillBuffers points bufs at the saved buffers, after checking that there is
// one per buffer, that those the settings use have n elements of the
// parameter's dtype, and that the others are empty.
func fillBuffers[T float](bufs []*[]T, saved []Buffer, n int, get func(Buffer) (own []T, other int)) error {
	if len(saved) != len(bufs) {
		return fmt.Errorf("%d buffers, want %d", len(saved), len(bufs))
	}
	for j, buf := range bufs {
		vals, other := get(saved[j])
		want := 0
		if *buf != nil {
			want = n
		}
		if len(vals) != want || other != 0 {
			return fmt.Errorf("buffer %d has %d elements (%d of the other dtype), want %d: saved with other settings?", j, len(vals), other, want)
		}
		if *buf != nil {
			*buf = slices.Clone(vals)
		}
	}
	return nil
}
