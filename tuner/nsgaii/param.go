package nsgaii

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/internal/crmath"
)

// Kind is a parameter's kind.
type Kind int

const (
	Float       Kind = iota // a float64 in [Low, High]
	Int                     // an integer in [Low, High]
	Categorical             // one of Choices, by index
)

// Param is one parameter of the search space: its name and range, as a
// tuner.Distribution holds them. Values travel in their internal form (a
// categorical's index).
type Param struct {
	Name string
	Kind Kind
	// Low, High are a numerical parameter's range; Log samples on a log
	// scale; Step > 0 restricts a Float to Low + k·Step, and is an Int's
	// step (0 means 1).
	Low, High float64
	Log       bool
	Step      float64
	// Choices is a categorical's number of choices.
	Choices int
}

// Validate reports a range that NSGA-II cannot sample (ErrInput): Low > High
// or not finite, Log with Low ≤ 0 (an Int's Low < 1), a negative Step, no
// choices.
func (p Param) Validate() error {
	switch p.Kind {
	case Float, Int:
		switch {
		case !(p.Low <= p.High) || math.IsInf(p.Low, 0) || math.IsInf(p.High, 0):
			return fmt.Errorf("%w: parameter %q: range [%v, %v], want finite Low ≤ High", ErrInput, p.Name, p.Low, p.High)
		case p.Log && !(p.Low > 0):
			return fmt.Errorf("%w: parameter %q: log range [%v, %v], want Low > 0", ErrInput, p.Name, p.Low, p.High)
		case !(p.Step >= 0) || math.IsInf(p.Step, 0):
			return fmt.Errorf("%w: parameter %q: Step %v, want finite ≥ 0", ErrInput, p.Name, p.Step)
		}
	case Categorical:
		if p.Choices < 1 {
			return fmt.Errorf("%w: parameter %q: %d choices, want at least 1", ErrInput, p.Name, p.Choices)
		}
	default:
		return fmt.Errorf("%w: parameter %q: kind %d", ErrInput, p.Name, p.Kind)
	}
	return nil
}

// step is the grid's step: an Int's (≥ 1), a Float's (0: continuous).
func (p Param) step() float64 {
	if p.Kind == Int {
		return max(p.Step, 1)
	}
	return p.Step
}

// Bounds returns the parameter's range in the transformed space where
// crossovers work (Optuna's _SearchSpaceTransform, transform_log and
// transform_step): the logarithms of the ends for Log, half a step beyond
// each end for stepped parameters and Ints, so that the ends' grid points
// get as much room as the others. A categorical's is [0, 1], the bounds of
// each choice's column of Optuna's one-hot encoding.
func (p Param) Bounds() (low, high float64) {
	half := 0.5 * p.step()
	switch {
	case p.Kind == Categorical:
		return 0, 1
	case p.Kind == Int && p.Log:
		return crmath.Log(p.Low - half), crmath.Log(p.High + half)
	case p.Log:
		return crmath.Log(p.Low), crmath.Log(p.High)
	}
	return p.Low - half, p.High + half
}

// Transform maps a numerical parameter's internal value into the
// transformed space: its logarithm (correctly rounded, as glibc's almost
// always is) with Log, itself otherwise.
func (p Param) Transform(x float64) float64 {
	if p.Log {
		return crmath.Log(x)
	}
	return x
}

// Untransform maps y from the transformed space back to a numerical
// parameter's internal value, as Optuna's _untransform_numerical_param: exp
// for Log (correctly rounded; glibc's, which Optuna calls, differs by an
// ulp about once in 750), rounding half to even onto the grid of a Step or
// an Int, then clipping into [Low, High]; a continuous Float is kept below
// High, not above Low (a crossover's child may leave the range: Contains
// then refuses it).
func (p Param) Untransform(y float64) float64 {
	if p.Kind == Int {
		if p.Log {
			return clip(math.RoundToEven(crmath.Exp(y)), p.Low, p.High)
		}
		s := p.step()
		return clip(float64(math.RoundToEven((y-p.Low)/s)*s)+p.Low, p.Low, p.High)
	}
	switch {
	case p.Log:
		y = crmath.Exp(y)
	case p.Step > 0:
		return clip(float64(math.RoundToEven((y-p.Low)/p.Step)*p.Step)+p.Low, p.Low, p.High)
	}
	if p.Low == p.High {
		return y
	}
	return min(y, math.Nextafter(p.High, p.High-1)) // numpy.nextafter(high, high - 1)
}

// Contains reports whether the internal value x lies in the parameter's
// range, as Optuna's distributions' _contains: within [Low, High], on the
// grid of a Step (to 1e-8 of a step) or an Int's step, a categorical's
// index in range.
func (p Param) Contains(x float64) bool {
	switch p.Kind {
	case Categorical:
		return x == math.Trunc(x) && x >= 0 && x < float64(p.Choices)
	case Int:
		return p.Low <= x && x <= p.High && math.Mod(x-p.Low, p.step()) == 0
	}
	if !(p.Low <= x && x <= p.High) {
		return false
	}
	if p.Step > 0 {
		k := (x - p.Low) / p.Step
		return math.Abs(k-math.RoundToEven(k)) < 1e-8
	}
	return true
}

// Draw samples the parameter uniformly in the transformed space, as Optuna
// 3.1's RandomSampler does (so NSGAIISampler's first generation and its
// mutations): one uniform on Bounds, then Untransform; a categorical draws
// one uniform per choice and takes the largest (the one-hot encoding's
// argmax, the first of equals). It returns the internal value. Errors wrap
// ErrInput: no Rand, an invalid Param.
func Draw(r Rand, p Param) (float64, error) {
	if r == nil {
		return 0, fmt.Errorf("%w: Draw of parameter %q: no Rand", ErrInput, p.Name)
	}
	if err := p.Validate(); err != nil {
		return 0, err
	}
	if p.Kind == Categorical {
		best, top := 0, math.Inf(-1)
		for i := range p.Choices {
			if u := r.Float64(); u > top {
				best, top = i, u
			}
		}
		return float64(best), nil
	}
	low, high := p.Bounds()
	return p.Untransform(low + float64((high-low)*r.Float64())), nil
}

func clip(x, lo, hi float64) float64 { return min(max(x, lo), hi) }
