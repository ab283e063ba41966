package optimizers

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AdaGrad is Adagrad (Duchi, Hazan & Singer 2011), exactly torch.optim.Adagrad
// (dense gradients). For each parameter w with gradient g (any shape; s has
// w's shape and starts at InitialAccumulatorValue), at Step t = 1, 2, …:
//
//	g ← g + WeightDecay·w                    (L2 penalty in the gradient, when WeightDecay ≠ 0)
//	η ← lr / (1 + (t − 1)·LRDecay)
//	s ← s + g²
//	w ← w − η·g / (√s + Eps)
//
// Zero fields mean torch's defaults: LRDecay 0, WeightDecay 0,
// InitialAccumulatorValue 0, Eps 1e-10. Ranges: LRDecay ≥ 0, WeightDecay ≥
// 0, InitialAccumulatorValue ≥ 0, Eps > 0. Unlike Gorgonia's AdaGradSolver,
// the rate and Eps are honoured and SetLR works. Where we differ from
// PyTorch: Eps = 0 (which torch accepts) cannot be asked for.
type AdaGrad struct {
	LRDecay                 float64
	WeightDecay             float64
	InitialAccumulatorValue float64
	Eps                     float64
}

func (o AdaGrad) withDefaults() AdaGrad {
	if o.Eps == 0 {
		o.Eps = 1e-10
	}
	return o
}

func (o AdaGrad) String() string {
	o = o.withDefaults()
	return fmt.Sprintf("adagrad(lr_decay=%g, weight_decay=%g, initial_accumulator_value=%g, eps=%g)",
		o.LRDecay, o.WeightDecay, o.InitialAccumulatorValue, o.Eps)
}

// Solver implements Optimizer; it returns an *AdaGradSolver, or an error
// wrapping ErrConfig naming the invalid field.
func (o AdaGrad) Solver(lr float64) (G.Solver, error) {
	o = o.withDefaults()
	if err := firstErr(
		checkLR(lr),
		nonNegative("adagrad", "LRDecay", o.LRDecay),
		nonNegative("adagrad", "WeightDecay", o.WeightDecay),
		nonNegative("adagrad", "InitialAccumulatorValue", o.InitialAccumulatorValue),
		positive("adagrad", "Eps", o.Eps),
	); err != nil {
		return nil, err
	}
	return &AdaGradSolver{cfg: o, lr: lr}, nil
}

// AdaGradSolver applies AdaGrad. It is not safe for concurrent use.
type AdaGradSolver struct {
	cfg    AdaGrad
	lr     float64
	t      int // completed Steps
	params binding
	state  []any // *adagradState[float32] or *adagradState[float64], one per parameter
}

// SetLR sets the base rate of the following Steps (η above is computed from
// it), keeping the sums of squares and the step count.
func (s *AdaGradSolver) SetLR(lr float64) { s.lr = lr }

// LR returns the base rate the next Step uses.
func (s *AdaGradSolver) LR() float64 { return s.lr }

// Step updates every parameter in place and zeroes its gradient. The
// parameters must be the same (count, shapes, dtypes) at every Step.
func (s *AdaGradSolver) Step(vgs []G.ValueGrad) error {
	if s == nil {
		return errNilSolver("AdaGradSolver")
	}
	return runStep[*AdaGradSolver, *adagradState[float32], *adagradState[float64]](s, "optimizers: adagrad step", s.lr, &s.params, &s.state, vgs)
}

// StepSnapshot is Step saving each parameter's value into prev first and
// reporting whether the updated values are all finite (SnapshotStepper).
func (s *AdaGradSolver) StepSnapshot(vgs []G.ValueGrad, prev []*tensor.Dense) (finite bool, err error) {
	if s == nil {
		return false, errNilSolver("AdaGradSolver")
	}
	return runStepSnapshot[*AdaGradSolver, *adagradState[float32], *adagradState[float64]](s, "optimizers: adagrad step", s.lr, &s.params, &s.state, vgs, prev)
}
func (s *AdaGradSolver) newState(ps []paramSize) []any {
	return newStates(ps, newAdaGradState[float32], newAdaGradState[float64], s.cfg.InitialAccumulatorValue)
}

func (s *AdaGradSolver) scalars(bool) (adagradScalars[float32], adagradScalars[float64]) {
	s.t++
	return adagradScalarsOf[float32](&s.cfg, s.lr, s.t), adagradScalarsOf[float64](&s.cfg, s.lr, s.t)
}

type adagradState[T float] struct {
	sum []T // Σ g²
}

func newAdaGradState[T float](n int, initial float64) *adagradState[T] {
	s := &adagradState[T]{sum: make([]T, n)}
	for i := range s.sum {
		s.sum[i] = T(initial)
	}
	return s
}

// adagradScalars are one Step's constants, in the parameter's dtype.
type adagradScalars[T float] struct {
	negCLR, weightDecay, eps T
	decay                    bool
}

func adagradScalarsOf[T float](o *AdaGrad, lr float64, t int) adagradScalars[T] {
	clr := lr / (1 + float64(t-1)*o.LRDecay)
	return adagradScalars[T]{
		negCLR:      T(-clr),
		weightDecay: T(o.WeightDecay),
		eps:         T(o.Eps),
		decay:       o.WeightDecay != 0,
	}
}

func (s *adagradState[T]) step(w, g []T, h adagradScalars[T]) {
	g = g[:len(w)]
	sum := s.sum[:len(w)]
	for i := range w {
		gi := g[i]
		if h.decay {
			gi += h.weightDecay * w[i]
		}
		si := sum[i] + gi*gi
		sum[i] = si
		w[i] += h.negCLR * gi / (sqrt(si) + h.eps)
		g[i] = 0
	}
}
