package optimizers

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RMSProp is RMSprop (Hinton, Coursera lecture 6e; centered form from Graves
// 2013), exactly torch.optim.RMSprop. For each parameter w with gradient g
// (any shape; v, ḡ and b have w's shape, all starting at 0):
//
//	g ← g + WeightDecay·w                    (L2 penalty in the gradient, when WeightDecay ≠ 0)
//	v ← α·v + (1 − α)·g²
//	ḡ ← α·ḡ + (1 − α)·g,  a ← √(v − ḡ²) + Eps   if Centered
//	a ← √v + Eps                               otherwise
//	b ← Momentum·b + g/a,  w ← w − lr·b        if Momentum > 0
//	w ← w − lr·g/a                             otherwise
//
// Zero fields mean torch's defaults: Alpha 0.99, Eps 1e-8, Momentum 0,
// WeightDecay 0, not centered. Ranges: Alpha in [0, 1), Eps > 0, Momentum ≥
// 0, WeightDecay ≥ 0. Eps is outside the square root, as in torch (Gorgonia's
// RMSPropSolver puts it inside and defaults to a decay of 0.999). Where we
// differ from PyTorch: Alpha = 0 and Eps = 0 (which torch accepts) cannot be
// asked for, and Alpha ≥ 1 (which torch accepts, and which never updates v) is
// refused.
type RMSProp struct {
	Alpha       float64
	Eps         float64
	Momentum    float64
	Centered    bool
	WeightDecay float64
}

func (o RMSProp) withDefaults() RMSProp {
	if o.Alpha == 0 {
		o.Alpha = 0.99
	}
	if o.Eps == 0 {
		o.Eps = 1e-8
	}
	return o
}

func (o RMSProp) String() string {
	o = o.withDefaults()
	return fmt.Sprintf("rmsprop(alpha=%g, eps=%g, momentum=%g, centered=%t, weight_decay=%g)",
		o.Alpha, o.Eps, o.Momentum, o.Centered, o.WeightDecay)
}

// Solver implements Optimizer; it returns an *RMSPropSolver, or an error
// wrapping ErrConfig naming the invalid field.
func (o RMSProp) Solver(lr float64) (G.Solver, error) {
	o = o.withDefaults()
	if err := firstErr(
		checkLR(lr),
		unitOpen("rmsprop", "Alpha", o.Alpha),
		positive("rmsprop", "Eps", o.Eps),
		nonNegative("rmsprop", "Momentum", o.Momentum),
		nonNegative("rmsprop", "WeightDecay", o.WeightDecay),
	); err != nil {
		return nil, err
	}
	return &RMSPropSolver{cfg: o, lr: lr}, nil
}

// RMSPropSolver applies RMSProp. It is not safe for concurrent use.
type RMSPropSolver struct {
	cfg    RMSProp
	lr     float64
	params binding
	state  []any // *rmspropState[float32] or *rmspropState[float64], one per parameter
}

// SetLR sets the rate of the following Steps, keeping the averages and the
// momentum buffers.
func (s *RMSPropSolver) SetLR(lr float64) { s.lr = lr }

// LR returns the rate the next Step uses.
func (s *RMSPropSolver) LR() float64 { return s.lr }

// Step updates every parameter in place and zeroes its gradient. The
// parameters must be the same (count, shapes, dtypes) at every Step.
func (s *RMSPropSolver) Step(vgs []G.ValueGrad) error {
	if s == nil {
		return errNilSolver("RMSPropSolver")
	}
	return runStep[*RMSPropSolver, *rmspropState[float32], *rmspropState[float64]](s, "optimizers: rmsprop step", s.lr, &s.params, &s.state, vgs)
}

// StepSnapshot is Step saving each parameter's value into prev first and
// reporting whether the updated values are all finite (SnapshotStepper).
func (s *RMSPropSolver) StepSnapshot(vgs []G.ValueGrad, prev []*tensor.Dense) (finite bool, err error) {
	if s == nil {
		return false, errNilSolver("RMSPropSolver")
	}
	return runStepSnapshot[*RMSPropSolver, *rmspropState[float32], *rmspropState[float64]](s, "optimizers: rmsprop step", s.lr, &s.params, &s.state, vgs, prev)
}
func (s *RMSPropSolver) newState(ps []paramSize) []any {
	return newStates(ps, newRMSPropState[float32], newRMSPropState[float64], s.cfg)
}

func (s *RMSPropSolver) scalars(bool) (rmspropScalars[float32], rmspropScalars[float64]) {
	return rmspropScalarsOf[float32](&s.cfg, s.lr), rmspropScalarsOf[float64](&s.cfg, s.lr)
}

type rmspropState[T float] struct {
	v    []T // mean of g²
	gAvg []T // mean of g; only when centered
	buf  []T // momentum buffer; only with momentum
}

func newRMSPropState[T float](n int, o RMSProp) *rmspropState[T] {
	s := &rmspropState[T]{v: make([]T, n)}
	if o.Centered {
		s.gAvg = make([]T, n)
	}
	if o.Momentum > 0 {
		s.buf = make([]T, n)
	}
	return s
}

// rmspropScalars are one Step's constants, in the parameter's dtype.
type rmspropScalars[T float] struct {
	alpha, oneMinusAlpha, eps, momentum, weightDecay, negLR T
	decay, centered, useMomentum                            bool
}

func rmspropScalarsOf[T float](o *RMSProp, lr float64) rmspropScalars[T] {
	return rmspropScalars[T]{
		alpha:         T(o.Alpha),
		oneMinusAlpha: T(1 - o.Alpha),
		eps:           T(o.Eps),
		momentum:      T(o.Momentum),
		weightDecay:   T(o.WeightDecay),
		negLR:         T(-lr),
		decay:         o.WeightDecay != 0,
		centered:      o.Centered,
		useMomentum:   o.Momentum > 0,
	}
}

func (s *rmspropState[T]) step(w, g []T, h rmspropScalars[T]) {
	g = g[:len(w)]
	v := s.v[:len(w)]
	gAvg, buf := s.gAvg, s.buf
	if h.centered {
		gAvg = gAvg[:len(w)]
	}
	if h.useMomentum {
		buf = buf[:len(w)]
	}
	for i := range w {
		gi := g[i]
		if h.decay {
			gi += h.weightDecay * w[i]
		}
		vi := h.alpha*v[i] + h.oneMinusAlpha*gi*gi
		v[i] = vi
		var a T
		if h.centered {
			ga := h.alpha*gAvg[i] + h.oneMinusAlpha*gi
			gAvg[i] = ga
			a = sqrt(vi-ga*ga) + h.eps
		} else {
			a = sqrt(vi) + h.eps
		}
		if h.useMomentum {
			b := h.momentum*buf[i] + gi/a
			buf[i] = b
			w[i] += h.negLR * b
		} else {
			w[i] += h.negLR * gi / a
		}
		g[i] = 0
	}
}
