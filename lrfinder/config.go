// Package lrfinder runs the learning-rate range test (Smith 2017, "Cyclical
// Learning Rates for Training Neural Networks", §3.3; PyTorch Lightning's
// Tuner.lr_find and fastai's Learner.lr_find): train for a few steps while the
// rate grows exponentially from tiny to huge, record the loss, and read a
// good rate off the curve.
package lrfinder

import (
	"errors"
	"fmt"
	"math"
)

// ErrConfig is wrapped by every error about an invalid Config.
var ErrConfig = errors.New("lrfinder: invalid configuration")

// Config configures Run. The zero value of every field means its default.
type Config struct {
	// MinLR and MaxLR bound the sweep: the first step uses MinLR, step
	// Steps−1 uses MaxLR. 0 → 1e-7 and 10 (fastai's range; Lightning's is
	// 1e-8 to 1). Want 0 < MinLR < MaxLR, finite.
	MinLR, MaxLR float64
	// Steps is the number of optimizer steps of the sweep; 0 → 100; want ≥ 5.
	Steps int
	// Smoothing is β of the smoothed loss (fastai's AvgSmoothLoss):
	// avg_t = β·avg_{t−1} + (1−β)·loss_t, smoothed_t = avg_t / (1 − β^(t+1)).
	// 0 → 0.98; want [0, 1) — 0 itself cannot be asked for, as it means the
	// default; use 1e-9 for (practically) no smoothing.
	Smoothing float64
	// DivergeFactor stops the sweep at the first step whose smoothed loss
	// exceeds DivergeFactor × the lowest smoothed loss so far (fastai: 4,
	// Lightning: early_stop_threshold = 4). 0 → 4; want > 1; +Inf never stops.
	DivergeFactor float64
	// Seed seeds the shuffling of the training set (trainer.Config.Seed).
	Seed uint64
}

// Defaults of Config's zero fields.
const (
	DefaultMinLR         = 1e-7
	DefaultMaxLR         = 10.0
	DefaultSteps         = 100
	DefaultSmoothing     = 0.98
	DefaultDivergeFactor = 4.0
)

// withDefaults fills the zero fields and checks every field. Errors wrap
// ErrConfig and name the field, its value and the allowed range.
func (c Config) withDefaults() (Config, error) {
	if c.MinLR == 0 {
		c.MinLR = DefaultMinLR
	}
	if c.MaxLR == 0 {
		c.MaxLR = DefaultMaxLR
	}
	if c.Steps == 0 {
		c.Steps = DefaultSteps
	}
	if c.Smoothing == 0 {
		c.Smoothing = DefaultSmoothing
	}
	if c.DivergeFactor == 0 {
		c.DivergeFactor = DefaultDivergeFactor
	}
	finitePos := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) } // false for NaN
	switch {
	case !finitePos(c.MinLR):
		return c, fmt.Errorf("%w: MinLR = %v, want a finite value > 0", ErrConfig, c.MinLR)
	case !finitePos(c.MaxLR):
		return c, fmt.Errorf("%w: MaxLR = %v, want a finite value > 0", ErrConfig, c.MaxLR)
	case c.MinLR >= c.MaxLR:
		return c, fmt.Errorf("%w: MinLR = %v, MaxLR = %v, want MinLR < MaxLR", ErrConfig, c.MinLR, c.MaxLR)
	case c.Steps < 5:
		return c, fmt.Errorf("%w: Steps = %d, want ≥ 5", ErrConfig, c.Steps)
	case !(c.Smoothing >= 0 && c.Smoothing < 1):
		return c, fmt.Errorf("%w: Smoothing = %v, want a value in [0, 1)", ErrConfig, c.Smoothing)
	case !(c.DivergeFactor > 1):
		return c, fmt.Errorf("%w: DivergeFactor = %v, want > 1 (+Inf: never stop)", ErrConfig, c.DivergeFactor)
	}
	return c, nil
}
