package tuner

import (
	"fmt"
	"math"
	"sort"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/tuner/tpe"
)

// TPESampler is the Tree-structured Parzen Estimator (Bergstra et al. 2011,
// "Algorithms for Hyper-Parameter Optimization") exactly as Optuna 3.1's
// optuna.samplers.TPESampler computes it (samplers/_tpe/sampler.py,
// parzen_estimator.py, _truncnorm.py); the zero value has Optuna's defaults.
// It turns the trials into plain values for package tuner/tpe, which holds
// the estimator's mathematics, and its draws back into parameter values.
//
// Until StartupTrials trials are complete or pruned, values are drawn as
// RandomSampler draws them. Then each parameter is sampled independently:
//
//  1. Rank the n complete and pruned trials: complete ones by value, then
//     pruned ones by their last reported step (longest first), then by the
//     value reported there. The Gamma(n) best form "below", the rest
//     "above"; trials lacking the parameter are dropped from both. With a
//     dynamic range (Float("other", 0, 1-top)), values drawn under another
//     range count, also those outside the current one, as in Optuna 3.1.
//  2. Fit a Parzen estimator to each group, l(x) to below and g(x) to
//     above, draw EICandidates points from l and return the one with the
//     largest log l(x) − log g(x), which maximizes the expected
//     improvement (Bergstra et al. 2011, §4.1); package tuner/tpe gives
//     the kernels, their bandwidths and weights.
//
// With Multivariate, the parameters that every complete or pruned trial
// holds with the same distribution (Optuna's intersection search space) are
// sampled jointly when a trial starts (Falkner et al. 2018, "BOHB"; Optuna's
// multivariate=True): each kernel is a product over the parameters, with
// bandwidths by Scott's rule. Other parameters are sampled independently.
//
// Deterministic: it draws only from SampleContext.Rand, so the same seed and
// the same finished trials give the same values.
//
// Where we differ from Optuna 3.1:
//   - the uniforms come from Go's generator, not numpy's: the same seed gives
//     other values than Optuna. Fed numpy's uniforms, Sample and
//     SampleRelative return Optuna's values (tested against Optuna 3.1).
//   - continuous draws are clipped into [Low, High], which Optuna can
//     overshoot by an ulp.
//   - with Multivariate and ConstantLiar, a running trial that lacks any of
//     the joint parameters is left out (Optuna checks only the first).
//   - not implemented: group=True, constraints_func, multi-objective (a
//     study of several objectives refuses TPESampler with ErrConfig; use
//     Version TPEOptuna5).
//
// Like Optuna 3.1 to 3.4, the continuous kernels' log-density leaves out
// −log σₖ (optuna#5109), and a Log int's density is taken at log x rather
// than as the mass of its interval; NormalizedDensity adds the −log σₖ.
//
// # Optuna 5
//
// With Version TPEOptuna5 it is Optuna 5.0's TPESampler() instead, with
// its defaults (tested against Optuna 5.0.0.dev, commit 1d8ce7bb6):
//
//   - multivariate for a study of one objective (Univariate turns it off),
//     independent for several (Multivariate turns it on), as Optuna 5's
//     multivariate=None; the constant liar on (NoConstantLiar turns it
//     off);
//   - the estimator of package tuner/tpe's Optuna5: the prior kernel always
//     there (NoPrior is refused) and out of the bandwidth computation, the
//     same bandwidths for joint sampling (no Scott's rule), normalized
//     kernels, a Log int's density as the mass of its interval;
//   - constraints (FrozenTrial.Constraints, Trial.SetConstraints): a
//     finished trial whose constraint values sum to more than 0 over the
//     positive ones is infeasible and ranks after every feasible one, the
//     least violation first;
//   - several objectives (multi-objective TPE, "MOTPE"; Ozaki et al. 2020,
//     "Multiobjective Tree-Structured Parzen Estimator for Computationally
//     Expensive Optimization Problems"): the "below" group is the best
//     non-domination fronts, the last one cut by greedy hypervolume subset
//     selection, ⌈0.1·n⌉ trials without a cap (tpe.SplitMulti); its
//     observations weigh alike. A pruned trial of several objectives ranks
//     by the step it reached (Optuna 5 cannot rank one that reported).
//
// TPEOptuna5 is Optuna 5's default sampler for a study of several
// objectives too; gradtune's default sampler is not changed by it.
// Where it differs from Optuna 5, besides the uniforms of Go's generator
// and the clipped draws above: Optuna 5 shares a running trial's jointly
// sampled values with other workers before the objective suggests them
// (a system attribute); here a running trial counts for the constant liar
// with the parameters it has suggested, and without a joint parameter it is
// left out. The joint parameters are sorted by name (Optuna follows the
// newest trial's order), and group=True is not implemented.
type TPESampler struct {
	// Version is the Optuna release whose TPE this is: the zero value
	// TPEOptuna31, or TPEOptuna5 (see "Optuna 5" above).
	Version TPEVersion
	// StartupTrials is the number of complete or pruned trials sampled at
	// random before TPE starts; 0 → 10 (n_startup_trials).
	StartupTrials int
	// EICandidates is the number of points drawn from l(x); 0 → 24
	// (n_ei_candidates).
	EICandidates int
	// Gamma(n) is the size of the "below" group among n finished trials;
	// nil → tpe.DefaultGamma, min(⌈0.1·n⌉, 25) (with TPEOptuna5 and
	// several objectives tpe.DefaultGammaMulti, ⌈0.1·n⌉). A result above n
	// means n.
	Gamma func(n int) int
	// Weights(n) weighs n observations, oldest first; nil →
	// tpe.DefaultWeights (the newest 25 weigh 1, older ones ramp down).
	// With TPEOptuna5 and several objectives it weighs the "above" group
	// only; the "below" one weighs alike.
	Weights func(n int) []float64
	// PriorWeight is the prior kernel's weight; 0 → 1.0 (prior_weight).
	PriorWeight float64
	// NoPrior drops the prior kernel (consider_prior=False); an estimator
	// with no observation still uses it.
	NoPrior bool
	// ConsiderEndpoints lets the outermost kernels' bandwidths reach the
	// range's bounds (consider_endpoints).
	ConsiderEndpoints bool
	// NoMagicClip lowers the bandwidths' floor to 1e-12
	// (consider_magic_clip=False).
	NoMagicClip bool
	// Multivariate samples the shared parameters jointly (multivariate).
	Multivariate bool
	// Univariate samples every parameter independently
	// (multivariate=False): TPEOptuna5 samples jointly by default for one
	// objective. Refused with Multivariate.
	Univariate bool
	// ConstantLiar counts running trials as the worst ones, so that
	// parallel workers spread out (constant_liar).
	ConstantLiar bool
	// NoConstantLiar leaves running trials out (constant_liar=False):
	// TPEOptuna5 counts them by default. Refused with ConstantLiar.
	NoConstantLiar bool
	// NormalizedDensity includes −log σ in the log-density of continuous
	// kernels, which Optuna 3.1 to 3.4 leave out (optuna#5109; Optuna
	// fixed it in optuna#5110). The fixed density integrates to 1; in
	// cmd/samplerbench it found worse optima than 3.1's on most functions, so
	// it is off by default. TPEOptuna5 always normalizes.
	NormalizedDensity bool
}

