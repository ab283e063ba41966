package optimizers

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/vec"
)

// Adam is Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic
// Optimization") with its AMSGrad variant (Reddi et al. 2018), exactly
// torch.optim.Adam. For each parameter w with gradient g (any shape; m, v and
// v̂ have w's shape), at Step t = 1, 2, …:
//
//	g ← g + WeightDecay·w                         (L2 penalty in the gradient, when WeightDecay ≠ 0)
//	m ← β1·m + (1 − β1)·g
//	v ← β2·v + (1 − β2)·g²
//	v̂ ← max(v̂, v) if AMSGrad, else v̂ = v         (v̂ starts at 0)
//	w ← w − (lr / (1 − β1^t)) · m / (√v̂ / √(1 − β2^t) + Eps)
//
// Zero fields mean torch's defaults: Beta1 0.9, Beta2 0.999, Eps 1e-8,
// WeightDecay 0, AMSGrad off. Ranges: betas in [0, 1), Eps > 0, WeightDecay ≥
// 0. Where we differ from PyTorch: β1 = 0, β2 = 0 and Eps = 0 (which torch
// accepts) cannot be asked for, since zero means the default. For weight
// decay decoupled from the moments (Loshchilov & Hutter) use AdamW.
type Adam struct {
	Beta1       float64
	Beta2       float64
	Eps         float64
	WeightDecay float64
	AMSGrad     bool
}

func (o Adam) String() string { return o.settings().String() }

// Solver implements Optimizer; it returns an *AdamSolver, or an error
// wrapping ErrConfig naming the invalid field.
func (o Adam) Solver(lr float64) (G.Solver, error) { return o.settings().solver(lr) }

func (o Adam) settings() adamSettings {
	return adamSettings{name: "adam", beta1: o.Beta1, beta2: o.Beta2, eps: o.Eps,
		weightDecay: o.WeightDecay, amsgrad: o.AMSGrad}.withDefaults()
}

// adamSettings are Adam's and AdamW's validated settings.
type adamSettings struct {
	name                           string
	beta1, beta2, eps, weightDecay float64
	amsgrad, decoupled             bool
}

func (a adamSettings) withDefaults() adamSettings {
	if a.beta1 == 0 {
		a.beta1 = 0.9
	}
	if a.beta2 == 0 {
		a.beta2 = 0.999
	}
	if a.eps == 0 {
		a.eps = 1e-8
	}
	return a
}

func (a adamSettings) String() string {
	return fmt.Sprintf("%s(beta1=%g, beta2=%g, eps=%g, weight_decay=%g, amsgrad=%t)",
		a.name, a.beta1, a.beta2, a.eps, a.weightDecay, a.amsgrad)
}

func (a adamSettings) solver(lr float64) (G.Solver, error) {
	if err := firstErr(
		checkLR(lr),
		unitOpen(a.name, "Beta1", a.beta1),
		unitOpen(a.name, "Beta2", a.beta2),
		positive(a.name, "Eps", a.eps),
		nonNegative(a.name, "WeightDecay", a.weightDecay),
	); err != nil {
		return nil, err
	}
	return &AdamSolver{cfg: a, lr: lr, what: "optimizers: " + a.name + " step"}, nil
}

// AdamSolver applies Adam or AdamW. It is not safe for concurrent use.
type AdamSolver struct {
	cfg    adamSettings
	what   string // names the optimizer in recovered panics
	lr     float64
	t      int // completed Steps
	params binding
	state  []any // *adamState[float32] or *adamState[float64], one per parameter
}

// SetLR sets the rate of the following Steps, keeping the moments and the
// step count (as changing torch's param_groups[0]["lr"]).
func (s *AdamSolver) SetLR(lr float64) { s.lr = lr }

// LR returns the rate the next Step uses.
func (s *AdamSolver) LR() float64 { return s.lr }

// Step updates every parameter in place and zeroes its gradient. The
// parameters must be the same (count, shapes, dtypes) at every Step.
func (s *AdamSolver) Step(vgs []G.ValueGrad) error {
	if s == nil {
		return errNilSolver("AdamSolver")
	}
	return runStep[*AdamSolver, *adamState[float32], *adamState[float64]](s, s.what, s.lr, &s.params, &s.state, vgs)
}

// StepSnapshot is Step saving each parameter's value into prev first and
// reporting whether the updated values are all finite (SnapshotStepper).
func (s *AdamSolver) StepSnapshot(vgs []G.ValueGrad, prev []*tensor.Dense) (finite bool, err error) {
	if s == nil {
		return false, errNilSolver("AdamSolver")
	}
	return runStepSnapshot[*AdamSolver, *adamState[float32], *adamState[float64]](s, s.what, s.lr, &s.params, &s.state, vgs, prev)
}
func (s *AdamSolver) newState(ps []paramSize) []any {
	return newStates(ps, newAdamState[float32], newAdamState[float64], s.cfg.amsgrad)
}

