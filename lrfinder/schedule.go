package lrfinder

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/schedulers"
)

// sweep is the range test's rate: lr_t = min·(max/min)^(t/(steps−1)), per
// optimizer step (Lightning's _ExponentialLR). It is schedulers.Exponential
// with LR = min and Gamma = (max/min)^(1/(steps−1)), but Exponential only
// accepts Gamma ≤ 1 (a decay), and this form is Lightning's to the last bit.
type sweep struct {
	min, max float64
	steps    int
}

var _ schedulers.Schedule = sweep{}

func (s sweep) At(t int) float64 {
	return s.min * math.Pow(s.max/s.min, float64(max(t, 0))/float64(s.steps-1))
}

// Validate accepts what Config.withDefaults lets through.
func (s sweep) Validate() error {
	if !(s.min > 0 && s.min < s.max) || math.IsInf(s.max, 0) || s.steps < 2 {
		return fmt.Errorf("%w: sweep from %v to %v in %d steps, want 0 < min < max and ≥ 2 steps", schedulers.ErrConfig, s.min, s.max, s.steps)
	}
	return nil
}

func (s sweep) String() string {
	return fmt.Sprintf("lr_range(min=%g, max=%g, steps=%d)", s.min, s.max, s.steps)
}
