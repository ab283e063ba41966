package critic

import (
	"math"

	"github.com/gradtune/gradtune/tuner"
)

// numeric is a numeric range as the critic sees it: its bounds, scale and
// grid, whatever its type.
type numeric struct {
	low, high float64
	log       bool
	step      float64 // 0: continuous
	isInt     bool
}

// numericOf returns d's range; ok is false for a categorical and for a
// range of one value.
func numericOf(d tuner.Distribution) (numeric, bool) {
	var n numeric
	switch d := d.(type) {
	case tuner.FloatDist:
		n = numeric{low: d.Low, high: d.High, log: d.Log, step: d.Step}
	case tuner.IntDist:
		n = numeric{low: float64(d.Low), high: float64(d.High), log: d.Log, step: float64(d.IntStep()), isInt: true}
	default:
		return n, false
	}
	return n, n.high > n.low
}

// pos maps x to [0, 1] in the search scale: 0 at low, 1 at high.
func (n numeric) pos(x float64) float64 {
	if n.log {
		return math.Log(x/n.low) / math.Log(n.high/n.low)
	}
	return (x - n.low) / (n.high - n.low)
}

// at maps a position of the search scale back to a value (not on the grid).
func (n numeric) at(u float64) float64 {
	if n.log {
		return n.low * math.Pow(n.high/n.low, u)
	}
	return n.low + u*(n.high-n.low)
}

// onGrid reports whether v is a value of the range's grid (any integer of
// an int range's steps, any multiple of a float's Step from low), ignoring
// the bounds.
func (n numeric) onGrid(v float64) bool {
	if n.step == 0 {
		return true
	}
	k := (v - n.low) / n.step
	return math.Abs(k-math.Round(k)) < 1e-8
}

// dist returns the distribution of the range [low, high] with n's type,
// scale and step.
func (n numeric) dist(low, high float64, log bool) tuner.Distribution {
	if n.isInt {
		step := int(n.step)
		if log {
			step = 0
		}
		return tuner.IntDist{Low: int(math.Round(low)), High: int(math.Round(high)), Log: log, Step: step}
	}
	step := n.step
	if log {
		step = 0
	}
	return tuner.FloatDist{Low: low, High: high, Log: log, Step: step}
}

// roundest returns the value with the fewest significant digits in the
// interval between lo and hi (lo < hi; the ends included as incLo and
// incHi say) that is on n's grid and positive where n is log, the one
// nearest aim among equals; ok is false if there is none, which only a
// grid can cause.
func (n numeric) roundest(lo, hi, aim float64, incLo, incHi bool) (float64, bool) {
	in := func(v float64) bool {
		return (v > lo || incLo && v == lo) && (v < hi || incHi && v == hi) && n.onGrid(v) && (!n.log || v > 0)
	}
	top := math.Ceil(math.Log10(max(math.Abs(lo), math.Abs(hi)))) + 1
	// A level of 10^e has about (hi-lo)/10^e candidates; a continuous
	// range always finds one before 10, a grid may find none.
	for e := top; (hi-lo)/math.Pow(10, e) <= 1000; e-- {
		unit := math.Pow(10, e)
		best, found := 0.0, false
		for k := math.Floor(lo / unit); k <= math.Ceil(hi/unit); k++ {
			v := clean(k * unit)
			if in(v) && (!found || math.Abs(v-aim) < math.Abs(best-aim)) {
				best, found = v, true
			}
		}
		if found {
			return best, true
		}
	}
	// The grid point nearest aim, or an included end.
	for _, v := range []float64{n.low + math.Round((aim-n.low)/max(n.step, 1e-300))*n.step, lo, hi} {
		if in(v) {
			return v, true
		}
	}
	return 0, false
}

// clean rounds v to 12 significant digits, so that k·10^e prints as the
// decimal it stands for (0.30000000000000004 as 0.3).
func clean(v float64) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	e := math.Pow(10, 11-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*e) / e
}
