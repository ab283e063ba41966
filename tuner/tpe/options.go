package tpe

import (
	"errors"
	"fmt"
	"math"

	"github.com/gradtune/gradtune/internal/gerr"
)

// Errors of the estimator; match them with errors.Is.
var (
	// ErrOptions: an Options field, or the result of its Gamma or Weights,
	// is out of range (or Gamma or Weights panicked).
	ErrOptions = errors.New("tpe: invalid options")
	// ErrInput: a Dist, an observation or a Trial that does not fit the
	// search space.
	ErrInput = errors.New("tpe: invalid input")
)

// Version is the Optuna release whose TPE the estimator follows.
type Version int

const (
	// Optuna31 is Optuna 3.1's TPE, the zero value.
	Optuna31 Version = iota
	// Optuna5 is Optuna 5.0's (see the package documentation for what
	// changed): the prior kernel always there and left out of the
	// bandwidths, the same bandwidth rule for Multivariate, normalized
	// kernels, a Log int's density as the mass of its interval, candidates
	// drawn in another order, and the constrained and multi-objective
	// splits (SplitMulti).
	Optuna5
)

// String returns "Optuna 3.1" or "Optuna 5".
func (v Version) String() string {
	switch v {
	case Optuna31:
		return "Optuna 3.1"
	case Optuna5:
		return "Optuna 5"
	}
	return fmt.Sprintf("Version(%d)", int(v))
}

// Options are TPE's settings, Optuna's TPESampler arguments; the zero
// value of each is Optuna's default.
type Options struct {
	// Version is the Optuna release to follow; the zero value is Optuna31.
	Version Version
	// EICandidates is the number of points drawn from l(x); 0 → 24
	// (n_ei_candidates).
	EICandidates int
	// Gamma(n) is the size of the "below" group among n finished trials;
	// nil → DefaultGamma. A result above n means n.
	Gamma func(n int) int
	// Weights(n) weighs n observations, oldest first; nil → DefaultWeights.
	Weights func(n int) []float64
	// PriorWeight is the prior kernel's weight; 0 → 1 (prior_weight).
	PriorWeight float64
	// NoPrior drops the prior kernel (consider_prior=False); an estimator
	// with no observation still uses it. Optuna 5 always has the prior
	// (it ignores consider_prior since 4.3): Optuna5 refuses NoPrior.
	NoPrior bool
	// ConsiderEndpoints lets the outermost kernels' bandwidths reach the
	// range's bounds (consider_endpoints).
	ConsiderEndpoints bool
	// NoMagicClip lowers the bandwidths' floor to 1e-12
	// (consider_magic_clip=False).
	NoMagicClip bool
	// Multivariate uses one bandwidth per parameter by Scott's rule, for
	// sampling several parameters jointly (multivariate). Optuna 5 uses the
	// same bandwidths for both, so Optuna5 ignores it.
	Multivariate bool
	// NormalizedDensity includes −log σ in the log-density of continuous
	// kernels, which Optuna 3.1 to 3.4 leave out (optuna#5109, fixed in
	// optuna#5110). Optuna5 always includes it.
	NormalizedDensity bool
}

// MaxEICandidates bounds Options.EICandidates: the candidates and their
// densities are held in memory (Optuna draws 24).
const MaxEICandidates = 1 << 20

// Validate returns an error wrapping ErrOptions naming the field out of
// range.
func (o Options) Validate() error {
	switch {
	case o.EICandidates < 0 || o.EICandidates > MaxEICandidates:
		return fmt.Errorf("%w: EICandidates = %d, want 0 to %d (0 → 24)", ErrOptions, o.EICandidates, MaxEICandidates)
	case !(o.PriorWeight >= 0) || math.IsInf(o.PriorWeight, 0):
		return fmt.Errorf("%w: PriorWeight = %v, want finite > 0 (0 → 1)", ErrOptions, o.PriorWeight)
	case o.Version != Optuna31 && o.Version != Optuna5:
		return fmt.Errorf("%w: Version = %d, want Optuna31 or Optuna5", ErrOptions, int(o.Version))
	case o.Version == Optuna5 && o.NoPrior:
		return fmt.Errorf("%w: NoPrior with Version Optuna5: Optuna 5 always has the prior kernel (it ignores consider_prior since 4.3)", ErrOptions)
	}
	return nil
}

// withDefaults fills in the zero values.
func (o Options) withDefaults() Options {
	if o.EICandidates == 0 {
		o.EICandidates = 24
	}
	if o.Gamma == nil {
		o.Gamma = DefaultGamma
	}
	if o.Weights == nil {
		o.Weights = DefaultWeights
	}
	if o.PriorWeight == 0 {
		o.PriorWeight = 1
	}
	return o
}

// recoverOptions turns a panic (in practice from a user's Gamma or
// Weights) into an error, so that none escapes the package.
func recoverOptions(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %w", ErrOptions, gerr.Recovered("tpe: your Gamma or Weights", r))
	}
}