// TPEVersion is the Optuna release whose TPE a TPESampler follows.
type TPEVersion = tpe.Version

// The TPE versions.
const (
	// TPEOptuna31 is Optuna 3.1's TPE, TPESampler's zero value.
	TPEOptuna31 = tpe.Optuna31
	// TPEOptuna5 is Optuna 5.0's TPE with its defaults, single- and
	// multi-objective (see TPESampler).
	TPEOptuna5 = tpe.Optuna5
)

// settings validates s and returns its start-up trials and tpe.Options.
func (s TPESampler) settings() (startup int, o tpe.Options, err error) {
	if s.StartupTrials < 0 {
		return 0, o, fmt.Errorf("%w: TPESampler.StartupTrials = %d, want ≥ 0 (0 → 10)", ErrConfig, s.StartupTrials)
	}
	switch {
	case s.Multivariate && s.Univariate:
		return 0, o, fmt.Errorf("%w: TPESampler with Multivariate and Univariate, want one of them", ErrConfig)
	case s.ConstantLiar && s.NoConstantLiar:
		return 0, o, fmt.Errorf("%w: TPESampler with ConstantLiar and NoConstantLiar, want one of them", ErrConfig)
	}
	o = tpe.Options{Version: s.Version, EICandidates: s.EICandidates, Gamma: s.Gamma, Weights: s.Weights, PriorWeight: s.PriorWeight,
		NoPrior: s.NoPrior, ConsiderEndpoints: s.ConsiderEndpoints, NoMagicClip: s.NoMagicClip,
		Multivariate: s.Multivariate, NormalizedDensity: s.NormalizedDensity}
	if err := o.Validate(); err != nil {
		return 0, o, tpeError(err)
	}
	startup = s.StartupTrials
	if startup == 0 {
		startup = 10
	}
	return startup, o, nil
}

// multivariate reports whether s samples jointly in a study of
// objectives objectives.
func (s TPESampler) multivariate(objectives int) bool {
	return s.Multivariate || s.Version == TPEOptuna5 && !s.Univariate && objectives == 1
}

