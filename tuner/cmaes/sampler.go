package cmaes

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/searchspace"
)

// MaxDim is the most numerical parameters Sampler models jointly: each
// generation decomposes an n×n matrix (O(n³)), and every trial start
// replays the study's generations.
const MaxDim = 1000

// sigmaFloor keeps the initial step size positive (Optuna's _EPS).
const sigmaFloor = 1e-10

// Sampler draws each trial's numerical parameters jointly with CMA-ES
// (tuner.RelativeSampler and tuner.TrialStarter), as Optuna 3.1's
// CmaEsSampler does with the cmaes library 0.9.1; the zero value has
// Optuna's defaults. See the package documentation for the algorithm, the
// trial attributes it keeps and where it differs from Optuna.
//
// Every worker of a study must use the same settings: the optimizer's
// state is rebuilt from the study's trials with them.
type Sampler struct {
	// X0 is the initial mean, by parameter name, in external values
	// (float64 for a float, int for an int; an int is accepted for a
	// float); a parameter it lacks starts at the centre of its range, and
	// names outside the search space are ignored (x0).
	X0 map[string]any
	// Sigma0 is the initial step size, in the transformed space (the log
	// of a Log parameter's value); 0 → the narrowest parameter's range
	// there divided by 6 (sigma0).
	Sigma0 float64
	// StartupTrials is the number of complete trials (and pruned ones,
	// with ConsiderPrunedTrials) drawn by Independent before CMA-ES
	// starts; 0 → 1 (n_startup_trials).
	StartupTrials int
	// Popsize is the number of trials per generation; 0 → 4 + ⌊3 ln n⌋ for
	// n parameters (popsize). It must be 0 or at least 4.
	Popsize int
	// ConsiderPrunedTrials counts a pruned trial, with its last reported
	// value, as a complete one (consider_pruned_trials).
	ConsiderPrunedTrials bool
	// IPOP restarts CMA-ES with IncPopsize times the population, from a
	// random mean, when it has converged or stalled (restart_strategy=
	// "ipop": A. Auger and N. Hansen, "A Restart CMA Evolution Strategy
	// With Increasing Population Size", CEC 2005).
	IPOP bool
	// IncPopsize multiplies the population at each IPOP restart; 0 → 2
	// (inc_popsize).
	IncPopsize int
	// Seed seeds the means IPOP restarts from (with the restart's number).
	// The trials' own draws depend on the study's Seed and their number.
	Seed uint64
	// Independent draws the parameters CMA-ES does not (categorical ones,
	// those outside the search space, all of them while the space has
	// fewer than two dimensions or changed); nil → tuner.RandomSampler.
	Independent tuner.Sampler
}

// Validate reports a setting out of range (an error wrapping
// tuner.ErrConfig); tuner.Open calls it.
func (s Sampler) Validate() error {
	switch {
	case s.StartupTrials < 0:
		return fmt.Errorf("%w: cmaes.Sampler StartupTrials = %d, want ≥ 0", tuner.ErrConfig, s.StartupTrials)
	case s.Popsize != 0 && s.Popsize < 4:
		return fmt.Errorf("%w: cmaes.Sampler Popsize = %d, want 0 (the default) or ≥ 4", tuner.ErrConfig, s.Popsize)
	case s.IncPopsize < 0:
		return fmt.Errorf("%w: cmaes.Sampler IncPopsize = %d, want ≥ 0 (0 → 2)", tuner.ErrConfig, s.IncPopsize)
	case s.Sigma0 < 0 || math.IsNaN(s.Sigma0) || math.IsInf(s.Sigma0, 0):
		return fmt.Errorf("%w: cmaes.Sampler Sigma0 = %v, want finite and ≥ 0 (0 → the default)", tuner.ErrConfig, s.Sigma0)
	}
	for name, v := range s.X0 {
		switch v.(type) {
		case float64, int:
		default:
			return fmt.Errorf("%w: cmaes.Sampler X0[%q] = %v (%T), want a float64 or an int", tuner.ErrConfig, name, v, v)
		}
	}
	return nil
}

