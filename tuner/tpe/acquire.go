package tpe

import (
	"fmt"
	"math"
)

// Acquisition is what Acquire computes: Candidates[p][i] is parameter p of
// candidate i (internal values), LogL[i] and LogG[i] its log-densities under
// l and g, and Best the candidate chosen.
type Acquisition struct {
	Candidates [][]float64
	LogL, LogG []float64
	Best       int
}

// Chosen returns the chosen candidate, one internal value per parameter:
// Candidates[p][Best], or NaN where Best is no index of Candidates[p] (an
// Acquisition Acquire did not make).
func (a Acquisition) Chosen() []float64 {
	out := make([]float64, len(a.Candidates))
	for p, c := range a.Candidates {
		out[p] = math.NaN()
		if a.Best >= 0 && a.Best < len(c) {
			out[p] = c[a.Best]
		}
	}
	return out
}

// Acquire fits a Parzen estimator l to obs.Below and g to obs.Above (step 2
// of TPE; see the package documentation), draws o.EICandidates candidates
// from l with the uniforms u (values in [0, 1), consumed in numpy's order,
// as Optuna's _ParzenEstimator.sample of o.Version), and chooses the one
// with the largest log l(x) − log g(x) (the first of equals, or the first
// NaN, as numpy's argmax). space gives each parameter's range; obs's
// groups hold one row per parameter of space. With o.Version Optuna5,
// obs.BelowWeights (when not nil) weigh the Below observations.
//
// Errors: bad options or a Weights result that is not usable
// (ErrOptions); an empty or invalid space, groups of another shape, an
// observation no kernel can be centred on: a categorical index out of
// range, a value not finite, or not > 0 on a log scale, or BelowWeights
// that are not usable or given to Optuna31 (ErrInput).
func Acquire(space []Dist, obs Observations, o Options, u func() float64) (a Acquisition, err error) {
	defer recoverOptions(&err)
	if err := o.Validate(); err != nil {
		return a, err
	}
	if u == nil {
		return a, fmt.Errorf("%w: nil u, want a source of uniform numbers in [0, 1)", ErrInput)
	}
	if err := checkSpace(space, obs); err != nil {
		return a, err
	}
	if o.Version == Optuna5 {
		return acquire5(space, obs, o.withDefaults(), u)
	}
	if obs.BelowWeights != nil {
		return a, fmt.Errorf("%w: Observations.BelowWeights with Version %v, want Optuna5 (Optuna 3.1 weighs both groups by Weights)", ErrInput, o.Version)
	}
	return acquire(space, obs, o.withDefaults(), u)
}

// acquire5 is Acquire on valid input as Optuna 5 computes it.
func acquire5(space []Dist, obs Observations, o Options, u func() float64) (Acquisition, error) {
	l, err := newParzen5(space, obs.Below, obs.BelowWeights, o)
	if err != nil {
		return Acquisition{}, err
	}
	g, err := newParzen5(space, obs.Above, nil, o)
	if err != nil {
		return Acquisition{}, err
	}
	cand := l.sample5(u, o.EICandidates)
	ll, lg := l.logPDF5(cand), g.logPDF5(cand)
	return Acquisition{Candidates: cand, LogL: ll, LogG: lg, Best: argmax(ll, lg)}, nil
}

// acquire is Acquire on valid input, with o's defaults filled in.
func acquire(space []Dist, obs Observations, o Options, u func() float64) (Acquisition, error) {
	l, err := newParzen(space, obs.Below, o)
	if err != nil {
		return Acquisition{}, err
	}
	g, err := newParzen(space, obs.Above, o)
	if err != nil {
		return Acquisition{}, err
	}
	cand := l.sample(u, o.EICandidates)
	ll, lg := l.logPDF(cand), g.logPDF(cand)
	return Acquisition{Candidates: cand, LogL: ll, LogG: lg, Best: argmax(ll, lg)}, nil
}

// checkSpace reports a space or groups that the estimator cannot take.
func checkSpace(space []Dist, obs Observations) error {
	if len(space) == 0 {
		return fmt.Errorf("%w: empty search space", ErrInput)
	}
	for p, d := range space {
		if err := d.validate(); err != nil {
			return fmt.Errorf("parameter %d: %w", p, err)
		}
	}
	for _, g := range []struct {
		name string
		rows [][]float64
	}{{"Below", obs.Below}, {"Above", obs.Above}} {
		if len(g.rows) != len(space) {
			return fmt.Errorf("%w: Observations.%s has %d parameters, want %d", ErrInput, g.name, len(g.rows), len(space))
		}
		for p, d := range space {
			if len(g.rows[p]) != len(g.rows[0]) {
				return fmt.Errorf("%w: Observations.%s: parameter %d has %d values, parameter 0 %d", ErrInput, g.name, p, len(g.rows[p]), len(g.rows[0]))
			}
			for i, x := range g.rows[p] {
				bad := math.IsNaN(x) || math.IsInf(x, 0) || d.Log && !d.Categorical() && x <= 0 ||
					d.Categorical() && (x != math.Trunc(x) || x < 0 || x >= float64(d.Choices))
				if bad {
					return fmt.Errorf("%w: Observations.%s[%d][%d] = %v is no observation of parameter %d", ErrInput, g.name, p, i, x, p)
				}
			}
		}
	}
	return nil
}

// argmax returns the index of the largest ll[i] − lg[i] as numpy's
// argmax does: the first maximum, or the first NaN.
func argmax(ll, lg []float64) int {
	best := 0
	for i := range ll {
		r := ll[i] - lg[i]
		if math.IsNaN(r) {
			return i
		}
		if r > ll[best]-lg[best] {
			best = i
		}
	}
	return best
}