func (s *AdamSolver) scalars(bool) (adamScalars[float32], adamScalars[float64]) {
	s.t++
	return adamScalarsOf[float32](&s.cfg, s.lr, s.t), adamScalarsOf[float64](&s.cfg, s.lr, s.t)
}

type adamState[T float] struct {
	m, v, vmax []T // vmax only with AMSGrad
}

func newAdamState[T float](n int, amsgrad bool) *adamState[T] {
	s := &adamState[T]{m: make([]T, n), v: make([]T, n)}
	if amsgrad {
		s.vmax = make([]T, n)
	}
	return s
}

// adamScalars are one Step's constants, in the parameter's dtype, computed
// in float64 as torch computes them in Python.
type adamScalars[T float] struct {
	beta1, oneMinusBeta1, beta2, oneMinusBeta2 T
	negStepSize, bc2Sqrt, eps                  T
	weightDecay, decayFactor                   T
	l2, amsgrad                                bool
}

func adamScalarsOf[T float](a *adamSettings, lr float64, t int) adamScalars[T] {
	bc1 := 1 - math.Pow(a.beta1, float64(t))
	bc2 := 1 - math.Pow(a.beta2, float64(t))
	decay := 1.0 // exactly 1 for Adam, so the kernel multiplies unconditionally: w·1 = w
	if a.decoupled {
		decay = 1 - lr*a.weightDecay
	}
	return adamScalars[T]{
		beta1:         T(a.beta1),
		oneMinusBeta1: T(1 - a.beta1),
		beta2:         T(a.beta2),
		oneMinusBeta2: T(1 - a.beta2),
		negStepSize:   T(-(lr / bc1)),
		bc2Sqrt:       T(math.Sqrt(bc2)),
		eps:           T(a.eps),
		weightDecay:   T(a.weightDecay),
		decayFactor:   T(decay),
		l2:            !a.decoupled && a.weightDecay != 0,
		amsgrad:       a.amsgrad,
	}
}

// stepSnapshot is step saving w into prev first and reporting whether the
// new w are finite: one pass of the vector loop without AMSGrad.
func (s *adamState[T]) stepSnapshot(w, g, prev []T, h adamScalars[T]) bool {
	if h.amsgrad {
		copy(prev, w)
		s.step(w, g, h)
		return vec.AllFinite(w)
	}
	g, prev = g[:len(w)], prev[:len(w)]
	return vec.AdamStepSnapshot(w, g, s.m[:len(w)], s.v[:len(w)], prev, vec.AdamConsts[T]{
		Beta1: h.beta1, OneMinusBeta1: h.oneMinusBeta1, Beta2: h.beta2, OneMinusBeta2: h.oneMinusBeta2,
		NegStepSize: h.negStepSize, BC2Sqrt: h.bc2Sqrt, Eps: h.eps,
		WeightDecay: h.weightDecay, DecayFactor: h.decayFactor, L2: h.l2,
	})
}

func (s *adamState[T]) step(w, g []T, h adamScalars[T]) {
	// Locals, so that the loop keeps them in registers.
	b1, omb1, b2, omb2 := h.beta1, h.oneMinusBeta1, h.beta2, h.oneMinusBeta2
	negStep, bc2Sqrt, eps, wd, decay := h.negStepSize, h.bc2Sqrt, h.eps, h.weightDecay, h.decayFactor
	l2 := h.l2
	g = g[:len(w)]
	m, v := s.m[:len(w)], s.v[:len(w)]
	if !h.amsgrad {
		// The same operations in the same order, AVX where available.
		vec.AdamStep(w, g, m, v, vec.AdamConsts[T]{
			Beta1: b1, OneMinusBeta1: omb1, Beta2: b2, OneMinusBeta2: omb2,
			NegStepSize: negStep, BC2Sqrt: bc2Sqrt, Eps: eps,
			WeightDecay: wd, DecayFactor: decay, L2: l2,
		})
		return
	}
	vmax := s.vmax[:len(w)]
	for i := range w {
		gi, wi := g[i], w[i]*decay
		if l2 {
			gi += wd * wi
		}
		mi := b1*m[i] + omb1*gi
		vi := b2*v[i] + omb2*gi*gi
		m[i], v[i] = mi, vi
		vi = max(vmax[i], vi) // NaN-propagating, as torch.maximum
		vmax[i] = vi
		w[i] = wi + negStep*mi/(sqrt(vi)/bc2Sqrt+eps)
		g[i] = 0
	}
}
