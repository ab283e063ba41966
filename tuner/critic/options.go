package critic

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/tuner"
)

// Options tunes Review. The zero value of every field means its default.
type Options struct {
	// TopFraction: the best trials of a parameter are the top TopFraction
	// (at least 3) of the Complete trials that suggested it, by rank (see
	// Review). In (0, 1); 0 → 0.2.
	TopFraction float64
	// MinTrials: a parameter is judged once at least MinTrials Complete
	// trials suggested it (BadRegion: finished trials with an outcome).
	// ≥ 5; 0 → 20.
	MinTrials int
	// MinTries: a choice is judged (NeverWins) once at least MinTries
	// Complete trials chose it. ≥ 2; 0 → 5.
	MinTries int
	// MinRegion and BadShare: each part of a bad region (a choice, or a
	// tail of a range) holds at least MinRegion trials, more than
	// BadShare of them bad, and at least MinRegion trials are left
	// outside. MinRegion ≥ 2, 0 → 3; BadShare in (0, 1), 0 → 0.5 (most).
	MinRegion int
	BadShare  float64
	// Alpha bounds the chance of a false alarm: on a study whose objective
	// does not depend on its parameters (pure noise), Review reports a
	// BadRegion, AtBound, UseLog or NeverWins finding with probability at
	// most about Alpha, whatever the sampler (Alpha/4 per kind,
	// Bonferroni over the tests of a kind). In (0, 1); 0 → 0.05.
	Alpha float64
	// Repeats and Trees set the importance check (Unimportant): Repeats
	// forests of Trees trees each (importance.Options.Trees), each with a
	// fresh dummy parameter. Repeats ≥ 2, 0 → 8; Trees ≥ 1, 0 → 32.
	// Seed seeds the dummies, the forests and BadRegion's permutations:
	// the same trials and Seed give the same findings.
	Repeats, Trees int
	Seed           uint64
}

// resolved returns o with its defaults, or an error wrapping
// tuner.ErrConfig naming the first bad field, its value and the allowed
// range.
func (o Options) resolved() (Options, error) {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.TopFraction, 0.2)
	def(&o.BadShare, 0.5)
	def(&o.Alpha, 0.05)
	defInt(&o.MinTrials, 20)
	defInt(&o.MinTries, 5)
	defInt(&o.MinRegion, 3)
	defInt(&o.Repeats, 8)
	defInt(&o.Trees, 32)
	in := func(v, lo, hi float64) bool { return v > lo && v < hi && !math.IsNaN(v) }
	switch {
	case !in(o.TopFraction, 0, 1):
		return o, fmt.Errorf("%w: critic.Options.TopFraction = %v, want 0 < fraction < 1 (0 = 0.2)", tuner.ErrConfig, o.TopFraction)
	case o.MinTrials < 5:
		return o, fmt.Errorf("%w: critic.Options.MinTrials = %d, want ≥ 5 (0 = 20)", tuner.ErrConfig, o.MinTrials)
	case o.MinTries < 2:
		return o, fmt.Errorf("%w: critic.Options.MinTries = %d, want ≥ 2 (0 = 5)", tuner.ErrConfig, o.MinTries)
	case o.MinRegion < 2:
		return o, fmt.Errorf("%w: critic.Options.MinRegion = %d, want ≥ 2 (0 = 3)", tuner.ErrConfig, o.MinRegion)
	case !in(o.BadShare, 0, 1):
		return o, fmt.Errorf("%w: critic.Options.BadShare = %v, want 0 < share < 1 (0 = 0.5)", tuner.ErrConfig, o.BadShare)
	case !in(o.Alpha, 0, 1):
		return o, fmt.Errorf("%w: critic.Options.Alpha = %v, want 0 < alpha < 1 (0 = 0.05)", tuner.ErrConfig, o.Alpha)
	case o.Repeats < 2:
		return o, fmt.Errorf("%w: critic.Options.Repeats = %d, want ≥ 2 (0 = 8)", tuner.ErrConfig, o.Repeats)
	case o.Trees < 1:
		return o, fmt.Errorf("%w: critic.Options.Trees = %d, want ≥ 1 (0 = 32)", tuner.ErrConfig, o.Trees)
	}
	return o, nil
}

// Validate returns an error wrapping tuner.ErrConfig naming the first
// invalid field, its value and the allowed range; nil if Review can use o.
func (o Options) Validate() error {
	_, err := o.resolved()
	return err
}
