// Package schedulers gives the learning rate for each epoch or step and
// applies it to a Gorgonia solver in place.
package schedulers

import (
	"errors"
	"fmt"
	"math"
)

// ErrConfig is wrapped by every error about an invalid schedule.
var ErrConfig = errors.New("schedulers: invalid configuration")

// Schedule gives the learning rate at t, the number of completed epochs (or
// steps, see Interval) counted from 0: At(0) is the initial rate.
//
// At never panics; t < 0 is treated as 0, and on a schedule that fails
// Validate its value is meaningless (often NaN). Solver only uses validated
// schedules.
type Schedule interface {
	At(t int) float64
	// Validate returns an error wrapping ErrConfig naming a bad field.
	Validate() error
	String() string
}

// Constant keeps lr fixed.
type Constant struct{ LR float64 }

// Exponential decays lr_t = LR·Gamma^t (torch.optim.lr_scheduler.ExponentialLR).
type Exponential struct{ LR, Gamma float64 }

// StepDecay multiplies the rate by Gamma every StepSize epochs (or steps):
// lr_t = LR·Gamma^⌊t/StepSize⌋ (torch.optim.lr_scheduler.StepLR).
type StepDecay struct {
	LR       float64
	StepSize int
	Gamma    float64
}

func (c Constant) At(int) float64      { return c.LR }
func (c Constant) Validate() error     { return checkLR(c.LR) }
func (c Constant) String() string      { return fmt.Sprintf("constant(lr=%g)", c.LR) }
func (e Exponential) At(t int) float64 { return e.LR * math.Pow(e.Gamma, float64(max(t, 0))) }
func (e Exponential) String() string {
	return fmt.Sprintf("exponential(lr=%g, gamma=%g)", e.LR, e.Gamma)
}
func (s StepDecay) At(t int) float64 {
	if s.StepSize < 1 { // invalid: no division by zero
		return math.NaN()
	}
	return s.LR * math.Pow(s.Gamma, float64(max(t, 0)/s.StepSize))
}
func (s StepDecay) String() string {
	return fmt.Sprintf("step(lr=%g, step_size=%d, gamma=%g)", s.LR, s.StepSize, s.Gamma)
}

func (e Exponential) Validate() error {
	if err := checkLR(e.LR); err != nil {
		return err
	}
	return checkGamma(e.Gamma)
}

func (s StepDecay) Validate() error {
	if err := checkLR(s.LR); err != nil {
		return err
	}
	if s.StepSize < 1 {
		return fmt.Errorf("%w: StepSize = %d, want ≥ 1", ErrConfig, s.StepSize)
	}
	return checkGamma(s.Gamma)
}