// tpeVersionOf is the Version of a TPESampler or *TPESampler (a nil
// pointer is the zero value's).
func tpeVersionOf(s Sampler) TPEVersion {
	switch s := s.(type) {
	case TPESampler:
		return s.Version
	case *TPESampler:
		if s != nil {
			return s.Version
		}
	}
	return TPEOptuna31
}

// liar reports whether s counts running trials (constant liar).
func (s TPESampler) liar() bool {
	return s.ConstantLiar || s.Version == TPEOptuna5 && !s.NoConstantLiar
}

// tpeParam is one parameter of TPE's search space.
type tpeParam struct {
	name string
	d    Distribution
}

// Sample implements Sampler: one parameter, by independent TPE. Errors
// wrap ErrConfig: bad settings, a SampleContext without Rand, a
// distribution that is invalid or not a FloatDist, IntDist or
// CategoricalDist.
func (s TPESampler) Sample(c *SampleContext, name string, d Distribution) (x float64, err error) {
	defer tpeRecover(&err)
	startup, o, err := s.settings()
	if err != nil {
		return 0, err
	}
	if err := tpeCheckContext(c, s.Version); err != nil {
		return 0, err
	}
	dist, err := tpeDist(name, d)
	if err != nil {
		return 0, err
	}
	if err := checkUniform(d); err != nil {
		return 0, fmt.Errorf("TPESampler: parameter %q: %w", name, err)
	}
	if Single(d) {
		return dist.Low, nil // the choice index 0 of a categorical
	}
	space := []tpeParam{{name: name, d: d}}
	obs, err := tpeCollectDirs(c.Trials, tpeDirections(c), space, s.liar(), o)
	if err != nil {
		return 0, err
	}
	if obs.N < startup {
		return sampleUniform(c.Rand, d), nil
	}
	a, err := tpe.Acquire([]tpe.Dist{dist}, obs, o, c.Rand.Float64)
	if err != nil {
		return 0, tpeError(err)
	}
	return a.Chosen()[0], nil
}

// SampleRelative implements RelativeSampler: with Multivariate (by default
// with TPEOptuna5 and one objective), the parameters that every complete or
// pruned trial shares, jointly; nil otherwise, or before StartupTrials
// trials.
func (s TPESampler) SampleRelative(c *SampleContext) (_ map[string]float64, err error) {
	defer tpeRecover(&err)
	if !s.Multivariate && s.Version == TPEOptuna31 {
		return nil, nil // Optuna 3.1's default: nothing joint, nothing to check
	}
	startup, o, err := s.settings()
	if err != nil {
		return nil, err
	}
	if err := tpeCheckContext(c, s.Version); err != nil {
		return nil, err
	}
	dirs := tpeDirections(c)
	if !s.multivariate(len(dirs)) {
		return nil, nil
	}
	space := tpeIntersection(c.Trials)
	if len(space) == 0 {
		return nil, nil
	}
	dists := make([]tpe.Dist, len(space))
	for p, sp := range space {
		if dists[p], err = tpeDist(sp.name, sp.d); err != nil {
			return nil, err
		}
	}
	obs, err := tpeCollectDirs(c.Trials, dirs, space, s.liar(), o)
	if err != nil || obs.N < startup {
		return nil, err
	}
	a, err := tpe.Acquire(dists, obs, o, c.Rand.Float64)
	if err != nil {
		return nil, tpeError(err)
	}
	out := make(map[string]float64, len(space))
	for p, x := range a.Chosen() {
		out[space[p].name] = x
	}
	return out, nil
}

// tpeCheckContext refuses a SampleContext the study did not make: nil, or
// without Rand, and one of several objectives for Optuna 3.1's TPE
// (ErrConfig).
func tpeCheckContext(c *SampleContext, v TPEVersion) error {
	if c == nil || c.Rand == nil {
		return fmt.Errorf("%w: TPESampler: a SampleContext with a Rand, want one from the study", ErrConfig)
	}
	if len(c.Directions) > 1 && v != TPEOptuna5 {
		return fmt.Errorf("%w: TPESampler (Optuna 3.1's) optimizes one objective, the study has %d (Directions %v); set Version TPEOptuna5 for multi-objective TPE",
			ErrConfig, len(c.Directions), c.Directions)
	}
	return nil
}

// tpeDirections is the study's directions, one per objective: Directions,
// or [Direction] (Minimize when Auto) in a context that lacks them.
func tpeDirections(c *SampleContext) []Direction {
	if len(c.Directions) > 0 {
		return c.Directions
	}
	if c.Direction == goal.Auto {
		return []Direction{Minimize}
	}
	return []Direction{c.Direction}
}

