package tpe

import (
	"fmt"
	"math"
)

// Dist is the range of one parameter, in internal values: a number in
// [Low, High] (on the grid Low + k·Step when Step > 0; integers with Int,
// where Step 0 means 1; on a log scale with Log, then Low > 0), or, with
// Choices > 0, a categorical parameter whose internal values are the choice
// indices 0, …, Choices−1 (the other fields are ignored).
type Dist struct {
	Low, High float64
	Step      float64
	Log       bool
	Int       bool
	Choices   int
}

// Categorical reports whether d is a categorical parameter.
func (d Dist) Categorical() bool { return d.Choices > 0 }

// validate reports a range the estimator cannot model.
func (d Dist) validate() error {
	switch {
	case d.Choices < 0:
		return fmt.Errorf("%w: Dist.Choices = %d, want ≥ 0", ErrInput, d.Choices)
	case d.Categorical():
		return nil
	case math.IsNaN(d.Low) || math.IsNaN(d.High) || math.IsInf(d.Low, 0) || math.IsInf(d.High, 0) || d.Low > d.High:
		return fmt.Errorf("%w: Dist [%v, %v], want finite Low ≤ High", ErrInput, d.Low, d.High)
	case d.Log && d.Low <= 0:
		return fmt.Errorf("%w: Dist [%v, %v] on a log scale, want Low > 0", ErrInput, d.Low, d.High)
	case !(d.Step >= 0) || math.IsInf(d.Step, 0) || d.Int && d.Step != math.Trunc(d.Step):
		return fmt.Errorf("%w: Dist.Step = %v, want finite ≥ 0 (whole with Int)", ErrInput, d.Step)
	case d.Int && (d.Low != math.Trunc(d.Low) || d.High != math.Trunc(d.High)):
		return fmt.Errorf("%w: Int Dist [%v, %v], want whole bounds", ErrInput, d.Low, d.High)
	}
	return nil
}
