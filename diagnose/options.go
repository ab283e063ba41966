package diagnose

import (
	"fmt"
	"math"
)

// Options tunes Analyze. The zero value of every field means its default.
type Options struct {
	// Classes is the number of classes C of a softmax classifier, for the
	// chance check: a training loss ≥ (1 − ChanceMargin)·ln C after the
	// last epoch is underfitting. 0: unknown, no chance check; else ≥ 2.
	Classes int
	// ChanceMargin in [0, 1); 0 → 0.05.
	ChanceMargin float64
	// FlatEpochs and FlatDrop: over a run of at least FlatEpochs epochs,
	// every training loss within FlatDrop (relative) of the first epoch's
	// is a flat loss (underfitting). FlatEpochs ≥ 2, 0 → 3; FlatDrop in
	// [0, 1), 0 → 0.01.
	FlatEpochs int
	FlatDrop   float64
	// Patience N and MinRise: overfitting is a validation loss that, N or
	// more validated epochs after its minimum, is above it by more than
	// MinRise (relative) while the training loss is below its value at
	// that minimum. Patience ≥ 1, 0 → 3; MinRise ≥ 0, 0 → 0.05.
	Patience int
	MinRise  float64
	// VanishingRatio: weight matrices whose median gradient norm is below
	// VanishingRatio × the last weight matrix's (the output layer's), the
	// first one among them, are vanishing. In (0, 1); 0 → 1e-3.
	VanishingRatio float64
	// DeadFraction and DeadSteps: a ReLU activation whose fraction of dead
	// units (trainer.ActivationStats.DeadFraction) exceeds DeadFraction at
	// each of its last DeadSteps monitored steps. DeadFraction in (0, 1),
	// 0 → 0.5; DeadSteps ≥ 1, 0 → 3.
	DeadFraction float64
	DeadSteps    int
	// UpdateRatioLow and UpdateRatioHigh bound the median ‖Δw‖/‖w‖ of each
	// weight matrix over the monitored steps: ≈ 1e-3 is healthy (Karpathy,
	// "A Recipe for Training Neural Networks", 2019); outside the bounds
	// the learning rate is too low or too high. 0 → 1e-5 and 1e-1 (two
	// orders of magnitude either side); want 0 < low < high.
	UpdateRatioLow, UpdateRatioHigh float64
	// Divergence: the thresholds of the exploding checks.
	Divergence Divergence
	// Weights selects, by name, the parameters that are weight matrices
	// (judged for vanishing gradients and update ratios; biases are not:
	// they start at 0 and their norms say little). nil → the parameters the
	// model marks as decayed (trainer.ParamStats.Decay: weights, not
	// biases); if none is selected, all are used.
	Weights func(name string) bool
}

// resolved returns o with its defaults, or an error wrapping ErrConfig
// naming the first bad field, its value and the allowed range.
func (o Options) resolved() (Options, error) {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.ChanceMargin, 0.05)
	def(&o.FlatDrop, 0.01)
	def(&o.MinRise, 0.05)
	def(&o.VanishingRatio, 1e-3)
	def(&o.DeadFraction, 0.5)
	def(&o.UpdateRatioLow, 1e-5)
	def(&o.UpdateRatioHigh, 1e-1)
	defInt(&o.FlatEpochs, 3)
	defInt(&o.Patience, 3)
	defInt(&o.DeadSteps, 3)
	in01 := func(v float64) bool { return v > 0 && v < 1 }
	switch {
	case o.Classes < 0 || o.Classes == 1:
		return o, fmt.Errorf("%w: Classes = %d, want 0 (unknown) or ≥ 2", ErrConfig, o.Classes)
	case !in01(o.ChanceMargin):
		return o, fmt.Errorf("%w: ChanceMargin = %v, want 0 ≤ margin < 1 (0 = 0.05)", ErrConfig, o.ChanceMargin)
	case o.FlatEpochs < 2:
		return o, fmt.Errorf("%w: FlatEpochs = %d, want ≥ 2 (0 = 3)", ErrConfig, o.FlatEpochs)
	case !in01(o.FlatDrop):
		return o, fmt.Errorf("%w: FlatDrop = %v, want 0 ≤ drop < 1 (0 = 0.01)", ErrConfig, o.FlatDrop)
	case o.Patience < 1:
		return o, fmt.Errorf("%w: Patience = %d, want ≥ 1 (0 = 3)", ErrConfig, o.Patience)
	case !(o.MinRise > 0) || math.IsInf(o.MinRise, 0):
		return o, fmt.Errorf("%w: MinRise = %v, want a finite value ≥ 0 (0 = 0.05)", ErrConfig, o.MinRise)
	case !in01(o.VanishingRatio):
		return o, fmt.Errorf("%w: VanishingRatio = %v, want 0 < ratio < 1 (0 = 1e-3)", ErrConfig, o.VanishingRatio)
	case !in01(o.DeadFraction):
		return o, fmt.Errorf("%w: DeadFraction = %v, want 0 < fraction < 1 (0 = 0.5)", ErrConfig, o.DeadFraction)
	case o.DeadSteps < 1:
		return o, fmt.Errorf("%w: DeadSteps = %d, want ≥ 1 (0 = 3)", ErrConfig, o.DeadSteps)
	case !(o.UpdateRatioLow > 0 && o.UpdateRatioLow < o.UpdateRatioHigh) || math.IsInf(o.UpdateRatioHigh, 0):
		return o, fmt.Errorf("%w: UpdateRatioLow = %v, UpdateRatioHigh = %v, want 0 < low < high < ∞ (0 = 1e-5 and 1e-1)", ErrConfig, o.UpdateRatioLow, o.UpdateRatioHigh)
	}
	d, err := o.Divergence.resolved()
	if err != nil {
		return o, err
	}
	o.Divergence = d
	return o, nil
}

// Validate returns an error wrapping ErrConfig naming the first invalid
// field, its value and the allowed range; nil if Analyze can use o.
func (o Options) Validate() error {
	_, err := o.resolved()
	return err
}
