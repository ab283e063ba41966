package tuner

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/internal/gerr"
)

// TPESampler is the Tree-structured Parzen Estimator (Bergstra et al. 2011,
// "Algorithms for Hyper-Parameter Optimization") exactly as Optuna 3.1's
// optuna.samplers.TPESampler computes it (samplers/_tpe/sampler.py,
// parzen_estimator.py, _truncnorm.py); the zero value has Optuna's defaults.
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
//  2. Fit a Parzen estimator to each group, l(x) to below and g(x) to above:
//     p(x) = Σₖ wₖ·Kₖ(x) over one kernel per observation, weights
//     Weights(m) for the group's m observations (oldest first), plus a prior
//     kernel of weight PriorWeight; the wₖ are normalized to sum to 1.
//     Numerical kernels live in [low, high] (log low, log high for Log
//     ranges; low − step/2, high + step/2 for stepped floats and ints, whose
//     kernels give x the mass of [x − step/2, x + step/2]); a kernel is
//     N(μₖ, σₖ²) truncated to that range: log Kₖ(x) = −z²/2 − log √(2π) −
//     log(Φ(bₖ) − Φ(aₖ)) with z = (x−μₖ)/σₖ, aₖ, bₖ the standardized bounds.
//     Centres μₖ are the observations; σₖ is the larger gap to its neighbours
//     among the sorted centres and the bounds (without ConsiderEndpoints the
//     outermost take their inner gap), clipped to [(high−low)/min(100, 1+K),
//     high−low] for K kernels (the "magic clip"). The prior kernel is
//     centred on (low+high)/2 with σ = high−low. A categorical kernel gives
//     each of C choices PriorWeight/(m+1), plus 1 to the observed one, then
//     normalizes; the prior's is uniform.
//  3. Draw EICandidates points from l and return the one with the largest
//     log l(x) − log g(x), which maximizes the expected improvement
//     (Bergstra et al. 2011, §4.1).
//
// With Multivariate, the parameters that every complete or pruned trial
// holds with the same distribution (Optuna's intersection search space) are
// sampled jointly when a trial starts (Falkner et al. 2018, "BOHB"; Optuna's
// multivariate=True): each kernel is a product over the parameters, and
// every numerical σ is 0.2·max(m,1)^(−1/(d+4))·(high−low) for d parameters
// (Scott's rule). Other parameters are sampled independently.
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
//   - not implemented: group=True, constraints_func, multi-objective.
//
// Like Optuna 3.1 to 3.4, the continuous kernels' log-density leaves out
// −log σₖ (optuna#5109), and a Log int's density is taken at log x rather
// than as the mass of its interval; NormalizedDensity adds the −log σₖ.
type TPESampler struct {
	// StartupTrials is the number of complete or pruned trials sampled at
	// random before TPE starts; 0 → 10 (n_startup_trials).
	StartupTrials int
	// EICandidates is the number of points drawn from l(x); 0 → 24
	// (n_ei_candidates).
	EICandidates int
	// Gamma(n) is the size of the "below" group among n finished trials;
	// nil → TPEDefaultGamma, min(⌈0.1·n⌉, 25). A result above n means n.
	Gamma func(n int) int
	// Weights(n) weighs n observations, oldest first; nil →
	// TPEDefaultWeights (the newest 25 weigh 1, older ones ramp down).
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
	// ConstantLiar counts running trials as the worst ones, so that
	// parallel workers spread out (constant_liar).
	ConstantLiar bool
	// NormalizedDensity includes −log σ in the log-density of continuous
	// kernels, which Optuna 3.1 to 3.4 leave out (optuna#5109; Optuna
	// fixed it in optuna#5110). The fixed density integrates to 1; in
	// cmd/tpebench it found worse optima than 3.1's on most functions, so
	// it is off by default.
	NormalizedDensity bool
}

// tpeSettings is a TPESampler with its defaults filled in.
type tpeSettings struct {
	startup, candidates int
	gamma               func(int) int
	parzen              tpeParzenConfig
}

// settings validates s and fills in the defaults.
func (s TPESampler) settings() (tpeSettings, error) {
	switch {
	case s.StartupTrials < 0:
		return tpeSettings{}, fmt.Errorf("%w: TPESampler.StartupTrials = %d, want ≥ 0 (0 → 10)", ErrConfig, s.StartupTrials)
	case s.EICandidates < 0:
		return tpeSettings{}, fmt.Errorf("%w: TPESampler.EICandidates = %d, want ≥ 0 (0 → 24)", ErrConfig, s.EICandidates)
	case !(s.PriorWeight >= 0) || math.IsInf(s.PriorWeight, 0):
		return tpeSettings{}, fmt.Errorf("%w: TPESampler.PriorWeight = %v, want finite > 0 (0 → 1)", ErrConfig, s.PriorWeight)
	}
	st := tpeSettings{startup: s.StartupTrials, candidates: s.EICandidates, gamma: s.Gamma}
	if st.startup == 0 {
		st.startup = 10
	}
	if st.candidates == 0 {
		st.candidates = 24
	}
	if st.gamma == nil {
		st.gamma = TPEDefaultGamma
	}
	st.parzen = tpeParzenConfig{
		considerPrior:     !s.NoPrior,
		priorWeight:       s.PriorWeight,
		magicClip:         !s.NoMagicClip,
		considerEndpoints: s.ConsiderEndpoints,
		weights:           s.Weights,
		multivariate:      s.Multivariate,
		normalized:        s.NormalizedDensity,
	}
	if st.parzen.priorWeight == 0 {
		st.parzen.priorWeight = 1
	}
	if st.parzen.weights == nil {
		st.parzen.weights = TPEDefaultWeights
	}
	return st, nil
}

