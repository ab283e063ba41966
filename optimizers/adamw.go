package optimizers

import G "gorgonia.org/gorgonia"

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter 2019,
// "Decoupled Weight Decay Regularization"), exactly torch.optim.AdamW. For
// each parameter w with gradient g (any shape), at Step t = 1, 2, …:
//
//	w ← w · (1 − lr·WeightDecay)                  (first, from the current rate)
//	m ← β1·m + (1 − β1)·g
//	v ← β2·v + (1 − β2)·g²
//	v̂ ← max(v̂, v) if AMSGrad, else v̂ = v
//	w ← w − (lr / (1 − β1^t)) · m / (√v̂ / √(1 − β2^t) + Eps)
//
// Zero fields mean Beta1 0.9, Beta2 0.999, Eps 1e-8 (torch's defaults) and
// WeightDecay 0. Where we differ from PyTorch: torch's default weight_decay
// for AdamW is 0.01; here WeightDecay 0 means no decay, as it does in every
// optimizer of this package, so that 0 can be set (a tuning sweep over 0,
// 0.01, 0.1 means what it says) and AdamW{WeightDecay: 0.01} reads as what it
// does. AdamW{} therefore updates exactly as Adam{}. Ranges: betas in [0, 1),
// Eps > 0, WeightDecay ≥ 0. Solver returns an *AdamSolver.
type AdamW struct {
	Beta1       float64
	Beta2       float64
	Eps         float64
	WeightDecay float64
	AMSGrad     bool
}

func (o AdamW) String() string { return o.settings().String() }

// Solver implements Optimizer; it returns an *AdamSolver, or an error
// wrapping ErrConfig naming the invalid field.
func (o AdamW) Solver(lr float64) (G.Solver, error) { return o.settings().solver(lr) }

func (o AdamW) settings() adamSettings {
	return adamSettings{name: "adamw", beta1: o.Beta1, beta2: o.Beta2, eps: o.Eps,
		weightDecay: o.WeightDecay, amsgrad: o.AMSGrad, decoupled: true}.withDefaults()
}