// Sample implements tuner.Sampler with the Independent sampler.
func (s Sampler) Sample(c *tuner.SampleContext, name string, d tuner.Distribution) (float64, error) {
	if s.Independent == nil {
		return tuner.RandomSampler{}.Sample(c, name, d)
	}
	return s.Independent.Sample(c, name, d)
}

// StartTrial implements tuner.TrialStarter: it notes in the trial's
// attributes the generation it belongs to (and, when its start completes
// a generation, the trials that generation was made of), so that later
// trials rebuild the same optimizer. It notes nothing for a trial drawn by
// the Independent sampler. Errors as SampleRelative.
func (s Sampler) StartTrial(c *tuner.SampleContext) (err error) {
	defer recoverTo(&err)
	p, err := s.plan(c, false)
	if err != nil || p == nil {
		return err
	}
	if c.Trial.Attrs == nil {
		c.Trial.Attrs = map[string]string{}
	}
	p.note(c.Trial.Attrs, s.IPOP)
	return nil
}

// SampleRelative implements tuner.RelativeSampler: the internal values of
// the search space's parameters, drawn from the current generation's
// distribution with c.Rand; nil while the Independent sampler draws.
// Errors: a search space of more than MaxDim parameters, an X0 outside its
// parameter's range or a setting Validate refuses (all wrap
// tuner.ErrConfig), or an optimizer state that is no longer finite (wraps
// ErrCMA).
func (s Sampler) SampleRelative(c *tuner.SampleContext) (_ map[string]float64, err error) {
	defer recoverTo(&err)
	p, err := s.plan(c, true)
	if err != nil || p == nil {
		return nil, err
	}
	if c.Rand == nil {
		return nil, fmt.Errorf("%w: cmaes.Sampler needs a sample context with its Rand", tuner.ErrConfig)
	}
	x, err := p.opt.ask(c.Rand)
	if err != nil {
		return nil, err
	}
	return p.space.FromSpace(x), nil
}

// initial returns the optimizer a restart starts with: at X0 (restart 0)
// or a mean drawn uniformly from Seed and the restart's number, with
// Sigma0 and popsize.
func (s Sampler) initial(space searchspace.Transform, restart, popsize int) (*cma, error) {
	n := len(space.Names)
	mean := make([]float64, n)
	var r *rand.Rand
	if restart > 0 {
		r = rand.New(rand.NewPCG(s.Seed, uint64(restart)))
	}
	sigma0 := math.Inf(1)
	for i, name := range space.Names {
		lo, hi := space.Low[i], space.High[i]
		sigma0 = min(sigma0, (hi-lo)/6)
		switch v, ok := s.X0[name]; {
		case r != nil:
			mean[i] = lo + (hi-lo)*r.Float64()
		case ok:
			x, err := s.x0(name, v, space.Dists[i])
			if err != nil {
				return nil, err
			}
			mean[i] = x
		default:
			mean[i] = lo + (hi-lo)/2
		}
	}
	if s.Sigma0 != 0 {
		sigma0 = s.Sigma0
	}
	return newCMA(mean, max(sigma0, sigmaFloor), space.Low, space.High, popsize, 10*n)
}

// x0 transforms X0's value v of parameter name, drawn from d.
func (s Sampler) x0(name string, v any, d tuner.Distribution) (float64, error) {
	if i, ok := v.(int); ok {
		if _, isFloat := d.(tuner.FloatDist); isFloat {
			v = float64(i)
		}
	}
	internal, err := d.ToInternal(v)
	if err == nil && !d.Contains(internal) {
		err = fmt.Errorf("%w: %v is outside %v", tuner.ErrConfig, v, d)
	}
	if err != nil {
		return 0, fmt.Errorf("cmaes.Sampler X0[%q]: %w", name, err)
	}
	return searchspace.TransformValue(internal, d), nil
}

func (s Sampler) startupTrials() int {
	if s.StartupTrials == 0 {
		return 1
	}
	return s.StartupTrials
}

func (s Sampler) incPopsize() int {
	if s.IncPopsize == 0 {
		return 2
	}
	return s.IncPopsize
}

// recoverTo turns a panic into an error, so that none escapes into the
// study (none is expected: this is a last guard).
func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %w", ErrCMA, gerr.Recovered("cmaes.Sampler", r))
	}
}