// Sample implements Sampler: one parameter, by independent TPE.
func (s TPESampler) Sample(c *SampleContext, name string, d Distribution) (x float64, err error) {
	defer tpeRecover(&err)
	st, err := s.settings()
	if err != nil {
		return 0, err
	}
	if err := tpeCheckDistribution(name, d); err != nil {
		return 0, err
	}
	if Single(d) {
		if _, ok := d.(CategoricalDist); ok {
			return 0, nil
		}
		return tpeKernelBounds(d).valLow, nil
	}
	space := []tpeParam{{name: name, d: d}}
	obs, err := tpeCollect(c.Trials, c.Direction, space, s.ConstantLiar, st.gamma)
	if err != nil {
		return 0, err
	}
	if obs.n < st.startup {
		return sampleUniform(c.Rand, d), nil
	}
	xs, err := st.acquire(space, obs, c.Rand.Float64)
	if err != nil {
		return 0, err
	}
	return xs[0], nil
}

// SampleRelative implements RelativeSampler: with Multivariate, the
// parameters that every complete or pruned trial shares, jointly; nil
// otherwise, or before StartupTrials trials.
func (s TPESampler) SampleRelative(c *SampleContext) (_ map[string]float64, err error) {
	defer tpeRecover(&err)
	if !s.Multivariate {
		return nil, nil
	}
	st, err := s.settings()
	if err != nil {
		return nil, err
	}
	space := tpeIntersection(c.Trials)
	if len(space) == 0 {
		return nil, nil
	}
	for _, p := range space {
		if err := tpeCheckDistribution(p.name, p.d); err != nil {
			return nil, err
		}
	}
	obs, err := tpeCollect(c.Trials, c.Direction, space, s.ConstantLiar, st.gamma)
	if err != nil || obs.n < st.startup {
		return nil, err
	}
	xs, err := st.acquire(space, obs, c.Rand.Float64)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(space))
	for p, sp := range space {
		out[sp.name] = xs[p]
	}
	return out, nil
}

// acquire fits l to the below group and g to the above one, draws
// candidates from l with the uniforms u, and returns the candidate with the
// largest log l − log g.
func (st tpeSettings) acquire(space []tpeParam, obs tpeObservations, u func() float64) ([]float64, error) {
	a, err := st.acquisition(space, obs, u)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(space))
	for p := range out {
		out[p] = a.candidates[p][a.best]
	}
	return out, nil
}

// tpeAcquisition is what acquire computes: candidates[p][i], their log l
// and log g, and the chosen index.
type tpeAcquisition struct {
	candidates [][]float64
	logL, logG []float64
	best       int
}

func (st tpeSettings) acquisition(space []tpeParam, obs tpeObservations, u func() float64) (tpeAcquisition, error) {
	l, err := newTPEParzen(space, obs.below, st.parzen)
	if err != nil {
		return tpeAcquisition{}, err
	}
	g, err := newTPEParzen(space, obs.above, st.parzen)
	if err != nil {
		return tpeAcquisition{}, err
	}
	cand := l.sample(u, st.candidates)
	ll, lg := l.logPDF(cand), g.logPDF(cand)
	return tpeAcquisition{candidates: cand, logL: ll, logG: lg, best: tpeArgmax(ll, lg)}, nil
}

// tpeArgmax returns the index of the largest ll[i] − lg[i] as numpy's
// argmax does: the first maximum, or the first NaN.
func tpeArgmax(ll, lg []float64) int {
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

// tpeCheckDistribution rejects distributions TPE cannot model.
func tpeCheckDistribution(name string, d Distribution) error {
	switch d.(type) {
	case FloatDist, IntDist, CategoricalDist:
		return nil
	}
	return fmt.Errorf("%w: TPESampler: parameter %q has distribution %T, want FloatDist, IntDist or CategoricalDist", ErrConfig, name, d)
}

// tpeCallGamma calls a user's Gamma and checks its result.
func tpeCallGamma(gamma func(int) int, n int) (int, error) {
	k := gamma(n)
	if k < 0 {
		return 0, fmt.Errorf("%w: TPESampler.Gamma(%d) = %d, want ≥ 0", ErrConfig, n, k)
	}
	return k, nil
}

// tpeRecover turns a panic (in practice from a user's Gamma or Weights)
// into an error with its stack, so none escapes into the study.
func tpeRecover(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %w", ErrConfig, gerr.Recovered("TPESampler", r))
	}
}
