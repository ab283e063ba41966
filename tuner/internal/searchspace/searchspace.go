// Package searchspace maps a trial's numerical parameters to a box of reals
// and back, for the samplers that work in a continuous space (QMC, CMA-ES):
// Optuna's _SearchSpaceTransform with transform_log and transform_step
// (optuna/_transform.py).
package searchspace

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/gradtune/gradtune/internal/crmath"
	"github.com/gradtune/gradtune/tuner"
)

// Transform is one search space: Names (sorted) and their distributions,
// and each one's bounds in the transformed space, where a Log parameter is
// its (correctly rounded, as Python's) logarithm and a stepped one (an int, or a float with Step) reaches
// half a step beyond each end so that the ends' grid points get as much room
// as the others.
type Transform struct {
	Names     []string
	Dists     []tuner.Distribution
	Low, High []float64
}

// New builds the transform of the numerical distributions in dists, by name;
// categorical ones are left out (the caller samples them another way). The
// error wraps tuner.ErrConfig when a distribution is invalid.
func New(dists map[string]tuner.Distribution) (Transform, error) {
	var t Transform
	names := make([]string, 0, len(dists))
	for name := range dists {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d := dists[name]
		if v, ok := d.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return Transform{}, fmt.Errorf("parameter %q: %w", name, err)
			}
		}
		var lo, hi float64
		switch d := d.(type) {
		case tuner.FloatDist:
			switch {
			case d.Log:
				lo, hi = crmath.Log(d.Low), crmath.Log(d.High)
			case d.Step > 0:
				lo, hi = d.Low-d.Step/2, d.High+d.Step/2
			default:
				lo, hi = d.Low, d.High
			}
		case tuner.IntDist:
			half := float64(d.IntStep()) / 2
			if d.Log {
				lo, hi = crmath.Log(float64(d.Low)-half), crmath.Log(float64(d.High)+half)
			} else {
				lo, hi = float64(d.Low)-half, float64(d.High)+half
			}
		default:
			continue
		}
		t.Names = append(t.Names, name)
		t.Dists = append(t.Dists, d)
		t.Low, t.High = append(t.Low, lo), append(t.High, hi)
	}
	return t, nil
}

// Equal reports whether t and u are the same search space.
func (t Transform) Equal(u Transform) bool {
	return slices.Equal(t.Names, u.Names) && slices.EqualFunc(t.Dists, u.Dists, func(a, b tuner.Distribution) bool {
		return fmt.Sprint(a) == fmt.Sprint(b)
	})
}

// FromUnit maps u, a point of the unit cube (one coordinate per name), into
// the transformed box and untransforms it: the parameters' internal values.
func (t Transform) FromUnit(u []float64) map[string]float64 {
	x := make([]float64, len(t.Names))
	for i := range t.Names {
		x[i] = t.Low[i] + u[i]*(t.High[i]-t.Low[i])
	}
	return t.FromSpace(x)
}

// FromSpace untransforms x, a point of the transformed space (one
// coordinate per name): the parameters' internal values.
func (t Transform) FromSpace(x []float64) map[string]float64 {
	out := make(map[string]float64, len(t.Names))
	for i, name := range t.Names {
		out[name] = Untransform(x[i], t.Dists[i])
	}
	return out
}

// ToSpace transforms a trial's internal values into the transformed space
// (Optuna's _SearchSpaceTransform.transform); ok is false if internal lacks
// one of Names.
func (t Transform) ToSpace(internal map[string]float64) (x []float64, ok bool) {
	x = make([]float64, len(t.Names))
	for i, name := range t.Names {
		v, has := internal[name]
		if !has {
			return nil, false
		}
		x[i] = TransformValue(v, t.Dists[i])
	}
	return x, true
}

// TransformValue maps the internal value v of d into the transformed space:
// its correctly rounded logarithm (as Python's math.log) for Log, v itself
// otherwise. Untransform is its inverse.
func TransformValue(v float64, d tuner.Distribution) float64 {
	switch d := d.(type) {
	case tuner.FloatDist:
		if d.Log {
			return crmath.Log(v)
		}
	case tuner.IntDist:
		if d.Log {
			return crmath.Log(v)
		}
	}
	return v
}

// Intersection is the search space that every complete trial (and pruned
// one, with includePruned) holds with the same distribution, by name:
// Optuna's IntersectionSearchSpace. Trials of other states are left out;
// with no such trial it is empty.
func Intersection(trials []tuner.FrozenTrial, includePruned bool) map[string]tuner.Distribution {
	var common map[string]tuner.Distribution
	for i := range trials {
		t := &trials[i]
		if t.State != tuner.Complete && !(includePruned && t.State == tuner.Pruned) {
			continue
		}
		if common == nil {
			common = make(map[string]tuner.Distribution, len(t.Distributions))
			for k, d := range t.Distributions {
				common[k] = d
			}
			continue
		}
		for k, d := range common {
			if td, ok := t.Distributions[k]; !ok || !tuner.Equal(td, d) {
				delete(common, k)
			}
		}
	}
	return common
}

// Untransform maps x from the transformed space to the internal value of d,
// as Optuna's _untransform_numerical_param: exp for Log (correctly rounded,
// as glibc's, which Optuna's math.exp calls, is but for 1 result in ~750,
// where the two are one ulp apart), rounding half to
// even onto the grid for steps, clipping into [Low, High]; a continuous
// float never reaches High (Optuna samples [Low, High)).
func Untransform(x float64, d tuner.Distribution) float64 {
	switch d := d.(type) {
	case tuner.FloatDist:
		switch {
		case d.Log:
			x = crmath.Exp(x)
		case d.Step > 0:
			return clip(math.RoundToEven((x-d.Low)/d.Step)*d.Step+d.Low, d.Low, d.High)
		}
		if d.Low == d.High {
			return x
		}
		return min(x, math.Nextafter(d.High, math.Inf(-1)))
	case tuner.IntDist:
		if d.Log {
			return clip(math.RoundToEven(crmath.Exp(x)), float64(d.Low), float64(d.High))
		}
		step := float64(d.IntStep())
		return clip(math.RoundToEven((x-float64(d.Low))/step)*step+float64(d.Low), float64(d.Low), float64(d.High))
	}
	return math.NaN()
}

func clip(x, lo, hi float64) float64 { return min(max(x, lo), hi) }