// tpeDist describes d to package tpe; TPE models FloatDist, IntDist and
// CategoricalDist only (ErrConfig).
func tpeDist(name string, d Distribution) (tpe.Dist, error) {
	switch d := d.(type) {
	case FloatDist:
		return tpe.Dist{Low: d.Low, High: d.High, Step: d.Step, Log: d.Log}, nil
	case IntDist:
		return tpe.Dist{Low: float64(d.Low), High: float64(d.High), Step: float64(d.IntStep()), Log: d.Log, Int: true}, nil
	case CategoricalDist:
		return tpe.Dist{Choices: len(d.Choices)}, nil
	}
	return tpe.Dist{}, fmt.Errorf("%w: TPESampler: parameter %q has distribution %T, want FloatDist, IntDist or CategoricalDist", ErrConfig, name, d)
}

// tpeCollect splits the complete and pruned trials (and the running ones
// with a constant liar) by their values of space (tpe.Split). A trial that
// lacks a parameter of space, or holds it with an incompatible
// distribution, is left out of both groups' values.
func tpeCollect(trials []FrozenTrial, dir Direction, space []tpeParam, liar bool, o tpe.Options) (tpe.Observations, error) {
	return tpeCollectDirs(trials, []Direction{dir}, space, liar, o)
}

// tpeCollectDirs is tpeCollect for a study of one objective or several
// (tpe.SplitMulti); with Optuna 5's TPE the trials' constraints count.
func tpeCollectDirs(trials []FrozenTrial, dirs []Direction, space []tpeParam, liar bool, o tpe.Options) (tpe.Observations, error) {
	var in []tpe.Trial
	for i := range trials {
		t := &trials[i]
		tt := tpe.Trial{Number: t.Number, X: make([]float64, len(space))}
		if o.Version == tpe.Optuna5 {
			tt.Constraints = t.Constraints
		}
		switch t.State {
		case Complete:
			tt.State, tt.Value, tt.Values = tpe.Complete, t.Value, t.Values
		case Pruned:
			tt.State = tpe.Pruned
			tt.LastStep, tt.LastValue, tt.Reported = t.LastStep()
		case Running:
			if !liar {
				continue
			}
			tt.State = tpe.Running
		default:
			continue
		}
		for p, sp := range space {
			tt.X[p] = math.NaN()
			if x, ok := t.Internal[sp.name]; ok && tpeObservable(x, t.Distributions[sp.name], sp.d) {
				tt.X[p] = x
			}
		}
		in = append(in, tt)
	}
	var obs tpe.Observations
	var err error
	if len(dirs) > 1 {
		obs, err = tpe.SplitMulti(in, dirs, len(space), o)
	} else {
		obs, err = tpe.Split(in, dirs[0], len(space), o)
	}
	if err != nil {
		return obs, tpeError(err)
	}
	return obs, nil
}

// tpeObservable reports whether x, drawn from was, is an observation for a
// parameter now drawn from d. As in Optuna 3.1 (_get_observation_pairs
// takes every trial that holds the parameter), a value drawn under another
// range of a dynamic range counts, also outside d: the kernel centred on it
// is truncated to d. A categorical index must be one of d's choices.
func tpeObservable(x float64, was, d Distribution) bool {
	if Compatible(was, d) != nil {
		return false
	}
	_, categorical := d.(CategoricalDist)
	return !categorical || d.Contains(x)
}

// tpeIntersection is the search space every complete or pruned trial
// shares, same names with equal distributions (Optuna's
// IntersectionSearchSpace(include_pruned=True)), less single-valued ones,
// sorted by name.
func tpeIntersection(trials []FrozenTrial) []tpeParam {
	var common map[string]Distribution
	for i := range trials {
		t := &trials[i]
		if t.State != Complete && t.State != Pruned {
			continue
		}
		if common == nil {
			common = make(map[string]Distribution, len(t.Distributions))
			for k, d := range t.Distributions {
				common[k] = d
			}
			continue
		}
		for k, d := range common {
			if td, ok := t.Distributions[k]; !ok || !Equal(td, d) {
				delete(common, k)
			}
		}
	}
	var out []tpeParam
	for k, d := range common {
		if !Single(d) {
			out = append(out, tpeParam{name: k, d: d})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// tpeError makes an error of package tpe (bad options, a Gamma or Weights
// result it cannot use) one of the study's configuration errors.
func tpeError(err error) error {
	return fmt.Errorf("%w: TPESampler: %w", ErrConfig, err)
}

// tpeRecover turns a panic into an error, so none escapes into the study.
func tpeRecover(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %w", ErrConfig, gerr.Recovered("TPESampler", r))
	}
}
