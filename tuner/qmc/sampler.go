package qmc

import (
	"fmt"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/searchspace"
)

// Sampler draws each trial's numerical parameters jointly from a Sobol
// sequence (tuner.RelativeSampler). The search space is the numerical
// parameters of the study's first complete or pruned trial, in the order of
// their names; until that trial exists, and for categorical parameters or
// ones the first trial did not have, the Independent sampler draws. Trial n
// takes point n − f − 1 of the sequence, f being that first trial's number.
// Each coordinate in [0, 1) is mapped onto its parameter's range as Optuna's
// search-space transform does: log scale for Log, half a step beyond each
// end for stepped parameters, then rounding to the grid.
//
// The zero value scrambles the sequence with seed 0. Every worker of a study
// must use the same Seed and Unscrambled, or they sample different
// sequences.
type Sampler struct {
	// Unscrambled uses the plain Sobol sequence, whose first point is the
	// lower corner of the space (Optuna's default, scramble=False); the
	// parameters then equal Optuna's for the same trials.
	Unscrambled bool
	// Seed seeds the scrambling.
	Seed uint64
	// Independent draws what the sequence does not; nil → tuner.RandomSampler.
	Independent tuner.Sampler
}

// Sample implements tuner.Sampler with the Independent sampler.
func (s Sampler) Sample(c *tuner.SampleContext, name string, d tuner.Distribution) (float64, error) {
	if s.Independent == nil {
		return tuner.RandomSampler{}.Sample(c, name, d)
	}
	return s.Independent.Sample(c, name, d)
}

// SampleRelative implements tuner.RelativeSampler: the internal values of
// the search space's parameters at this trial's point, or nil before the
// search space is known. Errors: a search space of more than MaxDim
// parameters, or past 2³⁰ trials (both wrap ErrSobol), or an invalid
// distribution in the first trial (wraps tuner.ErrConfig).
func (s Sampler) SampleRelative(c *tuner.SampleContext) (map[string]float64, error) {
	if c == nil || c.Trial == nil {
		return nil, fmt.Errorf("%w: qmc.Sampler needs a sample context with its trial", tuner.ErrConfig)
	}
	first, ok := firstFinished(c.Trials)
	if !ok || c.Trial.Number <= first.Number {
		return nil, nil
	}
	space, err := searchspace.New(first.Distributions)
	if err != nil || len(space.Names) == 0 {
		return nil, err
	}
	seq, err := NewSobol(len(space.Names), !s.Unscrambled, s.Seed)
	if err != nil {
		return nil, fmt.Errorf("qmc: search space of trial %d: %w", first.Number, err)
	}
	u := make([]float64, len(space.Names))
	if err := seq.Point(uint64(c.Trial.Number-first.Number-1), u); err != nil {
		return nil, fmt.Errorf("qmc: trial %d: %w", c.Trial.Number, err)
	}
	return space.FromUnit(u), nil
}

// firstFinished is the complete or pruned trial with the smallest number.
func firstFinished(trials []tuner.FrozenTrial) (tuner.FrozenTrial, bool) {
	var first tuner.FrozenTrial
	found := false
	for _, t := range trials {
		if (t.State == tuner.Complete || t.State == tuner.Pruned) && (!found || t.Number < first.Number) {
			first, found = t, true
		}
	}
	return first, found
}
