package optimizers

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SGD is stochastic gradient descent with optional momentum, exactly
// torch.optim.SGD (Sutskever et al. 2013 for the momentum and Nesterov forms,
// as PyTorch writes them). For each parameter w with gradient g (any shape;
// the buffer b has w's shape):
//
//	d ← g + WeightDecay·w                       (L2 weight decay, when WeightDecay ≠ 0)
//	b ← d                                       (first Step, when Momentum ≠ 0)
//	b ← Momentum·b + (1 − Dampening)·d          (later Steps)
//	d ← d + Momentum·b  if Nesterov,  else  d ← b
//	w ← w − lr·d
//
// The zero value is plain gradient descent, w ← w − lr·g. Ranges: Momentum ≥
// 0, Dampening in [0, 1], WeightDecay ≥ 0; Nesterov needs Momentum > 0 and
// Dampening = 0 (torch refuses it otherwise). As in torch, and unlike
// Gorgonia's Momentum solver, b does not contain lr, so a rate changed with
// SetLR applies from the next Step on.
type SGD struct {
	Momentum    float64
	Dampening   float64
	Nesterov    bool
	WeightDecay float64
}

func (o SGD) String() string {
	return fmt.Sprintf("sgd(momentum=%g, dampening=%g, nesterov=%t, weight_decay=%g)",
		o.Momentum, o.Dampening, o.Nesterov, o.WeightDecay)
}

func (o SGD) validate() error {
	if err := firstErr(
		nonNegative("sgd", "Momentum", o.Momentum),
		unitClosed("sgd", "Dampening", o.Dampening),
		nonNegative("sgd", "WeightDecay", o.WeightDecay),
	); err != nil {
		return err
	}
	if o.Nesterov && (o.Momentum == 0 || o.Dampening != 0) {
		return fmt.Errorf("%w: sgd Nesterov = true with Momentum = %v and Dampening = %v, want Momentum > 0 and Dampening = 0",
			ErrConfig, o.Momentum, o.Dampening)
	}
	return nil
}

// Solver implements Optimizer; it returns an *SGDSolver, or an error wrapping
// ErrConfig naming the invalid field.
func (o SGD) Solver(lr float64) (G.Solver, error) {
	if err := firstErr(checkLR(lr), o.validate()); err != nil {
		return nil, err
	}
	return &SGDSolver{cfg: o, lr: lr}, nil
}

// SGDSolver applies SGD. It is not safe for concurrent use.
type SGDSolver struct {
	cfg    SGD
	lr     float64
	params binding
	state  []any // *sgdState[float32] or *sgdState[float64], one per parameter
}

// SetLR sets the rate of the following Steps, keeping the momentum buffers.
func (s *SGDSolver) SetLR(lr float64) { s.lr = lr }

// LR returns the rate the next Step uses.
func (s *SGDSolver) LR() float64 { return s.lr }

// Step updates every parameter in place and zeroes its gradient. The
// parameters must be the same (count, shapes, dtypes) at every Step.
func (s *SGDSolver) Step(vgs []G.ValueGrad) error {
	if s == nil {
		return errNilSolver("SGDSolver")
	}
	return runStep[*SGDSolver, *sgdState[float32], *sgdState[float64]](s, "optimizers: sgd step", s.lr, &s.params, &s.state, vgs)
}

// StepSnapshot is Step saving each parameter's value into prev first and
// reporting whether the updated values are all finite (SnapshotStepper).
func (s *SGDSolver) StepSnapshot(vgs []G.ValueGrad, prev []*tensor.Dense) (finite bool, err error) {
	if s == nil {
		return false, errNilSolver("SGDSolver")
	}
	return runStepSnapshot[*SGDSolver, *sgdState[float32], *sgdState[float64]](s, "optimizers: sgd step", s.lr, &s.params, &s.state, vgs, prev)
}
func (s *SGDSolver) newState(ps []paramSize) []any {
	return newStates(ps, newSGDState[float32], newSGDState[float64], s.cfg.Momentum != 0)
}

func (s *SGDSolver) scalars(first bool) (sgdScalars[float32], sgdScalars[float64]) {
	return sgdScalarsOf[float32](s.cfg, s.lr, first), sgdScalarsOf[float64](s.cfg, s.lr, first)
}

type sgdState[T float] struct {
	buf []T // momentum buffer; nil without momentum
}

func newSGDState[T float](n int, momentum bool) *sgdState[T] {
	if !momentum {
		return &sgdState[T]{}
	}
	return &sgdState[T]{buf: make([]T, n)}
}

// sgdScalars are one Step's constants, in the parameter's dtype.
type sgdScalars[T float] struct {
	negLR, weightDecay, momentum, oneMinusDampening T
	decay, nesterov, first                          bool
}

func sgdScalarsOf[T float](o SGD, lr float64, first bool) sgdScalars[T] {
	return sgdScalars[T]{
		negLR:             T(-lr),
		weightDecay:       T(o.WeightDecay),
		momentum:          T(o.Momentum),
		oneMinusDampening: T(1 - o.Dampening),
		decay:             o.WeightDecay != 0,
		nesterov:          o.Nesterov,
		first:             first,
	}
}

func (s *sgdState[T]) step(w, g []T, h sgdScalars[T]) {
	g = g[:len(w)]
	if s.buf == nil {
		for i := range w {
			d := g[i]
			if h.decay {
				d += h.weightDecay * w[i]
			}
			w[i] += h.negLR * d
			g[i] = 0
		}
		return
	}
	b := s.buf[:len(w)]
	for i := range w {
		d := g[i]
		if h.decay {
			d += h.weightDecay * w[i]
		}
		bi := d
		if !h.first {
			bi = h.momentum*b[i] + h.oneMinusDampening*d
		}
		b[i] = bi
		if h.nesterov {
			d += h.momentum * bi
		} else {
			d = bi
		}
		w[i] += h.negLR * d
		g[i] = 0
	}
}
